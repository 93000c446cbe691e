"""reorder: center-first order for existing files, checked with the real djxl and libjxl.

Files come from the cjxl installed here (0.7 on Debian 12; 0.11 in the Debian
13 leg, whose chunked encoder interleaves the LF groups with the pass groups),
from encode() and transcode_jpeg(), and from libjxl's own test files.
"""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest

import attention_jxl
from conftest import TESTDATA, center_first, cjxl, require_tool, row_major

FLOWER = TESTDATA / "jxl/flower"
JPEG = FLOWER / "flower.png.im_q85_420.jpg"
CENTER = (1500, 400)

# (source, cjxl flags): VarDCT at two efforts, progressive passes, progressive
# DC (a 1:8 DC frame), lossless modular, JPEG recompression, patches (a
# reference-only frame) and an animation.
CJXL_CASES = {
    "d1-e7": (FLOWER / "flower.png", ["-d", "1"]),
    "d1-e3": (FLOWER / "flower.png", ["-d", "1", "-e", "3"]),
    "progressive": (FLOWER / "flower.png", ["-d", "1", "-e", "3", "-p"]),
    "progressive-dc": (FLOWER / "flower.png", ["-d", "1", "-e", "3", "--progressive_dc=1"]),
    "lossless": (FLOWER / "flower.png", ["-d", "0", "-e", "1"]),
    "alpha": (FLOWER / "flower_alpha.png", ["-d", "2", "-e", "3"]),
    "jpeg": (JPEG, []),
    "patches": (TESTDATA / "jxl/grayscale_patches.png", []),
    "animation": (TESTDATA / "jxl/animation_patches.gif", ["-e", "3"]),
}
# Files libjxl ships: cropped and blended frames, a 64-bit box size, Exif and
# XMP boxes, splines, a PQ gradient in 512-pixel modular groups.
LIBJXL_FILES = [
    TESTDATA / "jxl/blending/cropped_traffic_light.jxl",
    TESTDATA / "jxl/boxes/square-extended-size-container.jxl",
    TESTDATA / "jxl/jpeg_reconstruction/1x1_exif_xmp.jxl",
    TESTDATA / "jxl/splines.jxl",
    TESTDATA / "jxl/pq_gradient.jxl",
]


@pytest.fixture(scope="module")
def cjxl_files(tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("cjxl")
    return {name: cjxl(source, folder / f"{name}.jxl", *flags)
            for name, (source, flags) in CJXL_CASES.items()}


def djxl_bytes(tmp_path: Path, data: bytes, suffix: str = ".png") -> bytes:
    """What djxl writes for a file: PNG pixels (APNG for animations) or the JPEG it rebuilds."""
    source, output = tmp_path / "in.jxl", tmp_path / f"out{suffix}"
    source.write_bytes(data)
    subprocess.run([require_tool("djxl"), str(source), str(output)], check=True,
                   capture_output=True)
    return output.read_bytes()


def groups_of(order: list[tuple[int, int]]) -> int:
    """The group size, from the stored origins."""
    steps = {x for x, _ in order if x > 0} | {y for _, y in order if y > 0}
    return min(steps) if steps else 0


def check_order(data: bytes, width: int, height: int, center: tuple[int, int]) -> None:
    order = attention_jxl.group_order(data)
    dim = groups_of(order)
    if dim:
        cx, cy = min(center[0], width - 1), min(center[1], height - 1)
        assert order == center_first(width, height, cx, cy, dim)


@pytest.mark.parametrize("name", CJXL_CASES)
def test_cjxl_files_come_out_center_first_with_identical_pixels(cjxl_files, tmp_path, name):
    data = cjxl_files[name]
    reordered = attention_jxl.reorder(data, CENTER)
    assert djxl_bytes(tmp_path, reordered) == djxl_bytes(tmp_path, data)
    assert np.array_equal(attention_jxl.decode(reordered), attention_jxl.decode(data))
    image = attention_jxl.decode(data)
    check_order(reordered, image.shape[1], image.shape[0], CENTER)


def test_jpeg_reconstruction_stays_byte_exact(cjxl_files, tmp_path):
    reordered = attention_jxl.reorder(cjxl_files["jpeg"], CENTER)
    assert djxl_bytes(tmp_path, reordered, ".jpg") == JPEG.read_bytes()
    check_order(reordered, 2268, 1512, CENTER)


def test_transcode_jpeg_files(tmp_path):
    data = attention_jxl.transcode_jpeg(JPEG.read_bytes(), center=None, effort=3)
    reordered = attention_jxl.reorder(data, (100, 1400))
    assert djxl_bytes(tmp_path, reordered, ".jpg") == JPEG.read_bytes()
    check_order(reordered, 2268, 1512, (100, 1400))


@pytest.mark.parametrize("path", LIBJXL_FILES, ids=lambda p: p.name)
def test_libjxl_test_files(tmp_path, path):
    data = path.read_bytes()
    reordered = attention_jxl.reorder(data, (300, 200))
    assert djxl_bytes(tmp_path, reordered) == djxl_bytes(tmp_path, data)


def box_types(data: bytes) -> list[bytes]:
    types, pos = [], 0
    while pos < len(data):
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8:pos + 16])[0]
        types.append(kind)
        pos += size if size else len(data)
    return types


