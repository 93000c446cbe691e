"""The native SDK from an installed prefix: layout, exports, and C, C++ and
Rust programs that link it and write what the Python API writes."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import attention_jxl
from conftest import (
    PROJECT,
    TESTDATA,
    cjxl,
    load_like_published_script,
    native_environment,
    without_litert_notice,
    write_pnm,
)

WIDTH, HEIGHT = 800, 600


@pytest.fixture(scope="module")
def pixels() -> np.ndarray:
    image = load_like_published_script(TESTDATA / "jxl/flower/flower.png")
    return np.ascontiguousarray(image[:HEIGHT, :WIDTH])


@pytest.fixture(scope="module")
def raw_pixels(pixels, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("raw") / "flower.rgb"
    pixels.tofile(path)
    return path


@pytest.fixture(scope="module")
def expected(pixels) -> bytes:
    """What the Python API writes for the same pixels and settings."""
    return attention_jxl.encode(pixels, center="auto")


def pkg_config(prefix: Path, *flags: str) -> list[str]:
    result = subprocess.run(["pkg-config", *flags, "attention_jxl"], capture_output=True,
                            text=True, check=True,
                            env=native_environment(PKG_CONFIG_PATH=str(prefix / "lib/pkgconfig")))
    return result.stdout.split()


def run_native(command: list[str], **extra_env: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True,
                          env=native_environment(**extra_env))


def compile_c(prefix: Path, source: Path, output: Path) -> Path:
    subprocess.run(["cc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2",
                    str(source), *pkg_config(prefix, "--cflags", "--libs"), "-o", str(output)],
                   check=True, capture_output=True)
    return output


def test_prefix_holds_headers_library_model_and_package_files(sdk_prefix: Path) -> None:
    lib = sdk_prefix / "lib"
    for relative in ["include/attention_jxl/attention_jxl.h",
                     "include/attention_jxl/attention_jxl.hpp",
                     "include/attention_jxl/version.h",
                     "lib/libLiteRt.so",
                     "lib/cmake/attention_jxl/attention_jxlConfig.cmake",
                     "lib/cmake/attention_jxl/attention_jxlConfigVersion.cmake",
                     "lib/pkgconfig/attention_jxl.pc",
                     "bin/attention-jxl-native"]:
        assert (sdk_prefix / relative).is_file(), relative
    assert list((sdk_prefix / "share/attention_jxl").glob("center-fast-*.tflite"))
    version = attention_jxl.__version__
    major_minor = ".".join(version.split(".")[:2])
    assert (lib / f"libattention_jxl.so.{version}").is_file()
    assert (lib / "libattention_jxl.so").resolve() == (lib / f"libattention_jxl.so.{version}")
    soname = subprocess.run(["readelf", "-d", str(lib / "libattention_jxl.so")],
                            capture_output=True, text=True, check=True).stdout
    assert f"[libattention_jxl.so.{major_minor}]" in soname
    assert "[$ORIGIN]" in soname  # finds libLiteRt.so beside it
    assert not (sdk_prefix / "include/attention_jxl/version.h.in").exists()
    assert pkg_config(sdk_prefix, "--modversion") == [version]


def test_only_the_c_abi_and_the_cpp_api_are_exported(sdk_prefix: Path) -> None:
    symbols = subprocess.run(
        f"nm -D --defined-only {sdk_prefix / 'lib/libattention_jxl.so'} | c++filt",
        shell=True, capture_output=True, text=True, check=True).stdout.splitlines()
    names = [line.split(" ", 2)[2] for line in symbols]
    node = f"ATTENTION_JXL_{'.'.join(attention_jxl.__version__.split('.')[:2])}"
    public = ("ajxl_", "attention_jxl::", "typeinfo for attention_jxl::",
              "typeinfo name for attention_jxl::", "vtable for attention_jxl::")
    stray = [name for name in names if name != node and not name.startswith(public)]
    assert stray == []
    assert all(name.endswith(f"@@{node}") for name in names if name != node)
    exported = {name.split("@")[0] for name in names}
    header = (sdk_prefix / "include/attention_jxl/attention_jxl.h").read_text()
    for function in ["ajxl_encode", "ajxl_decode", "ajxl_reorder", "ajxl_group_order",
                     "ajxl_transcode_jpeg", "ajxl_saliency", "ajxl_crop_box", "ajxl_center",
                     "ajxl_set_max_image_pixels", "ajxl_version"]:
        assert function in exported and f" {function}(" in header
    # Internal code (the codestream library, exif, resize kernels) stays hidden.
    assert not any("codestream" in name or "read_exif" in name for name in names)


def test_c_program_built_with_pkg_config_writes_what_python_writes(
        sdk_prefix, raw_pixels, expected, tmp_path: Path) -> None:
    program = compile_c(sdk_prefix, PROJECT / "examples/c/encode_center_first.c",
                        tmp_path / "encode_center_first")
    result = run_native([str(program), str(raw_pixels), str(WIDTH), str(HEIGHT),
                         str(tmp_path / "out.jxl")])
    assert result.returncode == 0, result.stderr
    assert without_litert_notice(result.stderr) == ""
    assert (tmp_path / "out.jxl").read_bytes() == expected


def test_cpp_program_built_with_find_package_writes_what_python_writes(
        sdk_prefix, pixels, expected, tmp_path: Path) -> None:
    build = tmp_path / "build"
    for step in (["cmake", "-S", str(PROJECT / "examples/cpp"), "-B", str(build),
                  f"-DCMAKE_PREFIX_PATH={sdk_prefix}"],
                 ["cmake", "--build", str(build)]):
        subprocess.run(step, check=True, capture_output=True, env=native_environment())
    write_pnm(tmp_path / "in.ppm", pixels)
    result = run_native([str(build / "center_first_encode"), str(tmp_path / "in.ppm"),
                         str(tmp_path / "out.jxl")])
    assert result.returncode == 0, result.stderr
    x, y = (int(v) for v in result.stdout.splitlines()[0].split()[1:])
    assert (x, y) == attention_jxl.center(pixels)
    assert (tmp_path / "out.jxl").read_bytes() == expected
    # The library's C++ exceptions cross the shared library's boundary.
    (tmp_path / "bad.ppm").write_bytes(b"P6\n800 600\n255\n" + b"\0" * 10)
    result = run_native([str(build / "center_first_encode"), str(tmp_path / "bad.ppm"),
                         str(tmp_path / "bad.jxl")])
    assert result.returncode == 1 and "truncated pixel data" in result.stderr


def test_cpp_program_writes_what_cjxl_writes(pixels, expected, tmp_path: Path) -> None:
    """The bytes the SDK programs write are cjxl 0.7's."""
    write_pnm(tmp_path / "in.ppm", pixels)
    x, y = attention_jxl.center(pixels)
    assert cjxl(tmp_path / "in.ppm", tmp_path / "ref.jxl", "--group_order", "1",
                "--center_x", str(x), "--center_y", str(y), "-d", "1", "-e", "7") == expected


