"""Fuzz target: attention_jxl.decode on arbitrary bytes, full and partial.

Checks beyond "no crash": a successful decode gives an HxW or HxWxC array of
uint8/uint16/float32 whose size stays within the pixel limit, and a partial
decode of a complete file gives the same pixels as a full one.
"""

from __future__ import annotations

import numpy as np
from _harness import FUZZ_MAX_IMAGE_PIXELS, expect_failure, fuzz, import_instrumented

aj = import_instrumented()


def check_image(image: np.ndarray) -> None:
    assert image.dtype in (np.uint8, np.uint16, np.float32), image.dtype
    assert image.ndim in (2, 3), image.shape
    assert image.ndim == 2 or 2 <= image.shape[2] <= 4, image.shape
    assert image.shape[0] * image.shape[1] <= FUZZ_MAX_IMAGE_PIXELS, image.shape


def test_one_input(data: bytes) -> None:
    full = expect_failure(lambda: aj.decode(data, threads=1))
    partial = expect_failure(lambda: aj.decode(data, partial=True, threads=1))
    for image in (full, partial):
        if image is not None:
            check_image(image)
    if full is not None:
        assert partial is not None, "a complete file failed to decode partially"
        assert partial.shape == full.shape and partial.dtype == full.dtype
        assert np.array_equal(partial, full, equal_nan=full.dtype == np.float32), \
            "partial decode of a complete file differs from the full decode"


if __name__ == "__main__":
    fuzz(test_one_input)
