"""PNG decoding in the core (libpng), keeping 16-bit samples, alpha and the ICC profile.

Pillow reduces 16-bit RGB/RGBA PNGs to 8 bits; this reads the samples as stored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attention_jxl import _core
from attention_jxl._image import as_byte_buffer


@dataclass(frozen=True)
class PngImage:
    """A decoded PNG.

    Attributes:
        pixels: HxW (gray) or HxWxC array, C = 2 (gray + alpha), 3 (RGB) or
            4 (RGBA); uint16 for 16-bit PNGs, else uint8. Palette images are
            RGB (RGBA with transparency), a tRNS color key becomes an alpha
            channel, bit depths below 8 are scaled to 0..255.
        icc: the ICC profile (iCCP), or None when absent or invalid.
        exif: the raw eXIf chunk (TIFF header onwards, no "Exif\\0\\0"), or None.
        orientation: the Exif orientation (1..8) in eXIf; 1 without one. The
            pixels are as stored, not turned upright.
        orientation_problem: why eXIf could not be read ("" when it could).
        bit_depth: bits per sample as stored (1, 2, 4, 8 or 16).
        significant_bits: the largest sBIT value, 0 without an sBIT chunk.
        srgb, gama, chrm, cicp: whether those color chunks are present (they
            are reported, not applied).
    """

    pixels: np.ndarray
    icc: bytes | None
    exif: bytes | None
    orientation: int
    orientation_problem: str
    bit_depth: int
    significant_bits: int
    srgb: bool
    gama: bool
    chrm: bool
    cicp: bool


def png_read(data: bytes | bytearray | memoryview) -> PngImage:
    """Decodes a PNG (the first frame of an APNG) with all it reports.

    Raises:
        ValueError: the data is not a complete, valid PNG.
        ImageTooLargeError: the image is over max_image_pixels().
    """
    result = _core.png_decode(as_byte_buffer(data))
    return PngImage(**result)


def png_decode(
    data: bytes | bytearray | memoryview,
) -> tuple[np.ndarray, bytes | None, bytes | None]:
    """Decodes a PNG to (pixels, ICC profile or None, raw eXIf or None).

    The pixels keep the stored channels and depth: uint16 for 16-bit PNGs,
    else uint8; see `PngImage` for the details.

    Raises:
        ValueError: the data is not a complete, valid PNG.
        ImageTooLargeError: the image is over max_image_pixels().
    """
    image = png_read(data)
    return image.pixels, image.icc, image.exif


def heatmap_png(values: np.ndarray) -> bytes:
    """A saliency map (float values in [0, 1]) as an 8-bit gray PNG, white where people look."""
    gray = np.rint(np.clip(values, 0.0, 1.0) * 255).astype(np.uint8)
    return _core.png_encode(gray, b"")
