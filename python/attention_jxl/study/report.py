"""results.csv (one row per image and group, appended as images finish) and summary.json."""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

from attention_jxl.study.neural import mean_and_sem, paired_comparison
from attention_jxl.study.variants import GROUPS

RESULTS_NAME = "results.csv"
SUMMARY_NAME = "summary.json"
BASE_COLUMNS = (
    "image", "group", "mask_source", "foreground_share", "width", "height", "center_x",
    "center_y", "center_on_foreground", "saliency_on_foreground", "center_shift",
    "embedding_change",
)
DISTANCE_PREFIX = "distance:"
MEASURES = ("foreground_share", "center_on_foreground", "saliency_on_foreground",
            "center_shift", "embedding_change")


def columns_for(neural_names: list[str]) -> list[str]:
    """The results.csv header for a run comparing with these neural files (by stem)."""
    return [*BASE_COLUMNS, *(DISTANCE_PREFIX + name for name in neural_names)]


def distance_names(columns: list[str]) -> list[str]:
    return [c[len(DISTANCE_PREFIX):] for c in columns if c.startswith(DISTANCE_PREFIX)]


def read_results(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The header and rows of an existing results.csv (empty when there is none)."""
    if not path.is_file():
        return [], []
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def finished_images(rows: list[dict[str, str]]) -> set[str]:
    """Images with a row for every group: a resumed run skips them."""
    groups: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        groups[row["image"]].add(row["group"])
    return {image for image, found in groups.items() if found >= set(GROUPS)}


class ResultsWriter:
    """Appends an image's rows to results.csv and flushes them, so a stopped run resumes."""

    def __init__(self, path: Path, columns: list[str]) -> None:
        existing, rows = read_results(path)
        if existing and existing != columns:
            raise ValueError(
                f"{path} was written with columns {', '.join(existing)}; this run has "
                f"{', '.join(columns)}. Give the same --neural files to resume, or use a new "
                "report folder")
        if existing:
            # Drop rows of images cut off mid-way, so each image has all its groups once.
            done = finished_images(rows)
            kept = [row for row in rows if row["image"] in done]
            if len(kept) != len(rows):
                self._rewrite(path, columns, kept)
        self._handle = path.open("a", newline="")
        self._writer = csv.DictWriter(self._handle, fieldnames=columns)
        if not existing:
            self._writer.writeheader()
            self._handle.flush()

    @staticmethod
    def _rewrite(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
        temporary = path.with_suffix(".csv.partial")
        with temporary.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
        temporary.replace(path)

    def write(self, rows: list[dict[str, Any]]) -> None:
        self._writer.writerows(rows)
        self._handle.flush()

    def close(self) -> None:
        self._handle.close()


def _number(text: str) -> float:
    if text in ("True", "False"):
        return float(text == "True")
    try:
        return float(text)
    except ValueError:
        return math.nan


def _clean(value: float) -> float | None:
    return None if value is None or math.isnan(value) else value


def summarize(columns: list[str], rows: list[dict[str, str]]) -> dict[str, Any]:
    """Per group: mean and standard error of each measure and distance; per neural
    file: Wilcoxon signed-rank tests between each pair of groups, paired by image."""
    by_group: dict[str, list[dict[str, str]]] = {g: [] for g in GROUPS}
    for row in rows:
        by_group.setdefault(row["group"], []).append(row)
    images = sorted({row["image"] for row in rows})
    summary: dict[str, Any] = {"images": len(images), "groups": {}, "comparisons": {}}
    names = distance_names(columns)
    for group, members in by_group.items():
        entry: dict[str, Any] = {"n": len(members)}
        for column in [*MEASURES, *(DISTANCE_PREFIX + n for n in names)]:
            values = [v for v in (_number(r[column]) for r in members) if not math.isnan(v)]
            mean, sem = mean_and_sem(values)
            entry[column] = {"mean": _clean(mean), "sem": _clean(sem), "n": len(values)}
        summary["groups"][group] = entry
    for name in names:
        column = DISTANCE_PREFIX + name
        value = {(r["image"], r["group"]): _number(r[column]) for r in rows}
        tests = {}
        for i, first in enumerate(GROUPS):
            for second in GROUPS[i + 1:]:
                pairs = [(value[(im, first)], value[(im, second)]) for im in images
                         if (im, first) in value and (im, second) in value]
                tests[f"{first} vs {second}"] = paired_comparison(
                    [a for a, _ in pairs], [b for _, b in pairs])
        summary["comparisons"][name] = tests
    return summary


def write_summary(outdir: Path, extra: dict[str, Any]) -> dict[str, Any]:
    """Summarizes results.csv into summary.json (with `extra` settings); returns it."""
    columns, rows = read_results(outdir / RESULTS_NAME)
    summary = {**extra, **summarize(columns, rows)}
    (outdir / SUMMARY_NAME).write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    return summary
