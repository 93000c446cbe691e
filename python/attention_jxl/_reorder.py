"""reorder and jxl_center: center-first order for existing JPEG XL files."""

from __future__ import annotations

from typing import Literal

from attention_jxl import _core
from attention_jxl._codec import check_center
from attention_jxl._image import as_byte_buffer
from attention_jxl._model import Model, default_model


def jxl_center(
    data: bytes | bytearray | memoryview, *, model: Model | None = None, dc_only: bool = False
) -> tuple[int, int]:
    """Predicts the attention center of a JPEG XL file.

    From the decoded image, so it equals `center` of `decode(data)`. With
    ``dc_only=True`` from the 1:8 DC image alone (only the headers, DC frames,
    LfGlobal, LF groups and HfGlobal are decoded): with libjxl that is no
    faster (it draws the missing groups at full size from the DC) and lands
    about 5% of the image diagonal away from the full-resolution center on
    photos (benchmarks/test_bench_reorder.py measures both).

    Returns:
        (x, y) in the image as displayed (as `decode` returns it).

    Raises:
        ValueError: the data is not a complete, valid JPEG XL file.
    """
    native = (model or default_model())._native
    buffer = as_byte_buffer(data, "data (the JPEG XL file)")
    x, y = _core.jxl_center(buffer, native, bool(dc_only))
    return x, y


def reorder(
    data: bytes | bytearray | memoryview,
    center: Literal["auto"] | tuple[int, int] | None = "auto",
    *,
    model: Model | None = None,
) -> bytes:
    """Rewrites a JPEG XL file so the groups around `center` come first.

    Nothing is re-encoded: each frame's table of contents gets a new
    permutation and its sections move (LfGlobal, the LF groups and HfGlobal
    first, then the groups of each pass in libjxl's center-first order, as
    ``cjxl --group_order 1`` writes them). Decoded pixels stay bit-identical,
    JPEG reconstruction stays byte-exact, progressive-DC frames are reordered
    with the center scaled into them, and every other container box (Exif,
    XMP, JPEG reconstruction data, ICC) is kept.

    Args:
        data: a complete JPEG XL file (bare codestream or container).
        center: ``(x, y)`` in the image as displayed (as `decode` returns it;
            clamped into the image), ``"auto"`` to predict it with
            `jxl_center`, or None for scanline order (the LF groups first,
            then the groups row by row, as libjxl 0.7 writes files; libjxl
            0.10+ interleaves them, so a partial file of its shows nothing).
        model: the model for ``"auto"`` (default: the bundled one).

    Raises:
        ValueError: the data is not a complete, valid JPEG XL file, or it has a
            frame index box (``jxli``), whose offsets reordering would break.
    """
    buffer = as_byte_buffer(data, "data (the JPEG XL file)")
    if center is None:
        return _core.reorder(buffer, None)
    if isinstance(center, str) and center == "auto":
        x, y = jxl_center(buffer, model=model)
    else:
        x, y = check_center(center)
    return _core.reorder(buffer, (x, y))
