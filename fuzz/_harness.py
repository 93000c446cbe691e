"""What the fuzz targets share: the exceptions callers are told to expect,
the model's location and the atheris entry point.

A target calls the API and lets any exception outside `EXPECTED` escape:
atheris then reports it (with the input) like a crash.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

# The documented failures: bad input (ValueError, including
# ImageTooLargeError; TypeError), a missing file, and RuntimeError for a
# library that fails where it should not (generic libjxl errors).
EXPECTED: tuple[type[BaseException], ...] = (
    ValueError, TypeError, FileNotFoundError, RuntimeError,
)

# Fuzzed headers may declare any size up to the pixel limit; a small limit
# keeps each execution fast and within libFuzzer's memory limit while still
# exercising the check.
FUZZ_MAX_IMAGE_PIXELS = 1 << 20

PROJECT = Path(__file__).resolve().parents[1]


def model_path() -> Path:
    """center.tflite: $ATTENTION_JXL_MODEL, else ../shared/models/center.tflite."""
    path = Path(os.environ.get("ATTENTION_JXL_MODEL") or
                PROJECT.parent / "shared" / "models" / "center.tflite")
    if not path.is_file():
        sys.exit(f"the model is needed: set ATTENTION_JXL_MODEL ({path} not found)")
    return path


def import_instrumented() -> Any:
    """Imports attention_jxl with atheris' Python coverage on its own modules."""
    import atheris

    with atheris.instrument_imports(include=["attention_jxl"]):
        import attention_jxl
    attention_jxl.set_max_image_pixels(FUZZ_MAX_IMAGE_PIXELS)
    return attention_jxl


def expect_failure(call: Callable[[], Any]) -> Any:
    """Runs `call`; returns its result, or None when it raised an expected error."""
    try:
        return call()
    except EXPECTED:
        return None


def fuzz(test_one_input: Callable[[bytes], None], **setup: Any) -> None:
    """Hands the target to libFuzzer with the command line's options."""
    import atheris

    atheris.Setup(sys.argv, test_one_input, **setup)
    atheris.Fuzz()
