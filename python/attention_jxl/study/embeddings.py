"""Image embeddings: our model's backbone stage, or torchvision's ResNet50 `layer2`.

An embedding is a matrix: one row per channel, one column per spatial position
(row-major), the shape neural matrices are resampled to.
"""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np

from attention_jxl._layers import LayerModel

EMBEDDERS = ("attention", "resnet50")
DEFAULT_LAYER = "stage2"  # the backbone's second stage, as the study took ResNet50's layer2
RESNET_INPUT_SIDE = 224
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], np.float32)


class EmbedderUnavailableError(RuntimeError):
    """The embedder's packages or weights are not installed here (and what to do)."""


def as_matrix(activation: np.ndarray, channels_last: bool) -> np.ndarray:
    """An activation (batch 1) as channels x positions, float32."""
    values = np.asarray(activation, np.float32)[0]
    if channels_last:
        values = np.moveaxis(values, -1, 0)
    return np.ascontiguousarray(values.reshape(values.shape[0], -1))


class AttentionEmbedder:
    """A backbone stage of the attention model (offline; the default).

    Each thread gets its own loaded model, so images embed in parallel.
    """

    name = "attention"

    def __init__(self, layer: str = DEFAULT_LAYER, model_path: str | Path | None = None) -> None:
        self.layer = layer
        self._model_path = model_path
        self._local = threading.local()
        stages = self._model().stages
        if layer not in stages:
            raise ValueError(f"layer must be one of {', '.join(stages)}, got {layer!r}")

    def _model(self) -> LayerModel:
        model = getattr(self._local, "model", None)
        if model is None:
            model = self._local.model = LayerModel(self._model_path)
        return model

    def embed(self, rgb: np.ndarray) -> np.ndarray:
        """The layer's activation for an HxWx3 uint8 image, channels x positions."""
        return as_matrix(self._model().run(rgb)[self.layer], channels_last=True)


class ResNet50Embedder:
    """torchvision's ResNet50 `layer2` output (512 x 28 x 28 for its 224x224 input).

    `weights="imagenet"` loads torchvision's ImageNet weights from the local
    torch hub cache (never downloads); `weights=None` initialises them at
    random, for checking shapes only.
    """

    name = "resnet50"

    def __init__(self, weights: str | None = "imagenet", seed: int = 0) -> None:
        try:
            import torch
            import torchvision
        except ImportError:
            raise EmbedderUnavailableError(
                "the resnet50 embedder needs torch and torchvision: `pip install torch "
                "torchvision` (about 2.7 GB with its CUDA packages on Linux), or use the "
                "attention embedder") from None
        if weights not in ("imagenet", None):
            raise ValueError(f"weights must be 'imagenet' or None, got {weights!r}")
        self._torch = torch
        torch.manual_seed(seed)
        network = torchvision.models.resnet50(weights=None)
        if weights == "imagenet":
            catalogue = torchvision.models.ResNet50_Weights.IMAGENET1K_V1
            cached = Path(torch.hub.get_dir()) / "checkpoints" / Path(catalogue.url).name
            if not cached.is_file():
                raise EmbedderUnavailableError(
                    f"ResNet50's ImageNet weights are not at {cached}, and this tool does not "
                    f"download them: copy {Path(catalogue.url).name} (from {catalogue.url}) "
                    "there, or use the attention embedder")
            network.load_state_dict(torch.load(cached, map_location="cpu", weights_only=True))
        network.eval()
        self._stem = torch.nn.Sequential(network.conv1, network.bn1, network.relu,
                                         network.maxpool, network.layer1, network.layer2)
        self._lock = threading.Lock()  # one forward pass at a time; torch threads inside

    def embed(self, rgb: np.ndarray) -> np.ndarray:
        """`layer2`'s output for an HxWx3 uint8 image, channels x positions."""
        side = RESNET_INPUT_SIDE
        pixels = cv2.resize(rgb, (side, side), interpolation=cv2.INTER_AREA)
        values = (pixels.astype(np.float32) / 255.0 - IMAGENET_MEAN) / IMAGENET_STD
        tensor = self._torch.from_numpy(np.ascontiguousarray(values.transpose(2, 0, 1)[None]))
        with self._lock, self._torch.no_grad():
            output = self._stem(tensor).numpy()
        return as_matrix(output, channels_last=False)


def make_embedder(name: str, **options) -> AttentionEmbedder | ResNet50Embedder:
    """The embedder called `name` (see EMBEDDERS)."""
    if name == "attention":
        return AttentionEmbedder(**options)
    if name == "resnet50":
        return ResNet50Embedder(**options)
    raise ValueError(f"embedder must be one of {', '.join(EMBEDDERS)}, got {name!r}")
