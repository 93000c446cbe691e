"""Many threads at once: every call gives exactly what the same call gives alone.

A server encodes uploads from many request threads through the module-level
functions (one shared model) or through its own `Model`. The soak below runs
8 threads x 200 calls of every entry point on varied images in a shuffled
order and compares each result with the one computed serially beforehand:
the same bytes, the same arrays, the same centers, the same errors.
"""

from __future__ import annotations

import io
import itertools
import json
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

import attention_jxl
from conftest import TESTDATA, read_pnm

SOAK_THREADS = 8
CALLS_PER_THREAD = 200
FLOWER = TESTDATA / "jxl/flower"
WESATURATE = TESTDATA / "external/wesaturate/500px"


@dataclass(frozen=True)
class Call:
    """One call of the public API, run serially first and then from the soak threads."""

    name: str
    run: Callable[[], Any]


def outcome(call: Call) -> Any:
    """The result of `call`, or for an expected failure its exception type and message."""
    try:
        return call.run()
    except (ValueError, TypeError) as error:
        return ("raised", type(error).__name__, str(error))


def same(expected: Any, got: Any) -> bool:
    if isinstance(expected, np.ndarray):
        return (isinstance(got, np.ndarray) and got.dtype == expected.dtype
                and got.shape == expected.shape and np.array_equal(got, expected))
    if isinstance(expected, list):
        return (isinstance(got, list) and len(got) == len(expected)
                and all(same(e, g) for e, g in zip(expected, got, strict=True)))
    return type(got) is type(expected) and got == expected


