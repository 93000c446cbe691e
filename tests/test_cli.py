"""The command line, run as a real subprocess on real files."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import attention_jxl
from conftest import TESTDATA, cjxl, djxl, without_litert_notice

WESATURATE = TESTDATA / "external/wesaturate/500px"
MIXED = {
    "rgb8.png": WESATURATE / "cvo9xd_keong_macan_srgb8.png",
    "alpha.png": WESATURATE / "tmshre_riaphotographs_alpha.png",
    "gray.png": WESATURATE / "cvo9xd_keong_macan_grayscale.png",
    "sub/rgb16.png": TESTDATA / "external/raw.pixls/DJI-FC6310-16bit_709_v4_krita.png",
    "sub/photo.jpg": TESTDATA / "jxl/flower/flower.png.im_q85_420.jpg",
}


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "attention_jxl", *args],
                          capture_output=True, text=True, timeout=600, **kwargs)


@pytest.fixture
def mixed_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    for name, source in MIXED.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, folder / name)
    (folder / "corrupt.png").write_bytes(MIXED["rgb8.png"].read_bytes()[:5000])
    (folder / "notes.png").write_text("this is not an image\n")
    (folder / "readme.txt").write_text("not an image suffix: not picked up\n")
    return folder


def records_of(result: subprocess.CompletedProcess) -> dict[str, dict]:
    records = [json.loads(line) for line in result.stdout.splitlines()]
    return {Path(r["input"]).name: r for r in records}


def test_mixed_folder(mixed_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("encode", str(mixed_folder), "-r", "-o", str(out), "--json", "-j", "2")
    assert result.returncode == 1  # two bad files
    records = records_of(result)
    assert set(records) == {"rgb8.png", "alpha.png", "gray.png", "rgb16.png", "photo.jpg",
                            "corrupt.png", "notes.png"}
    for bad in ("corrupt.png", "notes.png"):
        assert records[bad]["status"] == "error" and records[bad]["error"]
        assert not (out / (Path(bad).stem + ".jxl")).exists()
    expected_outputs = {"rgb8.jxl", "alpha.jxl", "gray.jxl", "sub/rgb16.jxl", "sub/photo.jxl"}
    written = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert written == expected_outputs
    for name in ("rgb8.png", "alpha.png", "gray.png", "rgb16.png"):
        record = records[name]
        assert record["status"] == "ok"
        assert record["bytes_out"] == Path(record["output"]).stat().st_size
        assert record["bytes_in"] == Path(record["input"]).stat().st_size
        # The published pipeline's encode step: cjxl on the file with our center.
        x, y = record["center"]
        cjxl(Path(record["input"]), tmp_path / "ref.jxl", "--group_order", "1",
             "--center_x", str(x), "--center_y", str(y), "-d", "1", "-e", "7")
        suffix = ".pam" if name == "alpha.png" else ".pgm" if name == "gray.png" else ".ppm"
        np.testing.assert_array_equal(djxl(Path(record["output"]), tmp_path / f"ours{suffix}"),
                                      djxl(tmp_path / "ref.jxl", tmp_path / f"ref{suffix}"))


def test_jpeg_is_recompressed_losslessly(mixed_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("encode", str(mixed_folder / "sub/photo.jpg"), "-o", str(out), "--json")
    assert result.returncode == 0, result.stderr
    subprocess.run(["djxl", str(out / "photo.jxl"), str(tmp_path / "back.jpg")],
                   check=True, capture_output=True)
    assert (tmp_path / "back.jpg").read_bytes() == (mixed_folder / "sub/photo.jpg").read_bytes()
    result = run("encode", str(mixed_folder / "sub/photo.jpg"), "-o", str(tmp_path / "px"),
                 "--no-jpeg-transcode")
    assert result.returncode == 0, result.stderr
    decoded = attention_jxl.decode((tmp_path / "px/photo.jxl").read_bytes())
    assert decoded.shape == (1512, 2268, 3)


def test_existing_outputs_are_skipped_unless_overwrite(tmp_path: Path) -> None:
    source, out = MIXED["rgb8.png"], tmp_path / "out"
    out.mkdir()
    (out / "cvo9xd_keong_macan_srgb8.jxl").write_bytes(b"keep me")
    result = run("encode", str(source), "-o", str(out), "--json")
    assert result.returncode == 0
    assert records_of(result)[source.name]["status"] == "skipped"
    assert (out / "cvo9xd_keong_macan_srgb8.jxl").read_bytes() == b"keep me"
    result = run("encode", str(source), "-o", str(out), "--overwrite")
    assert result.returncode == 0
    # A container: the source's Exif is carried over.
    assert (out / "cvo9xd_keong_macan_srgb8.jxl").read_bytes()[:12] == b"\0\0\0\x0cJXL \r\n\x87\n"


def test_dry_run_writes_nothing(mixed_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("encode", str(mixed_folder), "-r", "-o", str(out), "--dry-run", "--json")
    records = records_of(result)
    assert records["rgb8.png"]["status"] == "dry-run"
    assert records["rgb8.png"]["center"] == [141, 317]  # the reference center
    assert not out.exists() or not any(out.rglob("*"))


def test_input_is_never_overwritten(tmp_path: Path) -> None:
    victim = tmp_path / "image.jxl"
    shutil.copy(MIXED["rgb8.png"], victim)  # a PNG that happens to be named .jxl
    before = victim.read_bytes()
    result = run("encode", str(victim), "-o", str(tmp_path), "--overwrite", "--json")
    assert result.returncode == 1
    assert "overwrite the input" in records_of(result)["image.jxl"]["error"]
    assert victim.read_bytes() == before


def test_center_command(tmp_path: Path) -> None:
    result = run("center", str(MIXED["rgb8.png"]), str(MIXED["gray.png"]))
    assert result.returncode == 0, result.stderr
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert [(int(x), int(y)) for _, x, y in lines] == [(141, 317), (165, 276)]
    result = run("center", "--json", str(MIXED["rgb8.png"]), str(tmp_path / "missing.png"))
    assert result.returncode == 1
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["center"] == [141, 317] and second["center"] is None and second["error"]


def test_progress_is_quiet_when_not_a_terminal(tmp_path: Path) -> None:
    result = run("encode", str(MIXED["rgb8.png"]), "-o", str(tmp_path))
    assert result.returncode == 0
    assert without_litert_notice(result.stderr) == ""
    assert "center 141,317" in result.stdout


def _many_inputs(tmp_path: Path, count: int) -> Path:
    folder = tmp_path / "many"
    folder.mkdir()
    flower = TESTDATA / "jxl/flower/flower.png"
    for index in range(count):
        shutil.copy(flower, folder / f"flower{index:02d}.png")
    return folder


def _all_outputs_complete(out: Path) -> int:
    count = 0
    for path in out.glob("*.jxl"):
        attention_jxl.decode(path.read_bytes())  # raises on a truncated file
        count += 1
    return count


def _wait_for_first_output(out: Path, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while not list(out.glob("*.jxl")) and time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)


def test_killed_batch_leaves_no_partial_jxl(tmp_path: Path) -> None:
    folder, out = _many_inputs(tmp_path, 12), tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "attention_jxl", "encode", str(folder),
                                "-o", str(out), "-j", "2", "-e", "3"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for_first_output(out, process)
    time.sleep(0.3)
    process.kill()
    process.wait()
    assert 1 <= _all_outputs_complete(out) < 12


def test_ctrl_c_stops_cleanly(tmp_path: Path) -> None:
    folder, out = _many_inputs(tmp_path, 12), tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "attention_jxl", "encode", str(folder),
                                "-o", str(out), "-j", "2", "-e", "3"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for_first_output(out, process)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130
    assert "interrupted" in stderr and "Traceback" not in stderr
    finished = _all_outputs_complete(out)
    assert 1 <= finished < 12
    assert sorted(os.listdir(out)) == sorted(p.name for p in out.glob("*.jxl"))  # no temp files
    assert len(stdout.splitlines()) == finished  # every file written is reported


def test_inputs_with_the_same_output_name(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(MIXED["rgb8.png"], folder / "a.png")
    shutil.copy(MIXED["sub/photo.jpg"], folder / "a.jpg")
    result = run("encode", str(folder), "-o", str(tmp_path / "out"), "--json")
    assert result.returncode == 1
    records = records_of(result)
    assert records["a.jpg"]["status"] == "ok"  # sorted first
    assert records["a.png"]["status"] == "error"
    assert "a.jpg has the same output name" in records["a.png"]["error"]
    subprocess.run(["djxl", str(tmp_path / "out/a.jxl"), str(tmp_path / "back.jpg")],
                   check=True, capture_output=True)
    assert (tmp_path / "back.jpg").read_bytes() == (folder / "a.jpg").read_bytes()


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    import pty

    controller, terminal = pty.openpty()
    folder = _many_inputs(tmp_path, 3)
    process = subprocess.Popen([sys.executable, "-m", "attention_jxl", "encode", str(folder),
                                "-o", str(tmp_path / "out"), "-e", "1"],
                               stdout=subprocess.PIPE, stderr=terminal)
    os.close(terminal)
    stdout, _ = process.communicate(timeout=300)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    assert process.returncode == 0
    assert b"0/3" in shown and b"3/3" in shown and b"img/s" in shown and b"ETA" in shown
    assert stdout.count(b"\n") == 3 and b"\r" not in stdout  # the bar never mixes into stdout


def test_reorder_command(tmp_path: Path) -> None:
    folder = tmp_path / "jxl"
    (folder / "sub").mkdir(parents=True)
    pixels = np.random.default_rng(3).integers(0, 255, (700, 1100, 3), dtype=np.uint8)
    scanline = attention_jxl.encode(pixels, center=None, effort=1)
    (folder / "a.jxl").write_bytes(scanline)
    (folder / "sub" / "b.jxl").write_bytes(scanline)
    (folder / "notes.txt").write_text("not taken from a folder")
    (tmp_path / "broken.jxl").write_bytes(scanline[:1000])
    out = tmp_path / "out"
    result = run("reorder", str(folder), str(tmp_path / "broken.jxl"), "-o", str(out), "-r",
                 "--center", "1000,600", "--json")
    assert result.returncode == 1  # the broken file
    records = records_of(result)
    assert records["a.jxl"]["status"] == "ok"
    assert records["a.jxl"]["center"] == [1000, 600]
    assert "truncated" in records["broken.jxl"]["error"]
    for name in ["a.jxl", "sub/b.jxl"]:
        data = (out / name).read_bytes()
        assert data == attention_jxl.reorder(scanline, (1000, 600))
    assert not (out / "notes.txt").exists() and not (out / "broken.jxl").exists()
    # Predicted centers; an existing output is skipped, the input never replaced.
    again = run("reorder", str(folder / "a.jxl"), "-o", str(out), "--json")
    assert records_of(again)["a.jxl"]["status"] == "skipped"
    auto = run("reorder", str(folder / "a.jxl"), "-o", str(out), "--overwrite", "--json")
    record = records_of(auto)["a.jxl"]
    assert record["status"] == "ok"
    assert (out / "a.jxl").read_bytes() == attention_jxl.reorder(scanline, tuple(record["center"]))
    same = run("reorder", str(folder / "a.jxl"), "-o", str(folder), "--overwrite", "--json")
    assert "overwrite the input" in records_of(same)["a.jxl"]["error"]
    assert (folder / "a.jxl").read_bytes() == scanline