def test_container_keeps_every_other_box(cjxl_files):
    exif = TESTDATA / "jxl/jpeg_reconstruction/1x1_exif_xmp.jxl"
    before = box_types(exif.read_bytes())
    after = box_types(attention_jxl.reorder(exif.read_bytes(), (0, 0)))
    assert b"Exif" in before and b"xml " in before and b"jbrd" in before
    assert [t for t in before if t not in (b"jxlc", b"jxlp")] == \
           [t for t in after if t != b"jxlc"]
    jpeg = cjxl_files["jpeg"]
    assert b"jbrd" in box_types(jpeg) and b"jbrd" in box_types(attention_jxl.reorder(jpeg, CENTER))


def test_bare_codestream_stays_bare(cjxl_files):
    data = attention_jxl.encode(np.zeros((600, 900, 3), np.uint8), center=None, effort=3)
    assert data[:2] == b"\xff\x0a"
    reordered = attention_jxl.reorder(data, (800, 500))
    assert reordered[:2] == b"\xff\x0a"
    check_order(reordered, 900, 600, (800, 500))


def jxlp_split(codestream: bytes, cut: list[int]) -> bytes:
    """The same codestream in a container of jxlp boxes, cut at these offsets."""
    out = b"\0\0\0\x0cJXL \r\n\x87\n" + struct.pack(">I4s", 20, b"ftyp") + b"jxl \0\0\0\0jxl "
    cut = [0, *cut, len(codestream)]
    parts = len(cut) - 1
    for i in range(parts):
        index = i | (0x80000000 if i == parts - 1 else 0)
        chunk = codestream[cut[i]:cut[i + 1]]
        out += struct.pack(">I4sI", 12 + len(chunk), b"jxlp", index) + chunk
    return out


