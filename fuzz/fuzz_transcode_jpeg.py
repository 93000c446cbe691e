"""Fuzz target: attention_jxl.transcode_jpeg and jpeg_center on arbitrary bytes.

The input is the JPEG file. How it is called comes from a checksum of the
input, so every input replays the same way: a quarter of them run
transcode_jpeg(center="auto") (the model predicts the center on the decoded
pixels), a quarter jpeg_center, the rest transcode_jpeg with no center or a
given point (inside or outside the image). Effort 1-2, one thread.

Checks beyond "no crash": a JPEG XL file we produce decodes, and a predicted
center is a pair of non-negative integers.
"""

from __future__ import annotations

import warnings
import zlib

from _harness import expect_failure, fuzz, import_instrumented, model_path

aj = import_instrumented()
MODEL = aj.Model(model_path())
warnings.simplefilter("ignore")  # unreadable Exif blocks warn; that is expected


def test_one_input(data: bytes) -> None:
    choice = zlib.crc32(data)
    mode = choice % 4
    effort = 1 + (choice >> 2) % 2
    if mode == 1:
        point = expect_failure(lambda: aj.jpeg_center(data, model=MODEL))
        if point is not None:
            x, y = point
            assert isinstance(x, int) and isinstance(y, int) and x >= 0 and y >= 0, point
        return
    if mode == 0:
        center = "auto"
    elif (choice >> 3) % 2:
        center = None
    else:
        center = ((choice >> 4) % 1024 - 8, (choice >> 14) % 1024 - 8)
    encoded = expect_failure(lambda: aj.transcode_jpeg(
        data, center=center, effort=effort, threads=1, model=MODEL))
    if encoded is None:
        return
    image = aj.decode(encoded, threads=1)  # our own output must decode
    order = aj.group_order(encoded)
    assert order and image.size > 0


if __name__ == "__main__":
    fuzz(test_one_input)
