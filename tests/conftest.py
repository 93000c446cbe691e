"""Shared fixtures: the model, the reference data and the cjxl/djxl peers."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared"
REFERENCE = SHARED / "reference"
TESTDATA = Path("/usr/share/libjxl-testdata")
# libjxl-testdata's JPEGs: chroma subsampling, gray, progressive, odd sampling,
# RGB, non-interleaved scans, Exif + XMP.
TESTDATA_JPEGS = [
    TESTDATA / "jxl/flower/flower.png.im_q85_420.jpg",
    TESTDATA / "jxl/flower/flower.png.im_q85_gray.jpg",
    TESTDATA / "jxl/flower/flower.png.im_q85_420_progr.jpg",
    TESTDATA / "jxl/flower/flower.png.im_q85_444_1x2.jpg",
    TESTDATA / "jxl/flower/flower.png.im_q85_rgb.jpg",
    TESTDATA / "jxl/flower/flower_small.q85_420_non_interleaved.jpg",
    TESTDATA / "jxl/jpeg_reconstruction/1x1_exif_xmp.jpg",
]

# Tests find the model via ATTENTION_JXL_MODEL or ../shared/models.
if not os.environ.get("ATTENTION_JXL_MODEL"):
    shared_model = SHARED / "models" / "center.tflite"
    if shared_model.is_file():
        os.environ["ATTENTION_JXL_MODEL"] = str(shared_model)


# LiteRT 2.x's TFLite logger prints this once per process when the first
# model loads; the C API has no switch for it (see the README).
LITERT_NOTICE = "INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n"


def without_litert_notice(stderr: str) -> str:
    """`stderr` without LiteRT's one start-up line (at most one is allowed)."""
    return stderr.replace(LITERT_NOTICE, "", 1)


@pytest.fixture(scope="session")
def model_path() -> Path:
    path = Path(os.environ.get("ATTENTION_JXL_MODEL", ""))
    if not path.is_file():
        pytest.fail("the model is needed: set ATTENTION_JXL_MODEL or provide ../shared/models")
    return path


@pytest.fixture(scope="session")
def sdk_prefix(tmp_path_factory, model_path: Path) -> Path:
    """The native SDK built with CMake and installed (`cmake --install`) into
    a fresh prefix; the build tree is deleted, so only the prefix is used."""
    root = tmp_path_factory.mktemp("sdk")
    build, prefix = root / "build", root / "prefix"
    steps = [
        ["cmake", "-S", str(PROJECT), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
         f"-DPython_EXECUTABLE={sys.executable}", f"-DATTENTION_JXL_MODEL_FILE={model_path}"],
        ["cmake", "--build", str(build), "-j", str(os.cpu_count() or 2)],
        ["cmake", "--install", str(build), "--prefix", str(prefix)],
    ]
    for step in steps:
        result = subprocess.run(step, capture_output=True, text=True)
        if result.returncode != 0:
            pytest.fail(f"{' '.join(step)} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    shutil.rmtree(build)
    return prefix


def native_environment(**extra: str) -> dict[str, str]:
    """The environment for installed native programs: nothing points at the
    source tree or a library folder, so they find everything by themselves."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("LD_LIBRARY_PATH", "ATTENTION_JXL_PREPARED_MODEL", "PKG_CONFIG_PATH")}
    env.update(extra)
    return env


@pytest.fixture
def pixel_limit():
    """Sets the process-wide pixel limit for one test, then restores it."""
    import attention_jxl

    before = attention_jxl.max_image_pixels()
    yield attention_jxl.set_max_image_pixels
    attention_jxl.set_max_image_pixels(before)


@pytest.fixture(scope="session")
def reference_centers() -> list[dict]:
    return json.loads((REFERENCE / "centers.json").read_text())


@pytest.fixture(scope="session")
def reference_inputs():
    return np.load(REFERENCE / "model_inputs.npz")


def reference_source(entry: dict) -> Path:
    source = entry["source"]
    return REFERENCE / entry["image"] if not source.startswith("/") else Path(source)


def load_like_published_script(path: Path) -> np.ndarray:
    """Pixels as google/attention-center's script reads them (before /255)."""
    from PIL import Image, ImageOps

    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image)
        array = np.asarray(image)
        if array.ndim == 2 or array.shape[2] == 4:
            array = np.asarray(image.convert("RGB"))
    return array


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is needed (Debian package libjxl-tools)")
    return path


