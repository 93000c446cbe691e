"""reorder(), jxl_center() and center-first encode() against what they replace, same run.

- reorder() of a 24 MP file (byte moves only) against decoding that file,
  the least any re-encode would cost.
- jxl_center(dc_only=True) (decodes only the DC prefix) against
  center(decode(file)), what jxl_center() does by default, and how far the
  DC center lands from the full-resolution one over every photo at hand.
- On libjxl >= 0.10, center-first encode() (libjxl's scanline encoder, then
  reorder) against the scanline encode alone: time and peak memory.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import attention_jxl
from conftest import FLOWER, SHARED, note, photo, record

REFERENCE = SHARED / "reference"
CENTER_24MP = (3000, 2000)
# The flower's center (948, 752 at 2268 x 1512) scaled to 5200 x 3500.
CENTER_18MP = (2173, 1741)


@pytest.fixture(scope="module")
def big_file() -> bytes:
    # Effort 3 keeps the setup short; scanline, as most files in the wild are.
    return attention_jxl.encode(photo(6000, 4000), distance=1, effort=3, center=None)


def reorder_comparison(data: bytes) -> str:
    return f"24 MP file (6000x4000 d1 e3, {len(data) / 1e6:.2f} MB) to center-first"


def group_of(point: tuple[int, int], dim: int = 256) -> tuple[int, int]:
    return (point[0] // dim * dim, point[1] // dim * dim)


# Peak memory of one call in a fresh interpreter: VmHWM is reset to the
# current RSS just before the call (clear_refs "5", Linux >= 4.0), so the
# figure is what the call added. If the reset is refused, the baseline is the
# earlier peak, which can only understate the growth.
_MEASURE = """
import sys
def _status(key):
    return next(int(line.split()[1]) for line in open("/proc/self/status")
                if line.startswith(key + ":"))
def start():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    return _status("VmHWM")
def finish(base):
    print(_status("VmHWM") - base, _status("VmHWM"))
"""


def peak_growth_mib(body: str, *args: str) -> tuple[float, float]:
    """(peak RSS the call in `body` added, process peak), MiB, in a fresh interpreter."""
    code = _MEASURE + textwrap.dedent(body)
    result = subprocess.run([sys.executable, "-c", code, *args], check=True,
                            capture_output=True, text=True)
    growth, peak = map(int, result.stdout.split()[-2:])
    return growth / 1024, peak / 1024


# --- a. reorder vs a full decode ---------------------------------------------


def test_reorder_24mp(compare, big_file) -> None:
    out = compare(reorder_comparison(big_file), "ours",
                  "reorder(data, (3000, 2000)), byte moves",
                  attention_jxl.reorder, big_file, CENTER_24MP, rounds=20)
    assert attention_jxl.group_order(out)[0] == group_of(CENTER_24MP)
    assert attention_jxl.group_order(big_file)[0] == (0, 0)


def test_full_decode_24mp(compare, big_file) -> None:
    image = compare(reorder_comparison(big_file), "peer",
                    "decode(data), all cores: less than any re-encode costs",
                    attention_jxl.decode, big_file, rounds=5)
    assert image.shape == (4000, 6000, 3)


def test_reorder_peak_memory(big_file, tmp_path: Path) -> None:
    path = tmp_path / "24mp.jxl"
    path.write_bytes(big_file)
    reorder = peak_growth_mib("""
        import attention_jxl
        data = open(sys.argv[1], "rb").read()
        base = start()
        out = attention_jxl.reorder(data, (3000, 2000))
        finish(base)
    """, str(path))
    decode = peak_growth_mib("""
        import attention_jxl
        data = open(sys.argv[1], "rb").read()
        base = start()
        image = attention_jxl.decode(data)
        finish(base)
    """, str(path))
    note(f"peak RSS added by one call on the 24 MP file ({len(big_file) / 1e6:.2f} MB), fresh "
         f"process each: reorder {reorder[0]:.1f} MiB, decode {decode[0]:.0f} MiB")


# --- b. jxl_center(dc_only=True) vs center(decode) -----------------------------


def test_jxl_center_24mp(compare, big_file) -> None:
    prefix = attention_jxl._core.lf_prefix(big_file)
    point = compare("center of a 24 MP file (6000x4000 d1 e3)", "ours",
                    f"jxl_center(dc_only=True): DC prefix only ({len(prefix) / 1e6:.2f} of "
                    f"{len(big_file) / 1e6:.2f} MB)",
                    lambda: attention_jxl.jxl_center(big_file, dc_only=True), rounds=5)
    # Where its time goes: the partial decode of the prefix draws every
    # missing group by upsampling the DC image to full size (see the README).
    decode_prefix = min(_seconds(lambda: attention_jxl.decode(prefix, partial=True))
                        for _ in range(3))
    full = attention_jxl.center(attention_jxl.decode(big_file))
    note(f"jxl_center(dc_only=True) on the 24 MP file: {decode_prefix * 1000:.0f} ms of it is "
         f"decode(lf_prefix, partial=True) (fastest of 3); DC center {point}, "
         f"full-resolution center {full}, {_distance(point, full):.0f} px apart")


def test_center_of_full_decode_24mp(compare, big_file) -> None:
    point = compare("center of a 24 MP file (6000x4000 d1 e3)", "peer",
                    "center(decode(data)): all bytes, full resolution",
                    lambda: attention_jxl.center(attention_jxl.decode(big_file)), rounds=5)
    assert 0 <= point[0] < 6000 and 0 <= point[1] < 4000


def _seconds(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _distance(a: tuple[int, int], b: tuple[int, int]) -> float:
    return float(np.hypot(a[0] - b[0], a[1] - b[1]))


def every_photo() -> list[Path]:
    """The reference images (centers.json) and libjxl's flower photos, each once."""
    import json

    paths = []
    for entry in json.loads((REFERENCE / "centers.json").read_text()):
        source = entry["source"]
        paths.append(Path(source) if source.startswith("/") else REFERENCE / entry["image"])
    flowers = sorted(FLOWER.parent.glob("*.png")) + sorted(FLOWER.parent.glob("*.jpg"))
    seen = {path.resolve() for path in paths}
    return [path for path in paths if path.is_file()] + [
        path for path in flowers if path.resolve() not in seen]


