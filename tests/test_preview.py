"""Partial decoding and previews: what a progressive viewer shows as a file arrives."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import attention_jxl
from attention_jxl._pictures import caption_height
from conftest import TESTDATA, load_like_published_script

FLOWER = TESTDATA / "jxl/flower"


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    error = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if error == 0 else float(10 * np.log10(255.0**2 / error))


@pytest.fixture(scope="module")
def flower() -> np.ndarray:
    return load_like_published_script(FLOWER / "flower.png")


@pytest.fixture(scope="module")
def flower_center(flower: np.ndarray) -> tuple[int, int]:
    return attention_jxl.center(flower)


@pytest.fixture(scope="module")
def center_first(flower: np.ndarray, flower_center: tuple[int, int]) -> bytes:
    return attention_jxl.encode(flower, distance=1, effort=7, center=flower_center)


@pytest.fixture(scope="module")
def scanline(flower: np.ndarray) -> bytes:
    return attention_jxl.encode(flower, distance=1, effort=7, center=None)


def first_image_size(data: bytes) -> int:
    """The fewest bytes that give a partial image (binary search)."""
    low, high = 0, len(data)
    while high - low > 1:
        middle = (low + high) // 2
        try:
            attention_jxl.decode(data[:middle], partial=True)
            high = middle
        except ValueError:
            low = middle
    return high


def test_full_data_partial_equals_decode(center_first: bytes) -> None:
    full = attention_jxl.decode(center_first)
    assert np.array_equal(attention_jxl.decode(center_first, partial=True), full)
    assert np.array_equal(attention_jxl.decode(memoryview(center_first), partial=True,
                                               threads=1), full)


def test_every_percent(center_first: bytes, flower: np.ndarray) -> None:
    decodable = []
    for percent in range(1, 100):
        size = len(center_first) * percent // 100
        try:
            image = attention_jxl.decode(center_first[:size], partial=True)
        except ValueError as error:
            assert f"{size} bytes" in str(error)
            decodable.append(False)
            continue
        assert image.shape == flower.shape and image.dtype == np.uint8
        decodable.append(True)
    # Once a first image is there, every longer prefix gives one.
    first = decodable.index(True)
    assert all(decodable[first:]) and not any(decodable[:first])
    assert 5 <= first + 1 <= 35  # headers + DC: about a fifth of this file


def test_below_minimum_says_how_many_bytes(center_first: bytes) -> None:
    minimum = first_image_size(center_first)
    with pytest.raises(ValueError, match=rf"\b{minimum - 1} bytes"):
        attention_jxl.decode(center_first[: minimum - 1], partial=True)
    # Inside the image header the message also estimates what is needed.
    with pytest.raises(ValueError, match=r"\b5 bytes.*about \d+ bytes needed"):
        attention_jxl.decode(center_first[:5], partial=True)
    with pytest.raises(ValueError, match=r"\b0 bytes"):
        attention_jxl.decode(b"", partial=True)
    # Without partial, a prefix is still an error.
    with pytest.raises(ValueError, match="truncated"):
        attention_jxl.decode(center_first[:-1])


def test_odd_prefix_sizes(center_first: bytes, flower: np.ndarray) -> None:
    minimum = first_image_size(center_first)
    sizes = [*range(1, 40), 63, 65, 127, 129, 255, 257, 1000, 4097, 10001,
             minimum - 1, minimum, minimum + 1, minimum + 7, 123457,
             len(center_first) - 1, len(center_first) - 2, len(center_first) - 1001]
    for size in sizes:
        try:
            image = attention_jxl.decode(center_first[:size], partial=True)
        except ValueError as error:
            assert size < minimum and f"{size} bytes" in str(error)
        else:
            assert size >= minimum and image.shape == flower.shape


def test_garbage_never_crashes(center_first: bytes) -> None:
    rng = random.Random(1234)
    noise = bytes(rng.getrandbits(8) for _ in range(100_000))
    candidates = [noise[:n] for n in (1, 2, 12, 1000, 100_000)]
    for _ in range(30):
        cut = rng.randrange(1, len(center_first))
        prefix = bytearray(center_first[:cut])
        kind = rng.randrange(3)
        if kind == 0:  # truncated, then garbage
            prefix += noise[: rng.randrange(1, 5000)]
        elif kind == 1:  # bytes flipped inside the prefix
            for _ in range(rng.randrange(1, 20)):
                prefix[rng.randrange(len(prefix))] ^= 1 << rng.randrange(8)
        else:  # a run of garbage written over the prefix
            start = rng.randrange(len(prefix))
            prefix[start:start + 64] = noise[:64]
        candidates.append(bytes(prefix))
    for data in candidates:
        for partial in (True, False):
            try:
                image = attention_jxl.decode(data, partial=partial, threads=1)
            except ValueError:
                continue
            assert image.ndim in (2, 3)


def test_preview_gets_better(center_first: bytes) -> None:
    fractions = (0.05, 0.1, 0.2, 0.25, 0.3, 0.4, 0.6, 0.8, 1.0)
    frames = attention_jxl.preview(center_first, fractions)
    full = attention_jxl.decode(center_first)
    assert len(frames) == len(fractions)
    minimum = first_image_size(center_first)
    for fraction, frame in zip(fractions, frames, strict=True):
        assert (frame is None) == (int(len(center_first) * fraction) < minimum)
    shown = [psnr(frame, full) for frame in frames if frame is not None]
    assert len(shown) >= 5
    assert all(later >= earlier for earlier, later in zip(shown, shown[1:], strict=False)), shown
    assert np.array_equal(frames[-1], full)
    # The defaults: this file needs about a fifth of its bytes for a first image.
    default = attention_jxl.preview(center_first)
    assert [frame is None for frame in default] == [True, True, True, False, False]
    assert np.array_equal(default[-1], full)


def test_preview_arguments(center_first: bytes) -> None:
    with pytest.raises(ValueError, match=r"\(0, 1\]"):
        attention_jxl.preview(center_first, [0.5, 1.5])
    with pytest.raises(ValueError, match=r"\(0, 1\]"):
        attention_jxl.preview(center_first, [0])
    with pytest.raises(TypeError):
        attention_jxl.preview(center_first, ["half"])
    with pytest.raises(ValueError, match="truncated"):  # the file itself must be complete
        attention_jxl.preview(center_first[:-10], [0.5])


def windows(shape: tuple[int, ...], center: tuple[int, int], size: int = 512):
    """The size x size window around the center (moved inside the image) and
    the top corner farther from it, which a scanline file sends early."""
    height, width = shape[:2]
    x, y = center
    left = min(max(0, x - size // 2), width - size)
    top = min(max(0, y - size // 2), height - size)
    corner = 0 if x > width / 2 else width - size
    return ((slice(top, top + size), slice(left, left + size)),
            (slice(0, size), slice(corner, corner + size)))


def photo(name: str) -> np.ndarray:
    if name == "flower.png":
        return load_like_published_script(FLOWER / name)
    with Image.open(FLOWER / name) as image:  # RGBA stays RGBA, gray stays gray
        return np.asarray(image)


# The libjxl-testdata photos of at least 1 MP and the share of the file after
# which the proof holds. flower_cropped (1040x1040) is so small that the
# 512x512 center window touches 9 of its 16 groups, so it needs more bytes.
PROOF_PHOTOS = [
    ("flower.png", 0.4),
    ("flower_alpha.png", 0.4),
    ("flower.png.im_q85_420.jpg", 0.4),
    ("flower.png.im_q85_444.jpg", 0.4),
    ("flower.png.im_q85_gray.jpg", 0.4),
    ("flower.png.im_q85_420_progr.jpg", 0.4),
    ("flower_cropped.jpg", 0.65),
]


@pytest.mark.parametrize(("name", "fraction"), PROOF_PHOTOS)
def test_center_first_shows_the_center_first(name: str, fraction: float) -> None:
    image = photo(name)
    assert image.shape[0] * image.shape[1] >= 1_000_000
    center = attention_jxl.center(image)
    center_window, corner = windows(image.shape, center)
    results = {}
    for order, where in (("center-first", center), ("scanline", None)):
        data = attention_jxl.encode(image, distance=1, effort=7, center=where)
        full = attention_jxl.decode(data)
        partial = attention_jxl.decode(data[: int(len(data) * fraction)], partial=True)
        results[order] = (psnr(partial[center_window], full[center_window]),
                          psnr(partial[corner], full[corner]))
    print(f"\n{name} at {fraction:.0%}, center {center}: PSNR vs full decode "
          f"(center window, far corner): center-first {results['center-first'][0]:.1f}/"
          f"{results['center-first'][1]:.1f} dB, scanline {results['scanline'][0]:.1f}/"
          f"{results['scanline'][1]:.1f} dB")
    center_first_center, center_first_corner = results["center-first"]
    scanline_center, scanline_corner = results["scanline"]
    assert center_first_center >= 45, results
    assert scanline_center <= center_first_center - 10 and scanline_center < 35, results
    assert scanline_corner >= center_first_corner + 3, results


# The command line, through a real subprocess.

def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "attention_jxl", *args],
                          capture_output=True, text=True, timeout=600)


def is_green(pixel) -> bool:
    return tuple(int(v) for v in pixel[:3]) == (0, 255, 0)


def test_cli_preview(center_first: bytes, flower: np.ndarray, flower_center: tuple[int, int],
                     tmp_path: Path) -> None:
    source = tmp_path / "flower.jxl"
    source.write_bytes(center_first)
    out = tmp_path / "strip.png"
    result = run("preview", str(source), "-o", str(out), "--at", "10,25,40,100",
                 "--height", "300", "--mark-center")
    assert result.returncode == 0, result.stderr
    height, width = flower.shape[:2]
    frame_width = round(width * 300 / height)
    with Image.open(out) as picture:
        assert picture.format == "PNG"
        # Four frames side by side, their labels in a band below them.
        assert picture.size == (4 * frame_width, 300 + caption_height(300))
        strip = np.asarray(picture.convert("RGB"))
    # The dot marks the middle of the group the file sends first: the one
    # holding the attention center.
    full = attention_jxl.decode(center_first)
    x0, y0 = attention_jxl.group_order(center_first)[0]
    assert x0 <= flower_center[0] < x0 + 256 and y0 <= flower_center[1] < y0 + 256
    x, y = (x0 + min(x0 + 256, width) - 1) / 2, (y0 + min(y0 + 256, height) - 1) / 2
    sx, sy = int((x + 0.5) * frame_width / width), int((y + 0.5) * 300 / height)
    assert "center:" in result.stdout
    # 10% is not enough for a first image: a gray panel without a dot.
    assert not is_green(strip[sy, sx])
    for frame in (1, 2, 3):
        assert is_green(strip[sy, frame * frame_width + sx]), frame
    # The last frame is the whole image, scaled.
    last = strip[:, 3 * frame_width:].astype(np.int16)
    expected = np.asarray(Image.fromarray(full).resize((frame_width, 300), Image.LANCZOS))
    distance = np.hypot(*np.mgrid[0:300, 0:frame_width] - np.array([sy, sx])[:, None, None])
    away_from_mark = distance > 45  # the dot and the outline of the first group
    difference = np.abs(last[:300] - expected).max(axis=2)
    assert np.mean(difference[away_from_mark] <= 1) > 0.99


def test_cli_preview_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jxl"
    broken.write_bytes(b"\xff\x0a" + bytes(100))
    result = run("preview", str(broken), "-o", str(tmp_path / "out.png"))
    assert result.returncode == 1 and "broken.jxl" in result.stderr
    assert not (tmp_path / "out.png").exists()
    result = run("preview", str(broken), "-o", str(tmp_path / "out.png"), "--at", "0,50")
    assert result.returncode == 2 and "(0, 100]" in result.stderr


def test_cli_center_show(flower: np.ndarray, flower_center: tuple[int, int],
                         tmp_path: Path) -> None:
    out = tmp_path / "center.png"
    result = run("center", str(FLOWER / "flower.png"), "--show", str(out))
    assert result.returncode == 0, result.stderr
    x, y = (int(v) for v in re.split(r"\s+", result.stdout.strip())[1:3])
    assert (x, y) == flower_center
    with Image.open(out) as picture:
        assert picture.size == (flower.shape[1], flower.shape[0])
        shown = np.asarray(picture.convert("RGB"))
    assert is_green(shown[y, x])
    assert not is_green(shown[y, x + 60]) and not is_green(shown[y + 60, x])
    assert np.array_equal(shown[:200, :200], flower[:200, :200])  # the photo itself, unchanged
    result = run("center", str(FLOWER / "flower.png"), str(FLOWER / "flower.png"),
                 "--show", str(out))
    assert result.returncode == 2 and "one INPUT" in result.stderr


def test_cli_preview_scanline_marks_first_group(scanline: bytes, tmp_path: Path) -> None:
    source = tmp_path / "scanline.jxl"
    source.write_bytes(scanline)
    result = run("preview", str(source), "-o", str(tmp_path / "strip.png"), "--at", "100",
                 "--mark-center")
    assert result.returncode == 0, result.stderr
    assert "x 0..255, y 0..255" in result.stdout  # a scanline file starts top-left
