"""Turning what users pass (images, encoded files) into what the core accepts."""

from __future__ import annotations

from typing import Any

import numpy as np

_DTYPES = (np.uint8, np.uint16, np.float32)


def as_image_array(image: Any) -> np.ndarray:
    """Returns `image` as a uint8/uint16/float32 array of shape HxW or HxWxC.

    Accepts numpy arrays (any strides; the core copies only layouts it cannot
    read in place) and PIL images. Shape, channel count and values are checked
    by the core, which names the problem.
    """
    if isinstance(image, np.ndarray):
        array = image
    elif _is_pil_image(image):
        array = _pil_to_array(image)
    else:
        raise TypeError(
            f"image must be a numpy array or a PIL image, got {type(image).__name__}"
        )
    if array.dtype.type not in _DTYPES:
        raise TypeError(f"image dtype must be uint8, uint16 or float32, got {array.dtype}")
    if array.dtype.byteorder == ">":
        array = array.astype(array.dtype.newbyteorder("="))
    return array


def _is_pil_image(image: Any) -> bool:
    module = type(image).__module__
    return module.startswith("PIL.") and hasattr(image, "mode") and hasattr(image, "size")


def _pil_to_array(image: Any) -> np.ndarray:
    mode = image.mode
    if mode in ("L", "LA", "RGB", "RGBA"):
        return np.asarray(image)
    if mode in ("I;16", "I;16L", "I;16B", "I;16N"):
        return np.asarray(image).astype(np.uint16)
    if mode == "F":
        return np.asarray(image, dtype=np.float32)
    if mode == "1":
        return np.asarray(image.convert("L"))
    if mode in ("P", "PA"):
        has_alpha = mode == "PA" or "transparency" in image.info
        return np.asarray(image.convert("RGBA" if has_alpha else "RGB"))
    if mode == "I":  # Pillow's 32-bit integer mode, common for 16-bit gray files
        values = np.asarray(image)
        if values.size and (values.min() < 0 or values.max() > 65535):
            raise ValueError("PIL image of mode 'I' has values outside 0..65535")
        return values.astype(np.uint16)
    return np.asarray(image.convert("RGB"))


def as_byte_buffer(data: Any, what: str = "data") -> bytes | bytearray | memoryview:
    """Checks a bytes-like argument (an encoded file); the core reads it in place.

    Only a non-contiguous memoryview is copied, once.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"{what} must be bytes-like, got {type(data).__name__}")
    if isinstance(data, memoryview) and not data.c_contiguous:
        return data.tobytes()
    return data


def upright(pixels: np.ndarray, orientation: int) -> np.ndarray:
    """Stored pixels with their EXIF orientation (1..8) applied: the image as shown."""
    if orientation in (5, 6, 7, 8):
        pixels = np.swapaxes(pixels, 0, 1)  # transpose; then 5 is done
        orientation = {5: 1, 6: 2, 7: 3, 8: 4}[orientation]
    if orientation == 2:
        return pixels[:, ::-1]
    if orientation == 3:
        return pixels[::-1, ::-1]
    if orientation == 4:
        return pixels[::-1]
    return pixels
