"""The resize against an independent numpy model of TF's ScaleAndTranslate.

The SIMD passes handle row tails, padding lanes, channel layouts and strides
separately; these cases reach each of them (widths that are no multiple of
any vector size, crops, flips, Fortran order, every dtype and channel count,
up- and downscaling).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

import attention_jxl

HEIGHT, WIDTH = 480, 640


def keys_cubic(x: np.ndarray) -> np.ndarray:
    x = np.abs(x)
    near = ((1.5 * x - 2.5) * x) * x + 1.0
    far = ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0
    return np.where(x >= 2.0, 0.0, np.where(x >= 1.0, far, near))


@functools.lru_cache
def filter_spans(input_size: int, output_size: int) -> list[tuple[int, np.ndarray]]:
    """Per output sample of TF's bicubic, antialiased filter: (first input
    sample, weights).

    The sampling positions are computed in float32 as TF does (on noise a
    position off by 1e-7 of the image moves outputs by 1e-4); the weights
    and sums are float64.
    """
    f32 = np.float32
    inv_scale = f32(1.0 / float(f32(output_size) / f32(input_size)))
    kernel_scale = max(inv_scale, f32(1))
    support = f32(2) * kernel_scale
    spans = []
    for o in range(output_size):
        center = (f32(o) + f32(0.5)) * inv_scale
        if center > input_size:
            spans.append((0, np.zeros(0)))
            continue
        first = int(np.clip(np.ceil(center - support - f32(0.5)), 0, input_size - 1))
        end = int(np.clip(np.floor(center + support - f32(0.5)), 0, input_size - 1)) + 1
        taps = np.arange(first, end, dtype=np.float32)
        distances = (taps + f32(0.5) - center) * (f32(1) / kernel_scale)
        weights = keys_cubic(distances.astype(np.float64))
        total = weights.sum()
        spans.append((first, weights / total if abs(total) > 1e-30 else weights * 0))
    return spans


def filter_axis0(values: np.ndarray, output_size: int) -> np.ndarray:
    # einsum's own loops, not BLAS: its threads crawl on a loaded machine.
    return np.stack([np.einsum("i,i...->...", weights, values[first:first + len(weights)])
                     for first, weights in filter_spans(len(values), output_size)])


def reference_model_input(image: np.ndarray) -> np.ndarray:
    """resize_with_pad(image as RGB in [0, 1], 480, 640, bicubic, antialias)."""
    values = image.astype(np.float64)
    if image.dtype != np.float32:
        values /= np.iinfo(image.dtype).max
    if values.ndim == 2:
        values = values[..., None]
    rgb = values[..., :3] if values.shape[2] >= 3 else np.repeat(values[..., :1], 3, axis=2)
    height, width = image.shape[:2]
    # TF computes the padded geometry in float32.
    ratio = max(np.float32(width) / np.float32(WIDTH), np.float32(height) / np.float32(HEIGHT))
    resized_w = int(np.floor(np.float32(width) / ratio))
    resized_h = int(np.floor(np.float32(height) / ratio))
    left = int(np.floor((np.float32(WIDTH) - np.float32(width) / ratio) / np.float32(2)))
    top = int(np.floor((np.float32(HEIGHT) - np.float32(height) / ratio) / np.float32(2)))
    columns = filter_axis0(rgb, resized_h)
    resized = filter_axis0(columns.transpose(1, 0, 2), resized_w).transpose(1, 0, 2)
    out = np.zeros((HEIGHT, WIDTH, 3))
    out[max(top, 0):max(top, 0) + resized_h, max(left, 0):max(left, 0) + resized_w] = resized
    return out


def samples(rng: np.random.Generator, shape: tuple[int, ...], dtype) -> np.ndarray:
    if dtype == np.float32:
        return rng.random(shape, dtype=np.float32)
    return rng.integers(0, np.iinfo(dtype).max + 1, shape, dtype=dtype)


# (height, width): downscales of several factors, upscales, one row or
# column, widths off every vector size.
SIZES = [(481, 643), (997, 1501), (37, 53), (3, 900), (700, 5), (1, 1), (61, 2003)]


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
@pytest.mark.parametrize("channels", [0, 1, 2, 3, 4])
def test_resize_matches_numpy_model(dtype, channels) -> None:
    rng = np.random.default_rng(channels + 10 * np.dtype(dtype).itemsize)
    for height, width in SIZES:
        extra = (channels,) if channels else ()
        # A crop of a larger array: rows padded, first pixel not at the start.
        big = samples(rng, (height + 2, width + 7) + extra, dtype)
        views = {
            "crop": big[1:height + 1, 5:width + 5],
            "flipped": big[::-1][1:height + 1, :width],
            "fortran": np.asfortranarray(big[:height, :width]),
        }
        for name, image in views.items():
            expected = reference_model_input(image)
            ours = attention_jxl.model_input(image)
            worst = float(np.abs(ours - expected).max())
            assert worst <= 3e-6, (dtype.__name__, channels, height, width, name, worst)


def test_float_input_is_bit_identical_to_tensorflow(reference_centers, reference_inputs) -> None:
    from conftest import load_like_published_script, reference_source

    for entry in reference_centers:
        pixels = load_like_published_script(reference_source(entry)).astype(np.float32) / 255
        ours = attention_jxl.model_input(pixels)
        assert np.array_equal(ours, reference_inputs[entry["image"]]), entry["image"]


def test_simd_target_is_named() -> None:
    name = attention_jxl.resize_simd_target()
    assert isinstance(name, str) and name.isupper(), name
