"""The C++ example links the core without Python and writes what cjxl writes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import attention_jxl
from conftest import (
    PROJECT,
    TESTDATA,
    cjxl,
    load_like_published_script,
    without_litert_notice,
    write_pnm,
)


@pytest.fixture(scope="module")
def example_binary(tmp_path_factory) -> Path:
    build = tmp_path_factory.mktemp("build")
    subprocess.run(["cmake", "-S", str(PROJECT), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
                    f"-DPython_EXECUTABLE={sys.executable}"], check=True, capture_output=True)
    subprocess.run(["cmake", "--build", str(build), "--target", "center_first_encode", "-j2"],
                   check=True, capture_output=True)
    return build / "center_first_encode"


@pytest.fixture(scope="module")
def prepared_model_path() -> Path:
    """Native callers load prepared models: the one the Python API uses."""
    return attention_jxl.prepared_model()


def test_example_writes_what_cjxl_writes(example_binary, prepared_model_path,
                                         tmp_path: Path) -> None:
    pixels = load_like_published_script(TESTDATA / "jxl/flower/flower.png")[:700, :900]
    write_pnm(tmp_path / "in.ppm", pixels)
    result = subprocess.run(
        [str(example_binary), str(prepared_model_path), str(tmp_path / "in.ppm"),
         str(tmp_path / "out.jxl")],
        check=True, capture_output=True, text=True)
    x, y = (int(v) for v in result.stdout.splitlines()[0].split()[1:])
    assert (x, y) == attention_jxl.center(pixels)
    expected = cjxl(tmp_path / "in.ppm", tmp_path / "ref.jxl", "--group_order", "1",
                    "--center_x", str(x), "--center_y", str(y), "-d", "1", "-e", "7")
    assert (tmp_path / "out.jxl").read_bytes() == expected
    assert without_litert_notice(result.stderr) == ""


def test_example_reports_bad_input(example_binary, prepared_model_path, tmp_path: Path) -> None:
    result = subprocess.run([str(example_binary), str(prepared_model_path),
                             str(tmp_path / "missing.ppm"),
                             str(tmp_path / "o.jxl")], capture_output=True, text=True)
    assert result.returncode == 1 and "cannot open" in result.stderr
