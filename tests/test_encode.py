"""encode/decode against the real cjxl and djxl (Debian libjxl-tools)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import attention_jxl
from conftest import TESTDATA, cjxl, djxl, load_like_published_script, write_pfm, write_pnm

PHOTO = TESTDATA / "external/wesaturate/500px/u76c0g_bliznaca_srgb8.png"
PNM_SUFFIX = {1: ".pgm", 2: ".pam", 3: ".ppm", 4: ".pam"}


def photo(dtype=np.uint8, channels=3, size=(300, 417)) -> np.ndarray:
    """A real photo crop (odd width on purpose) in the requested layout."""
    rgb = load_like_published_script(PHOTO)[: size[0], : size[1]]
    gray = rgb.mean(axis=2).astype(np.uint8)
    alpha = (np.arange(size[1])[None, :] * 0.6 % 256).astype(np.uint8).repeat(size[0], 0)
    planes = {1: [gray], 2: [gray, alpha], 3: [rgb], 4: [rgb, alpha]}[channels]
    image = np.dstack(planes) if channels > 1 else gray
    if dtype == np.uint16:
        noise = np.random.default_rng(7).integers(0, 256, image.shape)
        return (image.astype(np.uint16) * 257 + noise).astype(np.uint16)
    if dtype == np.float32:
        return image.astype(np.float32) / 255
    return image


def channels_of(image: np.ndarray) -> int:
    return 1 if image.ndim == 2 else image.shape[2]


LAYOUTS = [(dtype, channels) for dtype in (np.uint8, np.uint16) for channels in (1, 2, 3, 4)]
SETTINGS = [
    dict(distance=1.0, effort=7, center=(100, 50)),
    dict(distance=0.0, effort=3, center=(400, 290)),
    dict(distance=2.5, effort=5, center=None),
]


def cjxl_flags(distance: float, effort: int, center) -> list[str]:
    flags = ["-d", str(distance), "-e", str(effort)]
    if center is not None:
        flags = ["--group_order", "1", "--center_x", str(center[0]),
                 "--center_y", str(center[1]), *flags]
    return flags


@pytest.mark.parametrize("dtype,channels", LAYOUTS)
@pytest.mark.parametrize("settings", SETTINGS, ids=["d1e7", "lossless-e3", "d2.5e5-scanline"])
def test_same_codestream_and_pixels_as_cjxl(tmp_path: Path, dtype, channels, settings) -> None:
    image = photo(dtype, channels)
    source = tmp_path / f"in{PNM_SUFFIX[channels]}"
    write_pnm(source, image)
    reference = cjxl(source, tmp_path / "ref.jxl", *cjxl_flags(**settings))
    ours = attention_jxl.encode(image, threads=2, **settings)
    (tmp_path / "ours.jxl").write_bytes(ours)
    decoded_ours = djxl(tmp_path / "ours.jxl", tmp_path / f"ours{PNM_SUFFIX[channels]}")
    if dtype == np.uint16 and channels in (2, 4):
        # cjxl 0.7 declares a 16-bit alpha channel as 8-bit (and djxl 0.7 then
        # cannot write its output as PAM); we keep 16 bits. The color must
        # still match cjxl's file exactly, the alpha must match the input.
        decoded_ref = attention_jxl.decode(reference)
        np.testing.assert_array_equal(decoded_ours[..., :-1], decoded_ref[..., :-1])
        if settings["distance"] == 0:
            np.testing.assert_array_equal(decoded_ours, image)
        return
    decoded_ref = djxl(tmp_path / "ref.jxl", tmp_path / f"ref{PNM_SUFFIX[channels]}")
    assert ours == reference
    np.testing.assert_array_equal(decoded_ours, decoded_ref)
    assert abs(len(ours) - len(reference)) <= 0.005 * len(reference)


@pytest.mark.parametrize("channels", [1, 3])
def test_float_matches_cjxl_on_pfm(tmp_path: Path, channels) -> None:
    image = photo(np.float32, channels)
    write_pfm(tmp_path / "in.pfm", image)
    reference = cjxl(tmp_path / "in.pfm", tmp_path / "ref.jxl", *cjxl_flags(1.0, 7, (10, 20)))
    assert attention_jxl.encode(image, center=(10, 20)) == reference


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
@pytest.mark.parametrize("channels", [1, 2, 3, 4])
def test_lossless_round_trip_is_exact(dtype, channels) -> None:
    image = photo(dtype, channels, size=(123, 301))
    if dtype == np.float32:
        image = image + np.float32(1e-4) * (np.arange(image.size).reshape(image.shape) % 7)
        image = image.astype(np.float32)
    decoded = attention_jxl.decode(attention_jxl.encode(image, lossless=True, center=(5, 5)))
    assert decoded.dtype == image.dtype
    assert decoded.shape == image.shape
    np.testing.assert_array_equal(decoded, image)


def test_decode_equals_djxl(tmp_path: Path) -> None:
    image = photo(np.uint8, 4)
    data = attention_jxl.encode(image, distance=1.5, center=(200, 100))
    (tmp_path / "a.jxl").write_bytes(data)
    expected = djxl(tmp_path / "a.jxl", tmp_path / "a.pam")
    np.testing.assert_array_equal(attention_jxl.decode(data), expected)


def test_decode_accepts_bytes_like() -> None:
    data = attention_jxl.encode(photo(), center=None, effort=1)
    expected = attention_jxl.decode(data)
    for form in (bytearray(data), memoryview(data)):
        np.testing.assert_array_equal(attention_jxl.decode(form), expected)


def test_frame_settings_match_cjxl_flags(tmp_path: Path) -> None:
    image = photo()
    write_pnm(tmp_path / "in.ppm", image)
    # With progressive DC, libjxl's own center-first order misplaces the DC
    # frame's groups: encode() writes scanline order and reorders both frames.
    reference = cjxl(tmp_path / "in.ppm", tmp_path / "ref.jxl",
                     "--progressive_dc", "1", "--faster_decoding", "2", "--epf", "1",
                     *cjxl_flags(1.0, 7, None))
    ours = attention_jxl.encode(image, center=(33, 30), progressive_dc=1, faster_decoding=2, epf=1)
    assert ours == attention_jxl.reorder(reference, (33, 30))
    assert ours != attention_jxl.encode(image, center=(33, 30))


def test_auto_center_equals_cjxl_with_predicted_center(tmp_path: Path) -> None:
    image = photo()
    x, y = attention_jxl.center(image)
    write_pnm(tmp_path / "in.ppm", image)
    reference = cjxl(tmp_path / "in.ppm", tmp_path / "ref.jxl", *cjxl_flags(1.0, 7, (x, y)))
    assert attention_jxl.encode(image) == reference


def test_center_first_changes_only_group_order() -> None:
    image = photo(size=(300, 500))
    near_corner = attention_jxl.encode(image, center=(10, 10))
    far_corner = attention_jxl.encode(image, center=(499, 299))
    assert near_corner != far_corner
    decoded = attention_jxl.decode(near_corner)
    np.testing.assert_array_equal(decoded, attention_jxl.decode(far_corner))


def test_non_contiguous_and_pil_inputs_encode_like_contiguous() -> None:
    from PIL import Image

    big = photo(size=(300, 417))
    expected = attention_jxl.encode(np.ascontiguousarray(big[10:200, 20:300]), center=(5, 5))
    assert attention_jxl.encode(big[10:200, 20:300], center=(5, 5)) == expected  # row padding
    fortran = np.asfortranarray(big[10:200, 20:300])
    assert attention_jxl.encode(fortran, center=(5, 5)) == expected
    assert attention_jxl.encode(Image.fromarray(big[10:200, 20:300]), center=(5, 5)) == expected
    flipped = np.ascontiguousarray(big[::-1])[::-1]
    assert attention_jxl.encode(flipped[10:200, 20:300], center=(5, 5)) == expected
    every_other = np.ascontiguousarray(big[:, ::2])
    assert attention_jxl.encode(big[:, ::2], center=(5, 5)) == attention_jxl.encode(
        every_other, center=(5, 5))


def test_threads_do_not_change_the_codestream() -> None:
    image = photo()
    assert attention_jxl.encode(image, center=(1, 1), threads=1) == attention_jxl.encode(
        image, center=(1, 1), threads=0)


def test_progressive_dc_with_a_center_outside_the_dc_frame(tmp_path: Path) -> None:
    """libjxl 0.7 aborts the process when its center lies outside a progressive DC frame.

    It turns DC frames on by itself at distance >= 4.5, and progressive_dc=1
    asks for them. encode() leaves the order to reorder() there, so both work
    and give cjxl's scanline file reordered. Run in a child: a regression
    would kill the interpreter.
    """
    import subprocess
    import sys

    image = photo(size=(300, 417))
    np.save(tmp_path / "image.npy", image)
    script = (
        "import sys, numpy as np, attention_jxl as a\n"
        "image = np.load(sys.argv[1])\n"
        "open(sys.argv[2], 'wb').write(a.encode(image, center=(400, 290), distance=5))\n"
        "a.encode(image, center=(400, 290), progressive_dc=1)\n"
        "print('explicit ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path / "image.npy"),
                             str(tmp_path / "ours.jxl")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "explicit ok" in result.stdout
    write_pnm(tmp_path / "in.ppm", image)
    reference = cjxl(tmp_path / "in.ppm", tmp_path / "ref.jxl", *cjxl_flags(5.0, 7, None))
    assert (tmp_path / "ours.jxl").read_bytes() == attention_jxl.reorder(reference, (400, 290))