def test_rust_program_through_extern_c_writes_what_python_writes(
        sdk_prefix, raw_pixels, expected, tmp_path: Path) -> None:
    rustc = shutil.which("rustc") or str(Path.home() / ".cargo/bin/rustc")
    if not Path(rustc).is_file():
        pytest.skip("rustc is not installed")
    lib = sdk_prefix / "lib"
    subprocess.run([rustc, "-O", "--edition", "2021",
                    str(PROJECT / "examples/rust/encode_center_first.rs"),
                    "-L", str(lib), "-l", "attention_jxl", "-C", f"link-arg=-Wl,-rpath,{lib}",
                    "-o", str(tmp_path / "encode_center_first")],
                   check=True, capture_output=True)
    result = run_native([str(tmp_path / "encode_center_first"), str(raw_pixels), str(WIDTH),
                         str(HEIGHT), str(tmp_path / "out.jxl")])
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out.jxl").read_bytes() == expected


def test_c_abi_answers_bad_input_with_statuses(sdk_prefix, tmp_path: Path) -> None:
    program = compile_c(sdk_prefix, PROJECT / "tests/native/capi_errors.c", tmp_path / "errors")
    result = run_native([str(program)])
    assert result.returncode == 0, result.stderr
    assert result.stdout == "all checks passed\n"


