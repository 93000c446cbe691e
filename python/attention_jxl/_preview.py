"""What a progressive viewer shows while a JPEG XL file arrives."""

from __future__ import annotations

import numbers
from collections.abc import Iterable

import numpy as np

from attention_jxl import _codec
from attention_jxl._image import as_byte_buffer

DEFAULT_FRACTIONS = (0.05, 0.1, 0.2, 0.4, 1.0)


def _check_fractions(fractions: Iterable[float]) -> list[float]:
    checked = []
    for fraction in fractions:
        if isinstance(fraction, bool) or not isinstance(fraction, numbers.Real):
            raise TypeError(f"fractions must be numbers, got {type(fraction).__name__}")
        if not 0 < fraction <= 1:
            raise ValueError(f"fractions must be in (0, 1], got {fraction!r}")
        checked.append(float(fraction))
    if not checked:
        raise ValueError("no fractions given")
    return checked


def prefix_size(total: int, fraction: float) -> int:
    """The number of bytes received at `fraction` of a `total`-byte file (at least 1)."""
    return total if fraction >= 1 else max(1, min(total, int(total * fraction)))


def preview(
    data: bytes | bytearray | memoryview,
    fractions: Iterable[float] = DEFAULT_FRACTIONS,
    *,
    threads: int = 0,
) -> list[np.ndarray | None]:
    """The images a progressive viewer shows after receiving parts of a JPEG XL file.

    Each image is ``decode(data[:n], partial=True)`` for the first ``n =
    int(len(data) * fraction)`` bytes: the groups received so far at their
    detail, the rest upsampled from the 1:8 DC image. A fraction of 1 gives
    exactly ``decode(data)``.

    Args:
        data: the complete JPEG XL file.
        fractions: parts of the file, each in (0, 1], in any order.
        threads: decoder threads; 0 means one per core.

    Returns:
        One entry per fraction, in the order given: the image (as `decode`
        returns it), or None when that many bytes are not yet enough for a
        first image (the headers and the whole DC image must arrive first;
        at distance 1 that is about a fifth of a photo's file).

    Raises:
        ValueError: `data` is not a complete JPEG XL file, or a fraction is
            out of range.
    """
    checked = _check_fractions(fractions)
    data = as_byte_buffer(data)
    buffer = memoryview(data).cast("B")
    full = _codec.decode(buffer, threads=threads)  # also checks the file is complete
    images: list[np.ndarray | None] = []
    for fraction in checked:
        size = prefix_size(len(buffer), fraction)
        if size == len(buffer):
            images.append(full.copy())
            continue
        try:
            images.append(_codec.decode(buffer[:size], partial=True, threads=threads))
        except ValueError as error:
            if "too little JPEG XL data" not in str(error):
                raise
            images.append(None)
    return images
