"""Reading image files: depth, ICC profile, EXIF orientation, bad metadata."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import attention_jxl
from attention_jxl import _files
from conftest import TESTDATA, cjxl, djxl

ACESCG_16BIT = TESTDATA / "external/raw.pixls/Google-Pixel2XL-16bit_acescg_g1_v4_krita.png"


def exif_block(orientation: int, big_endian: bool = False) -> bytes:
    """TIFF data with one IFD0 entry: Orientation (tag 0x0112, SHORT)."""
    order = ">" if big_endian else "<"
    header = (b"MM" if big_endian else b"II") + struct.pack(order + "HI", 42, 8)
    entry = struct.pack(order + "HHIHH", 0x0112, 3, 1, orientation, 0)
    return header + struct.pack(order + "H", 1) + entry + struct.pack(order + "I", 0)


def png_chunk(kind: bytes, body: bytes) -> bytes:
    import zlib

    return struct.pack(">I", len(body)) + kind + body + struct.pack(
        ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def with_exif_chunk(png: bytes, exif: bytes) -> bytes:
    """The PNG with its eXIf chunks replaced by one holding `exif`, after IHDR."""
    chunks, offset = [], 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset:offset + 4])
        chunk = png[offset:offset + 12 + length]
        if chunk[4:8] != b"eXIf":
            chunks.append(chunk)
        offset += 12 + length
    return png[:8] + chunks[0] + png_chunk(b"eXIf", exif) + b"".join(chunks[1:])


def png_bytes(pixels: np.ndarray) -> bytes:
    """A PNG of `pixels` (uint16 RGB via our own writer: Pillow cannot write it)."""
    import zlib

    height, width, channels = pixels.shape
    depth = 16 if pixels.dtype == np.uint16 else 8
    raw = pixels.astype(">u2" if depth == 16 else np.uint8).reshape(height, -1).view(np.uint8)
    scanlines = np.hstack([np.zeros((height, 1), np.uint8), raw]).tobytes()
    color_type = {3: 2, 4: 6}[channels]
    ihdr = struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)
            + png_chunk(b"IDAT", zlib.compress(scanlines)) + png_chunk(b"IEND", b""))


def stored_from_upright(upright: np.ndarray, orientation: int) -> np.ndarray:
    """The pixels a camera stores so that EXIF `orientation` shows `upright`."""
    return {
        1: lambda a: a, 2: lambda a: a[:, ::-1], 3: lambda a: a[::-1, ::-1],
        4: lambda a: a[::-1], 5: lambda a: a.swapaxes(0, 1), 6: lambda a: np.rot90(a, 1),
        7: lambda a: a[::-1, ::-1].swapaxes(0, 1), 8: lambda a: np.rot90(a, -1),
    }[orientation](upright)


def coordinate_image(width: int, height: int, dtype) -> np.ndarray:
    """Each pixel holds its own upright (x, y) in R and G, over a real photo in B."""
    y, x = np.mgrid[0:height, 0:width]
    from conftest import load_like_published_script

    photo = load_like_published_script(TESTDATA / "jxl/flower/flower.png")[:height, :width, 1]
    scale = 257 if dtype == np.uint16 else 1
    return np.dstack([x, y, photo.astype(np.int64) * scale]).astype(dtype)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_png_orientation_center_lands_on_the_same_scene_point(orientation) -> None:
    upright = coordinate_image(300, 200, np.uint16)
    expected = attention_jxl.center(upright)
    stored = np.ascontiguousarray(stored_from_upright(upright, orientation))
    data = with_exif_chunk(png_bytes(stored), exif_block(orientation, big_endian=orientation % 2))
    image = _files.read_image(data, "rotated.png")
    assert image.orientation == orientation
    np.testing.assert_array_equal(image.pixels, stored)  # 16 bits kept
    _, (x, y), problems = _files.encode_file_bytes(data, measure_only=True)
    assert problems == []
    assert tuple(stored[y, x, :2]) == expected  # the stored pixel there is the upright center


@pytest.mark.parametrize("orientation", [3, 6])
def test_webp_orientation_through_pillow(orientation) -> None:
    from PIL import Image

    upright = coordinate_image(200, 120, np.uint8)
    expected = attention_jxl.center(upright)
    stored = np.ascontiguousarray(stored_from_upright(upright, orientation))
    buffer = io.BytesIO()
    Image.fromarray(stored).save(buffer, "WEBP", lossless=True,
                                 exif=b"Exif\x00\x00" + exif_block(orientation))
    _, (x, y), _ = _files.encode_file_bytes(buffer.getvalue(), measure_only=True)
    assert tuple(stored[y, x, :2]) == expected


def test_png_exif_with_offset_prefix_warns_and_encodes(tmp_path: Path) -> None:
    """Some JPEG XL tools write eXIf with a 4-byte offset first; Pillow's parser fails."""
    source = TESTDATA / "external/wesaturate/500px/u76c0g_bliznaca_srgb8.png"
    broken = tmp_path / "offset_exif.png"
    broken.write_bytes(with_exif_chunk(source.read_bytes(), b"\0\0\0\0" + exif_block(6)))
    result = subprocess.run([sys.executable, "-m", "attention_jxl", "encode", str(broken),
                             "-o", str(tmp_path / "out"), "--json"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["status"] == "ok"
    assert record["warnings"] and "EXIF" in record["warnings"][0]
    assert record["center"] == [233, 236]  # the reference center: taken as upright
    plain = subprocess.run([sys.executable, "-m", "attention_jxl", "encode", str(broken),
                            "-o", str(tmp_path / "out2")], capture_output=True, text=True)
    assert "warning:" in plain.stderr and plain.returncode == 0


def test_icc_profile_is_kept(tmp_path: Path) -> None:
    """A 16-bit ACEScg PNG decodes like cjxl's encode of the same file."""
    image = _files.read_image(ACESCG_16BIT.read_bytes())
    assert image.pixels.dtype == np.uint16 and image.icc_profile
    data, center, _ = _files.encode_file_bytes(ACESCG_16BIT.read_bytes())
    (tmp_path / "ours.jxl").write_bytes(data)
    cjxl(ACESCG_16BIT, tmp_path / "ref.jxl", "--group_order", "1", "--center_x",
         str(center[0]), "--center_y", str(center[1]), "-d", "1", "-e", "7")
    ours = djxl(tmp_path / "ours.jxl", tmp_path / "ours.ppm")
    np.testing.assert_array_equal(ours, djxl(tmp_path / "ref.jxl", tmp_path / "ref.ppm"))
    # Without the profile the same pixels would be taken as sRGB and decode differently.
    (tmp_path / "srgb.jxl").write_bytes(attention_jxl.encode(image.pixels, center=center))
    assert not np.array_equal(ours, djxl(tmp_path / "srgb.jxl", tmp_path / "srgb.ppm"))


def test_tiff_16bit_gray_through_pillow(tmp_path: Path) -> None:
    from PIL import Image

    gray = (np.arange(120 * 90, dtype=np.uint32).reshape(90, 120) * 6).astype(np.uint16)
    buffer = io.BytesIO()
    Image.fromarray(gray).save(buffer, "TIFF")
    image = _files.read_image(buffer.getvalue(), "gray.tif")
    np.testing.assert_array_equal(image.pixels, gray)
    data, _, _ = _files.encode_file_bytes(buffer.getvalue(), lossless=True)
    np.testing.assert_array_equal(attention_jxl.decode(data), gray)
