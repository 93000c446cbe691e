"""Comparing neural data (e.g. MEG sensors x time) with image embeddings."""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

# OpenCV's Lanczos filter works on 8 x 8 neighbourhoods.
LANCZOS = cv2.INTER_LANCZOS4


def load_neural(path: Path) -> np.ndarray:
    """A 2-D finite float matrix from a .npy file. ValueError naming what is wrong."""
    try:
        matrix = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise ValueError(f"cannot read {path} as a .npy array: {error}") from None
    if matrix.ndim != 2 or 0 in matrix.shape:
        raise ValueError(f"{path} must hold a non-empty 2-D matrix (e.g. sensors x time), "
                         f"got shape {matrix.shape}")
    kind = matrix.dtype
    if not np.issubdtype(kind, np.number) or np.issubdtype(kind, np.complexfloating):
        raise ValueError(f"{path} must hold real numbers, got dtype {matrix.dtype}")
    matrix = matrix.astype(np.float32)
    if not np.isfinite(matrix).all():
        raise ValueError(f"{path} holds NaN or infinite values")
    return matrix


def lanczos_resample(matrix: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """`matrix` resampled to `shape` (rows, columns) with OpenCV's Lanczos filter."""
    rows, columns = shape
    return cv2.resize(np.asarray(matrix, np.float32), (columns, rows), interpolation=LANCZOS)


def l2_distance(a: np.ndarray, b: np.ndarray) -> float:
    """The Euclidean distance between two matrices of one shape."""
    if a.shape != b.shape:
        raise ValueError(f"cannot compare shapes {a.shape} and {b.shape}")
    return float(np.linalg.norm(np.asarray(a, np.float64) - np.asarray(b, np.float64)))


def mean_and_sem(values: list[float]) -> tuple[float, float]:
    """The mean and its standard error (NaN where there are too few values)."""
    data = np.asarray(values, np.float64)
    if data.size == 0:
        return math.nan, math.nan
    sem = float(data.std(ddof=1) / math.sqrt(data.size)) if data.size > 1 else math.nan
    return float(data.mean()), sem


def paired_comparison(a: list[float], b: list[float]) -> dict[str, float | int | str | None]:
    """A Wilcoxon signed-rank test of paired values (per image); None where undefined."""
    from scipy.stats import wilcoxon

    first, second = np.asarray(a, np.float64), np.asarray(b, np.float64)
    differences = first - second
    result: dict[str, float | int | str | None] = {
        "test": "wilcoxon", "n": int(differences.size),
        "median_difference": float(np.median(differences)) if differences.size else None,
        "statistic": None, "p_value": None}
    if differences.size and np.any(differences != 0):
        test = wilcoxon(first, second)
        result["statistic"], result["p_value"] = float(test.statistic), float(test.pvalue)
    return result
