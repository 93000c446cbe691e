"""Reading stimulus images as 8-bit RGB at the study's working size."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from attention_jxl._files import read_image
from attention_jxl._image import upright
from attention_jxl._prepare import write_atomically

# Longest side the study works at: the study's stimuli are small photos, and
# GrabCut and inpainting grow with the pixel count.
DEFAULT_MAX_SIDE = 800
WHITE = 255


@dataclass
class Stimulus:
    """One image as the study sees it: upright 8-bit RGB, and its alpha if it had one."""

    path: Path
    rgb: np.ndarray  # HxWx3 uint8
    alpha: np.ndarray | None  # HxW uint8, or None


def _to_8bit(pixels: np.ndarray) -> np.ndarray:
    if pixels.dtype == np.uint8:
        return pixels
    if pixels.dtype == np.uint16:
        return (pixels.astype(np.float32) / 257.0 + 0.5).astype(np.uint8)
    values = np.clip(np.nan_to_num(pixels.astype(np.float32)), 0.0, 1.0)
    return (values * 255.0 + 0.5).astype(np.uint8)


def split_alpha(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """HxWx3 uint8 RGB (gray replicated, alpha composited on white) and the alpha."""
    pixels = _to_8bit(np.asarray(pixels))
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    channels = pixels.shape[2]
    color = pixels[:, :, :1] if channels <= 2 else pixels[:, :, :3]
    alpha = pixels[:, :, -1] if channels in (2, 4) else None
    if color.shape[2] == 1:
        color = np.repeat(color, 3, axis=2)
    if alpha is not None:
        weight = alpha[:, :, None].astype(np.float32) / 255.0
        color = (color * weight + WHITE * (1.0 - weight) + 0.5).astype(np.uint8)
    return np.ascontiguousarray(color), alpha


def fit_within(image: np.ndarray, max_side: int) -> np.ndarray:
    """`image` shrunk (area filter) so its longest side is at most `max_side`; never enlarged."""
    height, width = image.shape[:2]
    scale = max_side / max(height, width)
    if scale >= 1.0:
        return image
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def load_stimulus(path: Path, max_side: int = DEFAULT_MAX_SIDE) -> Stimulus:
    """Reads an image file upright at the working size. ValueError for an unreadable file."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ValueError(f"cannot read {path}: {error.strerror or error}") from None
    image = read_image(data, str(path))
    rgb, alpha = split_alpha(upright(image.pixels, image.orientation))
    rgb = fit_within(rgb, max_side)
    if alpha is not None:
        alpha = fit_within(alpha, max_side)
    return Stimulus(path, rgb, alpha)


def write_png(path: Path, image: np.ndarray) -> None:
    """Writes an RGB (HxWx3) or gray (HxW) uint8 image as PNG, atomically (a stopped run
    leaves no truncated file)."""
    pixels = image[:, :, ::-1] if image.ndim == 3 else image  # OpenCV encodes BGR
    ok, encoded = cv2.imencode(".png", np.ascontiguousarray(pixels))
    if not ok:
        raise OSError(f"could not encode {path}")
    write_atomically(Path(path), encoded.tobytes())
