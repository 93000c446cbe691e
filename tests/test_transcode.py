"""transcode_jpeg against the real cjxl/djxl (Debian libjxl-tools) and jpegtran."""

from __future__ import annotations

import io
import random
import shutil
import struct
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pytest

import attention_jxl
from conftest import TESTDATA, TESTDATA_JPEGS, cjxl, require_tool

FLOWER = TESTDATA / "jxl/flower"
JPEGS = TESTDATA_JPEGS
SMALL = FLOWER / "flower_small.q85_420_non_interleaved.jpg"


def center_flags(center) -> list[str]:
    if center is None:
        return []
    return ["--group_order", "1", "--center_x", str(center[0]), "--center_y", str(center[1])]


def reconstruct(tmp_path: Path, jxl: bytes) -> bytes:
    """The JPEG djxl rebuilds from a transcoded file."""
    source, output = tmp_path / "rebuild.jxl", tmp_path / "rebuilt.jpg"
    source.write_bytes(jxl)
    subprocess.run([require_tool("djxl"), str(source), str(output)],
                   check=True, capture_output=True)
    return output.read_bytes()


def jpegtran(tmp_path: Path, data: bytes, *flags: str) -> bytes:
    source = tmp_path / "jpegtran_in.jpg"
    source.write_bytes(data)
    path = shutil.which("jpegtran")
    if path is None:
        pytest.fail("jpegtran is needed (Debian package libjpeg-turbo-progs)")
    return subprocess.run([path, *flags, str(source)], check=True, capture_output=True).stdout


def exif_segment(payload: bytes) -> bytes:
    """An APP1 segment holding `payload` after the Exif signature."""
    body = b"Exif\0\0" + payload
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


def orientation_tiff(orientation: int, big_endian: bool = False) -> bytes:
    """A TIFF block whose IFD0 holds Orientation (and one unrelated tag before it)."""
    order = ">" if big_endian else "<"
    header = (b"MM" if big_endian else b"II") + struct.pack(order + "HI", 42, 8)
    software = struct.pack(order + "HHI4s", 0x0131, 2, 4, b"abc\0")  # ASCII fits inline
    orient = struct.pack(order + "HHIH2x", 0x0112, 3, 1, orientation)
    return header + struct.pack(order + "H", 2) + software + orient + struct.pack(order + "I", 0)


def with_app1(jpeg: bytes, segment: bytes) -> bytes:
    """Inserts a segment right after SOI (and after a JFIF APP0 when there is one)."""
    position = 2
    if jpeg[2:4] == b"\xff\xe0":
        position = 4 + struct.unpack(">H", jpeg[4:6])[0]
    return jpeg[:position] + segment + jpeg[position:]


@pytest.mark.parametrize("path", JPEGS, ids=lambda p: p.name)
def test_same_bytes_as_cjxl_and_jpeg_rebuilt_exactly(tmp_path: Path, path: Path) -> None:
    data = path.read_bytes()
    center = attention_jxl.jpeg_center(data)
    ours = attention_jxl.transcode_jpeg(data, threads=2)
    assert ours == cjxl(path, tmp_path / "ref.jxl", *center_flags(center), "-e", "7")
    assert reconstruct(tmp_path, ours) == data


@pytest.mark.parametrize("center,effort", [((0, 0), 7), ((400, 290), 3), (None, 7), (None, 9)])
def test_explicit_center_and_scanline_order_match_cjxl(tmp_path: Path, center, effort) -> None:
    path = FLOWER / "flower.png.im_q85_420.jpg"
    data = path.read_bytes()
    ours = attention_jxl.transcode_jpeg(data, center=center, effort=effort, threads=1)
    assert ours == cjxl(path, tmp_path / "ref.jxl", *center_flags(center), "-e", str(effort))
    assert reconstruct(tmp_path, ours) == data


def test_center_modes_behave_like_encode() -> None:
    data = SMALL.read_bytes()
    predicted = attention_jxl.jpeg_center(data)
    auto = attention_jxl.transcode_jpeg(data)
    assert auto == attention_jxl.transcode_jpeg(data, center=predicted)
    model = attention_jxl.Model()
    assert attention_jxl.transcode_jpeg(data, model=model) == attention_jxl.transcode_jpeg(data)
    assert attention_jxl.transcode_jpeg(data, center=None) != attention_jxl.transcode_jpeg(data)
    # bytes-like inputs of every kind
    assert attention_jxl.transcode_jpeg(bytearray(data), center=None) == \
        attention_jxl.transcode_jpeg(memoryview(data)[::1], center=None)


