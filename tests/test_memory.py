"""No leaks: thousands of calls on a 2 MP image keep the process's memory flat.

Each entry point runs in a fresh Python process, so nothing the test runner
allocates is counted. The process makes its inputs, warms up with 50 calls
(the model, libjxl's tables and the allocator's pools reach their working
size), takes a reading, makes the calls and takes readings again. A leak of
5 KB per call would show as 10 MB of resident memory over 2,000 calls; one
of 500 bytes as 1 MB allocated from malloc.

A reading is the resident set size (VmRSS) as it is, the same after
`malloc_trim(0)` has handed the memory glibc keeps free back to the system,
and the bytes malloc has handed out and not had back (mallinfo2). The RSS
limits apply to both readings; the first also moves with how much freed
memory glibc keeps, which depends on which of its arenas the libjxl worker
threads (started by every call with threads=0) landed on, so the second
tells a leak from the allocator keeping memory. On the model path only the
second is held to the limit (below). Limiting the arenas
(MALLOC_ARENA_MAX=2) does not help: shared by all threads, the two arenas
fragment, and kept about 20 MB more after 400 encodes, all of it returned by
`malloc_trim`.

The model path (the shared model's pool of compiled copies, the resize,
the inference) is measured with threads=1: with the model in the process
and libjxl's workers on other threads, the resident size swings by up to
30 MB from one reading to the next, even after `malloc_trim`, while the
bytes allocated stay the same to 0.1 MB; on one thread it is steady.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import TESTDATA

RSS_LIMIT_MB = 10.0
MALLOC_LIMIT_MB = 1.0

# Runs in the child: argv = entry point, calls, the photo. Prints one JSON record.
CHILD = r"""
import ctypes, io, json, sys, time
import numpy as np
from PIL import Image
import attention_jxl

entry, calls, photo = sys.argv[1], int(sys.argv[2]), sys.argv[3]
libc = ctypes.CDLL("libc.so.6")

class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost"
                .split()]

libc.mallinfo2.restype = MallInfo2

def vm_rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

def reading():
    as_is = vm_rss_mb()
    libc.malloc_trim(0)
    info = libc.mallinfo2()
    return as_is, vm_rss_mb(), (info.uordblks + info.hblkhd) / 2**20

with Image.open(photo) as flower:
    pixels = np.asarray(flower)[:1155, :1732].copy()  # 2.0 megapixels of a photo
center = (pixels.shape[1] // 2, pixels.shape[0] // 2)
buffer = io.BytesIO()
Image.fromarray(pixels).save(buffer, format="JPEG", quality=85)  # 4:2:0
jpeg = buffer.getvalue()
jxl = attention_jxl.encode(pixels, effort=1, center=center)
run = {
    "encode": lambda: attention_jxl.encode(pixels, effort=1, center=center, threads=0),
    "transcode_jpeg": lambda: attention_jxl.transcode_jpeg(
        jpeg, effort=1, center=center, threads=0),
    "decode": lambda: attention_jxl.decode(jxl, threads=0),
    "encode_auto": lambda: attention_jxl.encode(pixels, effort=1, threads=1),
    "transcode_jpeg_auto": lambda: attention_jxl.transcode_jpeg(jpeg, effort=1, threads=1),
}[entry]
for _ in range(50):
    run()
started = time.perf_counter()
readings = [reading()]
for call in range(1, calls + 1):
    run()
    if call % (calls // 4) == 0:
        readings.append(reading())
print(json.dumps({"readings": readings, "seconds": time.perf_counter() - started,
                  "megapixels": pixels.shape[0] * pixels.shape[1] / 1e6}))
"""


def measure(entry: str, calls: int) -> dict:
    photo = TESTDATA / "jxl/flower/flower.png"
    result = subprocess.run([sys.executable, "-c", CHILD, entry, str(calls), str(photo)],
                            capture_output=True, text=True, timeout=3600)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(("entry", "calls"), [
    ("encode", 2000),  # d1 e1, center given, all cores
    ("transcode_jpeg", 2000),  # e1, center given, all cores
    ("decode", 2000),  # all cores
    # The model path too: fewer calls, each predicting the center first.
    ("encode_auto", 200),  # d1 e1, one thread
    ("transcode_jpeg_auto", 200),  # e1, one thread
])
def test_memory_stays_flat(entry: str, calls: int, model_path: Path) -> None:
    started = time.perf_counter()
    measured = measure(entry, calls)
    as_is, trimmed, allocated = zip(*measured["readings"], strict=True)

    def growth(series: tuple[float, ...]) -> str:
        return (f"{series[-1] - series[0]:+.2f} MB "
                f"({' -> '.join(f'{value:.1f}' for value in series)})")

    print(f"\n{entry}: {calls} calls on {measured['megapixels']:.2f} MP in "
          f"{measured['seconds']:.1f} s ({time.perf_counter() - started:.1f} s in all)\n"
          f"  RSS after malloc_trim {growth(trimmed)}\n  RSS as is {growth(as_is)}\n"
          f"  malloc in use {growth(allocated)}")
    if not entry.endswith("_auto"):  # see the module docstring for the model path
        assert as_is[-1] - as_is[0] < RSS_LIMIT_MB, measured["readings"]
    assert trimmed[-1] - trimmed[0] < RSS_LIMIT_MB, measured["readings"]
    assert allocated[-1] - allocated[0] < MALLOC_LIMIT_MB, measured["readings"]
