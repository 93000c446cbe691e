"""Bad input gets a clear Python exception naming the problem, never a crash."""

from __future__ import annotations

import numpy as np
import pytest

import attention_jxl

GOOD = np.zeros((16, 16, 3), np.uint8)


@pytest.mark.parametrize(
    "image,error,match",
    [
        (np.zeros((16, 16, 3), np.int32), TypeError, "dtype"),
        (np.zeros((16, 16, 3), np.float64), TypeError, "dtype"),
        (np.zeros((16, 16, 3), bool), TypeError, "dtype"),
        ([[1, 2], [3, 4]], TypeError, "numpy array or a PIL image"),
        ("image.png", TypeError, "numpy array"),
        (np.zeros(16, np.uint8), ValueError, "shape"),
        (np.zeros((2, 16, 16, 3), np.uint8), ValueError, "shape"),
        (np.zeros((16, 16, 5), np.uint8), ValueError, "1 to 4 channels"),
        (np.zeros((16, 16, 0), np.uint8), ValueError, "channels"),
        (np.zeros((0, 16, 3), np.uint8), ValueError, "empty"),
        (np.zeros((16, 0), np.uint8), ValueError, "empty"),
        (np.full((8, 8, 3), np.nan, np.float32), ValueError, "NaN"),
        (np.full((8, 8), np.inf, np.float32), ValueError, "inf"),
    ],
)
def test_bad_images(image, error, match) -> None:
    with pytest.raises(error, match=match):
        attention_jxl.encode(image, center=None)
    with pytest.raises(error, match=match):
        attention_jxl.center(image)


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        (dict(distance=-1), ValueError, "distance"),
        (dict(distance=26), ValueError, "distance"),
        (dict(distance=float("nan")), ValueError, "distance"),
        (dict(distance="1"), TypeError, "distance"),
        (dict(effort=0), ValueError, "effort"),
        (dict(effort=10), ValueError, "effort"),
        (dict(effort=2.5), TypeError, "effort"),
        (dict(threads=-1), ValueError, "threads"),
        (dict(center=(16, 0)), ValueError, "outside"),
        (dict(center=(0, -5)), ValueError, "outside"),
        (dict(center="middle"), TypeError, "center"),
        (dict(center=(1, 2, 3)), TypeError, "center"),
        (dict(center=(1.5, 2)), TypeError, "center"),
        (dict(progressive_dc=7), ValueError, "progressive_dc"),
        (dict(epf=1.5), ValueError, "integer"),
        (dict(progresive_dc=1), TypeError, "progressive_dc"),
        (dict(gaborish="yes"), TypeError, "gaborish"),
    ],
)
def test_bad_settings(kwargs, error, match) -> None:
    kwargs.setdefault("center", None)
    with pytest.raises(error, match=match):
        attention_jxl.encode(GOOD, **kwargs)


def test_unknown_setting_lists_valid_ones() -> None:
    with pytest.raises(TypeError) as info:
        attention_jxl.encode(GOOD, center=None, not_a_setting=1)
    for name in ("progressive_dc", "faster_decoding", "modular", "epf"):
        assert name in str(info.value)


def test_dimensions_libjxl_cannot_encode(pixel_limit) -> None:
    # np.zeros maps untouched pages lazily: this costs no real memory.
    row = np.zeros((1, (1 << 30) + 1), np.uint8)
    with pytest.raises(attention_jxl.ImageTooLargeError, match="exceeds the limit"):
        attention_jxl.encode(row, center=None)
    pixel_limit(None)  # past the pixel limit, JPEG XL's own limit on a side
    with pytest.raises(ValueError, match="larger than JPEG XL allows"):
        attention_jxl.encode(row, center=None)


@pytest.mark.parametrize(
    "data,match",
    [
        (b"", "0 bytes"),
        (b"\x00" * 100, "not JPEG XL"),
        (b"\xff\x0a", "truncated"),
        (b"\xff\x0a" + bytes(range(256)) * 4, "invalid|truncated"),
        (open(__file__, "rb").read(), "not JPEG XL"),
    ],
)
def test_bad_decode_input(data, match) -> None:
    with pytest.raises(ValueError, match=match):
        attention_jxl.decode(data)


def test_truncated_files_never_crash() -> None:
    image = np.random.default_rng(3).integers(0, 256, (300, 300, 3), dtype=np.uint8)
    data = attention_jxl.encode(image, center=None, effort=3)
    for size in list(range(1, 64)) + list(range(64, len(data), max(1, len(data) // 97))):
        with pytest.raises(ValueError, match="truncated|invalid"):
            attention_jxl.decode(data[:size])


def test_corrupted_bytes_never_crash() -> None:
    image = np.random.default_rng(4).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    data = bytearray(attention_jxl.encode(image, center=None, effort=1))
    rng = np.random.default_rng(5)
    for _ in range(300):
        mutated = bytearray(data)
        for position in rng.integers(0, len(data), 4):
            mutated[position] = rng.integers(0, 256)
        try:
            attention_jxl.decode(mutated)
        except ValueError:
            pass


def test_decode_rejects_non_bytes() -> None:
    with pytest.raises(TypeError, match="bytes-like"):
        attention_jxl.decode("not bytes")  # type: ignore[arg-type]
