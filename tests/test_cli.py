"""The command line, run as a real subprocess on real files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import attention_jxl
from conftest import TESTDATA, cjxl, load_like_published_script, write_pnm

PHOTO = TESTDATA / "external/wesaturate/500px/cvo9xd_keong_macan_srgb8.png"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "attention_jxl", *args],
                          capture_output=True, text=True, timeout=300)


def test_encode_writes_what_the_published_pipeline_writes(tmp_path: Path) -> None:
    result = run("encode", str(PHOTO), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    written = (tmp_path / "out" / (PHOTO.name + ".jxl")).read_bytes()
    pixels = load_like_published_script(PHOTO)
    x, y = attention_jxl.center(pixels)
    write_pnm(tmp_path / "in.ppm", pixels)
    expected = cjxl(tmp_path / "in.ppm", tmp_path / "ref.jxl", "--group_order", "1",
                    "--center_x", str(x), "--center_y", str(y), "-d", "1", "-e", "7")
    assert written == expected
    assert list((tmp_path / "out").iterdir()) == [tmp_path / "out" / (PHOTO.name + ".jxl")]


def test_center_prints_centers(tmp_path: Path) -> None:
    result = run("center", str(PHOTO))
    assert result.returncode == 0, result.stderr
    path, x, y = result.stdout.strip().split("\t")
    assert (int(x), int(y)) == attention_jxl.center(load_like_published_script(PHOTO))


def test_a_bad_file_is_reported_and_the_rest_still_encode(tmp_path: Path) -> None:
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    result = run("encode", str(bad), str(PHOTO), "-o", str(tmp_path / "out"), "--no-center")
    assert result.returncode == 1
    assert "broken.png" in result.stderr
    assert (tmp_path / "out" / (PHOTO.name + ".jxl")).is_file()
    assert not (tmp_path / "out" / "broken.png.jxl").exists()
