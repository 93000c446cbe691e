"""The crop and saliency commands and the pictures of `center --show`, as real subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import attention_jxl
from conftest import TESTDATA, load_like_published_script

FLOWER = TESTDATA / "jxl/flower"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "attention_jxl", *args],
                          capture_output=True, text=True, timeout=600)


def records(result: subprocess.CompletedProcess) -> dict[str, dict]:
    return {Path(r["input"]).name: r for r in map(json.loads, result.stdout.splitlines())}


def test_crop_formats_keep_what_they_can(tmp_path):
    rgb16 = TESTDATA / "external/raw.pixls/DJI-FC6310-16bit_709_v4_krita.png"
    sources = [FLOWER / "flower.png", FLOWER / "flower_alpha.png", rgb16]
    for form in ("png", "jxl", "jpg"):
        out = tmp_path / form
        result = run("crop", *map(str, sources), "-o", str(out), "--aspect", "1:1",
                     "--format", form, "--json")
        found = records(result)
        flower = found["flower.png"]
        assert flower["status"] == "ok" and flower["box"][2] == flower["box"][3] == 1512
        pixels = load_like_published_script(FLOWER / "flower.png")
        x, y, w, h = flower["box"]
        expected = pixels[y:y + h, x:x + w]
        assert flower["box"] == list(attention_jxl.crop_box(pixels, aspect="1:1"))
        if form == "png":
            assert np.array_equal(np.asarray(Image.open(out / "flower.png")), expected)
            sixteen = attention_jxl._png.png_read((out / rgb16.with_suffix(".png").name)
                                                  .read_bytes()).pixels
            assert sixteen.dtype == np.uint16
            assert np.asarray(Image.open(out / "flower_alpha.png")).shape[2] == 4
        elif form == "jxl":
            data = (out / "flower.jxl").read_bytes()
            cx, cy = flower["center"][0] - x, flower["center"][1] - y
            first = attention_jxl.group_order(data)[0]
            assert first[0] <= cx < first[0] + 256 and first[1] <= cy < first[1] + 256
            assert attention_jxl.decode(data).shape == (1512, 1512, 3)
        else:
            assert Image.open(out / "flower.jpg").size == (1512, 1512)
            assert found["flower_alpha.png"]["status"] == "error"
            assert "alpha" in found["flower_alpha.png"]["error"]
            assert result.returncode == 1


def test_crop_is_upright_for_rotated_photos(tmp_path):
    # A JPEG whose EXIF says "rotate 90": the crop is cut from the image as shown.
    source = tmp_path / "rotated.jpg"
    pixels = load_like_published_script(FLOWER / "flower.png")
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(pixels).save(source, quality=92, exif=exif.tobytes())
    result = run("crop", str(source), "-o", str(tmp_path / "out"), "--size", "600x900", "--json")
    record = records(result)["rotated.jpg"]
    assert record["status"] == "ok", record
    assert Image.open(tmp_path / "out/rotated.png").size == (600, 900)
    assert record["box"][2:] == [600, 900]
    assert record["box"][0] + 600 <= 1512 and record["box"][1] + 900 <= 2268  # upright: 1512 wide


@pytest.mark.parametrize("args,message", [
    (["--size", "3000x100"], "larger"),
    (["--aspect", "wide"], "aspect"),
    (["--aspect", "0:1"], "positive"),
])
def test_bad_crop_requests_are_reported(tmp_path, args, message):
    result = run("crop", str(FLOWER / "flower.png"), "-o", str(tmp_path), *args, "--json")
    assert result.returncode == 1
    assert message in records(result)["flower.png"]["error"]


def test_crop_size_is_checked_before_any_file(tmp_path):
    result = run("crop", str(FLOWER / "flower.png"), "-o", str(tmp_path), "--size", "0x5")
    assert result.returncode == 2 and "positive" in result.stderr


def test_saliency_picture_and_center_show_map(tmp_path):
    result = run("saliency", str(FLOWER / "flower.png"), "-o", str(tmp_path / "heat.png"))
    assert result.returncode == 0, result.stderr
    heat = np.asarray(Image.open(tmp_path / "heat.png"))
    original = load_like_published_script(FLOWER / "flower.png")
    assert heat.shape == original.shape
    assert not np.array_equal(heat, original)
    shown = run("center", str(FLOWER / "flower.png"), "--show", str(tmp_path / "map.png"),
                "--map")
    assert shown.returncode == 0, shown.stderr
    assert np.array_equal(np.asarray(Image.open(tmp_path / "map.png")), heat)
    broken = run("saliency", str(tmp_path / "missing.png"), "-o", str(tmp_path / "x.png"))
    assert broken.returncode == 1 and "missing.png" in broken.stderr


def test_contain_thumbnail_needs_no_model(monkeypatch):
    from attention_jxl import _saliency

    monkeypatch.setattr(_saliency, "default_model", None)  # any use would fail
    image = np.zeros((300, 400, 3), np.uint8)
    assert attention_jxl.thumbnail(image, (100, 100), fit="contain").shape == (75, 100, 3)
