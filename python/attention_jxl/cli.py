"""The attention-jxl command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any, TextIO

import attention_jxl
from attention_jxl import _batch, _files, _pictures, _preview, _study_cli


class Progress:
    """A one-line progress bar with rate and ETA, drawn only on a terminal."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total, self.stream, self.done = total, stream, 0
        self.enabled = stream.isatty() and total > 0
        self.started = time.monotonic()

    def step(self, lines: list[tuple[str, TextIO]]) -> None:
        """Counts one finished file: prints its lines above the bar, redraws it."""
        self.done += 1
        self.clear()
        for text, stream in lines:
            print(text, file=stream, flush=True)
        self.draw()

    def draw(self) -> None:
        if not self.enabled:
            return
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = self.done / elapsed
        eta = f"ETA {(self.total - self.done) / rate:.0f}s" if self.done else "ETA --"
        filled = int(30 * self.done / self.total)
        self.stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total}"
                          f"  {rate:.2f} img/s  {eta} ")
        self.stream.flush()

    def clear(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 79 + "\r")
            self.stream.flush()


def _parse_center(text: str) -> tuple[int, int]:
    try:
        x, y = (int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected X,Y (two integers), got {text!r}") from None
    return x, y


def _describe(record: dict[str, Any]) -> str:
    center = record["center"]
    where = f" center {center[0]},{center[1]}" if center else ""
    if record.get("box"):
        where += " box {},{} {}x{}".format(*record["box"])
    if record["status"] == "ok":
        return (f"{record['input']} -> {record['output']}{where} "
                f"({record['bytes_in']} -> {record['bytes_out']} bytes, {record['seconds']:.2f}s)")
    if record["status"] == "dry-run":
        return f"{record['input']} -> {record['output']}{where} (dry run)"
    return f"{record['input']}: {record['status']}: {record['error']}"


def _encode(args: argparse.Namespace) -> int:
    options: dict[str, Any] = dict(distance=args.distance, effort=args.effort,
                                   lossless=args.lossless,
                                   jpeg_transcode=not args.no_jpeg_transcode,
                                   strip=args.strip)
    options["center"] = None if args.no_center else (args.center or "auto")
    if args.scheduler or args.dask_local:
        return _on_cluster(args, "encode_files", _batch.IMAGE_SUFFIXES, **options)
    jobs = _batch.plan_jobs(args.inputs, args.output, recursive=args.recursive)
    records = attention_jxl.encode_files(args.inputs, args.output, jobs=args.jobs,
                                         recursive=args.recursive, overwrite=args.overwrite,
                                         dry_run=args.dry_run, **options)
    return _report(records, len(jobs), args.json)


def _on_cluster(args: argparse.Namespace, function: str, suffixes: frozenset[str],
                **options: Any) -> int:
    """A batch command on a Dask cluster (--scheduler or --dask-local), with the same report."""
    try:
        from attention_jxl import dask as cluster
    except ImportError as error:
        print(f"attention-jxl: {error.name} is missing: pip install 'attention-jxl[dask]'",
              file=sys.stderr)
        return 1
    try:
        total = cluster.count_jobs(args.inputs, args.output, recursive=args.recursive,
                                   suffixes=suffixes)
        with cluster.connect(args.scheduler, local_workers=args.dask_local,
                             threads_per_worker=args.jobs) as client:
            records = getattr(cluster, function)(
                args.inputs, args.output, client=client, recursive=args.recursive,
                overwrite=args.overwrite, dry_run=args.dry_run, **options)
            return _report(records, total, args.json)
    except (OSError, TimeoutError, ValueError) as error:
        print(f"attention-jxl: {error}", file=sys.stderr)
        return 1


def _reorder(args: argparse.Namespace) -> int:
    if args.scheduler or args.dask_local:
        return _on_cluster(args, "reorder_files", _batch.JXL_SUFFIXES,
                           center=args.center or "auto")
    jobs = _batch.plan_jobs(args.inputs, args.output, recursive=args.recursive,
                            suffixes=_batch.JXL_SUFFIXES)
    records = attention_jxl.reorder_files(args.inputs, args.output, center=args.center or "auto",
                                          jobs=args.jobs, recursive=args.recursive,
                                          overwrite=args.overwrite, dry_run=args.dry_run)
    return _report(records, len(jobs), args.json)


def _parse_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WxH, e.g. 800x600, got {text!r}") from None
    if width <= 0 or height <= 0:
        raise argparse.ArgumentTypeError(f"width and height must be positive, got {text!r}")
    return width, height


def _crop(args: argparse.Namespace) -> int:
    if args.scheduler or args.dask_local:
        return _on_cluster(args, "crop_files", _batch.IMAGE_SUFFIXES, size=args.size,
                           aspect=args.aspect, format=args.format)
    jobs = _batch.plan_jobs(args.inputs, args.output, recursive=args.recursive,
                            output_suffix=f".{args.format}")
    records = attention_jxl.crop_files(args.inputs, args.output, size=args.size,
                                       aspect=args.aspect, format=args.format, jobs=args.jobs,
                                       recursive=args.recursive, overwrite=args.overwrite,
                                       dry_run=args.dry_run)
    return _report(records, len(jobs), args.json)


def _report(records: Generator[dict[str, Any], None, None], total: int, as_json: bool) -> int:
    """Prints each file's record as it finishes, under a progress line; the exit status."""
    progress = Progress(total, sys.stderr)
    progress.draw()
    failures = 0
    interrupted = deliver_interrupt = False
    while True:
        try:
            if deliver_interrupt:  # Ctrl-C arrived while we were printing
                deliver_interrupt = False
                record = records.throw(KeyboardInterrupt)
            else:
                record = next(records)
        except StopIteration:
            break
        except KeyboardInterrupt:
            # The batch re-raises Ctrl-C once it has reported the files that
            # were running when it came.
            interrupted = True
            break
        try:
            failures += record["status"] == "error"
            lines = [] if as_json else [(f"warning: {w}", sys.stderr) for w in record["warnings"]]
            if as_json:
                lines.append((json.dumps(record), sys.stdout))
            elif record["status"] in ("error", "skipped"):
                lines.append((_describe(record), sys.stderr))
            else:
                lines.append((_describe(record), sys.stdout))
            progress.step(lines)
        except KeyboardInterrupt:
            deliver_interrupt = True
    progress.clear()
    if interrupted:
        print("attention-jxl: interrupted", file=sys.stderr)
        return 130
    return 1 if failures else 0


def _center(args: argparse.Namespace) -> int:
    if args.show is not None and len(args.inputs) != 1:
        print("attention-jxl: --show takes exactly one INPUT", file=sys.stderr)
        return 2
    failures = 0
    for source in args.inputs:
        try:
            data = Path(source).read_bytes()
            _, center, problems = _files.encode_file_bytes(data, name=str(source),
                                                           measure_only=True)
            for problem in problems:
                print(f"warning: {problem}", file=sys.stderr)
            if args.show is not None:
                # The stored pixels, where the center (and the group order) is defined.
                image = _files.read_image(data, str(source))
                if args.map:
                    picture = _heat_picture(image)
                else:
                    picture = _pictures.center_picture(image.pixels, center)
                picture.save(args.show, format="PNG")
            if args.json:
                print(json.dumps({"input": str(source), "center": list(center)}))
            else:
                print(f"{source}\t{center[0]}\t{center[1]}")
        except Exception as error:
            failures += 1
            if args.json:
                print(json.dumps({"input": str(source), "center": None,
                                  "error": f"{type(error).__name__}: {error}"}))
            else:
                print(f"{source}: error: {error}", file=sys.stderr)
    return 1 if failures else 0


def _heat_picture(image: _files.ImageFile):
    height, width = image.pixels.shape[:2]
    heat = attention_jxl.saliency(image.pixels, orientation=image.orientation,
                                  size=(width, height))
    center = attention_jxl.center(image.pixels, orientation=image.orientation)
    return _pictures.heat_picture(image.pixels, heat, center)


def _saliency(args: argparse.Namespace) -> int:
    try:
        image = _files.read_image(Path(args.input).read_bytes(), str(args.input))
        for problem in image.warnings:
            print(f"warning: {problem}", file=sys.stderr)
        picture = _heat_picture(image)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        picture.save(args.output, format="PNG")
    except Exception as error:
        print(f"{args.input}: error: {error}", file=sys.stderr)
        return 1
    return 0


def _parse_percentages(text: str) -> list[float]:
    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected percentages like 5,10,40,100, got {text!r}")\
            from None
    if not values or any(not 0 < value <= 100 for value in values):
        raise argparse.ArgumentTypeError(f"percentages must be in (0, 100], got {text!r}")
    return values


def _first_group(data: bytes, width: int, height: int) -> tuple[int, int, int, int]:
    """The box (x0, y0, x1, y1) of the group the file sends first: the one
    holding the center in a center-first file, the top-left one in a
    scanline file."""
    origins = attention_jxl.group_order(data)
    # The group size is the spacing of the origins (256 in VarDCT files).
    steps: set[int] = set()
    for axis in (0, 1):
        values = sorted({origin[axis] for origin in origins})
        steps.update(b - a for a, b in zip(values, values[1:], strict=False))
    size = min(steps) if steps else max(width, height)
    x0, y0 = origins[0]
    return x0, y0, min(x0 + size, width), min(y0 + size, height)


def _preview_strip(args: argparse.Namespace) -> int:
    if args.height < 16:
        print("attention-jxl: --height must be at least 16", file=sys.stderr)
        return 2
    try:
        data = Path(args.input).read_bytes()
        fractions = [value / 100 for value in args.at]
        frames = attention_jxl.preview(data, fractions)
    except (OSError, ValueError) as error:
        print(f"attention-jxl: {args.input}: {error}", file=sys.stderr)
        return 1
    full = attention_jxl.decode(data)
    height, width = full.shape[:2]
    center = box = None
    if args.mark_center:
        box = _first_group(data, width, height)
        center = ((box[0] + box[2] - 1) / 2, (box[1] + box[3] - 1) / 2)
        print(f"center: the group the file sends first, x {box[0]}..{box[2] - 1}, "
              f"y {box[1]}..{box[3] - 1} (its middle is marked)")
    labels = []
    for percent, fraction in zip(args.at, fractions, strict=True):
        size = _preview.prefix_size(len(data), fraction)
        labels.append(f"{percent:g}% ({size / 1000:.0f} kB)")
    strip = _pictures.strip_picture(frames, labels, size=(width, height),
                                   height=min(args.height, height), center=center,
                                   box=box)
    strip.save(args.output, format="PNG")
    shown = sum(frame is not None for frame in frames)
    print(f"{args.output}: {len(frames)} frames ({shown} with an image), "
          f"{strip.width}x{strip.height}")
    return 0


def _download_model(args: argparse.Namespace) -> int:
    try:
        path = attention_jxl.download_model(args.output, url=args.url)
    except (ConnectionError, ValueError, OSError) as error:
        print(f"attention-jxl: {error}", file=sys.stderr)
        return 1
    print(f"saved {path}")
    return 0


def _prepare_model(args: argparse.Namespace) -> int:
    try:
        path = attention_jxl.prepare_model(args.source, args.output, exact=args.exact,
                                           extra_outputs=args.extra_output)
    except (ValueError, OSError) as error:
        print(f"attention-jxl: {error}", file=sys.stderr)
        return 1
    print(f"saved {path} ({'exact' if args.exact else 'fast'} graph)")
    return 0


def _serve(args: argparse.Namespace) -> int:
    try:
        from attention_jxl import server
    except ImportError as error:
        print(f"attention-jxl: {error}", file=sys.stderr)
        return 1
    given = {"max_body_bytes": args.max_body_bytes, "max_concurrency": args.max_concurrency,
             "max_queue": args.max_queue, "request_timeout": args.timeout}
    try:
        settings = server.ServerSettings(max_pixels=attention_jxl.max_image_pixels(),
                                         **{k: v for k, v in given.items() if v is not None})
    except ValueError as error:
        print(f"attention-jxl: {error}", file=sys.stderr)
        return 2
    server.serve(args.host, args.port, settings)
    return 0


def _add_serve_command(commands: Any) -> None:
    serve = commands.add_parser("serve", help="run the HTTP service (needs the server extra)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--max-concurrency", type=int, default=None, metavar="N",
                       help="requests doing native work at once (default: one per core)")
    serve.add_argument("--max-queue", type=int, default=None, metavar="N",
                       help="requests waiting for a slot before 503 (default 32 per slot)")
    serve.add_argument("--max-body-bytes", type=int, default=None, metavar="N",
                       help="largest request body (default 50 MiB)")
    serve.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                       help="longest a request may wait and run before 503 (default 60)")
    _add_pixel_limit(serve)
    serve.set_defaults(run=_serve)


