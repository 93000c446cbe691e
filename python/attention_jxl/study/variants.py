"""The study's image variants: original, foreground on white, foreground inpainted away."""

from __future__ import annotations

import cv2
import numpy as np

from attention_jxl.study.images import WHITE

GROUPS = ("original", "no_background", "no_foreground")
INPAINT_METHODS = {"telea": cv2.INPAINT_TELEA, "ns": cv2.INPAINT_NS}
# The hole grows by this share of the shorter side so the object's outline,
# which a mask rarely follows to the pixel, is inpainted too.
HOLE_GROWTH_SHARE = 0.01
INPAINT_RADIUS = 5


def no_background(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The foreground on white."""
    result = np.full_like(rgb, WHITE)
    result[mask] = rgb[mask]
    return result


def no_foreground(rgb: np.ndarray, mask: np.ndarray, method: str = "telea") -> np.ndarray:
    """The foreground removed and the hole filled by OpenCV's inpainting ("telea" or "ns")."""
    if method not in INPAINT_METHODS:
        raise ValueError(
            f"inpaint method must be one of {', '.join(INPAINT_METHODS)}, got {method!r}")
    if not mask.any():
        return rgb.copy()
    grow = max(1, round(HOLE_GROWTH_SHARE * min(mask.shape)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1))
    hole = cv2.dilate(mask.astype(np.uint8) * 255, kernel)
    return cv2.inpaint(rgb, hole, INPAINT_RADIUS, INPAINT_METHODS[method])


def make_variants(
    rgb: np.ndarray, mask: np.ndarray, inpaint: str = "telea"
) -> dict[str, np.ndarray]:
    """The three groups of the study, by name (see GROUPS)."""
    return {
        "original": rgb,
        "no_background": no_background(rgb, mask),
        "no_foreground": no_foreground(rgb, mask, inpaint),
    }
