"""The functional API: center, encode, decode, transcode_jpeg, group_order."""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass
from typing import Any, Literal, overload

import numpy as np

from attention_jxl import _core
from attention_jxl._image import as_byte_buffer, as_image_array
from attention_jxl._model import Model, default_model

MODEL_INPUT_SHAPE = (480, 640, 3)
Center = Literal["auto"] | tuple[int, int] | None

_FRAME_SETTING_NAMES = frozenset(_core.frame_setting_names())


def frame_setting_names() -> list[str]:
    """The libjxl frame settings `encode` accepts as keyword arguments."""
    return sorted(_FRAME_SETTING_NAMES)


def libjxl_version() -> tuple[int, int, int]:
    """The version of the libjxl the core runs with, e.g. (0, 7, 0)."""
    return tuple(_core.libjxl_version())


def resize_simd_target() -> str:
    """The instruction set the model-input resize runs with on this CPU ("AVX3" = AVX-512)."""
    return _core.resize_simd_target()


def model_input(image: Any) -> np.ndarray:
    """The 480x640x3 float32 tensor the model sees for `image`.

    Identical (to float rounding) to TensorFlow's
    ``tf.image.resize_with_pad(image, 480, 640, method="bicubic", antialias=True)``
    on the image's RGB values in [0, 1].
    """
    height, width, _ = MODEL_INPUT_SHAPE
    return _core.resize_with_pad(as_image_array(image), width, height)


def center(image: Any, *, orientation: int = 1, model: Model | None = None) -> tuple[int, int]:
    """Predicts where a person looks first in `image`.

    Args:
        image: numpy array HxW or HxWxC (C = 1..4), uint8, uint16 or float32
            in [0, 1]; or a PIL image. Gray is seen as RGB, alpha is ignored.
        orientation: EXIF orientation (1..8) of the stored pixels: the model
            sees the image upright, the point is returned in stored pixels.
        model: the model to use; by default one shared model, loaded on first use.

    Returns:
        (x, y) in the image's own (stored) pixel coordinates.
    """
    return (model or default_model()).center(image, orientation=_check_int("orientation",
                                                                           orientation))


def _check_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    return int(value)


def check_center(value: Any) -> tuple[int, int]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f'center must be "auto", None or an (x, y) pair, got {value!r}')
    x, y = _check_int("center x", value[0]), _check_int("center y", value[1])
    # The core reads -1 as "libjxl's default (the image middle)".
    if x < 0 or y < 0:
        raise ValueError(f"center ({x}, {y}) is outside the image: coordinates must be >= 0")
    return x, y


_FILE_OPTIONS = frozenset({"distance", "effort", "lossless", "center", "jpeg_transcode", "strip"})


def check_encode_options(options: dict[str, Any]) -> None:
    """Raises TypeError for option names neither `encode` nor the file reader knows."""
    _check_frame_settings({k: v for k, v in options.items() if k not in _FILE_OPTIONS})


def _check_frame_settings(settings: dict[str, Any]) -> list[tuple[str, float]]:
    unknown = sorted(set(settings) - _FRAME_SETTING_NAMES)
    if unknown:
        raise TypeError(
            f"encode() got unknown frame setting(s) {', '.join(unknown)}; "
            f"valid settings: {', '.join(frame_setting_names())}"
        )
    checked = []
    for name, value in settings.items():
        if not isinstance(value, numbers.Real):
            raise TypeError(f"frame setting {name} must be a number, got {type(value).__name__}")
        checked.append((name, float(value)))
    return checked


