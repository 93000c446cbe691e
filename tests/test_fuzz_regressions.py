"""Inputs the fuzz targets (fuzz/) found, kept so each fix stays fixed.

tests/data/fuzz/<target>-<name>.<ext> holds each reproducer: the file given
to decode / group_order / transcode_jpeg, the fuzz input of the encode target
(a FuzzedDataProvider byte string, replayed by `bash fuzz/run.sh --replay`;
the test below states the case directly). Cases that used to crash
the process run in a child process, so a regression fails one test instead of
killing the test run.
"""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import attention_jxl

DATA = Path(__file__).resolve().parent / "data" / "fuzz"
# What the API documents for bad input; anything else is a bug.
DOCUMENTED = "(ValueError, TypeError, FileNotFoundError, RuntimeError)"


def run_isolated(code: str, *args: str) -> subprocess.CompletedProcess:
    """Runs `code` in a fresh interpreter; it prints one line saying how the call ended."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args],
                          capture_output=True, text=True, timeout=300)


def assert_documented_outcome(result: subprocess.CompletedProcess, expected: str) -> None:
    """The child exited normally and printed `expected` (e.g. "ValueError")."""
    assert result.returncode == 0, (
        f"child process died (exit {result.returncode}):\n{result.stderr[-3000:]}")
    assert result.stdout.strip().splitlines()[-1] == expected, result.stdout + result.stderr


def cases(prefix: str) -> list[Path]:
    return sorted(DATA.glob(f"{prefix}-*"))


# --- encode ---------------------------------------------------------------


@pytest.mark.parametrize("center", [(0, -1), (-1, 0), (-1, -1), (3, -7)])
def test_encode_negative_center_coordinate(center: tuple[int, int]) -> None:
    # The core reads -1 as "the image middle"; an (x, y) the caller gives
    # must be a pixel of the image (encode-negative-center.bin).
    image = np.zeros((16, 16, 3), np.uint8)
    with pytest.raises(ValueError, match="outside"):
        attention_jxl.encode(image, center=center, effort=1, threads=1)


_ENCODE_WITH_PHOTON_NOISE = """
    import sys
    import numpy as np
    import attention_jxl
    height, width, iso = (int(value) for value in sys.argv[1:])
    try:
        attention_jxl.encode(np.zeros((height, width, 3), np.uint8), center=None, effort=1,
                             threads=1, photon_noise_iso=iso)
        print("ok")
    except ValueError as error:
        print(error)
        print("ValueError")
"""


@pytest.mark.parametrize("height,width,iso,outcome", [
    (1, 3, 2**40, "ValueError"),        # encode-photon-noise-overflow.bin
    (64, 64, 300_000_000, "ValueError"),
    (64, 64, 100_000_000, "ok"),
    (16, 16, 3200, "ok"),
])
def test_encode_photon_noise_too_strong(height: int, width: int, iso: int, outcome: str) -> None:
    # libjxl 0.7 aborts (an assertion in its noise encoder) when ISO x pixels
    # nears 9.2e11; such settings are refused with a ValueError first.
    result = run_isolated(_ENCODE_WITH_PHOTON_NOISE, str(height), str(width), str(iso))
    assert_documented_outcome(result, outcome)
    if outcome == "ValueError":
        assert "photon_noise_iso" in result.stdout


def test_transcode_negative_center_coordinate() -> None:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (16, 16)).save(out, "JPEG")
    with pytest.raises(ValueError, match="outside"):
        attention_jxl.transcode_jpeg(out.getvalue(), center=(-1, 4), effort=1, threads=1)


# --- byte inputs: decode, group_order, transcode_jpeg -----------------------

_CALL_BYTES = f"""
    import sys, warnings
    import attention_jxl
    warnings.simplefilter("ignore")
    data = open(sys.argv[2], "rb").read()
    calls = {{
        "decode": lambda: attention_jxl.decode(data, threads=1),
        "decode_partial": lambda: attention_jxl.decode(data, partial=True, threads=1),
        "group_order": lambda: attention_jxl.group_order(data),
        "transcode_jpeg": lambda: attention_jxl.transcode_jpeg(
            data, center=None, effort=1, threads=1),
        "jpeg_center": lambda: attention_jxl.jpeg_center(data),
    }}
    try:
        calls[sys.argv[1]]()
        print("ok")
    except {DOCUMENTED} as error:
        print(type(error).__name__)
"""
_CALLS_BY_TARGET = {
    "decode": ("decode", "decode_partial"),
    "group_order": ("group_order",),
    "transcode_jpeg": ("transcode_jpeg", "jpeg_center"),
}


@pytest.mark.parametrize(
    "path,call",
    [pytest.param(path, call, id=f"{path.name}:{call}")
     for target, calls in _CALLS_BY_TARGET.items()
     for path in cases(target) for call in calls],
)
def test_byte_inputs_fail_cleanly(path: Path, call: str) -> None:
    result = run_isolated(_CALL_BYTES, call, str(path))
    assert result.returncode == 0, (
        f"{call}({path.name}) killed the process (exit {result.returncode}):\n"
        f"{result.stderr[-3000:]}")


def test_group_order_context_map_recursion_is_bounded(tmp_path: Path) -> None:
    # A context map coded with LZ77 needs a context map of its own, which may
    # use LZ77 again: each level read a new nested decoder, so a long enough
    # file overflowed the stack (the fuzzer's 3.8 KB file did under ASan; the
    # same pattern stretched to 400 KB crashes a normal build). As in libjxl,
    # a context map of at most two contexts may not use LZ77.
    found = (DATA / "group_order-context-map-recursion.jxl").read_bytes()
    pattern_start, pattern_end = 0x11, 0x76  # a run of 0x33 bytes, one level each
    assert set(found[pattern_start:pattern_end]) == {0x33}
    stretched = tmp_path / "stretched.jxl"
    stretched.write_bytes(found[:pattern_start] + b"\x33" * 400_000 + found[pattern_end:])
    for path in (DATA / "group_order-context-map-recursion.jxl", stretched):
        result = run_isolated(_CALL_BYTES, "group_order", str(path))
        assert_documented_outcome(result, "ValueError")
    with pytest.raises(ValueError, match="invalid context map"):
        attention_jxl.group_order(found)
