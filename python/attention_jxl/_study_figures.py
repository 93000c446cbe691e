"""Figures of a study report (matplotlib): distances per group, attention measures and a
contact sheet. Only the command line uses this module."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from attention_jxl.study import GROUPS, mask_path, variant_path
from attention_jxl.study.report import DISTANCE_PREFIX

LABELS = {"original": "original", "no_background": "no background",
          "no_foreground": "no foreground"}
COLORS = {"original": "#4c72b0", "no_background": "#dd8452", "no_foreground": "#55a868"}
CONTACT_ROWS = 8


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    return plt


def _bars(axes, summary: dict[str, Any], column: str, title: str, ylabel: str,
          groups=GROUPS) -> None:
    means = [summary["groups"][g][column]["mean"] for g in groups]
    sems = [summary["groups"][g][column]["sem"] for g in groups]
    heights = [math.nan if m is None else m for m in means]
    errors = [0.0 if s is None else s for s in sems]
    axes.bar([LABELS[g] for g in groups], heights, yerr=errors, capsize=6,
             color=[COLORS[g] for g in groups])
    axes.set_title(title, fontsize=10)
    axes.set_ylabel(ylabel)
    axes.tick_params(axis="x", labelsize=8)


def distance_figure(summary: dict[str, Any], output: Path) -> bool:
    """The study's Fig. 2: L2 distance to each neural matrix per group, mean and SEM.
    False (and no file) when the run compared with no neural data."""
    names = list(summary.get("neural", {}))
    if not names:
        return False
    plt = _pyplot()
    figure, panels = plt.subplots(1, len(names), figsize=(4.2 * len(names), 3.6), squeeze=False)
    for axes, name in zip(panels[0], names, strict=True):
        _bars(axes, summary, DISTANCE_PREFIX + name, f"{name}: distance to embedding",
              "L2 distance")
        tests = summary["comparisons"].get(name, {})
        lines = [f"{pair}: p={t['p_value']:.3g}" for pair, t in tests.items()
                 if t.get("p_value") is not None]
        if lines:
            axes.text(0.02, 0.02, "\n".join(lines), transform=axes.transAxes, fontsize=7,
                      va="bottom")
    figure.suptitle(f"{summary['images']} images, embedder {summary['embedder']} "
                    "(error bars: standard error)", fontsize=9)
    figure.tight_layout()
    figure.savefig(output, dpi=120)
    plt.close(figure)
    return True


def attention_figure(summary: dict[str, Any], output: Path) -> None:
    """Our measures per group: center on the foreground, saliency mass there, center shift."""
    plt = _pyplot()
    figure, panels = plt.subplots(1, 3, figsize=(12, 3.6))
    _bars(panels[0], summary, "center_on_foreground", "center on the foreground",
          "share of images")
    _bars(panels[1], summary, "saliency_on_foreground", "saliency mass on the foreground",
          "share of the map")
    area = summary["groups"]["original"]["foreground_share"]["mean"]
    if area is not None:  # mass spread evenly would give the foreground's share of the area
        panels[1].axhline(area, color="black", linestyle="--", linewidth=1)
        panels[1].text(2.45, area, "foreground area", fontsize=7, ha="right", va="bottom")
    _bars(panels[2], summary, "center_shift", "center shift from the original",
          "share of the diagonal", groups=GROUPS[1:])
    figure.suptitle(f"{summary['images']} images (error bars: standard error; the mask is "
                    "the same for every group)", fontsize=9)
    figure.tight_layout()
    figure.savefig(output, dpi=120)
    plt.close(figure)


def contact_sheet(outdir: Path, rows: list[dict[str, str]], output: Path) -> None:
    """Up to CONTACT_ROWS images: the mask and each variant with its predicted center."""
    import cv2

    plt = _pyplot()
    images = list(dict.fromkeys(row["image"] for row in rows))[:CONTACT_ROWS]
    centers = {(r["image"], r["group"]): (int(r["center_x"]), int(r["center_y"])) for r in rows}
    columns = ["mask", *GROUPS]
    figure, panels = plt.subplots(len(images), len(columns), squeeze=False,
                                  figsize=(3.0 * len(columns), 2.3 * len(images)))
    for row_axes, image in zip(panels, images, strict=True):
        stem = Path(image).stem
        for axes, column in zip(row_axes, columns, strict=True):
            path = mask_path(outdir, stem) if column == "mask" else variant_path(outdir, stem,
                                                                                  column)
            pixels = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if pixels is not None:
                axes.imshow(np.ascontiguousarray(pixels[:, :, ::-1]))
            if column != "mask" and (image, column) in centers:
                x, y = centers[(image, column)]
                axes.plot([x], [y], "o", markersize=9, markerfacecolor="lime",
                          markeredgecolor="black")
            axes.set_xticks([])
            axes.set_yticks([])
            if image == images[0]:
                axes.set_title(LABELS.get(column, column), fontsize=10)
        row_axes[0].set_ylabel(stem[:24], fontsize=8)
    figure.tight_layout()
    figure.savefig(output, dpi=100)
    plt.close(figure)