def encode(
    image: Any,
    *,
    distance: float = 1.0,
    effort: int = 7,
    lossless: bool = False,
    center: Center = "auto",
    threads: int = 0,
    icc_profile: bytes | None = None,
    orientation: int = 1,
    model: Model | None = None,
    exif: bytes | None = None,
    xmp: bytes | None = None,
    **frame_settings: float,
) -> bytes:
    """Encodes `image` as JPEG XL, the groups around its attention center first.

    The file is center-first on every libjxl. Where libjxl writes that order
    itself (0.7 without progressive DC; 0.10+ where its chunked encoder is not
    used) its codestream is kept: on 0.7 it equals ``cjxl --group_order 1
    --center_x X --center_y Y -d DISTANCE -e EFFORT`` for the same pixels and
    settings. Elsewhere (0.10+ photos over 2048 pixels at effort <= 7, any
    progressive DC) the file is reordered (`reorder`), which moves bytes only.
    With ``center=None`` the order is scanline with the LF groups first, also
    on 0.10+, whose chunked files otherwise show nothing until nearly complete.

    Args:
        image: as for `center`. uint8 is stored as 8-bit, uint16 as 16-bit,
            float32 as 32-bit float samples.
        distance: butteraugli distance, 0 (lossless) to 25; 1 is visually lossless.
        effort: 1 (fastest) to 9 (smallest).
        lossless: store the exact samples (same as distance=0).
        center: "auto" predicts the attention center, an (x, y) pair uses
            that point, None keeps libjxl's default (scanline) group order.
        threads: encoder threads; 0 means one per core.
        icc_profile: the pixels' ICC profile, stored in the file; None means
            sRGB (gray: sRGB gray).
        orientation: EXIF orientation (1..8) of the pixels, recorded so that
            viewers show the image upright; with center="auto" the model sees
            it upright. The pixels and any (x, y) center stay as stored.
        model: model for center="auto"; by default the shared one.
        exif: Exif data stored in an ``Exif`` box: the TIFF structure, with or
            without JPEG's ``Exif\\0\\0`` marker (as Pillow's ``info["exif"]``).
            Its orientation tag is not applied: pass `orientation` for that.
        xmp: an XMP packet stored in an ``xml `` box.
        **frame_settings: further libjxl frame settings by name, e.g.
            ``progressive_dc=1`` or ``faster_decoding=2``; see `frame_setting_names`.

    Returns:
        The JPEG XL codestream.
    """
    array = as_image_array(image)
    if isinstance(distance, bool) or not isinstance(distance, numbers.Real):
        raise TypeError(f"distance must be a number, got {type(distance).__name__}")
    effort = _check_int("effort", effort)
    threads = _check_int("threads", threads)
    orientation = _check_int("orientation", orientation)
    if icc_profile is not None and not isinstance(icc_profile, (bytes, bytearray)):
        raise TypeError(f"icc_profile must be bytes, got {type(icc_profile).__name__}")
    exif_bytes = _check_optional_bytes("exif", exif)
    xmp_bytes = _check_optional_bytes("xmp", xmp)
    settings = _check_frame_settings(frame_settings)
    predict_with: Model | None = None
    center_first, center_x, center_y = False, -1, -1
    if isinstance(center, str) and center == "auto":
        predict_with = model or default_model()
        center_first = True
    elif center is not None:
        center_first = True
        center_x, center_y = check_center(center)
    native_model = predict_with._native if predict_with is not None else None
    return _core.encode(
        array, float(distance), effort, bool(lossless), center_first, center_x, center_y,
        threads, settings, bytes(icc_profile or b""), orientation, native_model,
        exif_bytes, xmp_bytes,
    )


def _check_optional_bytes(name: str, value: Any) -> bytes:
    if value is None:
        return b""
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise TypeError(f"{name} must be bytes, got {type(value).__name__}")
    return bytes(value)


@dataclass(frozen=True)
class Metadata:
    """A JPEG XL file's metadata, as ``decode(..., metadata=True)`` returns it.

    Attributes:
        icc: the ICC profile of the decoded pixels (libjxl writes one for an
            enumerated color space too), or None.
        exif: the Exif box's TIFF structure (``II*\\0``/``MM\\0*``...), or None.
        xmp: the XMP packet, or None.
    """

    icc: bytes | None
    exif: bytes | None
    xmp: bytes | None


def read_metadata(data: bytes | bytearray | memoryview) -> Metadata:
    """The ICC profile, Exif and XMP of a JPEG XL file, without decoding pixels."""
    return Metadata(**_core.read_metadata(as_byte_buffer(data)))


@overload
def decode(data: bytes | bytearray | memoryview, *, partial: bool = ..., threads: int = ...,
           metadata: Literal[False] = ...) -> np.ndarray: ...


@overload
def decode(data: bytes | bytearray | memoryview, *, partial: bool = ..., threads: int = ...,
           metadata: Literal[True]) -> tuple[np.ndarray, Metadata]: ...


def decode(
    data: bytes | bytearray | memoryview, *, partial: bool = False, threads: int = 0,
    metadata: bool = False,
) -> np.ndarray | tuple[np.ndarray, Metadata]:
    """Decodes a JPEG XL image.

    Args:
        data: the JPEG XL file; with ``partial=True`` any prefix of it.
        partial: decode what has arrived so far, as a progressive viewer
            shows it: the groups received at their detail, the rest upsampled
            from the 1:8 DC image. The complete file gives the same pixels as
            ``partial=False``.
        threads: decoder threads; 0 means one per core.
        metadata: also return the file's `Metadata` (ICC profile, Exif, XMP);
            needs the complete file.

    Returns:
        HxW (gray) or HxWxC array, uint8 or uint16 as encoded (float32 for
        floating point images); alpha, when present, is the last channel.
        With ``metadata=True``: (array, Metadata).

    Raises:
        ValueError: the data is not a complete JPEG XL image; with
            ``partial=True``: the prefix is too short for a first image (the
            headers and the DC image have not arrived; the message gives the
            byte count) or is invalid.
    """
    data = as_byte_buffer(data)
    pixels = _core.decode(data, _check_int("threads", threads), bool(partial))
    if metadata:
        return pixels, read_metadata(data)
    return pixels