def test_center_is_the_one_of_the_decoded_pixels() -> None:
    """The JPEG is decoded as Pillow decodes it (libjpeg, default settings)."""
    from PIL import Image

    for path in (FLOWER / "flower.png.im_q85_420.jpg", FLOWER / "flower.png.im_q85_gray.jpg"):
        with Image.open(path) as image:
            pixels = np.asarray(image.convert("RGB"))
        assert attention_jxl.jpeg_center(path.read_bytes()) == attention_jxl.center(pixels)


# Stored pixels for each Exif orientation: the inverse of the display transform.
STORE_WITH = {1: [], 2: ["-flip", "horizontal"], 3: ["-rotate", "180"],
              4: ["-flip", "vertical"], 5: ["-transpose"], 6: ["-rotate", "270"],
              7: ["-transverse"], 8: ["-rotate", "90"]}


def stored_to_upright(x: int, y: int, orientation: int, width: int, height: int):
    """A stored pixel -> where it is seen; width and height of the stored image."""
    return {1: (x, y), 2: (width - 1 - x, y), 3: (width - 1 - x, height - 1 - y),
            4: (x, height - 1 - y), 5: (y, x), 6: (height - 1 - y, x),
            7: (height - 1 - y, width - 1 - x), 8: (y, width - 1 - x)}[orientation]


@pytest.fixture(scope="module")
def upright_scene(tmp_path_factory) -> bytes:
    """A crop of a real photo whose sides are whole MCUs, so every transform is exact."""
    source = (FLOWER / "flower.png.im_q85_420.jpg").read_bytes()
    return jpegtran(tmp_path_factory.mktemp("scene"), source, "-copy", "none",
                    "-crop", "1024x672+512+400")


def test_every_exif_orientation_gives_the_same_scene_point(tmp_path: Path, upright_scene) -> None:
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(upright_scene)) as image:
        scene = np.asarray(image).astype(int)
    upright_center = None
    for orientation, flags in STORE_WITH.items():
        stored = jpegtran(tmp_path, upright_scene, *flags) if flags else upright_scene
        tiff = orientation_tiff(orientation, big_endian=orientation % 2 == 0)
        data = with_app1(stored, exif_segment(tiff))
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            seen = np.asarray(ImageOps.exif_transpose(image)).astype(int)
        # The test files themselves: the same scene once Pillow turns them upright.
        assert seen.shape == scene.shape and np.abs(seen - scene).mean() < 1.5

        with warnings.catch_warnings():
            warnings.simplefilter("error")
            x, y = attention_jxl.jpeg_center(data)
        assert 0 <= x < width and 0 <= y < height
        point = stored_to_upright(x, y, orientation, width, height)
        if upright_center is None:
            upright_center = point
        assert abs(point[0] - upright_center[0]) <= 4, (orientation, point, upright_center)
        assert abs(point[1] - upright_center[1]) <= 4, (orientation, point, upright_center)

        # The group order center is in stored pixels, as cjxl takes it.
        ours = attention_jxl.transcode_jpeg(data, center=(x, y), threads=1)
        (tmp_path / "oriented.jpg").write_bytes(data)
        assert ours == cjxl(tmp_path / "oriented.jpg", tmp_path / "ref.jxl",
                            *center_flags((x, y)), "-e", "7")
        assert reconstruct(tmp_path, ours) == data


MALFORMED_EXIF = {
    "garbage": bytes(range(7, 80)),
    "truncated-header": b"II*\0\x08",
    "ifd-outside": b"MM\0*\0\0\x40\0",
    "truncated-ifd": orientation_tiff(6)[:20],
    "bad-value": orientation_tiff(9, big_endian=True),
    "bad-type": orientation_tiff(6).replace(b"\x12\x01\x03\x00", b"\x12\x01\x07\x00"),
}


