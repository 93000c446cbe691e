"""The Pillow plugin: Image.open reads headers, load() decodes, save writes center-first."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, UnidentifiedImageError

import attention_jxl
import attention_jxl.pillow  # noqa: F401  (registers the plugin)
from conftest import TESTDATA

FLOWER_PNG = TESTDATA / "jxl/flower/flower.png"


def jxl_file(tmp_path: Path, pixels: np.ndarray, **options) -> Path:
    path = tmp_path / "image.jxl"
    path.write_bytes(attention_jxl.encode(pixels, **{"effort": 1, "center": None, **options}))
    return path


def test_open_reads_the_header_and_load_decodes(tmp_path: Path) -> None:
    pixels = np.asarray(Image.open(FLOWER_PNG).convert("RGB"))
    path = jxl_file(tmp_path, pixels, center=(1000, 700))
    with Image.open(path) as image:
        assert image.format == "JXL" and image.get_format_mimetype() == "image/jxl"
        assert image.size == (2268, 1512) and image.mode == "RGB"
        assert image._im is None  # nothing decoded yet
        image.load()
        assert np.array_equal(np.asarray(image), attention_jxl.decode(path.read_bytes()))


@pytest.mark.parametrize("pixels, mode", [
    (np.arange(600, dtype=np.uint16).reshape(20, 30) * 100, "I;16"),
    (np.arange(600, dtype=np.uint8).reshape(20, 30), "L"),
    (np.dstack([np.arange(600, dtype=np.uint8).reshape(20, 30)] * 2), "LA"),
    (np.dstack([np.arange(600, dtype=np.uint8).reshape(20, 30)] * 4), "RGBA"),
    (np.linspace(0, 1, 600, dtype=np.float32).reshape(20, 30), "F"),
])
def test_depth_and_alpha_are_kept(tmp_path: Path, pixels: np.ndarray, mode: str) -> None:
    with Image.open(jxl_file(tmp_path, pixels, lossless=True)) as image:
        assert image.mode == mode
        assert np.array_equal(np.asarray(image), pixels)


def test_16_bit_color_opens_as_8_bit(tmp_path: Path) -> None:
    pixels = (np.arange(1800, dtype=np.uint16).reshape(20, 30, 3) * 30)
    with Image.open(jxl_file(tmp_path, pixels, lossless=True)) as image:
        assert image.mode == "RGB"
        expected = np.rint(pixels / 65535 * 255).astype(np.uint8)
        assert np.abs(np.asarray(image).astype(int) - expected).max() <= 1


def test_pillow_operations(tmp_path: Path) -> None:
    with Image.open(FLOWER_PNG) as source:
        source.save(tmp_path / "flower.jxl", distance=1, effort=3)
    with Image.open(tmp_path / "flower.jxl") as image:
        image.thumbnail((300, 300))
        assert image.size == (300, 200)
        gray = image.convert("L")
        gray.save(tmp_path / "thumb.png")
    with Image.open(tmp_path / "thumb.png") as png:
        assert png.size == (300, 200) and png.mode == "L"


def test_save_is_center_first_at_the_predicted_center(tmp_path: Path) -> None:
    with Image.open(FLOWER_PNG) as source:
        rgb = source.convert("RGB")
        out = io.BytesIO()
        rgb.save(out, format="JXL", center="auto", distance=1, effort=3)
    info = attention_jxl.probe(out.getvalue())
    x, y = attention_jxl.center(np.asarray(rgb))
    gx, gy = info.first_group
    assert info.center_first and gx <= x < gx + 256 and gy <= y < gy + 256


def test_exif_and_xmp_travel_both_ways(tmp_path: Path) -> None:
    tiff = b"II" + struct.pack("<HI", 42, 8) + struct.pack("<H", 1) + \
        struct.pack("<HHIH2x", 0x0112, 3, 1, 6) + struct.pack("<I", 0)
    image = Image.fromarray(np.zeros((16, 24, 3), np.uint8))
    image.save(tmp_path / "meta.jxl", exif=b"Exif\0\0" + tiff, xmp=b"<x/>", effort=1)
    _, metadata = attention_jxl.decode((tmp_path / "meta.jxl").read_bytes(), metadata=True)
    assert metadata.exif == tiff and metadata.xmp == b"<x/>"
    with Image.open(tmp_path / "meta.jxl") as opened:
        assert opened.getexif()[0x0112] == 6
        assert opened.info["xmp"] == b"<x/>"


def test_not_jpeg_xl_and_broken_files(tmp_path: Path) -> None:
    (tmp_path / "text.jxl").write_bytes(b"hello")
    with pytest.raises(UnidentifiedImageError):
        Image.open(tmp_path / "text.jxl")
    data = attention_jxl.encode(np.zeros((300, 400, 3), np.uint8) + 90, effort=1)
    (tmp_path / "cut.jxl").write_bytes(data[: len(data) // 2])
    with Image.open(tmp_path / "cut.jxl") as image:  # the header is there
        assert image.size == (400, 300)
        with pytest.raises(OSError, match="truncated"):
            image.load()


def test_pixel_limit_is_a_decompression_bomb(tmp_path: Path, pixel_limit) -> None:
    path = jxl_file(tmp_path, np.zeros((300, 400, 3), np.uint8))
    pixel_limit(1000)
    with pytest.raises(Image.DecompressionBombError):
        Image.open(path)