def reconstruct_jpeg(data: bytes | bytearray | memoryview, *, threads: int = 0) -> bytes:
    """The original JPEG file of a JPEG XL file made by `transcode_jpeg` (or cjxl).

    Byte for byte the file ``djxl in.jxl out.jpg`` writes: the JPEG that was
    recompressed, its Exif and XMP included.

    Raises:
        ValueError: the file has no JPEG reconstruction data (it was encoded
            from pixels), or is not a complete, valid JPEG XL file.
    """
    data = as_byte_buffer(data, "data (the JPEG XL file)")
    return _core.reconstruct_jpeg(data, _check_int("threads", threads))


def _warn_all(problems: list[str]) -> None:
    for problem in problems:
        warnings.warn(problem, stacklevel=3)


def jpeg_center(
    data: bytes | bytearray | memoryview, *, model: Model | None = None
) -> tuple[int, int]:
    """Predicts the attention center of a JPEG file, as `transcode_jpeg` uses it.

    The model sees the image upright (its Exif orientation applied); the point
    is returned in the stored, unrotated pixels of the JPEG, which is where
    JPEG XL's group order is defined.

    Warns (UserWarning) and takes the image as upright when its Exif block
    cannot be read. Raises ValueError as `transcode_jpeg` does.
    """
    native = (model or default_model())._native
    buffer = as_byte_buffer(data, "data (the JPEG file)")
    (x, y), _orientation, problems = _core.jpeg_center(buffer, native)
    _warn_all(problems)
    return x, y


def transcode_jpeg(
    data: bytes | bytearray | memoryview,
    *,
    center: Center = "auto",
    effort: int = 7,
    threads: int = 0,
    model: Model | None = None,
) -> bytes:
    """Recompresses a JPEG file losslessly as JPEG XL, center-first.

    The result holds the JPEG's DCT coefficients and the data to rebuild the
    original file byte for byte (``djxl out.jxl out.jpg``). It equals
    ``cjxl --group_order 1 --center_x X --center_y Y -e EFFORT in.jpg out.jxl``
    for the same center.

    Args:
        data: the JPEG file's bytes.
        center: "auto" predicts the attention center (see `jpeg_center`), an
            (x, y) pair uses that point of the stored (not Exif-rotated)
            pixels, None keeps libjxl's default (scanline) group order.
        effort: 1 (fastest) to 9 (smallest).
        threads: encoder threads; 0 means one per core.
        model: model for center="auto"; by default the shared one.

    Returns:
        The JPEG XL file (in a container, with the JPEG reconstruction data).

    Raises:
        ValueError: the data is not a complete JPEG, or one libjxl cannot
            recompress (e.g. arithmetic coded, CMYK); bad settings.
    """
    buffer = as_byte_buffer(data, "data (the JPEG file)")
    effort = _check_int("effort", effort)
    threads = _check_int("threads", threads)
    native_model = None
    center_first, center_x, center_y = False, -1, -1
    if isinstance(center, str) and center == "auto":
        native_model = (model or default_model())._native
        center_first = True
    elif center is not None:
        center_first = True
        center_x, center_y = check_center(center)
    encoded, problems = _core.transcode_jpeg(
        buffer, effort, center_first, center_x, center_y, threads, native_model
    )
    _warn_all(problems)
    return encoded


def group_order(
    data: bytes | bytearray | memoryview, *, dc_level: int = 0
) -> list[tuple[int, int]]:
    """The order in which a JPEG XL file stores its groups, without decoding pixels.

    Reads the headers and the table of contents of the first displayed frame
    (a bare codestream or the ISOBMFF container with a ``jxlc`` box or
    ``jxlp`` boxes; embedded ICC profiles, previews and DC, patch or
    reference frames are skipped).

    Returns:
        The top-left pixel (x, y) of each group (256x256 in VarDCT files and
        usually in lossless ones; a lossless file may use 128, 512 or 1024),
        in the order the group data appears in the file: a center-first file
        starts with the group that holds its center, a scanline file gives
        row-major order. An image that fits in one group gives ``[(0, 0)]``.
        With ``dc_level`` 1 (or 2, ...): the same for the progressive-DC frame
        at 1:8 (1:64, ...) of the image, in that frame's pixels.

    Raises:
        ValueError: the data is not a valid JPEG XL file (or is truncated
            before the end of the frame's table of contents), or has no
            progressive-DC frame at ``dc_level``.
    """
    data = as_byte_buffer(data)
    return _core.group_order(data, _check_int("dc_level", dc_level))
