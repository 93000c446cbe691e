"""Attention crops: ours against libvips' smartcrop (attention) and smartcrop.py.

For each photo and aspect, the largest window of that aspect: time per crop
(one thread each, the same decoded pixels in memory), and afterwards how often
each crop contains the center our model predicts. That second figure is the
model's view of where people look, not data from people.

The peers come with the bench extra (`pip install -e .[bench]`).
"""

from __future__ import annotations

import numpy as np
import pytest

import attention_jxl
from conftest import note
from conftest import photo as resized_flower
from crop_peers import (
    ASPECTS,
    PHOTOS,
    check_vips_box,
    contains,
    iou,
    smartcrop_box,
    vips_box,
    vips_image,
)

CASES = [(photo, aspect) for photo in PHOTOS for aspect in ASPECTS]
IDS = [f"{photo.name.replace(' ', '_')}-{aspect}" for photo, aspect in CASES]

_boxes: dict[tuple[str, str], dict[str, tuple[int, int, int, int]]] = {}


@pytest.fixture(scope="module")
def model() -> attention_jxl.Model:
    return attention_jxl.Model(threads=1)


_pixels: dict[str, np.ndarray] = {}


def pixels_of(photo) -> np.ndarray:
    if not photo.available():
        pytest.skip(f"{photo.path} is not installed (libjxl-testdata)")
    if photo.name not in _pixels:
        _pixels[photo.name] = photo.pixels()
    return _pixels[photo.name]


def comparison(photo, aspect: str, pixels: np.ndarray) -> str:
    height, width = pixels.shape[:2]
    return f"largest {aspect} crop of {photo.name} ({width}x{height}, 1 thread)"


def vips_label() -> str:
    import pyvips

    return f"libvips {pyvips.version(0)}.{pyvips.version(1)} smartcrop attention"


def largest(pixels: np.ndarray, aspect: str, model) -> tuple[int, int]:
    """The window size all three are asked for: the one our crop_box picks."""
    _x, _y, w, h = attention_jxl.crop_box(pixels, aspect=aspect, model=model)
    return w, h


@pytest.mark.parametrize(("photo", "aspect"), CASES, ids=IDS)
def test_crop_ours(compare, model, photo, aspect) -> None:
    pixels = pixels_of(photo)
    box = compare(comparison(photo, aspect, pixels), "ours", "crop_box: model + box",
                  lambda: attention_jxl.crop_box(pixels, aspect=aspect, model=model))
    _boxes.setdefault((photo.name, aspect), {})["ours"] = box


@pytest.mark.parametrize(("photo", "aspect"), CASES, ids=IDS)
def test_crop_peer_libvips(compare, model, photo, aspect) -> None:
    pytest.importorskip("pyvips", reason="the bench extra installs pyvips-binary")
    pixels = pixels_of(photo)
    image = vips_image(pixels)
    width, height = largest(pixels, aspect, model)
    box = compare(comparison(photo, aspect, pixels), "peer", vips_label(),
                  vips_box, image, width, height)
    check_vips_box(image, pixels, box)
    assert (box[2], box[3]) == (width, height)
    _boxes.setdefault((photo.name, aspect), {})["libvips"] = box


@pytest.mark.parametrize(("photo", "aspect"), CASES, ids=IDS)
def test_crop_peer_smartcrop_py(compare, model, photo, aspect) -> None:
    smartcrop = pytest.importorskip("smartcrop", reason="the bench extra installs smartcrop")
    from PIL import Image

    pixels = pixels_of(photo)
    image = Image.fromarray(pixels)
    width, height = largest(pixels, aspect, model)
    box = compare(comparison(photo, aspect, pixels), "peer 2", "smartcrop.py",
                  smartcrop_box, smartcrop.SmartCrop(), image, width, height, rounds=5)
    _boxes.setdefault((photo.name, aspect), {})["smartcrop.py"] = box


@pytest.fixture(scope="module")
def photo_24mp() -> np.ndarray:
    return resized_flower(6000, 4000)


BIG = "largest 16:9 crop of flower 3:2 resized to 6000x4000 (24 MP, 1 thread)"


def test_crop_24mp_ours(compare, model, photo_24mp) -> None:
    compare(BIG, "ours", "crop_box: model + box",
            lambda: attention_jxl.crop_box(photo_24mp, aspect="16:9", model=model), rounds=5)