def test_one_model_serves_many_threads(sdk_prefix, tmp_path: Path) -> None:
    program = tmp_path / "threads"
    subprocess.run(["cc", "-std=c99", "-O2", "-pthread",
                    str(PROJECT / "tests/native/capi_threads.c"),
                    *pkg_config(sdk_prefix, "--cflags", "--libs"), "-o", str(program)],
                   check=True, capture_output=True)
    result = run_native([str(program)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "96 calls, 0 mismatches\n"


def test_model_lookup_follows_the_environment_and_a_moved_prefix(
        sdk_prefix, raw_pixels, expected, tmp_path: Path) -> None:
    program = compile_c(sdk_prefix, PROJECT / "examples/c/encode_center_first.c",
                        tmp_path / "encode")
    arguments = [str(raw_pixels), str(WIDTH), str(HEIGHT), str(tmp_path / "out.jxl")]
    missing = tmp_path / "missing.tflite"
    result = run_native([str(program), *arguments], ATTENTION_JXL_PREPARED_MODEL=str(missing))
    assert result.returncode == 1
    assert "AJXL_NOT_FOUND" in result.stderr and str(missing) in result.stderr
    exact = next((sdk_prefix / "share/attention_jxl").glob("center-exact-*.tflite"))
    result = run_native([str(program), *arguments], ATTENTION_JXL_PREPARED_MODEL=str(exact))
    assert result.returncode == 0, result.stderr

    # A copy of the prefix elsewhere finds its own library and model.
    moved = tmp_path / "moved"
    shutil.copytree(sdk_prefix, moved, symlinks=True)
    result = run_native([str(moved / "bin/attention-jxl-native"), "center",
                         str(TESTDATA / "jxl/flower/flower.png")])
    assert result.returncode == 0, result.stderr
    shutil.rmtree(moved / "share")
    result = run_native([str(moved / "bin/attention-jxl-native"), "center",
                         str(TESTDATA / "jxl/flower/flower.png")])
    assert result.returncode == 1
    assert "no prepared model" in result.stderr and "ATTENTION_JXL_PREPARED_MODEL" in result.stderr


def test_ctypes_calls_the_installed_library(sdk_prefix, tmp_path: Path) -> None:
    library = ctypes.CDLL(str(sdk_prefix / "lib/libattention_jxl.so"))
    library.ajxl_version.restype = ctypes.c_char_p
    assert library.ajxl_version().decode() == attention_jxl.__version__
    data = cjxl(TESTDATA / "jxl/flower/flower.png", tmp_path / "f.jxl", "-e", "3")
    library.ajxl_reorder_scanline.argtypes = [
        ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(ctypes.POINTER(ctypes.c_uint8)),
        ctypes.POINTER(ctypes.c_size_t)]
    out, size = ctypes.POINTER(ctypes.c_uint8)(), ctypes.c_size_t()
    assert library.ajxl_reorder_scanline(data, len(data), ctypes.byref(out),
                                         ctypes.byref(size)) == 0
    assert ctypes.string_at(out, size.value) == attention_jxl.reorder(data, None)
    library.ajxl_free(out)
    assert library.ajxl_reorder_scanline(data[:40], 40, ctypes.byref(out),
                                         ctypes.byref(size)) == 4  # AJXL_CORRUPT_DATA
    library.ajxl_last_error_message.restype = ctypes.c_char_p
    assert b"truncated" in library.ajxl_last_error_message()
