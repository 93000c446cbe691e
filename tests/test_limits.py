"""The pixel limit: giant images, real or declared by a few header bytes, are refused
before any pixel memory is allocated."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import attention_jxl
from attention_jxl import ImageTooLargeError

HUGE = 60000  # 60000 x 60000 = 3.6 gigapixels, about 10 GB as RGB


def jxl_header(width: int, height: int) -> bytes:
    """A JPEG XL codestream that stops after its size header and default metadata."""
    bits: list[int] = []

    def put(value: int, count: int) -> None:
        bits.extend((value >> i) & 1 for i in range(count))

    put(0, 1)  # not a "small" size
    put(3, 2), put(height - 1, 30)  # U32 selector 3: 30 bits
    put(0, 3)  # no aspect ratio: the width follows
    put(3, 2), put(width - 1, 30)
    put(1, 1)  # all_default metadata
    bits.extend([0] * (-len(bits) % 8))
    body = bytes(sum(bit << i for i, bit in enumerate(bits[k:k + 8]))
                 for k in range(0, len(bits), 8))
    return b"\xff\x0a" + body


def jpeg_declaring(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header (SOF0) claims another size."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(buffer, format="JPEG")
    data = bytearray(buffer.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def png_declaring(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(bytes(99))) + chunk(b"IEND", b""))


def bmp_declaring(width: int, height: int) -> bytes:
    """A 24-bit BMP header (read by Pillow) with no pixels after it."""
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, 0, 2835, 2835, 0, 0)
    return b"BM" + struct.pack("<IHHI", 54, 0, 0, 54) + info


def test_default_and_settings(pixel_limit) -> None:
    assert attention_jxl.max_image_pixels() == attention_jxl.DEFAULT_MAX_IMAGE_PIXELS
    assert attention_jxl.DEFAULT_MAX_IMAGE_PIXELS == Image.MAX_IMAGE_PIXELS
    pixel_limit(None)
    assert attention_jxl.max_image_pixels() is None
    pixel_limit(1234)
    assert attention_jxl.max_image_pixels() == 1234
    with pytest.raises(TypeError, match="integer or None"):
        attention_jxl.set_max_image_pixels(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="integer or None"):
        attention_jxl.set_max_image_pixels(True)
    for bad in (0, -1, 1 << 64):
        with pytest.raises(ValueError, match="between 1 and"):
            attention_jxl.set_max_image_pixels(bad)
    assert attention_jxl.max_image_pixels() == 1234
    assert issubclass(ImageTooLargeError, ValueError)


def test_arrays_at_and_over_the_limit(pixel_limit) -> None:
    image = np.full((30, 40, 3), 128, np.uint8)
    pixel_limit(1200)  # exactly 40 x 30
    encoded = attention_jxl.encode(image, center=None, effort=1)
    assert attention_jxl.decode(encoded).shape == image.shape
    assert attention_jxl.model_input(image).shape == (480, 640, 3)
    pixel_limit(1199)
    for call in (lambda: attention_jxl.encode(image, center=None),
                 lambda: attention_jxl.encode(image[:, :, 0], center=(1, 1)),
                 lambda: attention_jxl.center(image),
                 lambda: attention_jxl.model_input(image),
                 lambda: attention_jxl.Model().center(image)):
        with pytest.raises(ImageTooLargeError, match="40x30 pixels exceeds the limit of 1199"):
            call()
    # Decoding and headers follow the same limit.
    for call in (lambda: attention_jxl.decode(encoded),
                 lambda: attention_jxl.decode(encoded, partial=True),
                 lambda: attention_jxl.group_order(encoded),
                 lambda: attention_jxl.preview(encoded)):
        with pytest.raises(ImageTooLargeError, match="JPEG XL image of 40x30"):
            call()


@pytest.mark.parametrize("make, what", [
    (lambda: jxl_header(HUGE, HUGE), "JPEG XL image"),
    (lambda: jxl_header(1 << 30, 1 << 30), "JPEG XL image"),
])
def test_jxl_headers(make, what: str) -> None:
    data = make()
    for call in (attention_jxl.decode, lambda d: attention_jxl.decode(d, partial=True),
                 attention_jxl.group_order, attention_jxl.preview):
        with pytest.raises(ImageTooLargeError, match=what):
            call(data)


def test_jxl_header_without_limit_is_just_truncated(pixel_limit) -> None:
    pixel_limit(None)
    data = jxl_header(HUGE, HUGE)
    with pytest.raises(ValueError, match="truncated JPEG XL data") as raised:
        attention_jxl.decode(data)
    assert not isinstance(raised.value, ImageTooLargeError)
    with pytest.raises(ValueError, match="too little JPEG XL data"):
        attention_jxl.decode(data, partial=True)


def test_jpeg_headers() -> None:
    data = jpeg_declaring(HUGE, HUGE)
    with pytest.raises(ImageTooLargeError, match=f"JPEG image of {HUGE}x{HUGE}"):
        attention_jxl.transcode_jpeg(data, center=(10, 10))
    with pytest.raises(ImageTooLargeError, match=f"JPEG image of {HUGE}x{HUGE}"):
        attention_jxl.jpeg_center(data)
    with pytest.raises(ImageTooLargeError):
        attention_jxl.transcode_jpeg(data)  # predicts the center: reads the header first


def test_image_files(tmp_path: Path, pixel_limit) -> None:
    files = {
        "jpeg.jpg": jpeg_declaring(HUGE, HUGE),
        "png.png": png_declaring(HUGE, HUGE),
        "bomb.bmp": bmp_declaring(HUGE, HUGE),  # Pillow's own bomb error
        "above.bmp": bmp_declaring(12000, 8000),  # 96 MP: Pillow only warns
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    with pytest.warns(Image.DecompressionBombWarning):
        records = list(attention_jxl.encode_files([tmp_path], tmp_path / "out", center=None))
    assert len(records) == len(files)
    for record in records:
        assert record["status"] == "error", record
        assert "exceeds the limit" in record["error"] or "decompression bomb" in record["error"]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())

    # A real image over a lowered limit, through the file reader.
    small = tmp_path / "small"
    small.mkdir()
    Image.new("RGB", (40, 30)).save(small / "a.bmp")
    Image.new("RGB", (40, 30)).save(small / "b.png")
    pixel_limit(1000)
    records = list(attention_jxl.encode_files([small], tmp_path / "out2", center=None))
    assert [r["status"] for r in records] == ["error", "error"]
    assert all("40x30 pixels exceeds the limit of 1000" in r["error"] for r in records)


GIANT_CALLS = """
import json, resource, sys, warnings
import numpy as np
import attention_jxl
sys.path.insert(0, {tests!r})
from test_limits import HUGE, bmp_declaring, jpeg_declaring, jxl_header, png_declaring
from attention_jxl._files import read_image
calls = {{
    "decode": lambda: attention_jxl.decode(jxl_header(HUGE, HUGE)),
    "decode partial": lambda: attention_jxl.decode(jxl_header(HUGE, HUGE), partial=True),
    "group_order": lambda: attention_jxl.group_order(jxl_header(HUGE, HUGE)),
    "transcode_jpeg": lambda: attention_jxl.transcode_jpeg(jpeg_declaring(HUGE, HUGE),
                                                           center=(1, 1)),
    "png": lambda: read_image(png_declaring(HUGE, HUGE)),
    "bmp": lambda: read_image(bmp_declaring(HUGE, 30000)),
    # A strided view of 3.6 gigapixels: refused before the copy the core would need.
    "array view": lambda: attention_jxl.encode(
        np.broadcast_to(np.zeros(3, np.uint8), (HUGE, HUGE, 3)), center=None),
}}
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
errors = {{}}
warnings.simplefilter("ignore")
for name, call in calls.items():
    try:
        call()
        errors[name] = None
    except Exception as error:
        errors[name] = type(error).__name__
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"errors": errors, "growth_kib": after - before}}))
"""


def test_giant_headers_allocate_nothing() -> None:
    """Peak memory of a fresh process that is handed every giant header at once."""
    script = GIANT_CALLS.format(tests=str(Path(__file__).parent))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, check=True)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(report["errors"].values()) == {"ImageTooLargeError"}, report
    assert report["growth_kib"] < 64 * 1024, report  # not one gigabyte of pixels


def test_command_line_limit(tmp_path: Path) -> None:
    source = tmp_path / "in.png"
    Image.new("RGB", (40, 30), (10, 200, 10)).save(source)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "attention_jxl", *args],
                              capture_output=True, text=True, timeout=300)

    refused = run("encode", str(source), "-o", str(tmp_path / "a"), "--no-center", "--json",
                  "--max-pixels", "1000")
    assert refused.returncode == 1
    record = json.loads(refused.stdout.splitlines()[0])
    assert "40x30 pixels exceeds the limit of 1000" in record["error"]
    accepted = run("encode", str(source), "-o", str(tmp_path / "b"), "--no-center",
                   "--max-pixels", "0")
    assert accepted.returncode == 0, accepted.stderr
    assert (tmp_path / "b" / "in.jxl").is_file()
    center = run("center", str(source), "--max-pixels", "1199")
    assert center.returncode == 1 and "exceeds the limit of 1199" in center.stderr
    negative = run("encode", str(source), "-o", str(tmp_path / "c"), "--max-pixels", "-1")
    assert negative.returncode == 2 and "--max-pixels" in negative.stderr
