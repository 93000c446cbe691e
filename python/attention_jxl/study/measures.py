"""Our attention measures: is the predicted center on the foreground, and how much
of the saliency mass is."""

from __future__ import annotations

import math

import numpy as np


def center_on_foreground(center: tuple[int, int], mask: np.ndarray) -> bool:
    """Whether the center pixel (x, y) lies on the foreground."""
    x, y = center
    height, width = mask.shape
    return bool(mask[min(max(y, 0), height - 1), min(max(x, 0), width - 1)])


def saliency_on_foreground(saliency: np.ndarray, mask: np.ndarray) -> float:
    """The share of the saliency map's mass on the foreground (NaN for an empty map)."""
    total = float(np.sum(saliency, dtype=np.float64))
    if total <= 0:
        return math.nan
    return float(np.sum(saliency[mask], dtype=np.float64)) / total


def center_shift(a: tuple[int, int], b: tuple[int, int], size: tuple[int, int]) -> float:
    """How far the center moved, as a share of the image diagonal (size is width, height)."""
    return math.dist(a, b) / math.hypot(*size)
