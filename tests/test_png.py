"""PNG decoding in the core: samples as stored (16-bit kept), alpha, ICC, eXIf."""

from __future__ import annotations

import io
import random
import struct
import threading
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import attention_jxl
from attention_jxl._png import png_decode, png_read
from conftest import TESTDATA

SIGNATURE = b"\x89PNG\r\n\x1a\n"
TESTDATA_PNGS = sorted(
    path for path in TESTDATA.rglob("*.png") if path.read_bytes()[:8] == SIGNATURE
)
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
         (0, 1, 1, 2)]  # (x0, y0, dx, dy) of each pass


def ids(paths: list[Path]) -> list[str]:
    return [str(path.relative_to(TESTDATA)) for path in paths]


def ihdr(data: bytes) -> tuple[int, int, int, int, int]:
    """(width, height, bit depth, color type, interlace) of a PNG file."""
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", data[16:29])
    return width, height, depth, color, interlace


def chunks(data: bytes) -> list[tuple[bytes, bytes, int]]:
    """(type, data, offset of the chunk) for every chunk of a PNG file."""
    found, offset = [], 8
    while offset + 12 <= len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        body = data[offset + 8 : offset + 8 + length]
        found.append((data[offset + 4 : offset + 8], body, offset))
        offset += 12 + length
    return found


