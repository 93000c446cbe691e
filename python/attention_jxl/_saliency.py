"""Saliency maps, attention crops and thumbnails."""

from __future__ import annotations

import math
import numbers
from typing import Any, Literal

import numpy as np

from attention_jxl import _core
from attention_jxl._codec import _check_int
from attention_jxl._image import as_image_array
from attention_jxl._model import Model, default_model

Box = tuple[int, int, int, int]
Aspect = str | float | None


def _native(model: Model | None) -> Any:
    return (model or default_model())._native


def _predict(array: np.ndarray, orientation: int, model: Model | None):
    return _native(model).saliency(array, _check_int("orientation", orientation))


def _image_size(array: np.ndarray) -> tuple[int, int]:
    return int(array.shape[1]), int(array.shape[0])


def _keep_channels(resampled: np.ndarray, like: np.ndarray) -> np.ndarray:
    # The core returns one-channel images as HxW; keep an HxWx1 input's shape.
    return resampled.reshape(resampled.shape[:2] + like.shape[2:])


def _check_size(size: Any, what: str) -> tuple[int, int]:
    if not isinstance(size, (tuple, list)) or len(size) != 2:
        raise TypeError(f"{what} must be a (width, height) pair, got {size!r}")
    width, height = _check_int(f"{what} width", size[0]), _check_int(f"{what} height", size[1])
    if width <= 0 or height <= 0:
        raise ValueError(f"{what} must be positive, got {width}x{height}")
    return width, height


def parse_aspect(aspect: str | float) -> float:
    """An aspect ratio (width / height) from "16:9"-style text or a number."""
    if isinstance(aspect, str):
        parts = aspect.split(":")
        try:
            if len(parts) != 2:
                raise ValueError
            width, height = float(parts[0]), float(parts[1])
        except ValueError:
            raise ValueError(
                f'aspect must be "W:H" (e.g. "16:9") or a number, got {aspect!r}'
            ) from None
        if not (math.isfinite(width) and math.isfinite(height)) or width <= 0 or height <= 0:
            raise ValueError(f"aspect {aspect!r} must have positive finite sides")
        return width / height
    if isinstance(aspect, bool) or not isinstance(aspect, numbers.Real):
        raise TypeError(f'aspect must be "W:H" text or a number, got {type(aspect).__name__}')
    value = float(aspect)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"aspect must be a finite positive number, got {aspect!r}")
    return value


def _box(
    saliency_map: np.ndarray, center: tuple[int, int], image_size: tuple[int, int],
    width: int | None, height: int | None, aspect: Aspect,
) -> Box:
    image_width, image_height = image_size
    if aspect is not None:
        if width is not None or height is not None:
            raise ValueError("give either width and height or aspect, not both")
        x, y, w, h = _core.crop_box_for_aspect(
            saliency_map, center[0], center[1], image_width, image_height, parse_aspect(aspect)
        )
    else:
        if width is None or height is None:
            raise ValueError("give both width and height, or aspect")
        x, y, w, h = _core.crop_box(
            saliency_map, center[0], center[1], image_width, image_height,
            _check_int("width", width), _check_int("height", height),
        )
    return int(x), int(y), int(w), int(h)


def saliency(
    image: Any, *, orientation: int = 1, model: Model | None = None,
    size: tuple[int, int] | None = None,
) -> np.ndarray:
    """Where people look in `image`: the model's saliency map over the image.

    The map covers the image's own area (the model input's padding cut away)
    at model resolution, e.g. 640x427 for a 3:2 landscape photo, from the same
    inference as `center` (whose point is the map's gravity center).

    Args:
        image: as for `center`.
        orientation: EXIF orientation (1..8) of the stored pixels: the model
            sees the image upright, the map is turned back to the stored pixels.
        model: the model to use; by default the shared one.
        size: (width, height) to resample the map to, e.g. the image's size.
            Shrinking uses a triangle filter widened by the scale
            (antialiased), enlarging plain bilinear interpolation.

    Returns:
        float32 array of shape (height, width), values in [0, 1].
    """
    values, _center = _predict(as_image_array(image), orientation, model)
    if size is not None:
        width, height = _check_size(size, "size")
        values = _core.resample(values, width, height)
    return values