def synthetic(height: int, width: int, channels: int, dtype: type, seed: int) -> np.ndarray:
    """A smooth image with a bright blob and noise, in [0, 1] scaled to `dtype`."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    cy, cx = rng.uniform(0.2, 0.8) * height, rng.uniform(0.2, 0.8) * width
    blob = np.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (0.02 * height * width))
    planes = [0.3 * blob + 0.2 * np.sin(x / (7 + 3 * c)) * np.cos(y / (5 + 2 * c)) + 0.4
              + 0.05 * rng.standard_normal((height, width)) for c in range(max(channels, 1))]
    unit = np.clip(np.stack(planes, axis=-1), 0, 1).astype(np.float32)
    if channels in (2, 4):  # alpha: a soft vignette
        unit[..., -1] = np.clip(1.2 - np.hypot(y / height - 0.5, x / width - 0.5), 0, 1)
    if channels == 0:  # HxW gray
        unit = unit[..., 0]
    if dtype is np.float32:
        return unit
    scale = 255 if dtype is np.uint8 else 65535
    return np.round(unit * scale).astype(dtype)


def png_pixels(path: str) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image)


def jpeg(pixels: np.ndarray, **save: Any) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", **save)
    return buffer.getvalue()


def images() -> dict[str, np.ndarray]:
    flower = png_pixels(str(FLOWER / "flower.png"))
    flower_alpha = png_pixels(str(FLOWER / "flower_alpha.png"))
    crop = flower[500:836, 800:1250]  # a view: rows not contiguous
    return {
        "synthetic u8 gray HxW": synthetic(203, 317, 0, np.uint8, 1),
        "synthetic u8 gray+alpha": synthetic(256, 300, 2, np.uint8, 2),
        "synthetic u16 RGB": synthetic(311, 467, 3, np.uint16, 3),
        "synthetic f32 RGBA": synthetic(190, 260, 4, np.float32, 4),
        "synthetic u8 RGB 1 group": synthetic(97, 131, 3, np.uint8, 5),
        "flower RGB every 6th pixel (strided view)": flower[::6, ::6],
        "flower RGBA every 5th pixel (strided view)": flower_alpha[::5, ::5],
        "flower crop u16 RGB": crop.astype(np.uint16) * 257,
        "flower crop f32 RGB": crop.astype(np.float32) / 255,
        "flower crop u8 1 channel": crop[..., 1:2],
        "flower small u16 gray (PGM)": read_pnm(FLOWER / "flower_small.g.depth16.pgm"),
        "flower small u16 gray+alpha (PAM)": read_pnm(FLOWER / "flower_small.ga.depth16.pam"),
        "500px RGBA photo": png_pixels(str(WESATURATE / "tmshre_riaphotographs_alpha.png")),
        "500px gray photo": png_pixels(str(WESATURATE / "cvo9xd_keong_macan_grayscale.png")),
    }


def jpegs() -> dict[str, bytes]:
    flower = png_pixels(str(FLOWER / "flower.png"))
    crop = np.ascontiguousarray(flower[400:784, 700:1212])
    return {
        "4:4:4": jpeg(crop, quality=90, subsampling=0),
        "4:2:2": jpeg(crop, quality=85, subsampling=1),
        "4:2:0 progressive": jpeg(crop, quality=80, subsampling=2, progressive=True),
        "gray": jpeg(np.ascontiguousarray(crop[..., 0]), quality=85),
        "4:2:0 odd size": jpeg(np.ascontiguousarray(crop[:301, :419]), quality=75),
        "4:2:0 non-interleaved (testdata)":
            (FLOWER / "flower_small.q85_420_non_interleaved.jpg").read_bytes(),
        "4:4:0 full size (testdata)": (FLOWER / "flower.png.im_q85_440.jpg").read_bytes(),
        "asymmetric full size (testdata)":
            (FLOWER / "flower.png.im_q85_asymmetric.jpg").read_bytes(),
    }


def calls(own_model: attention_jxl.Model) -> list[Call]:
    """Every entry point on every input, alternating the shared and the own model.

    About a third of the calls run the model (the costly part); the others
    encode at a given center or none, decode, or read the group order.
    """
    aj = attention_jxl
    result: list[Call] = []

    def add(name: str, function: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        result.append(Call(name, partial(function, *args, **kwargs)))

    threads = itertools.cycle([0, 1, 2])  # 0: all cores, inside each soak thread too
    for index, (name, image) in enumerate(images().items()):
        height, width = image.shape[:2]
        spot = (width // 3, height // 2)
        add(f"center({name})", aj.center, image)
        if index % 2:
            add(f"Model.center({name}, orientation=6)", own_model.center, image,
                orientation=6)
        else:
            add(f"encode({name}, auto center, own model)", aj.encode, image, effort=3,
                threads=next(threads), model=own_model)
        add(f"encode({name}, center {spot})", aj.encode, image, distance=1.0 + index % 2,
            effort=3, center=spot, threads=next(threads))
        if index % 3 == 0:
            add(f"encode({name}, lossless, scanline)", aj.encode, image, lossless=True,
                effort=1, center=None, threads=next(threads))
        # Decoding: files made here, decoded whole, in part, and their group order.
        data = aj.encode(image, effort=3, center=spot, threads=1)
        add(f"decode({name})", aj.decode, data, threads=next(threads))
        part = 10 if height * width <= 256 * 256 else 6  # one group: nothing before the end
        add(f"decode({name}[:{part}0%], partial)", aj.decode, data[: len(data) * part // 10],
            partial=True, threads=next(threads))
        add(f"group_order({name})", aj.group_order, data)
    for index, (name, data) in enumerate(jpegs().items()):
        with Image.open(io.BytesIO(data)) as opened:
            spot = (opened.width // 4, opened.height // 3)
        full_size = "full size" in name
        own = {"model": own_model} if index % 2 else {}
        add(f"jpeg_center({name}{', own model' if own else ''})", aj.jpeg_center, data, **own)
        add(f"transcode_jpeg({name}, center {spot})", aj.transcode_jpeg, data, center=spot,
            effort=1 if full_size else 7, threads=next(threads))
        if not full_size:
            add(f"transcode_jpeg({name}, auto center{', own model' if own else ''})",
                aj.transcode_jpeg, data, effort=3, threads=next(threads), **own)
            add(f"transcode_jpeg({name}, scanline)", aj.transcode_jpeg, data, center=None,
                effort=3, threads=next(threads))
    # Untrusted uploads fail too: errors must be as exact under load as results.
    jxl = aj.encode(synthetic(300, 400, 3, np.uint8, 9), center=None, effort=3)
    jpg = jpegs()["4:2:2"]
    add("decode(truncated)", aj.decode, jxl[: len(jxl) // 2])
    add("decode(first 100 bytes, partial)", aj.decode, jxl[:100], partial=True)
    add("transcode_jpeg(truncated)", aj.transcode_jpeg, jpg[: len(jpg) // 3])
    add("group_order(truncated)", aj.group_order, jxl[:12])
    add("group_order(not a JPEG XL file)", aj.group_order, b"GIF89a" + bytes(64))
    return result


def soak(schedule: list[list[int]], work: list[Call], expected: list[Any]) -> list[str]:
    """Runs each thread's share of `schedule` at once; returns every difference found."""
    problems: list[str] = []
    start = threading.Barrier(len(schedule))

    def worker(share: list[int]) -> None:
        start.wait()
        for index in share:
            try:
                got = outcome(work[index])
            except BaseException as error:  # anything else must surface in the report
                problems.append(f"{work[index].name}: {type(error).__name__}: {error}")
                continue
            if not same(expected[index], got):
                problems.append(f"{work[index].name}: differs from the serial result")

    workers = [threading.Thread(target=worker, args=(share,), name=f"soak-{n}")
               for n, share in enumerate(schedule)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=600)
    stuck = [thread.name for thread in workers if thread.is_alive()]
    return problems + [f"{name} did not finish" for name in stuck]