def load_pixels(path: Path) -> np.ndarray:
    """uint8 pixels upright: gray as HxW, alpha kept, everything else RGB."""
    from PIL import Image, ImageOps

    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image)
        if image.mode in ("L", "LA", "RGBA"):
            return np.asarray(image if image.mode != "LA" else image.convert("RGBA"))
        if image.mode.startswith("I"):  # 16-bit gray
            return (np.asarray(image, np.float64) / 257).round().astype(np.uint8)
        return np.asarray(image.convert("RGB"))


def test_dc_center_distance_over_every_photo() -> None:
    rows = []
    for path in every_photo():
        data = attention_jxl.encode(load_pixels(path), distance=1, center=None)
        full_image = attention_jxl.decode(data)
        height, width = full_image.shape[:2]
        dc = attention_jxl.jxl_center(data, dc_only=True)
        full = attention_jxl.center(full_image)
        pixels = _distance(dc, full)
        rows.append((pixels, 100 * pixels / np.hypot(width, height), path.name))
    assert len(rows) >= 20, [name for *_, name in rows]
    pixels = [row[0] for row in rows]
    percent = [row[1] for row in rows]
    worst = max(rows, key=lambda row: row[1])
    note(f"DC center (jxl_center(dc_only=True)) vs center(decode) over {len(rows)} photos "
         f"(reference images "
         f"+ libjxl's flowers, encode d1 e7 scanline): mean {statistics.mean(pixels):.0f} px / "
         f"{statistics.mean(percent):.1f}% of the diagonal, median "
         f"{statistics.median(pixels):.0f} px / {statistics.median(percent):.1f}%, max "
         f"{max(pixels):.0f} px / {max(percent):.1f}% (worst by diagonal: {worst[2]}, "
         f"{worst[0]:.0f} px)")


# --- c. center-first encode vs libjxl's scanline encode ----------------------

NEEDS_LIBJXL_010 = pytest.mark.skipif(
    attention_jxl.libjxl_version() < (0, 10, 0),
    reason=f"libjxl {'.'.join(map(str, attention_jxl.libjxl_version()))} orders the groups "
           "itself (encode(center=...) is libjxl's own center-first encoder, not scanline + "
           "reorder); the comparison is for libjxl >= 0.10")