def box_from_saliency(
    saliency_map: np.ndarray, image_size: tuple[int, int], width: int | None = None,
    height: int | None = None, *, aspect: Aspect = None, center: tuple[int, int] | None = None,
) -> Box:
    """The window of an image holding the most mass of `saliency_map`.

    Like `crop_box`, for a map already computed (or made up): `image_size` is
    the (width, height) of the image the map covers, `center` the point ties
    are settled towards (default: the image middle).
    """
    image_width, image_height = _check_size(image_size, "image_size")
    if center is None:
        center = (image_width // 2, image_height // 2)
    cx, cy = _check_int("center x", center[0]), _check_int("center y", center[1])
    values = np.asarray(saliency_map, dtype=np.float32)
    return _box(values, (cx, cy), (image_width, image_height), width, height, aspect)


def crop_box(
    image: Any, width: int | None = None, height: int | None = None, *,
    aspect: Aspect = None, orientation: int = 1, model: Model | None = None,
) -> Box:
    """The crop of `image` a person would look at: (x, y, width, height).

    Give either `width` and `height` (in pixels) or `aspect` ("16:9", "1:1"
    or a number width / height: the largest window of that shape that fits).
    The window holds the most saliency mass (the map spread over the image's
    pixels); among equal windows the one whose middle is closest to the
    predicted center. It always lies inside the image, in stored pixels.

    Raises:
        ValueError: sizes that are zero, negative or larger than the image; a
            bad aspect; both or neither of the two ways to give the size.
    """
    array = as_image_array(image)
    values, center = _predict(array, orientation, model)
    return _box(values, center, _image_size(array), width, height, aspect)


def crop_box_and_center(
    image: Any, width: int | None = None, height: int | None = None, *,
    aspect: Aspect = None, model: Model | None = None,
) -> tuple[Box, tuple[int, int]]:
    """`crop_box` of an upright image and the predicted center, from one inference."""
    array = as_image_array(image)
    values, center = _predict(array, 1, model)
    return _box(values, center, _image_size(array), width, height, aspect), center


def crop(
    image: Any, width: int | None = None, height: int | None = None, *,
    aspect: Aspect = None, orientation: int = 1, model: Model | None = None,
) -> np.ndarray:
    """`image` cropped to `crop_box` (a view of the array: same dtype and channels)."""
    array = as_image_array(image)
    x, y, w, h = crop_box(array, width, height, aspect=aspect, orientation=orientation,
                          model=model)
    return array[y : y + h, x : x + w]


def thumbnail(
    image: Any, size: tuple[int, int], *, fit: Literal["cover", "contain"] = "cover",
    orientation: int = 1, model: Model | None = None,
) -> np.ndarray:
    """A smaller copy of `image`, same dtype and channels (alpha included).

    Args:
        size: (width, height) of the thumbnail.
        fit: "cover" crops to the aspect of `size` where the saliency is
            (`crop_box` with that aspect) and shrinks the crop to exactly
            `size`; "contain" shrinks the whole image to fit inside `size`,
            keeping its aspect (one side equals `size`).
        orientation: EXIF orientation (1..8) of the stored pixels; the
            thumbnail stays in stored orientation.

    Shrinking uses a triangle filter widened by the scale (antialiased). The
    image is never enlarged: when it (or, for "cover", its crop) is smaller
    than `size`, it is returned at its own size.
    """
    array = as_image_array(image)
    width, height = _check_size(size, "size")
    if fit not in ("cover", "contain"):
        raise ValueError(f'fit must be "cover" or "contain", got {fit!r}')
    native = _native(model) if fit == "cover" else None  # "contain" needs no model
    result = _core.thumbnail(native, array, width, height, fit,
                             _check_int("orientation", orientation))
    return _keep_channels(result, array)
