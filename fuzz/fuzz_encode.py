"""Fuzz target: attention_jxl.encode with random images and settings.

The input drives a FuzzedDataProvider that picks the array (dtype, shape,
channels, memory layout: C or Fortran order, strided and negative-stride
views, transposes, broadcasts, unaligned and byte-swapped buffers), its
samples, and the settings: distance, effort (mostly 1-2, one thread, so
executions stay fast), lossless, center (none, a point in or around the
image, rarely "auto"), orientation, an ICC profile and libjxl frame settings
by name with values in and out of range.

Checks beyond "no crash": a file we produce decodes to the input's size and
dtype (turned by the orientation); lossless files without extra frame
settings give back the exact samples; a center-first file starts with the
group that holds the center. Set FUZZ_ENCODE_PRINT=1 to print each call.
"""

from __future__ import annotations

import math
import os
from typing import Any

import atheris
import numpy as np
from _harness import EXPECTED, expect_failure, fuzz, import_instrumented, model_path

aj = import_instrumented()
MODEL = aj.Model(model_path())
FRAME_SETTINGS = aj.frame_setting_names()
FLOAT_SETTINGS = {"channel_colors_global_percent", "channel_colors_group_percent",
                  "modular_ma_tree_learning_percent", "photon_noise", "photon_noise_iso"}
DTYPES = (np.uint8, np.uint16, np.float32)
ODD_DTYPES = (np.int16, np.float64, np.bool_, np.int32)
LAYOUTS = ("c", "fortran", "step", "reversed", "transposed", "channels_reversed",
           "unaligned", "byteswapped", "broadcast", "crop")
SPECIAL_FLOATS = (0.0, -0.0, 1.0, -1.0, 2.0, 1e-40, 3.4e38, math.nan, math.inf, -math.inf)
GROUP = 256
PRINT = os.environ.get("FUZZ_ENCODE_PRINT") == "1"


def pick_shape(fdp: atheris.FuzzedDataProvider) -> tuple[int, ...]:
    """HxW or HxWxC, mostly small, sometimes across several 256x256 groups or malformed."""
    kind = fdp.ConsumeIntInRange(0, 15)
    if kind == 0:
        return tuple(fdp.ConsumeIntInRange(0, 4) for _ in range(fdp.ConsumeIntInRange(0, 4)))
    big = kind == 1
    height = fdp.ConsumeIntInRange(0 if kind == 2 else 1, 600 if big else 48)
    width = fdp.ConsumeIntInRange(0 if kind == 2 else 1, 600 if big else 48)
    if fdp.ConsumeBool():
        return (height, width)
    channels = fdp.ConsumeIntInRange(0, 5) if kind == 3 else fdp.ConsumeIntInRange(1, 4)
    return (height, width, channels)


