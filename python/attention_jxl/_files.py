"""Image files in, JPEG XL out: reading pixels, metadata and orientation."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from attention_jxl import _codec, _core, _saliency
from attention_jxl._image import as_image_array, upright
from attention_jxl._limits import ImageTooLargeError, check_image_size
from attention_jxl._model import Model, default_model
from attention_jxl._png import png_read
from attention_jxl._pnm import BINARY_PNM_MAGICS, pnm_read

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass
class ImageFile:
    """Pixels as stored in the file, plus what is needed to encode them faithfully."""

    pixels: np.ndarray
    icc_profile: bytes | None = None
    orientation: int = 1  # EXIF orientation: how to turn the stored pixels upright
    exif: bytes | None = None  # the file's Exif data, carried into the JPEG XL file
    xmp: bytes | None = None
    warnings: list[str] = field(default_factory=list)


def _orientation_from_exif(exif: bytes | None, name: str, result: ImageFile) -> None:
    if not exif:
        return
    result.orientation, problem = _core.exif_orientation(bytes(exif))
    if problem:  # malformed metadata must not lose the image
        result.warnings.append(f"{name}: ignoring unreadable EXIF orientation ({problem})")


def _read_png(data: bytes, name: str) -> ImageFile:
    png = png_read(data)
    result = ImageFile(png.pixels, icc_profile=png.icc, orientation=png.orientation,
                       exif=png.exif)
    if png.orientation_problem:
        result.warnings.append(
            f"{name}: ignoring unreadable EXIF orientation ({png.orientation_problem})")
    return result


def _read_with_pillow(data: bytes, name: str) -> ImageFile:
    try:
        from PIL import Image
    except ImportError as error:
        raise RuntimeError("reading this file type needs Pillow: pip install pillow") from error
    try:
        image = Image.open(io.BytesIO(data))  # reads the header only
    except Image.UnidentifiedImageError:
        raise ValueError(f"{name} is not an image file this reader knows") from None
    except Image.DecompressionBombError as error:
        raise ImageTooLargeError(f"{name}: {error}") from None
    except Exception as error:
        raise ValueError(f"cannot read {name} as an image: {error}") from None
    check_image_size(image.width, image.height, f"{name}: image")
    try:
        image.load()  # the first frame of an animation
    except Exception as error:
        raise ValueError(f"cannot read {name} as an image: {error}") from None
    xmp = image.info.get("xmp")
    result = ImageFile(as_image_array(image), icc_profile=image.info.get("icc_profile"),
                       exif=image.info.get("exif") or None,
                       xmp=xmp.encode() if isinstance(xmp, str) else xmp or None)
    if image.info.get("exif"):
        _orientation_from_exif(image.info["exif"], name, result)
    elif image.format == "TIFF":  # orientation is a tag of the file itself
        orientation = image.tag_v2.get(0x0112, 1)
        if orientation in range(1, 9):
            result.orientation = int(orientation)
        else:
            result.warnings.append(f"{name}: ignoring invalid TIFF orientation {orientation!r}")
    return result


def read_image(data: bytes, name: str = "image") -> ImageFile:
    """Decodes an image file's bytes (PNG, JPEG, WebP, TIFF, BMP, PNM, GIF...).

    Keeps 16-bit samples, alpha and the ICC profile; reports the EXIF
    orientation. PNG and binary PGM/PPM/PAM are decoded by the core (Pillow
    would cut 16-bit color to 8 bits), everything else by Pillow. Problems
    with metadata become warnings in the result, never errors; an unreadable
    image is a ValueError.
    """
    if data.startswith(PNG_MAGIC):
        return _read_png(data, name)
    if data[:2] in BINARY_PNM_MAGICS:
        return ImageFile(pnm_read(data))
    return _read_with_pillow(data, name)


def encode_file_bytes(
    data: bytes,
    *,
    name: str = "image",
    model: Model | None = None,
    threads: int = 0,
    measure_only: bool = False,
    center: Any = "auto",
    jpeg_transcode: bool = True,
    effort: int = 7,
    strip: bool = False,
    **options: Any,
) -> tuple[bytes, tuple[int, int] | None, list[str]]:
    """Encodes one image file's bytes.

    JPEG files are recompressed losslessly (unless `jpeg_transcode` is False);
    other files are encoded from their pixels with their ICC profile and EXIF
    orientation, and their Exif and XMP unless `strip` (a recompressed JPEG
    always keeps its own: rebuilding the original JPEG needs them). The model
    sees the image upright; the center is in stored pixels, which is where
    the group order is defined. With `measure_only`
    only the center is computed and the returned bytes are empty.

    Returns:
        (JPEG XL bytes, center used or None, warnings about the file).
    """
    if center == "auto":
        model = model or default_model()
    elif center is not None:
        center = _codec.check_center(center)
    if jpeg_transcode and data.startswith(JPEG_MAGIC):
        problems: list[str] = []
        if center == "auto":
            (x, y), _, problems = _core.jpeg_center(data, model._native)
            center = (x, y)
            problems = [f"{name}: {problem}" for problem in problems]
        if measure_only:
            return b"", center, problems
        encoded = _codec.transcode_jpeg(data, center=center, effort=effort, threads=threads)
        return encoded, center, problems

    image = read_image(data, name)
    if center == "auto":
        center = model.center(image.pixels, orientation=image.orientation)
    if measure_only:
        return b"", center, image.warnings
    encoded = _codec.encode(image.pixels, center=center, effort=effort, threads=threads,
                            icc_profile=image.icc_profile, orientation=image.orientation,
                            **_metadata_options(image, strip, name), **options)
    return encoded, center, image.warnings


def _metadata_options(image: ImageFile, strip: bool, name: str) -> dict[str, bytes]:
    """The source's Exif and XMP for `encode`; Exif that is not TIFF data is dropped with
    a warning (never the image)."""
    if strip:
        return {}
    options = {}
    if image.xmp:
        options["xmp"] = image.xmp
    exif = image.exif
    if exif:
        tiff = exif[6:] if exif.startswith(b"Exif\0\0") else exif
        if tiff[:4] in (b"II*\0", b"MM\0*"):
            options["exif"] = exif
        else:
            image.warnings.append(f"{name}: dropping Exif data that is not a TIFF structure")
    return options


CROP_FORMATS = ("png", "jpg", "jxl")


def crop_file_bytes(
    data: bytes,
    *,
    name: str = "image",
    width: int | None = None,
    height: int | None = None,
    aspect: str | float | None = None,
    format: str = "png",
    model: Model | None = None,
    measure_only: bool = False,
) -> tuple[bytes, dict[str, Any], list[str]]:
    """Crops one image file's bytes where people look (`crop_box`), upright.

    The crop is cut from the image as shown (its EXIF orientation applied)
    and written as PNG (8 or 16 bits, alpha and ICC profile kept), JPEG
    (8-bit without alpha only; quality 90) or JPEG XL (center-first around
    the predicted center, clamped into the crop).

    Returns:
        (file bytes, {"box": [x, y, w, h] in the upright image, "center":
        [x, y] in it}, warnings about the file).
    """
    if format not in CROP_FORMATS:
        raise ValueError(f"format must be one of {', '.join(CROP_FORMATS)}, got {format!r}")
    image = read_image(data, name)
    shown = upright(image.pixels, image.orientation)
    (x, y, w, h), center = _saliency.crop_box_and_center(
        shown, width, height, aspect=aspect, model=model or default_model())
    fields = {"box": [x, y, w, h], "center": list(center)}
    if measure_only:
        return b"", fields, image.warnings
    cropped = np.ascontiguousarray(shown[y : y + h, x : x + w])
    icc = image.icc_profile
    if format == "png":
        return _core.png_encode(cropped, bytes(icc or b"")), fields, image.warnings
    if format == "jxl":
        inner = (min(max(center[0] - x, 0), w - 1), min(max(center[1] - y, 0), h - 1))
        return _codec.encode(cropped, center=inner, icc_profile=icc), fields, image.warnings
    has_alpha = cropped.ndim == 3 and cropped.shape[2] in (2, 4)
    if cropped.dtype != np.uint8 or has_alpha:
        kind = f"{cropped.dtype}{' with alpha' if has_alpha else ''}"
        raise ValueError(f"JPEG keeps 8-bit samples without alpha, this image is {kind}: "
                         "use png or jxl")
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(cropped.squeeze()).save(out, format="JPEG", quality=90, icc_profile=icc)
    return out.getvalue(), fields, image.warnings
