"""Running the study over many images on all cores, resumable."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

import attention_jxl
from attention_jxl.study import report
from attention_jxl.study.embeddings import make_embedder
from attention_jxl.study.images import DEFAULT_MAX_SIDE, load_stimulus, write_png
from attention_jxl.study.masks import (
    MASK_METHODS,
    check_rembg,
    find_mask_file,
    foreground_mask,
)
from attention_jxl.study.measures import (
    center_on_foreground,
    center_shift,
    saliency_on_foreground,
)
from attention_jxl.study.neural import l2_distance, lanczos_resample, load_neural
from attention_jxl.study.variants import GROUPS, INPAINT_METHODS, make_variants

MASKS_DIR = "masks"
VARIANTS_DIR = "variants"


@dataclass
class StudyRun:
    """What a run did: the summary, and the images it skipped or could not read."""

    summary: dict[str, Any]
    studied: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


def variant_path(outdir: Path, stem: str, group: str) -> Path:
    """Where a run writes an image's variant PNG."""
    return outdir / VARIANTS_DIR / f"{stem}_{group}.png"


def mask_path(outdir: Path, stem: str) -> Path:
    """Where a run writes an image's foreground mask PNG."""
    return outdir / MASKS_DIR / f"{stem}.png"


def _check_inputs(images: Sequence[Path]) -> None:
    if not images:
        raise ValueError("no images given")
    seen: dict[str, Path] = {}
    for path in images:
        if path.stem in seen and seen[path.stem] != path:
            raise ValueError(f"{seen[path.stem]} and {path} share the stem {path.stem!r}: "
                             "masks and variants are named by stem")
        seen[path.stem] = path


class _Study:
    """One run's settings and shared state; `image` studies one image."""

    def __init__(self, outdir: Path, masks: Path | None, neural: dict[str, np.ndarray],
                 embedder: Any, inpaint: str, mask_method: str, max_side: int) -> None:
        self.outdir, self.masks, self.neural = outdir, masks, neural
        self.embedder, self.inpaint, self.mask_method = embedder, inpaint, mask_method
        self.max_side = max_side
        self._resampled: dict[tuple[str, tuple[int, int]], np.ndarray] = {}
        self._lock = threading.Lock()

    def resampled(self, name: str, shape: tuple[int, int]) -> np.ndarray:
        key = (name, shape)
        with self._lock:
            if key not in self._resampled:
                self._resampled[key] = lanczos_resample(self.neural[name], shape)
            return self._resampled[key]

    def image(self, path: Path) -> list[dict[str, Any]]:
        stimulus = load_stimulus(path, self.max_side)
        rgb = stimulus.rgb
        size = (rgb.shape[1], rgb.shape[0])
        mask_file = find_mask_file(self.masks, path.stem) if self.masks is not None else None
        maps: dict[str, np.ndarray] = {}  # the original's map seeds GrabCut and is measured

        def saliency_of(group: str, pixels: np.ndarray) -> np.ndarray:
            if group not in maps:
                maps[group] = attention_jxl.saliency(pixels, size=size)
            return maps[group]

        mask, source = foreground_mask(
            rgb, stimulus.alpha, lambda: saliency_of("original", rgb),
            method=self.mask_method, mask_file=mask_file)
        write_png(mask_path(self.outdir, path.stem), mask.astype(np.uint8) * 255)
        variants = make_variants(rgb, mask, self.inpaint)
        rows, embeddings, centers = [], {}, {}
        for group in GROUPS:
            pixels = variants[group]
            write_png(variant_path(self.outdir, path.stem, group), pixels)
            centers[group] = attention_jxl.center(pixels)
            saliency = saliency_of(group, pixels)
            embeddings[group] = self.embedder.embed(pixels)
            row = {
                "image": str(path), "group": group, "mask_source": source,
                "foreground_share": f"{mask.mean():.6f}", "width": size[0], "height": size[1],
                "center_x": centers[group][0], "center_y": centers[group][1],
                "center_on_foreground": center_on_foreground(centers[group], mask),
                "saliency_on_foreground": f"{saliency_on_foreground(saliency, mask):.6f}",
                "center_shift": f"{center_shift(centers['original'], centers[group], size):.6f}",
                "embedding_change":
                    f"{l2_distance(embeddings['original'], embeddings[group]):.6g}",
            }
            for name in self.neural:
                target = self.resampled(name, embeddings[group].shape)
                row[report.DISTANCE_PREFIX + name] = f"{l2_distance(target, embeddings[group]):.6g}"
            rows.append(row)
        return rows