def _add_pixel_limit(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--max-pixels", type=int, default=None, metavar="N",
        help=f"refuse images over N pixels (default {attention_jxl.DEFAULT_MAX_IMAGE_PIXELS}, "
             "as Pillow; 0 = no limit, for trusted files only)")


def _add_batch_options(command: argparse.ArgumentParser, verb: str, dry_run: str) -> None:
    """What every batch command takes: -o, -r, -j, --overwrite, --dry-run, --json, the limit."""
    command.add_argument("-o", "--output", required=True, metavar="OUTDIR")
    command.add_argument("-r", "--recursive", action="store_true", help="descend into folders")
    command.add_argument("-j", "--jobs", type=int, default=None,
                         help=f"files {verb} at once (default: one per core)")
    command.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    command.add_argument("--dry-run", action="store_true", help=f"{dry_run}; write nothing")
    command.add_argument("--json", action="store_true", help="one JSON record per file")
    _add_pixel_limit(command)


def _add_cluster_options(command: argparse.ArgumentParser) -> None:
    """--scheduler / --dask-local: run the batch on a Dask cluster (-j: threads per worker)."""
    where = command.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="run on the Dask cluster of this scheduler, e.g. tcp://host:8786; "
                            "INPUT and -o may then be fsspec URLs (s3://, gs://, ...)")
    where.add_argument("--dask-local", type=int, metavar="N",
                       help="run on a local Dask cluster of N worker processes")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `attention-jxl`."""
    parser = argparse.ArgumentParser(
        prog="attention-jxl",
        description="Encode images as JPEG XL with their attention center loaded first.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    encode = commands.add_parser("encode", help="encode image files and folders to .jxl")
    encode.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders or URLs")
    _add_batch_options(encode, "encoded", "print what would be done with each center")
    _add_cluster_options(encode)
    encode.add_argument("-d", "--distance", type=float, default=1.0,
                        help="butteraugli distance, 0 = lossless (default 1)")
    encode.add_argument("-e", "--effort", type=int, default=7, help="1..9 (default 7)")
    encode.add_argument("--lossless", action="store_true")
    where = encode.add_mutually_exclusive_group()
    where.add_argument("--center", type=_parse_center, metavar="X,Y",
                       help="use this center instead of predicting one")
    where.add_argument("--no-center", action="store_true",
                       help="keep libjxl's default group order")
    encode.add_argument("--no-jpeg-transcode", action="store_true",
                        help="encode JPEG pixels instead of recompressing the JPEG losslessly")
    encode.add_argument("--strip", action="store_true",
                        help="leave out the source's Exif and XMP (a recompressed JPEG keeps "
                             "them: rebuilding it needs them)")
    encode.set_defaults(run=_encode)

    reorder = commands.add_parser(
        "reorder", help="rewrite .jxl files center-first without re-encoding them")
    reorder.add_argument("inputs", nargs="+", metavar="FILE.jxl")
    _add_batch_options(reorder, "rewritten", "print each file's center")
    _add_cluster_options(reorder)
    reorder.add_argument("--center", type=_parse_center, metavar="X,Y",
                         help="use this center (displayed pixels) instead of predicting one "
                              "from each decoded file")
    reorder.set_defaults(run=_reorder)

    crop = commands.add_parser("crop", help="crop images where people look")
    crop.add_argument("inputs", nargs="+", metavar="IMAGE")
    _add_batch_options(crop, "cropped", "print each box")
    _add_cluster_options(crop)
    shape = crop.add_mutually_exclusive_group(required=True)
    shape.add_argument("--size", type=_parse_size, metavar="WxH", help="crop this many pixels")
    shape.add_argument("--aspect", metavar="W:H", help="the largest crop of this shape")
    crop.add_argument("--format", choices=_files.CROP_FORMATS, default="png",
                      help="png (default; 16-bit and alpha kept), jpg, or jxl (center-first)")
    crop.set_defaults(run=_crop)

    center = commands.add_parser("center", help="print the attention center of images")
    center.add_argument("inputs", nargs="+", type=Path, metavar="INPUT")
    center.add_argument("--json", action="store_true", help="one JSON record per file")
    center.add_argument("--show", type=Path, default=None, metavar="OUT.png",
                        help="also write the image with its center drawn on it (one INPUT)")
    center.add_argument("--map", action="store_true",
                        help="with --show: draw the saliency map under the center")
    _add_pixel_limit(center)
    center.set_defaults(run=_center)

    heat = commands.add_parser(
        "saliency", help="write an image with its saliency map as a heat map and its center")
    heat.add_argument("input", type=Path, metavar="IMAGE")
    heat.add_argument("-o", "--output", type=Path, required=True, metavar="HEAT.png")
    _add_pixel_limit(heat)
    heat.set_defaults(run=_saliency)

    preview = commands.add_parser(
        "preview", help="what a progressive viewer shows as a .jxl arrives, as one PNG strip")
    preview.add_argument("input", type=Path, metavar="FILE.jxl")
    preview.add_argument("-o", "--output", type=Path, required=True, metavar="STRIP.png")
    preview.add_argument("--at", type=_parse_percentages, default=[5, 10, 20, 40, 100],
                         metavar="P,P,...",
                         help="percentages of the file's bytes (default 5,10,20,40,100)")
    preview.add_argument("--height", type=int, default=400,
                         help="height of the strip in pixels (default 400; never upscaled)")
    preview.add_argument("--mark-center", action="store_true",
                         help="draw the center (the group the file sends first) in green")
    _add_pixel_limit(preview)
    preview.set_defaults(run=_preview_strip)

    download = commands.add_parser("download-model", help="download and verify center.tflite")
    download.add_argument("-o", "--output", type=Path, default=None,
                          help="where to save it (default: the user cache folder)")
    download.add_argument("--url", default=attention_jxl.MODEL_URL,
                          help="where to download from (default: the official location)")
    download.set_defaults(run=_download_model)

    prepare = commands.add_parser(
        "prepare-model", help="rewrite center.tflite into the graph the core runs")
    prepare.add_argument("source", type=Path, metavar="center.tflite")
    prepare.add_argument("output", type=Path, metavar="OUT.tflite")
    prepare.add_argument("--exact", action="store_true",
                         help="outputs bit-identical to the published model (about 2x slower)")
    prepare.add_argument("--extra-output", action="append", default=[], metavar="TENSOR",
                         help="also output this intermediate tensor (repeatable)")
    prepare.set_defaults(run=_prepare_model)
    _add_serve_command(commands)
    _study_cli.add_study_command(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Runs the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    if getattr(args, "jobs", None) is not None and args.jobs < 1:
        build_parser().error("--jobs must be at least 1")
    if getattr(args, "dask_local", None) is not None and args.dask_local < 1:
        build_parser().error("--dask-local must be at least 1")
    max_pixels = getattr(args, "max_pixels", None)
    if max_pixels is not None:
        if max_pixels < 0:
            build_parser().error("--max-pixels must be 0 (no limit) or more")
        attention_jxl.set_max_image_pixels(max_pixels or None)
    try:
        return args.run(args)
    except BrokenPipeError:  # e.g. piped into `head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
