"""The backbone stages the layers graph exposes as extra outputs, by friendly name.

The model's backbone is a MobileNetV3 cut after its ninth block. A stage is the
last block at one resolution (1/4 to 1/32 of the 640x480 input); its output is
what the next resolution is built from, and what the saliency head reads.
"""

from __future__ import annotations

# name -> tensor in the fast graph, in graph order. Shapes (NHWC):
# stage1 1x120x160x16, stage2 1x60x80x24, stage3 1x30x40x40, stage4 1x30x40x48,
# stage5 1x15x20x96 (after the head's ReLU, which the converter fused into the block).
STAGES = {
    "stage1": "MobilenetV3/expanded_conv/project/GroupNorm/Reshape_2",
    "stage2": "MobilenetV3/expanded_conv_2/add",
    "stage3": "MobilenetV3/expanded_conv_5/add",
    "stage4": "MobilenetV3/expanded_conv_7/add",
    "stage5": "saliency/Relu_3;MobilenetV3/expanded_conv_8/project/GroupNorm/Reshape_2",
}
