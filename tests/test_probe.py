"""probe against what decode and libjxl's jxlinfo report for the same files."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

import attention_jxl
from conftest import TESTDATA, require_tool

FLOWER_JPEG = TESTDATA / "jxl/flower/flower.png.im_q85_420.jpg"


def gradient(height: int, width: int, channels: int, dtype) -> np.ndarray:
    ramp = np.linspace(0, 1, height * width * channels, dtype=np.float32)
    image = ramp.reshape(height, width, channels) if channels > 1 else ramp.reshape(height, width)
    if dtype == np.float32:
        return image
    return (image * np.iinfo(dtype).max).astype(dtype)


@pytest.mark.parametrize("channels", [1, 2, 3, 4])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_fields_match_the_decoded_image(channels: int, dtype) -> None:
    image = gradient(300, 520, channels, dtype)
    data = attention_jxl.encode(image, center=(400, 280), effort=1, orientation=6)
    info = attention_jxl.probe(data)
    decoded = attention_jxl.decode(data)
    assert (info.width, info.height) == (520, 300)
    assert info.channels == (1 if decoded.ndim == 2 else decoded.shape[2]) == channels
    assert info.has_alpha == (channels in (2, 4))
    assert info.bits_per_sample == np.dtype(dtype).itemsize * 8
    assert info.float_samples == (dtype == np.float32)
    assert info.orientation == 6
    assert info.frames == 1 and not info.animated
    assert not info.jpeg_reconstruction
    assert info.center_first and info.first_group == (256, 256)
    assert info.groups == 6


def test_first_group_holds_the_center_and_matches_group_order() -> None:
    image = gradient(900, 1400, 3, np.uint8)
    for center in [(10, 10), (700, 450), (1390, 890)]:
        data = attention_jxl.encode(image, center=center, effort=1)
        info = attention_jxl.probe(data)
        assert info.first_group == attention_jxl.group_order(data)[0]
        x, y = info.first_group
        assert x <= center[0] < x + 256 and y <= center[1] < y + 256


def test_scanline_file_is_not_center_first() -> None:
    data = attention_jxl.encode(gradient(600, 900, 3, np.uint8), center=None, effort=1)
    info = attention_jxl.probe(data)
    assert not info.center_first and info.first_group == (0, 0)


def test_transcoded_jpeg_has_reconstruction_data() -> None:
    data = attention_jxl.transcode_jpeg(FLOWER_JPEG.read_bytes(), center=(2000, 1400))
    info = attention_jxl.probe(data)
    assert info.jpeg_reconstruction and info.container
    assert (info.width, info.height) == (2268, 1512)
    assert info.center_first
    x, y = info.first_group
    assert x <= 2000 < x + 256 and y <= 1400 < y + 256


def test_exif_and_xmp_boxes_are_seen() -> None:
    exif = b"MM\0*\0\0\0\x08\0\0\0\0\0\0"
    data = attention_jxl.encode(gradient(64, 64, 3, np.uint8), exif=exif, xmp=b"<x/>", effort=1)
    info = attention_jxl.probe(data)
    assert info.has_exif and info.has_xmp and info.container


def jxlinfo_frames(path: Path) -> int:
    out = subprocess.run([require_tool("jxlinfo"), str(path)], capture_output=True, text=True,
                         check=True).stdout
    return sum(1 for line in out.splitlines() if line.lstrip().startswith("frame"))


@pytest.mark.parametrize("path", sorted((TESTDATA / "jxl").rglob("*.jxl"))[:40],
                         ids=lambda p: str(p.relative_to(TESTDATA)))
def test_libjxl_test_files_agree_with_decode(path: Path) -> None:
    data = path.read_bytes()
    try:
        pixels = attention_jxl.decode(data, threads=1)
    except ValueError:  # a file libjxl refuses: its headers may still be readable
        try:
            attention_jxl.probe(data)
        except ValueError:
            pass
        return
    except attention_jxl.ImageTooLargeError:
        pytest.skip("over the pixel limit")
    info = attention_jxl.probe(data)
    assert (info.height, info.width) == pixels.shape[:2]
    assert info.channels == (1 if pixels.ndim == 2 else pixels.shape[2])
    if info.animated:
        assert info.frames == jxlinfo_frames(path)


def test_a_partial_file_is_probed_from_its_headers() -> None:
    data = attention_jxl.encode(gradient(800, 1200, 3, np.uint8), center=(600, 400), effort=1)
    full = attention_jxl.probe(data)
    assert attention_jxl.probe(data[: len(data) // 3]) == full


def test_truncated_headers_are_named() -> None:
    data = attention_jxl.encode(gradient(800, 1200, 3, np.uint8), center=(600, 400), effort=1)
    for size in range(2, 30):
        with pytest.raises(ValueError, match=rf"truncated .*{size} bytes"):
            attention_jxl.probe(data[:size])


@pytest.mark.parametrize("data, match", [(b"", "no data"), (b"GIF89a" + bytes(20), "signature"),
                                         (b"\xff\xd8\xff\xe0" + bytes(20), "signature")])
def test_not_jpeg_xl(data: bytes, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        attention_jxl.probe(data)


def test_pixel_limit_is_checked_at_the_header(pixel_limit) -> None:
    data = attention_jxl.encode(gradient(300, 400, 3, np.uint8), effort=1, center=None)
    pixel_limit(300 * 400 - 1)
    with pytest.raises(attention_jxl.ImageTooLargeError):
        attention_jxl.probe(data)


def test_mutated_headers_never_crash() -> None:
    rng = np.random.default_rng(7)
    data = bytearray(attention_jxl.encode(gradient(300, 400, 4, np.uint16), effort=1))
    for _ in range(2000):
        mutated = bytearray(data[:200])
        for position in rng.integers(0, len(mutated), 3):
            mutated[position] = int(rng.integers(0, 256))
        try:
            attention_jxl.probe(bytes(mutated))
        except ValueError:
            pass


def test_data_must_be_bytes() -> None:
    with pytest.raises(TypeError, match="bytes-like"):
        attention_jxl.probe("file.jxl")


def test_mutated_and_cut_containers_never_crash() -> None:
    rng = np.random.default_rng(11)
    with_boxes = (TESTDATA / "jxl/jpeg_reconstruction/1x1_exif_xmp.jxl").read_bytes()
    for _ in range(1000):
        mutated = bytearray(with_boxes)
        for position in rng.integers(0, len(mutated), 3):
            mutated[position] = int(rng.integers(0, 256))
        for read in (attention_jxl.probe, attention_jxl.read_metadata):
            try:
                read(bytes(mutated))
            except ValueError:
                pass
    for size in range(len(with_boxes)):
        for read in (attention_jxl.probe, attention_jxl.read_metadata,
                     attention_jxl.reconstruct_jpeg):
            try:
                read(with_boxes[:size])
            except ValueError:
                pass