# --- A small, independent PNG writer and reader -----------------------------------------


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def pack_row(values: np.ndarray, depth: int) -> bytes:
    """The bytes of one scanline of samples (no filter byte)."""
    if depth == 16:
        return values.astype(">u2").tobytes()
    if depth == 8:
        return values.astype(np.uint8).tobytes()
    per_byte = 8 // depth
    padded = np.zeros(-(-values.size // per_byte) * per_byte, np.uint16)
    padded[: values.size] = values
    shifts = np.arange(per_byte - 1, -1, -1, dtype=np.uint16) * depth
    return (padded.reshape(-1, per_byte) << shifts).sum(axis=1).astype(np.uint8).tobytes()


def write_png(samples: np.ndarray, color_type: int, depth: int, *, interlace: bool = False,
              before_idat: list[bytes] = (), after_idat: list[bytes] = ()) -> bytes:
    """A PNG of `samples` (HxW or HxWxC stored values; palette indices for type 3)."""
    height, width = samples.shape[:2]
    flat = samples.reshape(height, width, -1)
    passes = ADAM7 if interlace else [(0, 0, 1, 1)]
    raw = bytearray()
    for x0, y0, dx, dy in passes:
        sub = flat[y0::dy, x0::dx]
        if sub.shape[0] == 0 or sub.shape[1] == 0:
            continue
        for row in sub:
            raw += b"\0" + pack_row(row.reshape(-1), depth)
    header = struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, int(interlace))
    return (SIGNATURE + chunk(b"IHDR", header) + b"".join(before_idat)
            + chunk(b"IDAT", zlib.compress(bytes(raw))) + b"".join(after_idat)
            + chunk(b"IEND", b""))


def paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def read_png_reference(data: bytes) -> np.ndarray:
    """Samples of a non-interlaced 8/16-bit gray/RGB/RGBA PNG, decoded with zlib only."""
    width, height, depth, color, interlace = ihdr(data)
    assert interlace == 0 and depth in (8, 16) and color in (0, 2, 4, 6)
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[color]
    bpp = channels * depth // 8
    stride = width * bpp
    raw = zlib.decompress(b"".join(body for kind, body, _ in chunks(data) if kind == b"IDAT"))
    out = bytearray(height * stride)
    prior = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        line = np.frombuffer(raw, np.uint8, stride, start + 1)
        if kind == 0:
            row = line.copy()
        elif kind == 1:
            row = np.cumsum(line.reshape(width, bpp), axis=0, dtype=np.uint64) % 256
            row = row.astype(np.uint8).reshape(-1)
        elif kind == 2:
            row = line + np.frombuffer(bytes(prior), np.uint8)
        else:
            row = bytearray(line.tobytes())
            up = prior
            for i in range(stride):
                left = row[i - bpp] if i >= bpp else 0
                if kind == 3:
                    row[i] = (row[i] + ((left + up[i]) >> 1)) & 0xFF
                else:
                    upper_left = up[i - bpp] if i >= bpp else 0
                    row[i] = (row[i] + paeth(left, up[i], upper_left)) & 0xFF
            row = np.frombuffer(bytes(row), np.uint8)
        prior = bytearray(row.tobytes())
        out[y * stride : (y + 1) * stride] = prior
    dtype = np.uint8 if depth == 8 else np.dtype(">u2")
    pixels = np.frombuffer(bytes(out), dtype).astype(np.uint8 if depth == 8 else np.uint16)
    shape = (height, width) if channels == 1 else (height, width, channels)
    return pixels.reshape(shape)


def pillow_pixels(path: Path) -> np.ndarray:
    """Pillow's 8-bit (or 16-bit gray) pixels in the layout png_decode returns."""
    with Image.open(path) as image:
        if image.mode == "P":
            has_alpha = "transparency" in image.info
            image = image.convert("RGBA" if has_alpha else "RGB")
        elif image.mode == "1":
            image = image.convert("L")
        return np.asarray(image)


# --- Real files ---------------------------------------------------------------------------


def test_testdata_has_pngs() -> None:
    assert len(TESTDATA_PNGS) > 50, f"libjxl-testdata PNGs missing under {TESTDATA}"


@pytest.mark.parametrize("path", TESTDATA_PNGS, ids=ids(TESTDATA_PNGS))
def test_real_files(path: Path) -> None:
    data = path.read_bytes()
    _, _, depth, color, _ = ihdr(data)
    pixels, icc, exif = png_decode(data)
    with Image.open(path) as image:
        image.load()  # chunks after IDAT (eXIf in most of these files) reach info on load
        assert pixels.shape[:2] == (image.height, image.width)
        assert icc == image.info.get("icc_profile")
        pillow_exif = image.info.get("exif")  # Pillow prefixes the APP1 "Exif\0\0"
        assert exif == (pillow_exif[6:] if pillow_exif else None)
    if depth == 16 and color != 0:
        # Pillow reduces these to 8 bits: compare with an independent decode.
        assert pixels.dtype == np.uint16
        np.testing.assert_array_equal(pixels, read_png_reference(data))
        np.testing.assert_array_equal(pixels >> 8, pillow_pixels(path))
    else:
        expected = pillow_pixels(path)
        assert pixels.dtype == expected.dtype
        np.testing.assert_array_equal(pixels, expected)
    if depth == 8 and color in (0, 2, 6) and pixels.size <= 1 << 20:
        np.testing.assert_array_equal(pixels, read_png_reference(data))


def test_reported_chunks() -> None:
    hdr = png_read((TESTDATA / "jxl/hdr_room.png").read_bytes())
    assert (hdr.bit_depth, hdr.cicp) == (16, True)
    assert (hdr.srgb, hdr.gama, hdr.chrm) == (False, False, False)
    assert hdr.icc is not None and hdr.pixels.dtype == np.uint16
    gamma = png_read((TESTDATA / "external/pngsuite/g04n2c08.png").read_bytes())
    assert (gamma.gama, gamma.chrm, gamma.srgb, gamma.icc, gamma.exif) == (
        True, False, False, None, None)
    exif = png_read((TESTDATA / "external/pngsuite/exif2c08.png").read_bytes())
    assert exif.exif is not None and exif.exif[:2] in (b"MM", b"II")


# --- Every PNG layout, written here ---------------------------------------------------------


def test_gray_and_color_layouts() -> None:
    rng = np.random.default_rng(1)
    for color, channels in ((0, 1), (4, 2), (2, 3), (6, 4)):
        for depth in (1, 2, 4, 8, 16) if color == 0 else (8, 16):
            for interlace in (False, True):
                shape = (13, 11) if channels == 1 else (13, 11, channels)
                samples = rng.integers(0, 1 << depth, shape).astype(np.uint16)
                pixels = png_decode(write_png(samples, color, depth, interlace=interlace))[0]
                if depth == 16:
                    expected = samples
                else:
                    expected = (samples * 255 // ((1 << depth) - 1)).astype(np.uint8)
                assert pixels.dtype == expected.dtype, (color, depth)
                np.testing.assert_array_equal(pixels, expected, err_msg=f"{color} {depth}")


def test_palette_with_and_without_transparency() -> None:
    rng = np.random.default_rng(2)
    for depth in (1, 2, 4, 8):
        entries = 1 << depth
        palette = rng.integers(0, 256, (entries, 3)).astype(np.uint8)
        indices = rng.integers(0, entries, (9, 14)).astype(np.uint16)
        plte = chunk(b"PLTE", palette.tobytes())
        pixels = png_decode(write_png(indices, 3, depth, before_idat=[plte]))[0]
        np.testing.assert_array_equal(pixels, palette[indices])
        # tRNS may be shorter than the palette: the other entries are opaque.
        alphas = rng.integers(0, 256, max(1, entries // 2)).astype(np.uint8)
        trns = chunk(b"tRNS", alphas.tobytes())
        pixels = png_decode(write_png(indices, 3, depth, interlace=True,
                                      before_idat=[plte, trns]))[0]
        full_alpha = np.full(entries, 255, np.uint8)
        full_alpha[: alphas.size] = alphas
        assert pixels.shape == (9, 14, 4)
        np.testing.assert_array_equal(pixels[..., :3], palette[indices])
        np.testing.assert_array_equal(pixels[..., 3], full_alpha[indices])


@pytest.mark.parametrize("depth", [2, 8, 16])
def test_gray_color_key_becomes_alpha(depth: int) -> None:
    rng = np.random.default_rng(3)
    samples = rng.integers(0, 1 << depth, (7, 9)).astype(np.uint16)
    key = int(samples[3, 4])
    pixels = png_decode(write_png(samples, 0, depth,
                                  before_idat=[chunk(b"tRNS", struct.pack(">H", key))]))[0]
    top = 65535 if depth == 16 else 255
    scale = 1 if depth == 16 else 255 // ((1 << depth) - 1)
    assert pixels.shape == (7, 9, 2)
    np.testing.assert_array_equal(pixels[..., 0], samples * scale)
    np.testing.assert_array_equal(pixels[..., 1], np.where(samples == key, 0, top))


@pytest.mark.parametrize("depth", [8, 16])
def test_rgb_color_key_becomes_alpha(depth: int) -> None:
    rng = np.random.default_rng(4)
    samples = rng.integers(0, 3, (6, 8, 3)).astype(np.uint16) * ((1 << depth) // 4)
    key = samples[2, 5]
    trns = chunk(b"tRNS", struct.pack(">HHH", *key.tolist()))
    pixels = png_decode(write_png(samples, 2, depth, before_idat=[trns]))[0]
    assert pixels.shape == (6, 8, 4)
    assert pixels.dtype == (np.uint16 if depth == 16 else np.uint8)
    np.testing.assert_array_equal(pixels[..., :3], samples)
    transparent = (samples == key).all(axis=2)
    np.testing.assert_array_equal(pixels[..., 3], np.where(transparent, 0, (1 << depth) - 1))


def test_metadata_chunks_anywhere() -> None:
    profile = Image.open(TESTDATA / "jxl/flower/flower.png").info["icc_profile"]
    iccp = chunk(b"iCCP", b"flower\0\0" + zlib.compress(profile))
    exif_body = b"MM\0*\0\0\0\x08\0\0"
    samples = np.arange(48, dtype=np.uint16).reshape(4, 4, 3) * 1000
    before = [iccp, chunk(b"sRGB", b"\0"), chunk(b"gAMA", struct.pack(">I", 45455)),
              chunk(b"cHRM", bytes(32)), chunk(b"cICP", bytes([1, 13, 0, 1])),
              chunk(b"sBIT", bytes([12, 12, 12]))]
    decoded = png_read(write_png(samples, 2, 16, before_idat=before,
                                 after_idat=[chunk(b"eXIf", exif_body)]))
    np.testing.assert_array_equal(decoded.pixels, samples)
    assert decoded.icc == profile
    assert decoded.exif == exif_body
    assert decoded.orientation == 1
    assert (decoded.srgb, decoded.gama, decoded.chrm, decoded.cicp) == (True, True, True, True)
    assert (decoded.bit_depth, decoded.significant_bits) == (16, 12)
    plain = png_read(write_png(samples, 2, 16))
    assert (plain.icc, plain.exif, plain.srgb, plain.gama, plain.chrm, plain.cicp,
            plain.significant_bits) == (None, None, False, False, False, False, 0)


@pytest.mark.parametrize("orientation", [1, 3, 6, 8])
def test_exif_orientation(orientation: int) -> None:
    image = Image.fromarray(np.zeros((3, 5, 3), np.uint8))
    exif = Image.Exif()
    exif[0x0112] = orientation
    buffer = io.BytesIO()
    image.save(buffer, "PNG", exif=exif)
    with Image.open(io.BytesIO(buffer.getvalue())) as reread:
        assert reread.getexif()[0x0112] == orientation
    assert png_read(buffer.getvalue()).orientation == orientation


def test_apng_gives_the_first_frame() -> None:
    rng = np.random.default_rng(5)
    frames = [rng.integers(0, 256, (10, 12, 3), dtype=np.uint8) for _ in range(3)]
    buffer = io.BytesIO()
    Image.fromarray(frames[0]).save(buffer, "PNG", save_all=True,
                                    append_images=[Image.fromarray(f) for f in frames[1:]])
    data = buffer.getvalue()
    assert b"acTL" in data and b"fdAT" in data
    np.testing.assert_array_equal(png_decode(data)[0], frames[0])


def test_inputs_and_concurrency() -> None:
    data = (TESTDATA / "jxl/flower/flower.png").read_bytes()
    expected = png_decode(data)[0]
    np.testing.assert_array_equal(png_decode(bytearray(data))[0], expected)
    np.testing.assert_array_equal(png_decode(memoryview(data))[0], expected)
    results = [None] * 4

    def work(index: int) -> None:
        results[index] = png_decode(data)[0]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(results))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in results:
        np.testing.assert_array_equal(result, expected)


# --- Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data,match",
    [
        (b"", "0 bytes"),
        (b"\x89PN", "truncated"),
        (b"not a png at all", "not PNG"),
        (b"\xff\xd8\xff\xe0" + bytes(100), "not PNG"),
        (b"\xff\x0a" + bytes(100), "not PNG"),
        (SIGNATURE, "truncated"),
        (SIGNATURE + chunk(b"IEND", b""), "invalid PNG"),
        (SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", 0, 5, 8, 2, 0, 0, 0)), "invalid"),
        (SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", 5, 5, 3, 2, 0, 0, 0)), "invalid"),
    ],
)
def test_not_png(data: bytes, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        png_decode(data)


def test_bad_types() -> None:
    with pytest.raises(TypeError, match="bytes-like"):
        png_decode("image.png")  # type: ignore[arg-type]


def test_pixel_limit(pixel_limit) -> None:
    data = write_png(np.zeros((20, 30), np.uint16), 0, 8)
    pixel_limit(600)
    assert png_decode(data)[0].shape == (20, 30)
    pixel_limit(599)
    with pytest.raises(ValueError, match="30x20 pixels exceeds the limit of 599"):
        png_decode(data)
    pixel_limit(attention_jxl.DEFAULT_MAX_IMAGE_PIXELS)
    # The largest image PNG allows is refused by the default limit before any allocation.
    huge = struct.pack(">IIBBBBB", 0x7FFFFFFF, 0x7FFFFFFF, 16, 6, 0, 0, 0)
    with pytest.raises(ValueError, match="exceeds the limit"):
        png_decode(SIGNATURE + chunk(b"IHDR", huge) + chunk(b"IDAT", zlib.compress(bytes(99)))
                   + chunk(b"IEND", b""))


def test_truncated_files() -> None:
    for name in ("external/wesaturate/500px/tmshre_riaphotographs_alpha.png",
                 "external/pngsuite/exif2c08.png",
                 "external/raw.pixls/Nikon-D300-12bit_2020_g1_dt.png"):
        data = (TESTDATA / name).read_bytes()
        for end in sorted({*range(0, 300, 7), *range(8, len(data), max(1, len(data) // 150)),
                           len(data) - 1, len(data) - 12}):
            with pytest.raises(ValueError):
                png_decode(data[:end])


def mutate(data: bytes, rng: random.Random, fix_crc: bool) -> bytes:
    mutated = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 4, 16))):
        position = rng.randrange(8, len(mutated))
        mutated[position] = rng.choice((0, 0xFF, rng.randrange(256), mutated[position] ^ 1))
    if fix_crc:  # so the damage reaches the chunk parsers and the inflater
        for kind, body, offset in chunks(bytes(mutated)):
            end = offset + 8 + len(body)
            if end + 4 <= len(mutated):
                mutated[end : end + 4] = struct.pack(">I", zlib.crc32(kind + body))
    return bytes(mutated)


def test_random_mutations_never_crash(capfd: pytest.CaptureFixture[str]) -> None:
    rng = random.Random(7)
    samples = np.arange(15 * 17 * 4, dtype=np.uint16).reshape(15, 17, 4) % 251
    sources = [
        (TESTDATA / "external/pngsuite/ccwn3p08.png").read_bytes(),
        (TESTDATA / "external/raw.pixls/Sony-DSC-RX1RM2-14bit_709_v4_krita.png").read_bytes(),
        (TESTDATA / "external/pngsuite/ctzn0g04.png").read_bytes(),
        write_png(samples, 6, 8, interlace=True,
                  after_idat=[chunk(b"eXIf", b"II*\0\x08\0\0\0\0\0")]),
    ]
    outcomes = {"error": 0, "decoded": 0}
    for i in range(600):
        source = sources[i % len(sources)]
        try:
            pixels, _, _ = png_decode(mutate(source, rng, fix_crc=i % 2 == 0))
        except ValueError:
            outcomes["error"] += 1
        else:
            outcomes["decoded"] += 1
            assert pixels.ndim in (2, 3) and pixels.size > 0
    assert outcomes["error"] > 100
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""
