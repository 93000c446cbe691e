"""Foreground masks: the image's alpha, a mask file, rembg, or GrabCut seeded by saliency."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from attention_jxl.study.images import split_alpha

MASK_METHODS = ("auto", "alpha", "file", "rembg", "grabcut")
MASK_SUFFIXES = (".png", ".webp", ".tif", ".tiff", ".bmp", ".jpg", ".jpeg")
# GrabCut runs at most at this size (its time grows with the pixel count); the
# mask is scaled back up.
GRABCUT_MAX_SIDE = 400
GRABCUT_ITERATIONS = 5
# Saliency (divided by its maximum) at and above which GrabCut starts from
# probable foreground, and from sure foreground. The box around the probable
# foreground, grown by BOX_GROWTH of its size, is where the object may be;
# outside it is probable background.
PROBABLE_FOREGROUND = 0.2
SURE_FOREGROUND = 0.85
BOX_GROWTH = 0.15
# The image border taken as sure background, as a share of the shorter side.
BORDER_SHARE = 0.03
REMBG_MODEL = "u2net"


class MaskUnavailableError(RuntimeError):
    """The requested mask source cannot be used here (and why, and what to do)."""


def find_mask_file(mask_dir: Path, stem: str) -> Path | None:
    """The mask file for an image stem in `mask_dir`, if there is one."""
    for suffix in MASK_SUFFIXES:
        candidate = mask_dir / f"{stem}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def read_mask_file(path: Path, size: tuple[int, int]) -> np.ndarray:
    """A boolean mask from a file: its alpha if it has one, else gray >= 128 is foreground.

    Scaled to `size` (width, height) when it differs. ValueError when unreadable.
    """
    from attention_jxl._files import read_image

    try:
        image = read_image(path.read_bytes(), str(path))
    except OSError as error:
        raise ValueError(f"cannot read mask {path}: {error.strerror or error}") from None
    rgb, alpha = split_alpha(image.pixels)
    values = alpha if alpha is not None else cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    if (values.shape[1], values.shape[0]) != size:
        values = cv2.resize(values, size, interpolation=cv2.INTER_LINEAR)
    return values >= 128


def _rembg_weights() -> Path:
    home = os.environ.get("U2NET_HOME") or os.path.join(os.path.expanduser("~"), ".u2net")
    return Path(home) / f"{REMBG_MODEL}.onnx"


def rembg_available() -> bool:
    """Whether rembg and its U2-Net weights are installed (no download needed)."""
    try:
        import rembg  # noqa: F401
    except ImportError:
        return False
    return _rembg_weights().is_file()


def check_rembg() -> None:
    """Raises MaskUnavailableError naming the fix unless rembg and its weights are installed
    (rembg downloads the weights on first use, which fails offline)."""
    try:
        import rembg  # noqa: F401
    except ImportError:
        raise MaskUnavailableError(
            "rembg is not installed: `pip install rembg onnxruntime`, or use the "
            "grabcut mask method") from None
    weights = _rembg_weights()
    if not weights.is_file():
        raise MaskUnavailableError(
            f"rembg's {REMBG_MODEL} weights are not at {weights}: rembg downloads them on "
            "first use, which needs network access. Copy u2net.onnx there (or set U2NET_HOME "
            "to its folder), or use the grabcut mask method")


def rembg_mask(rgb: np.ndarray) -> np.ndarray:
    """The foreground rembg's U2-Net finds (see `check_rembg` for what it needs)."""
    check_rembg()
    import rembg

    try:
        session = rembg.new_session(REMBG_MODEL)
        alpha = rembg.remove(rgb, session=session, only_mask=True)
    except Exception as error:  # onnxruntime and rembg raise many kinds
        raise MaskUnavailableError(f"rembg failed: {error}") from error
    return np.asarray(alpha) >= 128


def grabcut_mask(rgb: np.ndarray, saliency: np.ndarray) -> np.ndarray:
    """GrabCut seeded by a saliency map over the image (same height and width).

    The box around the most salient region starts as probable foreground (the
    saliency peak as sure foreground), the image border as sure background, the
    rest as probable background; GrabCut's colour models then settle the outline.
    """
    height, width = rgb.shape[:2]
    scale = min(1.0, GRABCUT_MAX_SIDE / max(height, width))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA) if scale < 1.0 else rgb
    weights = cv2.resize(np.asarray(saliency, np.float32), size, interpolation=cv2.INTER_AREA)
    peak = float(weights.max())
    weights = weights / peak if peak > 0 else weights
    seeds = np.full(weights.shape, cv2.GC_PR_BGD, np.uint8)
    rows, columns = np.nonzero(weights >= PROBABLE_FOREGROUND)
    if rows.size:
        grow_y = round(BOX_GROWTH * (rows.max() - rows.min() + 1))
        grow_x = round(BOX_GROWTH * (columns.max() - columns.min() + 1))
        seeds[max(0, rows.min() - grow_y):rows.max() + grow_y + 1,
              max(0, columns.min() - grow_x):columns.max() + grow_x + 1] = cv2.GC_PR_FGD
    seeds[weights >= SURE_FOREGROUND] = cv2.GC_FGD
    band = max(1, round(BORDER_SHARE * min(size)))
    seeds[:band], seeds[-band:], seeds[:, :band], seeds[:, -band:] = (cv2.GC_BGD,) * 4
    if not (seeds == cv2.GC_FGD).any() or not (seeds == cv2.GC_BGD).any():
        return np.zeros((height, width), bool)  # too small to seed both sides
    background, foreground = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.grabCut(cv2.cvtColor(small, cv2.COLOR_RGB2BGR), seeds, None, background, foreground,
                GRABCUT_ITERATIONS, cv2.GC_INIT_WITH_MASK)
    chosen = np.isin(seeds, (cv2.GC_FGD, cv2.GC_PR_FGD)).astype(np.uint8) * 255
    if scale < 1.0:
        chosen = cv2.resize(chosen, (width, height), interpolation=cv2.INTER_LINEAR)
    return chosen >= 128


def foreground_mask(
    rgb: np.ndarray,
    alpha: np.ndarray | None,
    saliency: Callable[[], np.ndarray],
    *,
    method: str = "auto",
    mask_file: Path | None = None,
) -> tuple[np.ndarray, str]:
    """The foreground mask and where it came from ("alpha", "file", "rembg", "grabcut").

    "auto" takes the first that exists: the mask file, the alpha channel (if
    not fully opaque), rembg with its weights installed, GrabCut. `saliency`
    gives the map over the image when GrabCut needs it.
    """
    if method not in MASK_METHODS:
        raise ValueError(f"mask method must be one of {', '.join(MASK_METHODS)}, got {method!r}")
    size = (rgb.shape[1], rgb.shape[0])
    if method in ("auto", "file") and mask_file is not None:
        return read_mask_file(mask_file, size), "file"
    if method == "file":
        raise ValueError("the file mask method needs a mask file with the image's stem")
    has_alpha = alpha is not None and bool((alpha < 255).any())
    if method == "alpha" or (method == "auto" and has_alpha):
        if not has_alpha:
            raise ValueError("the alpha mask method needs an image with transparent pixels")
        return alpha >= 128, "alpha"
    if method == "rembg" or (method == "auto" and rembg_available()):
        return rembg_mask(rgb), "rembg"
    return grabcut_mask(rgb, saliency()), "grabcut"