def fill(fdp: atheris.FuzzedDataProvider, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    count = math.prod(shape)
    seed = fdp.ConsumeBytes(min(count * np.dtype(dtype).itemsize, 4096))
    if dtype == np.float32:
        values = np.frombuffer(seed[: len(seed) // 2 * 2], dtype=np.uint16) / 65535.0
        values = values.astype(np.float32)
        if fdp.ConsumeIntInRange(0, 7) == 0 and values.size:
            values[fdp.ConsumeIntInRange(0, values.size - 1)] = fdp.PickValueInList(
                list(SPECIAL_FLOATS))
    elif dtype == np.bool_:
        values = np.frombuffer(seed, dtype=np.uint8) & 1
    else:
        usable = len(seed) // np.dtype(dtype).itemsize * np.dtype(dtype).itemsize
        values = np.frombuffer(seed[:usable], dtype=dtype)
    if values.size == 0:
        values = np.zeros(1, dtype=dtype)
    return np.resize(values.astype(dtype), shape)


def arrange(fdp: atheris.FuzzedDataProvider, image: np.ndarray) -> np.ndarray:
    """The same pixels (or a view of them) in another memory layout."""
    layout = fdp.PickValueInList(list(LAYOUTS))
    if image.ndim < 2:
        return image  # malformed on purpose; only C order
    if layout == "fortran":
        return np.asfortranarray(image)
    if layout == "step" and image.size:
        step_y, step_x = fdp.ConsumeIntInRange(1, 3), fdp.ConsumeIntInRange(1, 3)
        spread = np.repeat(np.repeat(image, step_y, axis=0), step_x, axis=1)
        return spread[::step_y, ::step_x]
    if layout == "reversed":
        return image[::-1, ::-1][::-1] if fdp.ConsumeBool() else image[::-1, ::-1]
    if layout == "transposed":
        return np.ascontiguousarray(image.swapaxes(0, 1)).swapaxes(0, 1)
    if layout == "channels_reversed" and image.ndim == 3:
        return np.ascontiguousarray(image[..., ::-1])[..., ::-1]
    if layout == "unaligned" and image.size:
        raw = bytearray(image.nbytes + 1)
        view = np.frombuffer(raw, dtype=image.dtype, offset=1, count=image.size)
        view = view.reshape(image.shape)
        view[...] = image
        return view
    if layout == "byteswapped" and image.dtype.itemsize > 1:
        return image.astype(image.dtype.newbyteorder(">"))
    if layout == "broadcast" and image.ndim >= 2 and image.size:
        return np.broadcast_to(image[:1], image.shape)
    if layout == "crop" and image.ndim >= 2:
        frame = np.zeros((image.shape[0] + 2, image.shape[1] + 3) + image.shape[2:], image.dtype)
        frame[1:-1, 2:-1] = image
        return frame[1:-1, 2:-1]
    return image


def pick_value(fdp: atheris.FuzzedDataProvider, name: str) -> float | int:
    kind = fdp.ConsumeIntInRange(0, 9)
    if kind == 0:
        return fdp.PickValueInList([2**40, -(2**40), 1.5, math.nan, math.inf, 1e300])
    if name in FLOAT_SETTINGS:
        return fdp.ConsumeFloatInRange(-5.0, 3200.0)
    return fdp.ConsumeIntInRange(-3, 12)


def pick_center(fdp: atheris.FuzzedDataProvider, shape: tuple[int, ...]) -> Any:
    kind = fdp.ConsumeIntInRange(0, 15)
    if kind == 0:
        return "auto"
    if kind <= 3:
        return None
    height = shape[0] if len(shape) > 0 else 1
    width = shape[1] if len(shape) > 1 else 1
    return (fdp.ConsumeIntInRange(-2, width + 1), fdp.ConsumeIntInRange(-2, height + 1))


def pick_icc(fdp: atheris.FuzzedDataProvider) -> bytes | None:
    if fdp.ConsumeIntInRange(0, 15):
        return None
    return fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 512))


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    odd_dtype = fdp.ConsumeIntInRange(0, 31) == 0
    dtype = fdp.PickValueInList(list(ODD_DTYPES if odd_dtype else DTYPES))
    shape = pick_shape(fdp)
    image = arrange(fdp, fill(fdp, shape, dtype))
    options: dict[str, Any] = {
        "distance": fdp.PickValueInList([0.0, 0.5, 1.0, 2.5, 4.5, 25.0, 25.5, -1.0, math.nan])
        if fdp.ConsumeBool() else fdp.ConsumeFloatInRange(0.0, 25.0),
        "effort": fdp.ConsumeIntInRange(1, 2) if fdp.ConsumeIntInRange(0, 15)
        else fdp.PickValueInList([-1, 0, 3, 10]),
        "lossless": fdp.ConsumeIntInRange(0, 3) == 0,
        "center": pick_center(fdp, image.shape),
        "orientation": fdp.ConsumeIntInRange(1, 8) if fdp.ConsumeIntInRange(0, 7)
        else fdp.ConsumeIntInRange(-1, 9),
        "icc_profile": pick_icc(fdp),
        "threads": 1,
        "model": MODEL,
    }
    settings = {}
    for _ in range(fdp.ConsumeIntInRange(0, 3) if fdp.ConsumeBool() else 0):
        name = fdp.PickValueInList(FRAME_SETTINGS)
        settings[name] = pick_value(fdp, name)
    if PRINT:
        shown = {k: v for k, v in options.items() if k != "model"}
        print(f"image {image.dtype} {image.shape} strides {image.strides};",
              shown, settings, flush=True)
    try:
        encoded = aj.encode(image, **options, **settings)
    except EXPECTED:
        return
    check_output(encoded, np.asarray(image), options, settings)


def check_output(encoded: bytes, image: np.ndarray, options: dict[str, Any],
                 settings: dict[str, float]) -> None:
    decoded = expect_failure(lambda: aj.decode(encoded, threads=1))
    assert decoded is not None, "our own encoder's output does not decode"
    order = aj.group_order(encoded)
    assert order, "our own encoder's output has no groups"
    if settings.get("already_downsampled") or settings.get("resampling", 1) > 1:
        return  # libjxl may store or return another size
    height, width = image.shape[:2]
    channels = 1 if image.ndim == 2 else image.shape[2]
    expected = (height, width) if channels == 1 else (height, width, channels)
    turned = options["orientation"] >= 5
    if turned:
        expected = (width, height) + expected[2:]
    assert decoded.shape == expected, (decoded.shape, expected)
    assert decoded.dtype == image.dtype.newbyteorder("="), (decoded.dtype, image.dtype)
    if options["orientation"] != 1 or settings or options["icc_profile"] is not None:
        return
    lossless = options["lossless"] or options["distance"] == 0
    if lossless:
        assert np.array_equal(decoded.reshape(image.shape), image), "lossless is not exact"
    center = options["center"]
    if isinstance(center, tuple) and not lossless:
        x0, y0 = order[0]
        assert x0 <= center[0] < x0 + GROUP and y0 <= center[1] < y0 + GROUP, (order[0], center)


if __name__ == "__main__":
    fuzz(test_one_input)
