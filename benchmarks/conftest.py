"""Benchmark fixtures: real images, the peers, and a side-by-side summary.

Each comparison has an "ours" and a "peer" measurement taken in the same run;
the summary at the end prints them next to each other with the ratio.
"""

from __future__ import annotations

import os
import platform
import shutil
from pathlib import Path

import numpy as np
import pytest

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared"
FLOWER = Path("/usr/share/libjxl-testdata/jxl/flower/flower.png")

if not os.environ.get("ATTENTION_JXL_MODEL") and (SHARED / "models/center.tflite").is_file():
    os.environ["ATTENTION_JXL_MODEL"] = str(SHARED / "models/center.tflite")

_results: dict[str, dict[str, tuple[float, str]]] = {}
_notes: list[str] = []


def note(text: str) -> None:
    """A measured figure that is not a time (e.g. memory), for the summary."""
    _notes.append(text)


def record(comparison: str, role: str, seconds: float, label: str) -> None:
    """Stores one side of a comparison (role is "ours", "peer" or a further "peer 2")."""
    _results.setdefault(comparison, {})[role] = (seconds, label)


@pytest.fixture
def compare(benchmark, request):
    """Runs `benchmark` and records its median under the test's comparison."""

    def run(comparison: str, role: str, label: str, function, *args, rounds: int = 10):
        result = benchmark.pedantic(function, args=args, rounds=rounds, warmup_rounds=1)
        record(comparison, role, benchmark.stats.stats.median, label)
        return result

    return run


def photo(width: int, height: int) -> np.ndarray:
    """A real photo (the libjxl flower) resized to width x height, uint8 RGB."""
    from PIL import Image

    with Image.open(FLOWER) as image:
        rgb = image.convert("RGB")
        if rgb.size != (width, height):
            rgb = rgb.resize((width, height), Image.LANCZOS)
        return np.asarray(rgb)


@pytest.fixture(scope="session")
def photos(tmp_path_factory) -> Path:
    """8 photos of 3.4 to 24 MP, PNG and JPEG."""
    from PIL import Image

    folder = tmp_path_factory.mktemp("photos")
    for name in ("flower.png", "flower_alpha.png", "flower.png.im_q85_420.jpg",
                 "flower.png.im_q85_444.jpg", "flower.png.im_q85_gray.jpg"):
        shutil.copy(FLOWER.parent / name, folder / name.replace(".png.", "_"))
    Image.fromarray(photo(4000, 3000)).save(folder / "flower_12mp_q90.jpg", quality=90)
    Image.fromarray(photo(4000, 3000)).save(folder / "flower_12mp.png", compress_level=1)
    Image.fromarray(photo(6000, 4000)).save(folder / "flower_24mp.png", compress_level=1)
    return folder


def pytest_terminal_summary(terminalreporter) -> None:
    if not _results and not _notes:
        return
    write = terminalreporter.write_line
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    write("")
    write(f"Side by side (medians unless noted; {cpu}, {os.cpu_count()} cores)")
    for comparison, sides in _results.items():
        ours = sides.get("ours")
        line = f"  {comparison}:"
        if ours:
            line += f" ours {ours[0] * 1000:.1f} ms ({ours[1]})"
        # "peer", then any further peers (e.g. "peer 2") in the order recorded.
        for role, (seconds, label) in sides.items():
            if role == "ours":
                continue
            line += f" | {role} {seconds * 1000:.1f} ms ({label})"
            if ours:
                line += f" | {role}/ours = {seconds / ours[0]:.2f}x"
        write(line)
    for text in _notes:
        write(f"  {text}")
