"""The decompression-bomb guard: the largest image, in pixels, we will handle.

A few bytes of JPEG XL, JPEG or PNG can declare a gigapixel image. Every
entry point checks the declared size against one process-wide limit before
allocating pixels: arrays given to `encode`/`center`, JPEG headers
(`transcode_jpeg`, `jpeg_center`), JPEG XL headers (`decode`, `preview`,
`group_order`) and image files read by `encode_files` and the command line.
"""

from __future__ import annotations

import numbers

from attention_jxl import _core

ImageTooLargeError = _core.ImageTooLargeError
ImageTooLargeError.__doc__ = "An image has more pixels than max_image_pixels() allows."
ImageTooLargeError.__module__ = "attention_jxl"

#: Pillow's MAX_IMAGE_PIXELS: about 89 megapixels (e.g. 11600x7700).
DEFAULT_MAX_IMAGE_PIXELS = 89_478_485


def max_image_pixels() -> int | None:
    """The pixel limit in effect (width * height), or None when there is none."""
    return _core.max_image_pixels() or None


def set_max_image_pixels(pixels: int | None) -> None:
    """Sets the largest image (width * height) any call accepts, process-wide.

    Over the limit, calls raise `ImageTooLargeError` (a ValueError) before
    allocating pixel memory. The default is DEFAULT_MAX_IMAGE_PIXELS; None
    removes the limit (only for trusted sources).
    """
    if pixels is None:
        _core.set_max_image_pixels(0)
        return
    if isinstance(pixels, bool) or not isinstance(pixels, numbers.Integral):
        raise TypeError(f"pixels must be an integer or None, got {type(pixels).__name__}")
    if not 1 <= pixels < 1 << 64:
        raise ValueError(f"pixels must be between 1 and 2**64 - 1 (or None), got {pixels}")
    _core.set_max_image_pixels(int(pixels))


def check_image_size(width: int, height: int, what: str) -> None:
    """Raises ImageTooLargeError when a width x height image is over the limit."""
    _core.check_image_pixels(width, height, what)