def write_pnm(path: Path, image: np.ndarray) -> None:
    """Writes PGM/PPM (1 or 3 channels) or PAM (2 or 4 channels), 8 or 16 bit."""
    height, width = image.shape[:2]
    channels = 1 if image.ndim == 2 else image.shape[2]
    maxval = 255 if image.dtype == np.uint8 else 65535
    body = image.astype(">u2").tobytes() if image.dtype == np.uint16 else image.tobytes()
    if channels in (1, 3):
        header = f"P{5 if channels == 1 else 6}\n{width} {height}\n{maxval}\n"
    else:
        tupltype = "GRAYSCALE_ALPHA" if channels == 2 else "RGB_ALPHA"
        header = (f"P7\nWIDTH {width}\nHEIGHT {height}\nDEPTH {channels}\n"
                  f"MAXVAL {maxval}\nTUPLTYPE {tupltype}\nENDHDR\n")
    path.write_bytes(header.encode() + body)


def write_pfm(path: Path, image: np.ndarray) -> None:
    """Writes a little-endian PFM (gray or RGB float32); PFM rows go bottom-up."""
    height, width = image.shape[:2]
    kind = "Pf" if image.ndim == 2 else "PF"
    body = np.ascontiguousarray(image[::-1]).astype("<f4").tobytes()
    path.write_bytes(f"{kind}\n{width} {height}\n-1.0\n".encode() + body)


def read_pnm(path: Path) -> np.ndarray:
    """Reads what djxl writes: binary PGM/PPM or PAM, 8 or 16 bit."""
    data = path.read_bytes()
    if data.startswith(b"P7"):
        end = data.index(b"ENDHDR\n") + len(b"ENDHDR\n")
        fields = dict(line.split(" ", 1) for line in data[3:end].decode().splitlines()[:-1])
        width, height = int(fields["WIDTH"]), int(fields["HEIGHT"])
        channels, maxval = int(fields["DEPTH"]), int(fields["MAXVAL"])
    else:
        tokens, end = [], 2
        while len(tokens) < 3:
            while data[end : end + 1].isspace():
                end += 1
            if data[end : end + 1] == b"#":
                end = data.index(b"\n", end)
                continue
            start = end
            while not data[end : end + 1].isspace():
                end += 1
            tokens.append(int(data[start:end]))
        end += 1
        width, height, maxval = tokens
        channels = 1 if data.startswith(b"P5") else 3
    dtype = np.uint8 if maxval < 256 else np.dtype(">u2")
    pixels = np.frombuffer(data, dtype=dtype, offset=end, count=width * height * channels)
    shape = (height, width) if channels == 1 else (height, width, channels)
    return pixels.reshape(shape).astype(np.uint8 if maxval < 256 else np.uint16)


def cjxl(source: Path, output: Path, *flags: str) -> bytes:
    subprocess.run([require_tool("cjxl"), *flags, str(source), str(output)],
                   check=True, capture_output=True)
    return output.read_bytes()


def djxl(source: Path, output: Path) -> np.ndarray:
    subprocess.run([require_tool("djxl"), str(source), str(output)],
                   check=True, capture_output=True)
    return read_pnm(output)


# --- group orders ------------------------------------------------------------
def row_major(width: int, height: int, dim: int = 256) -> list[tuple[int, int]]:
    return [(x, y) for y in range(0, height, dim) for x in range(0, width, dim)]


