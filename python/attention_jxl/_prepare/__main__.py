"""Build-time entry point: prepares the bundled model's fast and exact graphs.

Run as ``python -m _prepare --bundle SOURCE OUTDIR`` with the package folder on
the path, so that no compiled part of attention_jxl is needed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from . import prepare_model, prepared_file_name


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m _prepare", description=__doc__)
    parser.add_argument("--bundle", nargs=2, metavar=("SOURCE", "OUTDIR"), required=True,
                        type=Path)
    source, outdir = parser.parse_args().bundle
    for exact in (False, True):
        prepare_model(source, outdir / prepared_file_name(exact), exact=exact)


if __name__ == "__main__":
    main()
