"""Fuzz target: attention_jxl.Model(path) on mutated copies of center.tflite.

The input is a small program (8-byte records, see
tflite_layout.decode_program) of structure-aware edits to the real model:
they change the flatbuffer's tables, vtables, offsets, lengths, shapes,
tensor index lists (rewiring operators), types, option fields and small
parameter buffers rather than the 2 MB of weights. The edited model is
written to a temporary file and loaded. The empty input is the model itself.

A model that loads must also run: its center for a small image must be a
point of that image. Set FUZZ_MODEL_PRINT=1 to print the (offset, byte)
patches of each input (for saving a finding as a regression case).
"""

from __future__ import annotations

import json
import os
import tempfile

import numpy as np
import tflite_layout
from _harness import expect_failure, fuzz, import_instrumented, model_path

aj = import_instrumented()
ORIGINAL = model_path().read_bytes()
LAYOUT = tflite_layout.layout(ORIGINAL)
WORKDIR = tempfile.mkdtemp(prefix="fuzz-model-")
MUTATED_PATH = os.path.join(WORKDIR, "mutated.tflite")
IMAGE = np.random.default_rng(0).integers(0, 256, (37, 53, 3), dtype=np.uint8)
PRINT = os.environ.get("FUZZ_MODEL_PRINT") == "1"


def test_one_input(data: bytes) -> None:
    patches = tflite_layout.decode_program(data, ORIGINAL, LAYOUT)
    if PRINT:
        print("patches:", json.dumps(patches), flush=True)
    with open(MUTATED_PATH, "wb") as file:
        file.write(tflite_layout.apply(ORIGINAL, patches))
    model = expect_failure(lambda: aj.Model(MUTATED_PATH, threads=1))
    if model is None:
        return
    point = expect_failure(lambda: model.center(IMAGE))
    if point is not None:
        x, y = point
        assert 0 <= x < IMAGE.shape[1] and 0 <= y < IMAGE.shape[0], point


if __name__ == "__main__":
    fuzz(test_one_input)
