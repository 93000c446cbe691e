"""The attention-jxl command line."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

import attention_jxl
from attention_jxl._image import as_image_array


def _read_image(path: Path) -> np.ndarray:
    try:
        from PIL import Image, ImageOps
    except ImportError as error:
        raise RuntimeError("reading image files needs Pillow: pip install pillow") from error
    with Image.open(path) as image:
        return as_image_array(ImageOps.exif_transpose(image))


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _parse_center(text: str) -> tuple[int, int]:
    try:
        x, y = (int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected X,Y (two integers), got {text!r}") from None
    return x, y


def _encode(args: argparse.Namespace) -> int:
    args.output.mkdir(parents=True, exist_ok=True)
    center: Any = None if args.no_center else (args.center or "auto")
    failures = 0
    for source in args.inputs:
        target = args.output / (source.name + ".jxl")
        try:
            image = _read_image(source)
            data = attention_jxl.encode(
                image, distance=args.distance, effort=args.effort,
                lossless=args.lossless, center=center,
            )
            _write_atomically(target, data)
            print(f"{source} -> {target} ({len(data)} bytes)")
        except Exception as error:  # one bad file must not stop the others
            failures += 1
            print(f"{source}: error: {error}", file=sys.stderr)
    return 1 if failures else 0


def _center(args: argparse.Namespace) -> int:
    failures = 0
    for source in args.inputs:
        try:
            x, y = attention_jxl.center(_read_image(source))
            print(f"{source}\t{x}\t{y}")
        except Exception as error:
            failures += 1
            print(f"{source}: error: {error}", file=sys.stderr)
    return 1 if failures else 0


def _download_model(args: argparse.Namespace) -> int:
    try:
        path = attention_jxl.download_model(args.output, url=args.url)
    except (ConnectionError, ValueError, OSError) as error:
        print(f"attention-jxl: {error}", file=sys.stderr)
        return 1
    print(f"saved {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `attention-jxl`."""
    parser = argparse.ArgumentParser(
        prog="attention-jxl",
        description="Encode images as JPEG XL with their attention center loaded first.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    encode = commands.add_parser("encode", help="encode image files to .jxl")
    encode.add_argument("inputs", nargs="+", type=Path, metavar="INPUT")
    encode.add_argument("-o", "--output", type=Path, required=True, metavar="OUTDIR")
    encode.add_argument("-d", "--distance", type=float, default=1.0)
    encode.add_argument("-e", "--effort", type=int, default=7)
    encode.add_argument("--lossless", action="store_true")
    where = encode.add_mutually_exclusive_group()
    where.add_argument("--center", type=_parse_center, metavar="X,Y",
                       help="use this center instead of predicting one")
    where.add_argument("--no-center", action="store_true",
                       help="keep libjxl's default group order")
    encode.set_defaults(run=_encode)

    center = commands.add_parser("center", help="print the attention center of images")
    center.add_argument("inputs", nargs="+", type=Path, metavar="INPUT")
    center.set_defaults(run=_center)

    download = commands.add_parser("download-model", help="download and verify center.tflite")
    download.add_argument("-o", "--output", type=Path, default=None,
                          help="where to save it (default: the user cache folder)")
    download.add_argument("--url", default=attention_jxl.MODEL_URL,
                          help="where to download from (default: the official location)")
    download.set_defaults(run=_download_model)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Runs the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    return args.run(args)
