"""group_order: the stored group order of real files, ours and cjxl's.

The expected center-first order is libjxl's (conftest.center_first).
"""

from __future__ import annotations

import math
import random
from pathlib import Path

import numpy as np
import pytest

import attention_jxl
from conftest import (
    TESTDATA,
    center_first,
    cjxl,
    load_like_published_script,
    row_major,
    write_pnm,
)

FLOWER = TESTDATA / "jxl/flower"
GROUP = 256


@pytest.fixture(scope="module")
def flower() -> np.ndarray:
    return load_like_published_script(FLOWER / "flower.png")  # 2268x1512 RGB


def check_center_first(order, width: int, height: int, center: tuple[int, int]) -> None:
    assert len(order) == math.ceil(width / GROUP) * math.ceil(height / GROUP)
    assert sorted(order, key=lambda o: (o[1], o[0])) == row_major(width, height)
    x0, y0 = order[0]
    assert x0 <= center[0] < x0 + GROUP and y0 <= center[1] < y0 + GROUP
    # Concentric squares around the center's group.
    rings = [max(abs(x - x0), abs(y - y0)) // GROUP for x, y in order]
    assert rings == sorted(rings)
    assert order == center_first(width, height, *center)


CENTERS = [(1000, 700), (0, 0), (2267, 1511), (100, 1400), (1134, 756), (2200, 30)]


@pytest.mark.parametrize("center", CENTERS)
def test_encode_center_first(flower, center):
    data = attention_jxl.encode(flower, center=center, effort=3)
    check_center_first(attention_jxl.group_order(data), 2268, 1512, center)


def test_encode_default_effort_and_scanline(flower):
    data = attention_jxl.encode(flower, center=(1500, 400))
    check_center_first(attention_jxl.group_order(data), 2268, 1512, (1500, 400))
    scanline = attention_jxl.encode(flower, center=None)
    assert attention_jxl.group_order(scanline) == row_major(2268, 1512)
    assert attention_jxl.group_order(bytearray(scanline)) == row_major(2268, 1512)
    assert attention_jxl.group_order(memoryview(scanline)) == row_major(2268, 1512)


@pytest.mark.parametrize("flags", [[], ["-e", "1"], ["-d", "0", "-e", "2"], ["-p"],
                                   ["--progressive_dc", "1"]])
def test_cjxl_files(tmp_path: Path, flower, flags):
    """cjxl's own files: VarDCT, lossless (modular), progressive passes, a DC frame."""
    source = tmp_path / "flower.ppm"
    write_pnm(source, flower)
    if "--progressive_dc" in flags:
        # cjxl 0.7 aborts on a center outside the (8x smaller) DC frame, so
        # this one uses its default center, the middle of the image.
        center, center_flags = (2268 // 2, 1512 // 2), []
    else:
        center = (700, 1200)
        center_flags = ["--center_x", str(center[0]), "--center_y", str(center[1])]
    data = cjxl(source, tmp_path / "out.jxl", *flags, "--group_order", "1", *center_flags)
    check_center_first(attention_jxl.group_order(data), 2268, 1512, center)
    data = cjxl(source, tmp_path / "scan.jxl", *flags)
    assert attention_jxl.group_order(data) == row_major(2268, 1512)


def test_lossless_gray_alpha_16bit_float(flower):
    crop = flower[:900, :1300]
    gray = crop.mean(axis=2).astype(np.uint8)
    alpha = np.dstack([crop, crop[:, :, 1:2]])
    images = {
        "lossless": (crop, {"lossless": True, "effort": 2}),
        "gray": (gray, {"effort": 3}),
        "gray lossless": (gray, {"lossless": True, "effort": 1}),
        "rgba": (alpha, {"effort": 3}),
        "rgba lossless": (alpha, {"lossless": True, "effort": 2}),
        "uint16": (crop.astype(np.uint16) * 257, {"effort": 3}),
        "float32": (crop.astype(np.float32) / 255, {"effort": 3}),
    }
    for name, (image, options) in images.items():
        for center in [(650, 450), (1299, 0)]:
            data = attention_jxl.encode(image, center=center, **options)
            check_center_first(attention_jxl.group_order(data), 1300, 900, center)
        data = attention_jxl.encode(image, center=None, **options)
        assert attention_jxl.group_order(data) == row_major(1300, 900), name


def test_embedded_icc_profile(flower):
    """An ICC profile libjxl cannot express as an enum is stored entropy coded."""
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    crop = flower[:700, :1000]
    for options in [{"lossless": True, "effort": 1}, {"distance": 1.0, "effort": 3}]:
        data = attention_jxl.encode(crop, center=(600, 100), icc_profile=icc, **options)
        check_center_first(attention_jxl.group_order(data), 1000, 700, (600, 100))


def test_many_groups_ans_coded_permutation(flower):
    """Over 100 groups: libjxl codes the permutation with ANS, not prefix codes."""
    big = np.repeat(np.repeat(flower, 2, axis=0), 2, axis=1)  # 4536x3024
    data = attention_jxl.encode(big, center=(3000, 1000), effort=1)
    check_center_first(attention_jxl.group_order(data), 4536, 3024, (3000, 1000))


def test_transcoded_jpeg_container(tmp_path: Path):
    jpeg = (FLOWER / "flower.png.im_q85_420.jpg").read_bytes()
    data = attention_jxl.transcode_jpeg(jpeg, center=(1800, 1000), effort=3)
    assert data[4:8] == b"JXL "  # the ISOBMFF container
    check_center_first(attention_jxl.group_order(data), 2268, 1512, (1800, 1000))
    scanline = attention_jxl.transcode_jpeg(jpeg, center=None, effort=3)
    assert attention_jxl.group_order(scanline) == row_major(2268, 1512)
    # cjxl's transcoding, and its file cut into several jxlp boxes.
    source = tmp_path / "in.jpg"
    source.write_bytes(jpeg)
    data = cjxl(source, tmp_path / "out.jxl", "--group_order", "1", "--center_x", "10",
                "--center_y", "1500")
    check_center_first(attention_jxl.group_order(data), 2268, 1512, (10, 1500))
    assert attention_jxl.group_order(split_into_jxlp(data)) == attention_jxl.group_order(data)
    # A partly downloaded file: the codestream box is cut off after the TOC.
    assert attention_jxl.group_order(data[:-1000]) == attention_jxl.group_order(data)


def split_into_jxlp(container: bytes) -> bytes:
    """The same file with its codestream split over three jxlp boxes."""
    out, pos, codestream = bytearray(), 0, b""
    while pos < len(container):
        size = int.from_bytes(container[pos:pos + 4], "big")
        kind = container[pos + 4:pos + 8]
        size = size or len(container) - pos
        if kind == b"jxlc":
            codestream = container[pos + 8:pos + size]
        else:
            out += container[pos:pos + size]
        pos += size
    cuts = [0, 7, len(codestream) // 2, len(codestream)]
    for index in range(3):
        part = codestream[cuts[index]:cuts[index + 1]]
        tag = index | (0x80000000 if index == 2 else 0)
        out += (len(part) + 12).to_bytes(4, "big") + b"jxlp" + tag.to_bytes(4, "big") + part
    return bytes(out)


def test_single_group_and_libjxl_testdata():
    small = np.zeros((100, 200, 3), np.uint8)
    assert attention_jxl.group_order(attention_jxl.encode(small, center=(50, 50))) == [(0, 0)]
    # Modular files with 512-pixel groups (pq_gradient) and an extended-size box.
    order = attention_jxl.group_order((TESTDATA / "jxl/pq_gradient.jxl").read_bytes())
    assert order == [(0, 0), (512, 0), (1024, 0)]
    extended = TESTDATA / "jxl/boxes/square-extended-size-container.jxl"
    assert attention_jxl.group_order(extended.read_bytes()) == [(0, 0)]


def test_bad_input(flower):
    data = attention_jxl.encode(flower[:600, :600], center=(300, 300), effort=3)
    expected = attention_jxl.group_order(data)
    with pytest.raises(TypeError):
        attention_jxl.group_order("not bytes")  # type: ignore[arg-type]
    for bad in [b"", b"\xff", b"\xff\x0a", b"GIF89a" + bytes(100), data[:20],
                b"\x00\x00\x00\x0cJXL \r\n\x87\n" + bytes(8)]:
        with pytest.raises(ValueError):
            attention_jxl.group_order(bad)
    # Every cut either fails cleanly or still holds the whole TOC.
    for end in [*range(400), *range(400, len(data), 997)]:
        try:
            assert attention_jxl.group_order(data[:end]) == expected
        except ValueError:
            pass
    # Random corruption of the headers and the TOC: a list or ValueError.
    rng = random.Random(1234)
    for _ in range(400):
        mutated = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            mutated[rng.randrange(2, 120)] = rng.randrange(256)
        try:
            order = attention_jxl.group_order(bytes(mutated))
        except ValueError:
            continue
        assert all(isinstance(x, int) and isinstance(y, int) for x, y in order)
