"""Binary PGM/PPM/PAM read by the core, as the Python and native CLIs read them."""

from __future__ import annotations

import numpy as np
import pytest

import attention_jxl
from attention_jxl._files import read_image
from attention_jxl._pnm import pnm_read


def test_pgm_ppm_and_pam_give_the_stored_samples() -> None:
    rng = np.random.default_rng(4)
    rgb = rng.integers(0, 256, (5, 7, 3), dtype=np.uint8)
    assert np.array_equal(pnm_read(b"P6\n# made here\n7 5\n255\n" + rgb.tobytes()), rgb)
    gray16 = rng.integers(0, 65536, (5, 7), dtype=np.uint16)
    decoded = pnm_read(b"P5 7 5 65535\n" + gray16.astype(">u2").tobytes())
    assert decoded.dtype == np.uint16 and np.array_equal(decoded, gray16)
    rgba = rng.integers(0, 256, (5, 7, 4), dtype=np.uint8)
    pam = (b"P7\nWIDTH 7\nHEIGHT 5\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\nENDHDR\n"
           + rgba.tobytes())
    assert np.array_equal(pnm_read(pam), rgba)
    assert np.array_equal(read_image(pam).pixels, rgba)  # Pillow reads no PAM


def test_other_maxvals_are_scaled_to_the_full_range() -> None:
    assert pnm_read(b"P5 3 1 15\n" + bytes([0, 7, 15])).tolist() == [[0, 119, 255]]
    ten_bit = np.array([0, 512, 1023], dtype=">u2").tobytes()
    assert pnm_read(b"P5 3 1 1023\n" + ten_bit).tolist() == [[0, 32800, 65535]]


@pytest.mark.parametrize("data, message", [
    (b"P6\n7 5\n255\n" + b"\0" * 10, "truncated pixel data"),
    (b"P6\n7", "missing height"),
    (b"P3\n1 1\n255\n0 0 0\n", "ASCII and bitmap"),
    (b"P7\nWIDTH 1\nHEIGHT 1\nDEPTH 5\nMAXVAL 255\nENDHDR\n" + b"\0" * 5, "DEPTH must be 1..4"),
    (b"P7\nWIDTH 1\nHEIGHT 1\n", "no ENDHDR"),
    (b"P5 1 1 0\n\0", "maxval must be 1..65535"),
    (b"P5 1 1 15\n\x10", "larger than maxval"),
    (b"P5 0 1 255\n", "empty"),
])
def test_bad_files_are_value_errors_that_say_why(data: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        pnm_read(data)


def test_the_pixel_limit_is_checked_before_the_pixels(pixel_limit) -> None:
    pixel_limit(1000)
    with pytest.raises(attention_jxl.ImageTooLargeError, match="PNM image"):
        pnm_read(b"P5 100000 100000 255\n")  # 10 gigapixels declared, none present
