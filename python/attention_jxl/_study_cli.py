"""The `attention-jxl study` command: runs the study, then draws its figures."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DISTANCE_FIGURE = "distances.png"
ATTENTION_FIGURE = "attention.png"
CONTACT_SHEET = "contact_sheet.png"
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp", ".gif", ".ppm",
                  ".pgm", ".pnm"}


def _collect(inputs: list[Path]) -> list[Path]:
    """Files as given; folders give their image files (not recursive), sorted."""
    found = []
    for item in inputs:
        if item.is_dir():
            found.extend(sorted(p for p in item.iterdir()
                                if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES))
        elif item.is_file():
            found.append(item)
        else:
            raise ValueError(f"{item} is not a file or folder")
    return found


def _run(args: argparse.Namespace) -> int:
    from attention_jxl import _study_figures, study
    from attention_jxl.cli import Progress
    from attention_jxl.study import report

    try:
        images = _collect(args.inputs)
        progress = Progress(len(images), sys.stderr)

        def step(done: int, total: int, image: str) -> None:
            progress.total = total
            progress.enabled = sys.stderr.isatty() and total > 0
            progress.step([])

        result = study.run_study(
            images, args.output, masks=args.masks, neural=args.neural, embedder=args.embedder,
            inpaint=args.inpaint, mask_method=args.mask_method, max_side=args.max_side,
            jobs=args.jobs, progress=step)
        progress.clear()
    except (ValueError, study.EmbedderUnavailableError, study.MaskUnavailableError) as error:
        print(f"attention-jxl study: {error}", file=sys.stderr)
        return 2
    for image, error in result.errors.items():
        print(f"error: {image}: {error}", file=sys.stderr)
    outdir = Path(args.output)
    _, rows = report.read_results(outdir / report.RESULTS_NAME)
    drawn = [ATTENTION_FIGURE, CONTACT_SHEET]
    if rows:
        if _study_figures.distance_figure(result.summary, outdir / DISTANCE_FIGURE):
            drawn.insert(0, DISTANCE_FIGURE)
        _study_figures.attention_figure(result.summary, outdir / ATTENTION_FIGURE)
        _study_figures.contact_sheet(outdir, rows, outdir / CONTACT_SHEET)
    print(f"{len(result.studied)} studied, {len(result.skipped)} already in "
          f"{report.RESULTS_NAME}, {len(result.errors)} failed; report in {outdir} "
          f"({report.RESULTS_NAME}, {report.SUMMARY_NAME}, {', '.join(drawn) if rows else ''})")
    return 1 if result.errors else 0


def _missing_extra(problem: ImportError) -> int:
    print(f"attention-jxl study needs the study extra ({problem}): "
          "pip install 'attention-jxl[study]'", file=sys.stderr)
    return 2


def add_study_command(commands) -> None:
    """Adds `study` to the command line's subcommands (its packages load only if present)."""
    command = commands.add_parser(
        "study", help="foreground or background: ablated images, embeddings, neural distances")
    try:
        from attention_jxl.study import EMBEDDERS, INPAINT_METHODS, MASK_METHODS
        from attention_jxl.study.images import DEFAULT_MAX_SIDE
    except ImportError as error:  # OpenCV, SciPy or matplotlib not installed
        problem = error
        command.add_argument("rest", nargs=argparse.REMAINDER)
        command.set_defaults(run=lambda _args: _missing_extra(problem))
        return
    command.add_argument("inputs", nargs="+", type=Path, metavar="IMAGES",
                         help="image files or folders of them")
    command.add_argument("-o", "--output", type=Path, required=True, metavar="REPORT_DIR")
    command.add_argument("--masks", type=Path, default=None, metavar="DIR",
                         help="foreground masks named by image stem (white = foreground)")
    command.add_argument("--neural", type=Path, nargs="+", default=[], metavar="FILE.npy",
                         help="2-D matrices (e.g. MEG sensors x time) to compare with")
    command.add_argument("--embedder", choices=EMBEDDERS, default="attention",
                         help="attention (our model's backbone stage 2, default) or resnet50 "
                              "(torchvision's layer2; needs torch and its weights)")
    command.add_argument("--mask-method", choices=MASK_METHODS, default="auto",
                         help="auto (default): mask file, alpha, rembg if its weights are "
                              "installed, else GrabCut seeded by our saliency map")
    command.add_argument("--inpaint", choices=sorted(INPAINT_METHODS), default="telea",
                         help="how the no-foreground hole is filled (default telea)")
    command.add_argument("--max-side", type=int, default=DEFAULT_MAX_SIDE,
                         help=f"longest side images are studied at (default {DEFAULT_MAX_SIDE})")
    command.add_argument("-j", "--jobs", type=int, default=None,
                         help="images at once (default: one per core)")
    command.set_defaults(run=_run)
