"""The attention study: do people look at an image's foreground or its background?

For each image the study makes a foreground mask, a no-background and a
no-foreground variant, embeds all three (a backbone stage of our model, or
ResNet50's `layer2`), measures the L2 distance of each embedding to neural data
(e.g. MEG sensors x time, resampled to the embedding's shape with Lanczos) and
adds what our gaze-trained model says: whether the predicted center falls on
the foreground, the saliency mass there, and how far the center moves. See
`run_study`; `attention-jxl study` runs it from the command line.
"""

from attention_jxl.study.embeddings import (
    EMBEDDERS,
    AttentionEmbedder,
    EmbedderUnavailableError,
    ResNet50Embedder,
)
from attention_jxl.study.masks import (
    MASK_METHODS,
    MaskUnavailableError,
    foreground_mask,
    grabcut_mask,
    rembg_mask,
)
from attention_jxl.study.neural import l2_distance, lanczos_resample, paired_comparison
from attention_jxl.study.run import StudyRun, mask_path, run_study, variant_path
from attention_jxl.study.variants import GROUPS, INPAINT_METHODS, no_background, no_foreground

__all__ = [
    "EMBEDDERS",
    "GROUPS",
    "INPAINT_METHODS",
    "MASK_METHODS",
    "AttentionEmbedder",
    "EmbedderUnavailableError",
    "MaskUnavailableError",
    "ResNet50Embedder",
    "StudyRun",
    "foreground_mask",
    "grabcut_mask",
    "l2_distance",
    "lanczos_resample",
    "mask_path",
    "no_background",
    "no_foreground",
    "paired_comparison",
    "rembg_mask",
    "run_study",
    "variant_path",
]