def run_study(
    images: Iterable[str | os.PathLike[str]],
    outdir: str | os.PathLike[str],
    *,
    masks: str | os.PathLike[str] | None = None,
    neural: Iterable[str | os.PathLike[str]] = (),
    embedder: str = "attention",
    inpaint: str = "telea",
    mask_method: str = "auto",
    max_side: int = DEFAULT_MAX_SIDE,
    jobs: int | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    embedder_options: dict[str, Any] | None = None,
) -> StudyRun:
    """Runs the foreground/background study and writes its report into `outdir`.

    For each image: a foreground mask (see `masks.foreground_mask`; `masks` is
    a folder of mask files named by image stem), the original, no-background and
    no-foreground variants (PNG in `outdir/variants`), our attention measures on
    each, the embedding of each, and for each `.npy` matrix in `neural` the L2
    distance to it resampled (Lanczos) to the embedding's shape. Rows go to
    `outdir/results.csv` as images finish; images already there are skipped
    (resume). `summary.json` holds per-group means, standard errors and paired
    Wilcoxon tests. `jobs` images run at once (default: one per core);
    `progress(done, total, image)` is called as each finishes.
    """
    paths = [Path(p).resolve() for p in images]  # the key a resumed run finds again
    _check_inputs(paths)
    if inpaint not in INPAINT_METHODS:
        raise ValueError(
            f"inpaint method must be one of {', '.join(INPAINT_METHODS)}, got {inpaint!r}")
    if mask_method not in MASK_METHODS:
        raise ValueError(
            f"mask method must be one of {', '.join(MASK_METHODS)}, got {mask_method!r}")
    if mask_method == "rembg":
        check_rembg()  # once, not as an error per image
    if jobs is not None and jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    mask_dir = Path(masks) if masks is not None else None
    if mask_dir is not None and not mask_dir.is_dir():
        raise ValueError(f"mask folder {mask_dir} does not exist")
    matrices: dict[str, np.ndarray] = {}
    for file in (Path(p) for p in neural):
        if file.stem in matrices:
            raise ValueError(f"two neural files share the stem {file.stem!r}")
        matrices[file.stem] = load_neural(file)
    model = make_embedder(embedder, **(embedder_options or {}))
    target = Path(outdir)
    for folder in (target, target / MASKS_DIR, target / VARIANTS_DIR):
        folder.mkdir(parents=True, exist_ok=True)
    columns = report.columns_for(list(matrices))
    writer = report.ResultsWriter(target / report.RESULTS_NAME, columns)
    done_before = report.finished_images(report.read_results(target / report.RESULTS_NAME)[1])
    result = StudyRun(summary={})
    todo = []
    for path in paths:
        if str(path) in done_before:
            result.skipped.append(str(path))
        else:
            todo.append(path)
    study = _Study(target, mask_dir, matrices, model, inpaint, mask_method, max_side)
    workers = jobs or os.cpu_count() or 1
    threads_before = cv2.getNumThreads()
    cv2.setNumThreads(1)  # the images run in parallel; OpenCV's own threads would compete
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        futures = {pool.submit(study.image, path): path for path in todo}
        for count, future in enumerate(as_completed(futures), start=1):
            path = futures[future]
            try:
                writer.write(future.result())
                result.studied.append(str(path))
            except Exception as error:  # one bad image must not stop a run of thousands
                known = isinstance(error, (ValueError, OSError, RuntimeError))
                result.errors[str(path)] = str(error) if known else (
                    f"{type(error).__name__}: {error}")
            if progress is not None:
                progress(count, len(todo), str(path))
    finally:
        # On Ctrl-C the images not started are dropped; those running finish
        # unwritten, and a rerun does them again.
        pool.shutdown(wait=True, cancel_futures=True)
        cv2.setNumThreads(threads_before)
        writer.close()
    settings = {"embedder": embedder, "inpaint": inpaint, "mask_method": mask_method,
                "max_side": max_side, "neural": {n: list(m.shape) for n, m in matrices.items()},
                "errors": result.errors}
    result.summary = report.write_summary(target, settings)
    return result
