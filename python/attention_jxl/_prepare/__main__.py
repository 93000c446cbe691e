"""Build-time entry point: prepares the bundled model's fast and exact graphs.

Run as ``python -m _prepare --bundle SOURCE OUTDIR`` (or ``--fast-name``) with
the package folder on the path, so that no compiled part of attention_jxl is
needed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from . import prepare_model, prepared_file_name


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m _prepare", description=__doc__)
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--fast-name", action="store_true",
                        help="print the file name of the bundled fast graph")
    action.add_argument("--bundle", nargs=2, metavar=("SOURCE", "OUTDIR"),
                        type=Path)
    args = parser.parse_args()
    if args.fast_name:
        print(prepared_file_name(exact=False))
        return
    source, outdir = args.bundle
    for exact in (False, True):
        prepare_model(source, outdir / prepared_file_name(exact), exact=exact)


if __name__ == "__main__":
    main()