@pytest.mark.parametrize("payload", MALFORMED_EXIF.values(), ids=MALFORMED_EXIF.keys())
def test_malformed_exif_warns_and_encodes_upright(tmp_path: Path, payload: bytes) -> None:
    plain = SMALL.read_bytes()
    data = with_app1(plain, exif_segment(payload))
    with pytest.warns(UserWarning, match="Exif"):
        center = attention_jxl.jpeg_center(data)
    assert center == attention_jxl.jpeg_center(plain)
    with pytest.warns(UserWarning, match="Exif"):
        ours = attention_jxl.transcode_jpeg(data)
    (tmp_path / "in.jpg").write_bytes(data)
    assert ours == cjxl(tmp_path / "in.jpg", tmp_path / "ref.jxl", *center_flags(center))
    assert reconstruct(tmp_path, ours) == data


def test_exif_without_orientation_is_upright_and_silent() -> None:
    plain = SMALL.read_bytes()
    tiff = orientation_tiff(6).replace(b"\x12\x01", b"\x13\x01")  # another tag instead
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert attention_jxl.jpeg_center(with_app1(plain, exif_segment(tiff))) == \
            attention_jxl.jpeg_center(plain)


@pytest.mark.parametrize(
    "data,match",
    [
        (b"", "JPEG"),
        (b"not a jpeg at all", "JPEG"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "JPEG"),
        (b"\xff\xd8\xff\xd9", "JPEG"),
    ],
)
def test_not_a_jpeg(data: bytes, match: str) -> None:
    for center in ("auto", None, (0, 0)):
        with pytest.raises(ValueError, match=match):
            attention_jxl.transcode_jpeg(data, center=center)
    with pytest.raises(ValueError, match=match):
        attention_jxl.jpeg_center(data)


def test_truncated_jpeg_is_a_value_error() -> None:
    data = SMALL.read_bytes()
    for size in (2, 20, 200, 600, len(data) // 2, len(data) - 100, len(data) - 2):
        for center in ("auto", None):
            with pytest.raises(ValueError, match="JPEG"):
                attention_jxl.transcode_jpeg(data[:size], center=center)


def test_arithmetic_coded_jpeg_is_unsupported(tmp_path: Path) -> None:
    data = jpegtran(tmp_path, SMALL.read_bytes(), "-arithmetic")
    for center in ("auto", None):
        with pytest.raises(ValueError, match="arithmetic"):
            attention_jxl.transcode_jpeg(data, center=center)


def test_cmyk_jpeg_is_unsupported() -> None:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("CMYK", (64, 48), (10, 20, 30, 40)).save(buffer, "JPEG")
    for center in ("auto", None):
        with pytest.raises(ValueError, match="4 components"):
            attention_jxl.transcode_jpeg(buffer.getvalue(), center=center)


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        (dict(effort=0), ValueError, "effort"),
        (dict(effort=10), ValueError, "effort"),
        (dict(effort=7.0), TypeError, "effort"),
        (dict(threads=-1), ValueError, "threads"),
        (dict(center=(510, 0)), ValueError, "outside"),
        (dict(center=(0, -2)), ValueError, "outside"),
        (dict(center="middle"), TypeError, "center"),
        (dict(center=(1.5, 2)), TypeError, "center"),
    ],
)
def test_bad_settings(kwargs, error, match) -> None:
    with pytest.raises(error, match=match):
        attention_jxl.transcode_jpeg(SMALL.read_bytes(), **kwargs)


def test_data_must_be_bytes() -> None:
    with pytest.raises(TypeError, match="bytes"):
        attention_jxl.transcode_jpeg(str(SMALL))
    with pytest.raises(TypeError, match="bytes"):
        attention_jxl.jpeg_center(np.zeros(10, np.uint8))


def test_mutated_jpegs_never_crash() -> None:
    """Random byte changes (mostly in the headers) give a file or a ValueError."""
    plain = SMALL.read_bytes()
    original = with_app1(plain, exif_segment(orientation_tiff(6)))
    rng = random.Random(1234)
    outcomes = {"ok": 0, "error": 0}
    for attempt in range(400):
        data = bytearray(original)
        for _ in range(rng.randint(1, 6)):
            limit = 800 if rng.random() < 0.8 else len(data)
            data[rng.randrange(limit)] = rng.randrange(256)
        if rng.random() < 0.2:
            data = data[: rng.randrange(len(data))]
        center = "auto" if attempt % 4 == 0 else None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                encoded = attention_jxl.transcode_jpeg(bytes(data), center=center, threads=1)
        except ValueError:
            outcomes["error"] += 1
        else:
            assert encoded.startswith(b"\0\0\0\x0cJXL ")
            outcomes["ok"] += 1
    assert outcomes["ok"] > 0 and outcomes["error"] > 0, outcomes
