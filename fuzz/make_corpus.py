"""Writes the seed corpus of each fuzz target (default: fuzz/corpus/<target>/).

- decode, group_order: small JPEG XL files from our own encoder (lossy,
  lossless, alpha, gray, 16-bit, float, progressive, modular, center-first,
  several groups, a transcoded JPEG) and the small .jxl files of Debian's
  libjxl-testdata (when installed).
- transcode_jpeg: small JPEGs made with Pillow (baseline 4:4:4 and 4:2:0,
  progressive, gray, Exif orientation, restart markers, optimized Huffman
  tables, CMYK) and libjxl-testdata's JPEG with Exif and XMP.
- encode: FuzzedDataProvider byte strings of several lengths.
- reorder: the decode seeds, each behind a 4-byte center (x, y as
  little-endian uint16) in the image, at its corner or far outside it.

Seeds are deterministic, so the corpus can be regenerated at any time.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import struct
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

TESTDATA = Path("/usr/share/libjxl-testdata")
MAX_TESTDATA_BYTES = 20_000


def picture(height: int, width: int, channels: int, seed: int = 0) -> np.ndarray:
    """A smooth gradient with some noise and a bright blob: compresses like a photo."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    blob = np.exp(-((x - width * 0.7) ** 2 + (y - height * 0.3) ** 2) / (0.05 * width * height + 1))
    planes = [(x / max(width, 1) + 0.3 * blob) % 1.0, (y / max(height, 1)) * 0.8 + 0.2 * blob,
              0.5 + 0.5 * np.sin(x / 7.0) * np.cos(y / 5.0), 1.0 - 0.5 * blob]
    image = np.stack(planes[:channels], axis=-1) + rng.normal(0, 0.02, (height, width, channels))
    return np.clip(image, 0.0, 1.0).astype(np.float32)


def as_dtype(image: np.ndarray, dtype: type) -> np.ndarray:
    if dtype == np.float32:
        return image
    top = np.iinfo(dtype).max
    return np.round(image * top).astype(dtype)


def jxl_seeds() -> Iterator[tuple[str, bytes]]:
    import attention_jxl as aj

    fast = {"effort": 1, "threads": 1}
    rgb = picture(40, 56, 3)
    yield "lossy.jxl", aj.encode(as_dtype(rgb, np.uint8), center=None, **fast)
    yield "lossless.jxl", aj.encode(as_dtype(rgb, np.uint8), lossless=True, center=None, **fast)
    yield "alpha.jxl", aj.encode(as_dtype(picture(33, 20, 4, 1), np.uint8), center=(5, 7), **fast)
    yield "gray.jxl", aj.encode(as_dtype(picture(24, 31, 1, 2)[..., 0], np.uint8), center=None,
                                distance=2.0, **fast)
    yield "gray_alpha_lossless.jxl", aj.encode(as_dtype(picture(17, 19, 2, 3), np.uint8),
                                               lossless=True, center=None, **fast)
    yield "16bit_lossless.jxl", aj.encode(as_dtype(picture(21, 26, 3, 4), np.uint16),
                                          lossless=True, center=None, **fast)
    yield "16bit_lossy.jxl", aj.encode(as_dtype(picture(21, 26, 4, 5), np.uint16),
                                       center=(3, 3), **fast)
    yield "float.jxl", aj.encode(picture(16, 16, 3, 6), center=None, **fast)
    yield "float_lossless.jxl", aj.encode(picture(9, 13, 1, 7)[..., 0], lossless=True,
                                          center=None, **fast)
    yield "progressive.jxl", aj.encode(as_dtype(picture(64, 72, 3, 8), np.uint8), center=(60, 5),
                                       progressive_ac=1, qprogressive_ac=1, **fast)
    yield "progressive_dc.jxl", aj.encode(as_dtype(picture(80, 96, 3, 9), np.uint8),
                                          center=None, progressive_dc=1, **fast)
    yield "responsive_modular.jxl", aj.encode(as_dtype(picture(30, 40, 3, 10), np.uint8),
                                              center=None, modular=1, responsive=1,
                                              distance=1.5, **fast)
    yield "oriented.jxl", aj.encode(as_dtype(picture(12, 30, 3, 11), np.uint8), center=None,
                                    orientation=6, **fast)
    # More than one group, center-first and scanline: the table of contents matters.
    large = as_dtype(picture(300, 520, 3, 12), np.uint8)
    yield "groups_center_first.jxl", aj.encode(large, center=(400, 280), distance=8.0, **fast)
    yield "groups_scanline.jxl", aj.encode(large, center=None, distance=8.0, **fast)
    yield "groups_lossless.jxl", aj.encode(large[:140, :300], center=(290, 130), lossless=True,
                                           modular_group_size=0, **fast)
    for name, data in jpeg_seeds():
        if name in ("baseline_420.jpg", "exif_orientation_6.jpg"):
            yield "transcoded_" + name.replace(".jpg", ".jxl"), aj.transcode_jpeg(
                data, center=(1, 1), effort=1, threads=1)