_ENCODE_CHILD = """
    import numpy as np
    import attention_jxl
    pixels = np.load(sys.argv[1])
    center = None if sys.argv[2] == "none" else tuple(map(int, sys.argv[2].split(",")))
    base = start()
    out = attention_jxl.encode(pixels, distance=1, effort=7, center=center)
    finish(base)
"""


def encode_pair(pixels: np.ndarray, tmp_path: Path, benchmark, rounds: int) -> dict:
    """Times ours and the peer in adjacent pairs, then peak memory, one child each.

    The order alternates from round to round (ours first, then the peer
    first), and the ratio is the median of the rounds' own ratios, so a
    neighbour's load that comes and goes weighs on both sides alike.
    """
    seconds: dict[str, list[float]] = {"ours": [], "peer": []}
    outputs: dict[str, bytes] = {}
    calls = {"ours": lambda: attention_jxl.encode(pixels, distance=1, effort=7,
                                                  center=CENTER_18MP),
             "peer": lambda: attention_jxl.encode(pixels, distance=1, effort=7, center=None)}

    def one_round() -> None:
        order = ("ours", "peer") if len(seconds["ours"]) % 2 == 0 else ("peer", "ours")
        for role in order:
            started = time.perf_counter()
            outputs[role] = calls[role]()
            seconds[role].append(time.perf_counter() - started)

    benchmark.pedantic(one_round, rounds=rounds, iterations=1)
    np.save(tmp_path / "pixels.npy", pixels)
    memory = {role: peak_growth_mib(_ENCODE_CHILD, str(tmp_path / "pixels.npy"), argument)
              for role, argument in (("ours", "{},{}".format(*CENTER_18MP)), ("peer", "none"))}
    ratios = [a / b for a, b in zip(seconds["ours"], seconds["peer"], strict=True)]
    return {"seconds": {role: statistics.median(times) for role, times in seconds.items()},
            "ratio": statistics.median(ratios), "rounds": len(ratios),
            "memory": memory, "outputs": outputs}


@NEEDS_LIBJXL_010
def test_center_first_encode_vs_scanline_18mp(benchmark, tmp_path: Path) -> None:
    pixels = photo(5200, 3500)
    result = encode_pair(pixels, tmp_path, benchmark, rounds=5)
    ours, peer = result["outputs"]["ours"], result["outputs"]["peer"]
    # Center-first is the scanline file with its groups moved.
    assert attention_jxl.group_order(ours)[0] == group_of(CENTER_18MP)
    assert attention_jxl.group_order(peer)[0] == (0, 0)
    assert ours == attention_jxl.reorder(peer, CENTER_18MP)
    reorder_alone = min(_seconds(lambda: attention_jxl.reorder(peer, CENTER_18MP))
                        for _ in range(5))
    version = ".".join(map(str, attention_jxl.libjxl_version()))
    comparison = f"encode 5200x3500 d1 e7, all cores, libjxl {version}"
    rounds = result["rounds"]
    record(comparison, "ours", result["seconds"]["ours"],
           f"center-first: scanline + reorder, median of {rounds}")
    record(comparison, "peer", result["seconds"]["peer"],
           f"encode(center=None): libjxl's default scanline encoder, median of {rounds}")
    (ours_mib, ours_peak), (peer_mib, peer_peak) = (result["memory"]["ours"],
                                                    result["memory"]["peer"])
    note(f"center-first encode 5200x3500 d1 e7 (libjxl {version}): {result['ratio']:.3f}x the "
         f"scanline encode's time, median of {rounds} adjacent pairs (target <= 1.05x); the "
         f"reorder in it takes {reorder_alone * 1000:.1f} ms")
    note(f"peak RSS added by that encode (fresh process each): "
         f"center-first {ours_mib:.0f} MiB, scanline {peer_mib:.0f} MiB, "
         f"{ours_mib / peer_mib:.3f}x (target <= 1.1x); process peaks {ours_peak:.0f} and "
         f"{peer_peak:.0f} MiB; file {len(ours) / 1e6:.2f} MB")
