"""probe() against pylibjxl's probe() (libjxl's basic info), same files, same run.

Ours reads the container boxes and every frame's header and TOC with the
project's codestream reader (and so also answers center-first, frames, JPEG
reconstruction); pylibjxl's asks libjxl's decoder for the basic info.
"""

from __future__ import annotations

import pytest

import attention_jxl
from conftest import FLOWER, note, photo

pylibjxl = pytest.importorskip("pylibjxl", reason="the peer: pip install '.[bench]'")

ROUNDS = 5000


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    jpeg = FLOWER.with_name("flower.png.im_q85_420.jpg").read_bytes()
    return {
        "codestream 2268x1512": attention_jxl.encode(photo(2268, 1512), effort=3,
                                                     center=(948, 752)),
        "container 2268x1512 (transcoded JPEG)": attention_jxl.transcode_jpeg(
            jpeg, center=(948, 752)),
    }


@pytest.mark.parametrize("kind", ["codestream 2268x1512", "container 2268x1512 (transcoded JPEG)"])
@pytest.mark.parametrize("role", ["ours", "peer"])
def test_probe(benchmark, files, kind: str, role: str) -> None:
    data = files[kind]
    function = attention_jxl.probe if role == "ours" else pylibjxl.probe
    result = benchmark.pedantic(function, args=(data,), rounds=ROUNDS, warmup_rounds=100)
    width = result.width if role == "ours" else result["width"]
    assert width == 2268
    label = "attention_jxl.probe" if role == "ours" else "pylibjxl 0.5 probe"
    note(f"probe, {kind} ({len(data) / 1e3:.0f} kB): {role} {label}: "
         f"median {benchmark.stats.stats.median * 1e6:.1f} us")
