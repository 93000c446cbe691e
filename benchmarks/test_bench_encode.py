"""encode() against libjxl's own encode time, as cjxl measures it in-process."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

import attention_jxl
from conftest import photo, record

CENTER = (948, 752)
REPS = 7


@pytest.fixture(scope="module")
def flower() -> np.ndarray:
    return photo(2268, 1512)  # the flower at its own size


def cjxl_seconds_per_encode(source: Path, threads: int) -> float:
    """cjxl times only its libjxl calls (not file I/O); takes its fastest rep."""
    result = subprocess.run(
        ["cjxl", str(source), "/dev/null", "--num_reps", str(REPS), "--num_threads", str(threads),
         "--group_order", "1", "--center_x", str(CENTER[0]), "--center_y", str(CENTER[1]),
         "-d", "1", "-e", "7"], check=True, capture_output=True, text=True)
    # "2268 x 1512, geomean: 4.13 MP/s [3.29, 4.24], 7 reps, ..."
    fastest = float(re.search(r"geomean: [\d.]+ MP/s \[[\d.]+, ([\d.]+)\]", result.stderr).group(1))
    width, height = 2268, 1512
    return width * height / 1e6 / fastest


@pytest.mark.parametrize("threads", [1, 2])
def test_encode_vs_libjxl_alone(benchmark, flower, tmp_path, threads) -> None:
    height, width, _ = flower.shape
    (tmp_path / "flower.ppm").write_bytes(f"P6 {width} {height} 255\n".encode() + flower.tobytes())
    # cjxl's --num_threads 0 runs on the calling thread, like our threads=1.
    peer = cjxl_seconds_per_encode(tmp_path / "flower.ppm", 0 if threads == 1 else threads)
    benchmark.pedantic(attention_jxl.encode, args=(flower,), rounds=REPS, warmup_rounds=1,
                       kwargs=dict(center=CENTER, threads=threads))
    comparison = f"encode 2268x1512 d1 e7 center-first ({threads} thread{'s' * (threads > 1)})"
    record(comparison, "ours", benchmark.stats.stats.min, "attention_jxl.encode, fastest of 7")
    record(comparison, "peer", peer, "libjxl alone, cjxl --num_reps 7, fastest")
