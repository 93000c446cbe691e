"""reconstruct_jpeg: the original JPEG back, byte for byte as djxl rebuilds it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

import attention_jxl
from conftest import TESTDATA, TESTDATA_JPEGS, require_tool

JPEGS = TESTDATA_JPEGS


def djxl_jpeg(tmp_path: Path, jxl: bytes) -> bytes:
    source, output = tmp_path / "in.jxl", tmp_path / "out.jpg"
    source.write_bytes(jxl)
    subprocess.run([require_tool("djxl"), str(source), str(output)], check=True,
                   capture_output=True)
    return output.read_bytes()


@pytest.mark.parametrize("path", JPEGS, ids=lambda p: p.name)
@pytest.mark.parametrize("center", [None, (0, 0), "middle"])
def test_equals_the_original_and_djxl(tmp_path: Path, path: Path, center) -> None:
    original = path.read_bytes()
    if center == "middle":
        info = attention_jxl.probe(attention_jxl.transcode_jpeg(original, center=None))
        center = (info.width // 2, info.height // 2)
    jxl = attention_jxl.transcode_jpeg(original, center=center)
    rebuilt = attention_jxl.reconstruct_jpeg(jxl)
    assert rebuilt == original
    assert rebuilt == djxl_jpeg(tmp_path, jxl)


def test_reordered_and_cjxl_files(tmp_path: Path) -> None:
    original = JPEGS[0].read_bytes()
    source, output = tmp_path / "in.jpg", tmp_path / "cjxl.jxl"
    source.write_bytes(original)
    subprocess.run([require_tool("cjxl"), str(source), str(output)], check=True,
                   capture_output=True)
    by_cjxl = output.read_bytes()
    assert attention_jxl.reconstruct_jpeg(by_cjxl) == original
    reordered = attention_jxl.reorder(by_cjxl, (1500, 900))
    assert attention_jxl.reconstruct_jpeg(reordered) == original
    ready = TESTDATA / "jxl/jpeg_reconstruction/1x1_exif_xmp.jxl"
    assert attention_jxl.reconstruct_jpeg(ready.read_bytes()) == djxl_jpeg(tmp_path,
                                                                          ready.read_bytes())


def test_file_encoded_from_pixels_has_no_jpeg() -> None:
    data = attention_jxl.encode(np.zeros((64, 64, 3), np.uint8), effort=1, center=None)
    with pytest.raises(ValueError, match="no JPEG reconstruction data"):
        attention_jxl.reconstruct_jpeg(data)


def test_truncated_and_garbage_input() -> None:
    jxl = attention_jxl.transcode_jpeg(JPEGS[0].read_bytes(), center=None)
    for size in (0, 5, 40, len(jxl) // 2, len(jxl) - 1):
        with pytest.raises(ValueError):
            attention_jxl.reconstruct_jpeg(jxl[:size])
    with pytest.raises(ValueError, match="signature"):
        attention_jxl.reconstruct_jpeg(b"not a jpeg xl file at all")
    with pytest.raises(TypeError, match="bytes-like"):
        attention_jxl.reconstruct_jpeg(None)


def test_pixel_limit(pixel_limit) -> None:
    jxl = attention_jxl.transcode_jpeg(JPEGS[0].read_bytes(), center=None)
    pixel_limit(1000)
    with pytest.raises(attention_jxl.ImageTooLargeError):
        attention_jxl.reconstruct_jpeg(jxl)