def test_crop_24mp_peer_libvips(compare, model, photo_24mp) -> None:
    pytest.importorskip("pyvips", reason="the bench extra installs pyvips-binary")
    width, height = largest(photo_24mp, "16:9", model)
    compare(BIG, "peer", vips_label(), vips_box, vips_image(photo_24mp),
            width, height, rounds=5)


def test_crop_24mp_peer_smartcrop_py(compare, model, photo_24mp) -> None:
    smartcrop = pytest.importorskip("smartcrop", reason="the bench extra installs smartcrop")
    from PIL import Image

    width, height = largest(photo_24mp, "16:9", model)
    compare(BIG, "peer 2", "smartcrop.py", smartcrop_box, smartcrop.SmartCrop(),
            Image.fromarray(photo_24mp), width, height, rounds=3)


def smartcrop_small_request(cropper, image, width: int, height: int):
    # smartcrop.py's own command line asks for a 100 px wide crop: it then
    # analyses a copy shrunk to that scale and scales the box back up.
    return smartcrop_box(cropper, image, 100, round(100 * height / width))


@pytest.mark.parametrize("size", ["photo", "24 MP"])
def test_crop_peer_smartcrop_py_small_request(compare, model, photo_24mp, size) -> None:
    """smartcrop.py used as its command line does, for the 16:9 crop."""
    smartcrop = pytest.importorskip("smartcrop", reason="the bench extra installs smartcrop")
    from PIL import Image

    if size == "photo":
        subject = PHOTOS[0]
        pixels = pixels_of(subject)
        name = comparison(subject, "16:9", pixels)
    else:
        pixels, name = photo_24mp, BIG
    width, height = largest(pixels, "16:9", model)
    box = compare(name, "peer 3", "smartcrop.py asked for 100x56, i.e. prescaled",
                  smartcrop_small_request, smartcrop.SmartCrop(), Image.fromarray(pixels),
                  width, height, rounds=5)
    note(f"smartcrop.py asked for 100x56 on {pixels.shape[1]}x{pixels.shape[0]}: box {box} "
         f"(the largest 16:9 is {width}x{height})")


def test_center_containment(model) -> None:
    """How often each crop holds our predicted center; notes the rates."""
    rows = []
    for photo, aspect in CASES:
        boxes = _boxes.get((photo.name, aspect), {})
        if len(boxes) < 3:
            continue
        pixels = pixels_of(photo)
        point = attention_jxl.center(pixels, model=model)
        height, width = pixels.shape[:2]
        whole = all(b == (0, 0, width, height) for b in boxes.values())
        rows.append((photo, aspect, point, boxes, whole))
    if not rows:
        pytest.skip("the crop benchmarks did not run (peers or photos missing)")

    note("Crops and our predicted center (the model's view of where people look first, "
         "not data from people):")
    for photo, aspect, point, boxes, whole in rows:
        held = ", ".join(f"{who} {box}{'' if contains(box, point) else ' MISSES it'}"
                         for who, box in boxes.items())
        trivial = " (the whole image)" if whole else ""
        note(f"  {photo.name} {aspect}{trivial}: center {point}; {held}")
    for label, chosen in (("all", rows), ("not the whole image", [r for r in rows if not r[4]])):
        if not chosen:
            continue
        rates = []
        for who in ("ours", "libvips", "smartcrop.py"):
            held = sum(contains(r[3][who], r[2]) for r in chosen)
            rates.append(f"{who} {held}/{len(chosen)}")
        note(f"Crops holding our center, {label} ({len(chosen)} photo x aspect): "
             + ", ".join(rates))
    overlaps = []
    for who in ("libvips", "smartcrop.py"):
        values = [iou(r[3]["ours"], r[3][who]) for r in rows if not r[4]]
        if values:
            overlaps.append(f"{who} median {np.median(values):.2f} (min {min(values):.2f})")
    note("Overlap with our crop (intersection over union, crops not the whole image): "
         + "; ".join(overlaps))
    ours_held = sum(contains(r[3]["ours"], r[2]) for r in rows)
    assert ours_held >= len(rows) - 1, "our crop should nearly always hold our own center"
