"""The model's intermediate activations (backbone stages) for an image."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from attention_jxl import _core
from attention_jxl._codec import model_input
from attention_jxl._model import prepared_model
from attention_jxl._prepare import STAGES


class LayerModel:
    """The attention model run for its backbone stages as well as its outputs.

    `run(image)` returns a dict of float32 arrays by output name: `center`,
    `saliency` and the stages `stage1` .. `stage5` (NHWC, batch 1; see
    `attention_jxl._prepare.layers`). One inference at a time per object: make
    one per thread to run in parallel.

    Args:
        path: the published ``center.tflite`` or a prepared layers graph; None
            looks it up as `find_model` does.
        threads: CPU threads one inference uses.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, threads: int = 1) -> None:
        if not isinstance(threads, int) or isinstance(threads, bool) or threads < 1:
            raise ValueError(f"threads must be an integer >= 1, got {threads!r}")
        self._native = _core.LayerModel(str(prepared_model(path, layers=True)), threads)

    @property
    def names(self) -> list[str]:
        """The output names, in the model's order."""
        return list(self._native.names)

    @property
    def stages(self) -> list[str]:
        """The backbone stage names, shallowest first."""
        return list(STAGES)

    def run(self, image: Any) -> dict[str, np.ndarray]:
        """All outputs for `image` (any array `center` takes), by name."""
        return self.run_input(model_input(image))

    def run_input(self, tensor: np.ndarray) -> dict[str, np.ndarray]:
        """All outputs for a 480x640x3 float32 model input, by name."""
        return dict(self._native.run(np.asarray(tensor, dtype=np.float32)))


__all__ = ["LayerModel"]
