"""attention-jxl-native, installed and run with its build tree deleted, writes
and prints what `attention-jxl` writes and prints for the same inputs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import TESTDATA, native_environment, without_litert_notice

FLOWER = TESTDATA / "jxl/flower/flower.png"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    """PNG, JPEG, PPM, PAM (RGBA) and 16-bit PGM inputs in one folder."""
    from PIL import Image

    folder = tmp_path_factory.mktemp("inputs")
    flower = Image.open(FLOWER).convert("RGB").crop((0, 0, 700, 500))
    flower.save(folder / "flower.png")
    flower.save(folder / "photo.jpg", quality=90)
    pixels = np.asarray(flower)
    (folder / "rgb.ppm").write_bytes(b"P6\n# comment\n700 500\n255\n" + pixels.tobytes())
    alpha = np.dstack([pixels, np.linspace(0, 255, 700, dtype=np.uint8)[None].repeat(500, 0)])
    (folder / "alpha.pam").write_bytes(
        b"P7\nWIDTH 700\nHEIGHT 500\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\nENDHDR\n"
        + alpha.tobytes())
    gray16 = (pixels[..., 1].astype(np.uint16) * 257).astype(">u2")
    (folder / "gray16.pgm").write_bytes(b"P5 700 500 65535\n" + gray16.tobytes())
    return folder


def native(prefix: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(prefix / "bin/attention-jxl-native"), *args], capture_output=True,
                          text=True, env=native_environment())


def python_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "attention_jxl", *args], capture_output=True,
                          text=True)


def records(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def same_records(ours: list[dict], theirs: list[dict]) -> None:
    """Records agree in everything but the time taken, the output folder and
    the order (the Python CLI reports files as its processes finish them)."""
    def comparable(records: list[dict]) -> list[dict]:
        return sorted(({key: (Path(value).name if key == "output" and value else value)
                        for key, value in record.items() if key != "seconds"}
                       for record in records), key=lambda record: record["input"])
    assert comparable(ours) == comparable(theirs)


def test_the_build_tree_is_gone_and_the_tool_runs(sdk_prefix: Path) -> None:
    assert not (sdk_prefix.parent / "build").exists()
    result = native(sdk_prefix, "--version")
    assert result.returncode == 0 and result.stdout.startswith("attention-jxl-native 0.")


@pytest.mark.parametrize("flags", [[], ["-d", "2.5", "-e", "5"], ["--lossless", "-e", "2"],
                                   ["--center", "100,50"], ["--no-center"]],
                         ids=["defaults", "d2.5e5", "lossless", "center", "no-center"])
def test_encode_writes_the_python_cli_files(sdk_prefix, inputs, tmp_path, flags) -> None:
    ours = native(sdk_prefix, "encode", str(inputs), "-o", str(tmp_path / "native"), "--json",
                  *flags)
    theirs = python_cli("encode", str(inputs), "-o", str(tmp_path / "python"), "--json", *flags)
    assert ours.returncode == theirs.returncode == 0, ours.stderr + theirs.stderr
    same_records(records(ours.stdout), records(theirs.stdout))
    written = sorted(p.name for p in (tmp_path / "python").iterdir())
    assert written == ["alpha.jxl", "flower.jxl", "gray16.jxl", "photo.jxl", "rgb.jxl"]
    for name in written:
        native_file, python_file = tmp_path / "native" / name, tmp_path / "python" / name
        assert native_file.read_bytes() == python_file.read_bytes()


def test_center_prints_what_the_python_cli_prints(sdk_prefix, inputs) -> None:
    files = [str(inputs / name) for name in
             ["flower.png", "photo.jpg", "rgb.ppm", "alpha.pam", "gray16.pgm"]]
    ours, theirs = native(sdk_prefix, "center", *files), python_cli("center", *files)
    assert ours.returncode == theirs.returncode == 0
    assert ours.stdout == theirs.stdout
    assert without_litert_notice(ours.stderr) == ""
    ours, theirs = (native(sdk_prefix, "center", "--json", *files),
                    python_cli("center", "--json", *files))
    assert records(ours.stdout) == records(theirs.stdout)


@pytest.mark.parametrize("center", [None, "300,10"], ids=["predicted", "given"])
def test_reorder_writes_the_python_cli_files(sdk_prefix, inputs, tmp_path, center) -> None:
    source = tmp_path / "scanline"
    source.mkdir()
    subprocess.run(["cjxl", str(FLOWER), str(source / "flower.jxl"), "-e", "3"], check=True,
                   capture_output=True)
    flags = ["--center", center] if center else []
    ours = native(sdk_prefix, "reorder", str(source), "-o", str(tmp_path / "n"), "--json", *flags)
    theirs = python_cli("reorder", str(source), "-o", str(tmp_path / "p"), "--json", *flags)
    assert ours.returncode == theirs.returncode == 0, ours.stderr + theirs.stderr
    same_records(records(ours.stdout), records(theirs.stdout))
    assert (tmp_path / "n/flower.jxl").read_bytes() == (tmp_path / "p/flower.jxl").read_bytes()


def test_bad_files_are_error_records_and_existing_outputs_are_kept(sdk_prefix, inputs,
                                                                   tmp_path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "kept.jxl").write_bytes(b"earlier output")
    (tmp_path / "kept.png").write_bytes((inputs / "flower.png").read_bytes())
    (tmp_path / "broken.png").write_bytes((inputs / "flower.png").read_bytes()[:500])
    (tmp_path / "text.ppm").write_bytes(b"P3\n1 1\n255\n0 0 0\n")
    result = native(sdk_prefix, "encode", str(tmp_path / "kept.png"), str(tmp_path / "broken.png"),
                    str(tmp_path / "text.ppm"), str(tmp_path / "missing.png"), "-o", str(out),
                    "--json")
    assert result.returncode == 1
    by_name = {Path(r["input"]).name: r for r in records(result.stdout)}
    assert by_name["kept.png"]["status"] == "skipped"
    assert (out / "kept.jxl").read_bytes() == b"earlier output"
    assert by_name["broken.png"]["status"] == "error"
    assert "ASCII" in by_name["text.ppm"]["error"]
    assert "cannot open" in by_name["missing.png"]["error"]
    assert sorted(p.name for p in out.iterdir()) == ["kept.jxl"]  # no partial or temporary files


def test_usage_errors_exit_2(sdk_prefix) -> None:
    for args in (["encode", "x.png"], ["bogus"], ["center"], ["encode", "x", "-o", "o", "-e"],
                 ["encode", "x", "-o", "o", "--center", "1;2"],
                 ["encode", "x", "-o", "o", "--center", "1,2", "--no-center"]):
        result = native(sdk_prefix, *args)
        assert result.returncode == 2, args
        assert "usage:" in result.stderr and "attention-jxl-native: " in result.stderr


def test_a_missing_model_is_a_clear_error(sdk_prefix, tmp_path) -> None:
    result = native(sdk_prefix, "center", str(FLOWER), "--model", str(tmp_path / "none.tflite"))
    assert result.returncode == 1
    assert "not found" in result.stderr and "none.tflite" in result.stderr