def test_jxlp_boxes(tmp_path, cjxl_files):
    codestream = attention_jxl.encode(np.full((700, 1000, 3), 90, np.uint8), center=None, effort=3)
    # The first box holds only part of the image header: it stays; the
    # frames go into one box.
    data = jxlp_split(codestream, [5, len(codestream) // 3, len(codestream) // 2])
    reordered = attention_jxl.reorder(data, (900, 100))
    assert box_types(reordered) == [b"JXL ", b"ftyp", b"jxlp", b"jxlp"]
    assert djxl_bytes(tmp_path, reordered) == djxl_bytes(tmp_path, data)
    check_order(reordered, 1000, 700, (900, 100))


def test_reorder_is_idempotent_and_equals_reorder_of_any_order(cjxl_files):
    data = cjxl_files["d1-e3"]
    once = attention_jxl.reorder(data, CENTER)
    assert attention_jxl.reorder(once, CENTER) == once
    elsewhere = attention_jxl.reorder(data, (0, 0))
    assert attention_jxl.reorder(elsewhere, CENTER) == once


def test_center_is_clamped_into_the_image(cjxl_files):
    data = cjxl_files["d1-e3"]
    assert attention_jxl.reorder(data, (10**9, 10**9)) == attention_jxl.reorder(data, (2267, 1511))


def test_center_is_in_displayed_pixels(tmp_path):
    # Stored 900 wide, 600 high; orientation 6 (rotate 90 cw) displays it 600 x 900.
    stored = np.random.default_rng(1).integers(0, 255, (600, 900, 3), dtype=np.uint8)
    data = attention_jxl.encode(stored, center=None, lossless=True, effort=1, orientation=6)
    displayed = attention_jxl.decode(data)
    assert displayed.shape == (900, 600, 3)
    # Displayed (x, y) shows stored (y, 599 - x) for orientation 6.
    assert np.array_equal(displayed[850, 550], stored[599 - 550, 850])
    reordered = attention_jxl.reorder(data, (550, 850))  # displayed bottom left
    assert attention_jxl.group_order(reordered)[0] == (768, 0)  # holds stored (850, 49)
    assert np.array_equal(attention_jxl.decode(reordered), displayed)


def test_auto_center_is_the_center_of_the_decoded_image(cjxl_files):
    data = cjxl_files["d1-e3"]
    full = attention_jxl.center(attention_jxl.decode(data))
    assert attention_jxl.jxl_center(data) == full
    assert attention_jxl.reorder(data) == attention_jxl.reorder(data, full)


def test_dc_only_center_lands_near(cjxl_files):
    # The model reacts to detail the 1:8 DC image lacks (TF's resize samples
    # pixels without antialiasing): the DC center lands near, not on, the
    # full-resolution one; benchmarks/test_bench_reorder.py measures how near.
    data = cjxl_files["d1-e3"]
    dc = attention_jxl.jxl_center(data, dc_only=True)
    full = attention_jxl.jxl_center(data)
    assert np.hypot(dc[0] - full[0], dc[1] - full[1]) < 0.08 * np.hypot(2268, 1512)


def test_truncated_and_invalid_files_are_value_errors(cjxl_files):
    data = cjxl_files["d1-e3"]
    for cut in [0, 1, 2, 40, len(data) // 2, len(data) - 1]:
        with pytest.raises(ValueError, match="JPEG XL"):
            attention_jxl.reorder(data[:cut], CENTER)
    with pytest.raises(ValueError, match="signature"):
        attention_jxl.reorder(b"not a jpeg xl file", CENTER)
    with pytest.raises(ValueError, match="outside"):
        attention_jxl.reorder(data, (-1, 5))
    with pytest.raises(TypeError):
        attention_jxl.reorder(data, "middle")


def test_frame_index_box_is_refused(cjxl_files):
    data = cjxl_files["d1-e3"]
    assert data[:4] == b"\0\0\0\x0c"  # cjxl 0.7+ writes a container here
    indexed = data + struct.pack(">I4s", 9, b"jxli") + b"\0"
    with pytest.raises(ValueError, match="jxli"):
        attention_jxl.reorder(indexed, CENTER)


@pytest.mark.parametrize("center", [(0, 0), (3100, 1900), (5999, 3999)])
def test_many_groups(tmp_path, center):
    # 24 x 16 groups: permutation values up to 380 need the hybrid integer's
    # raw bits and a code of many lengths.
    rng = np.random.default_rng(7)
    pixels = np.repeat(np.repeat(rng.integers(0, 255, (500, 750, 3), dtype=np.uint8), 8, 0), 8, 1)
    data = attention_jxl.encode(pixels, center=None, effort=1)
    reordered = attention_jxl.reorder(data, center)
    check_order(reordered, 6000, 4000, center)
    assert djxl_bytes(tmp_path, reordered, ".ppm") == djxl_bytes(tmp_path, data, ".ppm")


def check_dc_order(data: bytes, center: tuple[int, int], level: int = 1) -> None:
    """The DC frame at `level` is center-first around the center scaled into it."""
    scale = 8**level
    width, height = -(-2268 // scale), -(-1512 // scale)
    order = attention_jxl.group_order(data, dc_level=level)
    dim = groups_of(order)  # libjxl 0.7 uses 256-pixel groups here, 0.11 one group
    if dim:
        assert order == center_first(width, height, center[0] // scale, center[1] // scale, dim)
    else:
        assert order == [(0, 0)]


def test_progressive_dc_frame_is_reordered_around_the_scaled_center(cjxl_files):
    # The 1:8 DC frame of the 2268x1512 flower is 284x189; in 256-pixel groups
    # the center (2100, 700) lies in its second group.
    center = (2100, 700)
    data = cjxl_files["progressive-dc"]
    reordered = attention_jxl.reorder(data, center)
    check_dc_order(reordered, center)
    if groups_of(attention_jxl.group_order(data, dc_level=1)):
        assert attention_jxl.group_order(reordered, dc_level=1)[0] == (256, 0)
    check_order(reordered, 2268, 1512, center)
    with pytest.raises(ValueError, match="level 2"):
        attention_jxl.group_order(data, dc_level=2)


def test_encode_with_progressive_dc_and_a_center(flower_pixels):
    center = (2100, 700)
    for levels in (1, 2):
        data = attention_jxl.encode(flower_pixels, center=center, effort=3, progressive_dc=levels)
        for level in range(1, levels + 1):
            check_dc_order(data, center, level)
        check_order(data, 2268, 1512, center)
        scanline = attention_jxl.encode(flower_pixels, center=None, effort=3,
                                        progressive_dc=levels)
        assert np.array_equal(attention_jxl.decode(data), attention_jxl.decode(scanline))


@pytest.fixture(scope="module")
def flower_pixels() -> np.ndarray:
    from conftest import load_like_published_script

    return load_like_published_script(FLOWER / "flower.png")


def test_scanline_order(cjxl_files, tmp_path):
    data = cjxl_files["d1-e3"]
    centered = attention_jxl.reorder(data, CENTER)
    scanline = attention_jxl.reorder(centered, None)
    assert attention_jxl.group_order(scanline) == row_major(2268, 1512)
    assert djxl_bytes(tmp_path, scanline) == djxl_bytes(tmp_path, data)
    if attention_jxl.group_order(data) == row_major(2268, 1512):  # libjxl 0.7: already scanline
        assert scanline == data


def test_encode_scanline_shows_the_dc_early(flower_pixels):
    # libjxl 0.10+'s chunked encoder puts LF groups between the pass groups;
    # encode(center=None) still gives a file a viewer can show from its DC.
    data = attention_jxl.encode(flower_pixels, center=None, effort=3)
    assert attention_jxl.group_order(data) == row_major(2268, 1512)
    attention_jxl.decode(data[: len(data) // 3], partial=True)


def first_image_fraction(data: bytes) -> int:
    """The smallest percentage of the file from which libjxl renders an image."""
    for percent in range(1, 101):
        try:
            attention_jxl.decode(data[: len(data) * percent // 100], partial=True)
            return percent
        except ValueError:
            pass
    return 101


def test_first_image_needs_the_whole_dc(flower_pixels):
    # libjxl decodes a section only whole and renders only once the main
    # frame's DC is complete: with progressive DC that is the whole DC frame,
    # whose coarse levels sit inside its first section (a viewer with its own
    # decoder, e.g. Chromium's, paints those earlier).
    fractions = {}
    for levels in (0, 1, 2):
        data = attention_jxl.encode(flower_pixels, center=(948, 752), progressive_dc=levels)
        fractions[levels] = first_image_fraction(data)
    scanline = first_image_fraction(attention_jxl.encode(flower_pixels, center=None))
    print(f"\nlibjxl {attention_jxl.libjxl_version()}: first image at {fractions} % "
          f"(by progressive_dc levels), scanline {scanline} %")
    assert fractions[0] <= 30 and scanline <= 30
    assert fractions[1] <= 40 and fractions[2] <= 50


@pytest.mark.parametrize("size", [(768, 512), (1024, 768), (1280, 256), (512, 1280)])
def test_every_center_of_small_grids(tmp_path, size):
    # Few groups give short permutations whose codes take every shape: one
    # symbol, all symbols of one length, a full code-length code.
    width, height = size
    pixels = np.random.default_rng(width + height).integers(0, 255, (height, width, 3),
                                                            dtype=np.uint8)
    data = attention_jxl.encode(pixels, center=None, effort=1)
    expected = attention_jxl.decode(data)
    for cy in range(0, height, 256):
        for cx in range(0, width, 256):
            for dx, dy in [(10, 10), (250, 20), (128, 250)]:
                center = (cx + dx, cy + dy)
                reordered = attention_jxl.reorder(data, center)
                check_order(reordered, width, height, center)
                assert np.array_equal(attention_jxl.decode(reordered), expected), center


def test_reorder_files_in_scanline_order(cjxl_files, tmp_path):
    source = tmp_path / "in" / "a.jxl"
    source.parent.mkdir()
    source.write_bytes(attention_jxl.reorder(cjxl_files["d1-e3"], CENTER))
    [record] = attention_jxl.reorder_files([source], tmp_path / "out", center=None)
    assert record["status"] == "ok" and record["center"] is None
    written = (tmp_path / "out" / "a.jxl").read_bytes()
    assert written == attention_jxl.reorder(source.read_bytes(), None)
    assert attention_jxl.group_order(written) == row_major(2268, 1512)