def center_first(width: int, height: int, cx: int, cy: int,
                 dim: int = 256) -> list[tuple[int, int]]:
    """libjxl's center-first group order for a center at (cx, cy) (v0.7 enc_frame.cc).

    Groups sorted by the Chebyshev distance of their centers from the center
    of the group that holds the attention center (concentric squares), then
    clockwise by angle, starting on the side of that group the center lies
    closest to.
    """
    ccx = (cx // dim) * dim + dim // 2
    ccy = (cy // dim) * dim + dim // 2
    direction = -math.atan2(cy - ccy, cx - ccx)
    side = int(math.fmod(direction + 5 * math.pi / 4, 2 * math.pi) * 2 / math.pi)

    def key(origin: tuple[int, int]) -> tuple[int, float]:
        dx, dy = origin[0] + dim // 2 - ccx, origin[1] + dim // 2 - ccy
        angle = math.remainder(math.atan2(dy, dx) + math.pi / 4 + side * math.pi / 2,
                               2 * math.pi)
        return max(abs(dx), abs(dy)), angle

    return sorted(row_major(width, height, dim), key=key)



# --- libjxl versions --------------------------------------------------------
# Tests that describe libjxl 0.7's behaviour fail on later versions for these
# reasons; they are expected failures there (strict: one that passes is
# reported, so the list stays exact).
_CJXL_07 = ("describes libjxl 0.7: encode() configures libjxl as cjxl 0.7 does for PNM input, "
            "and cjxl 0.10+ sets its encoder up differently, so the bytes differ")
_CJXL_CHUNKED = ("describes cjxl 0.7: cjxl 0.10+'s chunked encoder ignores --group_order 1 on "
                 "photos over 2048 pixels (libjxl#4328); reorder() fixes such files "
                 "(tests/test_reorder.py)")
_NOT_ON_LATER_LIBJXL = {
    **{f"tests/test_group_order.py::test_cjxl_files[flags{n}]": _CJXL_CHUNKED for n in range(4)},
    **{f"tests/test_encode.py::test_same_codestream_and_pixels_as_cjxl[{case}]": _CJXL_07
       for case in ["d1e7-uint8-1", "d1e7-uint8-2", "d1e7-uint8-3", "d1e7-uint8-4",
                    "d1e7-uint16-1", "d1e7-uint16-3", "lossless-e3-uint8-1",
                    "lossless-e3-uint8-2", "lossless-e3-uint8-3", "lossless-e3-uint8-4",
                    "lossless-e3-uint16-1", "lossless-e3-uint16-3", "d2.5e5-scanline-uint8-1",
                    "d2.5e5-scanline-uint8-2", "d2.5e5-scanline-uint8-3",
                    "d2.5e5-scanline-uint8-4", "d2.5e5-scanline-uint16-1",
                    "d2.5e5-scanline-uint16-3"]},
    "tests/test_encode.py::test_float_matches_cjxl_on_pfm[1]": _CJXL_07,
    "tests/test_encode.py::test_float_matches_cjxl_on_pfm[3]": _CJXL_07,
    "tests/test_encode.py::test_frame_settings_match_cjxl_flags": _CJXL_07,
    "tests/test_encode.py::test_auto_center_equals_cjxl_with_predicted_center": _CJXL_07,
    "tests/test_encode.py::test_progressive_dc_with_a_center_outside_the_dc_frame": _CJXL_07,
    "tests/test_sdk.py::test_cpp_program_writes_what_cjxl_writes": _CJXL_07,
}


def pytest_collection_modifyitems(config, items) -> None:
    import attention_jxl

    if attention_jxl.libjxl_version()[:2] == (0, 7):
        return
    for item in items:
        reason = _NOT_ON_LATER_LIBJXL.get(item.nodeid)
        if reason is not None:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))


def pytest_report_header(config) -> str:
    import attention_jxl

    return "libjxl " + ".".join(map(str, attention_jxl.libjxl_version()))
