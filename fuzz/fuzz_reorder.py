"""Fuzz target: attention_jxl.reorder, the table-of-contents rewriter.

Input: a 4-byte center, x and y as little-endian uint16 (any value: reorder
clamps it into the image), then the file. Checks beyond "no crash": a result
is a valid JPEG XL file (group_order reads it); when the input decodes, the
result decodes to the same pixels; and reorder is idempotent (reordering the
result for the same center gives it back byte for byte).
"""

from __future__ import annotations

import struct

import numpy as np
from _harness import expect_failure, fuzz, import_instrumented

aj = import_instrumented()

CENTER_BYTES = 4


def split_input(data: bytes) -> tuple[tuple[int, int], bytes]:
    """The center (x, y) and the file of one fuzz input."""
    x, y = struct.unpack_from("<HH", data.ljust(CENTER_BYTES, b"\0"))
    return (x, y), data[CENTER_BYTES:]


def test_one_input(data: bytes) -> None:
    center, file = split_input(data)
    result = expect_failure(lambda: aj.reorder(file, center))
    if result is None:
        return
    assert isinstance(result, bytes) and result, "reorder returned no bytes"
    # Any exception here escapes: a reordered file must read.
    order = aj.group_order(result)
    assert order, "group_order of the reordered file returned no groups"
    again = aj.reorder(result, center)
    assert again == result, (
        f"reorder is not idempotent: {len(result)} bytes, then {len(again)} bytes"
        f"{'' if len(again) != len(result) else ' (same length, different bytes)'}")
    before = expect_failure(lambda: aj.decode(file, threads=1))
    if before is None:
        return
    after = aj.decode(result, threads=1)
    assert after.shape == before.shape and after.dtype == before.dtype, (
        f"decoded {before.shape} {before.dtype} before reorder, {after.shape} {after.dtype} after")
    assert np.array_equal(after, before, equal_nan=before.dtype == np.float32), \
        "the reordered file decodes to different pixels"


if __name__ == "__main__":
    fuzz(test_one_input)