@pytest.fixture(scope="module")
def own_model(model_path: Path) -> attention_jxl.Model:
    return attention_jxl.Model(threads=2)


def test_threads_give_the_serial_results(own_model: attention_jxl.Model) -> None:
    work = calls(own_model)
    started = time.perf_counter()
    expected = [outcome(call) for call in work]
    serial_seconds = time.perf_counter() - started
    failures = [c.name for c, e in zip(work, expected, strict=True)
                if isinstance(e, tuple) and e[:1] == ("raised",)]
    assert failures == ["decode(truncated)", "decode(first 100 bytes, partial)",
                        "transcode_jpeg(truncated)", "group_order(truncated)",
                        "group_order(not a JPEG XL file)"]

    total = SOAK_THREADS * CALLS_PER_THREAD
    order = (list(range(len(work))) * (total // len(work) + 1))[:total]
    random.Random(20240611).shuffle(order)
    schedule = [order[n::SOAK_THREADS] for n in range(SOAK_THREADS)]
    started = time.perf_counter()
    problems = soak(schedule, work, expected)
    soak_seconds = time.perf_counter() - started
    print(f"{len(work)} distinct calls, serially {serial_seconds:.1f} s; soak "
          f"{SOAK_THREADS} threads x {CALLS_PER_THREAD} calls in {soak_seconds:.1f} s, "
          f"{len(problems)} mismatches")
    assert problems == []


# A fresh process whose first calls all arrive at once: the shared model is
# loaded on first use while eight threads wait for it.
FIRST_USE = r"""
import json, sys, threading
import numpy as np
from PIL import Image
import attention_jxl

with Image.open(sys.argv[1]) as opened:
    image = np.asarray(opened)
start, results = threading.Barrier(8), []

def first_call(kind):
    start.wait()
    if kind == "center":
        results.append(list(attention_jxl.center(image)))
    else:
        data = attention_jxl.encode(image, effort=1, threads=0)
        results.append(list(attention_jxl.group_order(data)[0]))

threads = [threading.Thread(target=first_call, args=("center" if n % 2 else "encode",))
           for n in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps(results))
"""


def test_first_calls_at_once_share_one_model(model_path: Path) -> None:
    photo = WESATURATE / "cvo9xd_keong_macan_srgb8.png"
    result = subprocess.run([sys.executable, "-c", FIRST_USE, str(photo)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    x, y = attention_jxl.center(png_pixels(str(photo)))
    group = [x // 256 * 256, y // 256 * 256]  # where a center-first file starts
    assert sorted(json.loads(result.stdout)) == sorted([[x, y]] * 4 + [group] * 4)