def testdata_seeds(suffixes: tuple[str, ...]) -> Iterator[tuple[str, bytes]]:
    if not TESTDATA.is_dir():
        return
    for path in sorted(TESTDATA.rglob("*")):
        is_fuzz_case = path.parent.name == "oss-fuzz"
        if not path.is_file() or not (path.suffix in suffixes or is_fuzz_case and
                                      ".jxl" in suffixes):
            continue
        if path.stat().st_size <= MAX_TESTDATA_BYTES:
            yield "testdata_" + path.name, path.read_bytes()


def exif_with_orientation(value: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = value
    return exif.tobytes()


def jpeg_seeds() -> Iterator[tuple[str, bytes]]:
    rgb = Image.fromarray(as_dtype(picture(48, 64, 3, 20), np.uint8))
    variants: list[tuple[str, Image.Image, dict]] = [
        ("baseline_444.jpg", rgb, {"quality": 90, "subsampling": 0}),
        ("baseline_420.jpg", rgb, {"quality": 75, "subsampling": 2}),
        ("baseline_422.jpg", rgb, {"quality": 80, "subsampling": 1}),
        ("progressive.jpg", rgb, {"quality": 85, "progressive": True}),
        ("optimized.jpg", rgb, {"quality": 60, "optimize": True}),
        ("gray.jpg", rgb.convert("L"), {"quality": 80}),
        ("gray_progressive.jpg", rgb.convert("L"), {"quality": 70, "progressive": True}),
        ("exif_orientation_6.jpg", rgb.crop((0, 0, 40, 24)),
         {"quality": 80, "exif": exif_with_orientation(6)}),
        ("exif_orientation_3.jpg", rgb.crop((0, 0, 17, 9)),
         {"quality": 80, "exif": exif_with_orientation(3)}),
        ("odd_size.jpg", rgb.crop((0, 0, 13, 7)), {"quality": 95}),
        ("tiny.jpg", rgb.crop((0, 0, 1, 1)), {"quality": 50}),
        ("cmyk.jpg", rgb.convert("CMYK"), {"quality": 80}),
        ("restart_markers.jpg", rgb, {"quality": 80, "restart_marker_blocks": 4}),
    ]
    for name, image, options in variants:
        out = io.BytesIO()
        try:
            image.save(out, "JPEG", **options)
        except (TypeError, ValueError, OSError):
            continue  # an option this Pillow lacks (restart markers)
        yield name, out.getvalue()


def encode_seeds() -> Iterator[tuple[str, bytes]]:
    rng = np.random.default_rng(30)
    for length in (16, 64, 256, 1024, 4096):
        for copy in range(2):
            yield f"random_{length}_{copy}", rng.integers(0, 256, length, np.uint8).tobytes()


# Centers for the reorder seeds, taken in turn: a corner, points inside small
# and multi-group images, and one far outside every image (clamped).
REORDER_CENTERS = ((0, 0), (20, 10), (400, 280), (130, 60), (65535, 65535))


def reorder_seeds(jxl: list[tuple[str, bytes]]) -> Iterator[tuple[str, bytes]]:
    for index, (name, data) in enumerate(jxl):
        center = REORDER_CENTERS[index % len(REORDER_CENTERS)]
        yield name, struct.pack("<HH", *center) + data


def write(folder: Path, seeds: Iterator[tuple[str, bytes]]) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for name, data in seeds:
        (folder / name).write_bytes(data)
        count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path,
                        default=Path(__file__).resolve().parent / "corpus")
    args = parser.parse_args()
    jxl = list(jxl_seeds()) + list(testdata_seeds((".jxl",)))
    jpeg = list(jpeg_seeds()) + list(testdata_seeds((".jpg", ".jpeg")))
    targets = {
        "decode": jxl,
        "group_order": jxl,
        "transcode_jpeg": jpeg,
        "encode": list(encode_seeds()),
        "reorder": list(reorder_seeds(jxl)),
    }
    for target, seeds in targets.items():
        count = write(args.out / target, iter(seeds))
        digest = hashlib.sha256(b"".join(d for _, d in seeds)).hexdigest()[:12]
        total = sum(len(d) for _, d in seeds)
        print(f"{target}: {count} seeds, {total} bytes ({digest})")


if __name__ == "__main__":
    main()
