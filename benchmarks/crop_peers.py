"""Photos and the three croppers compared in test_bench_crop.py and scripts/crop_figure.py.

The croppers: ours (`attention_jxl.crop_box`), libvips' `smartcrop` with
`interesting="attention"` (pyvips-binary) and smartcrop.py. Each gets the same
decoded pixels, already in memory, and is asked for the largest window of the
aspect; each returns its box as (x, y, width, height).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

TESTDATA = Path("/usr/share/libjxl-testdata")
FLOWER_DIR = TESTDATA / "jxl/flower"
WESATURATE = TESTDATA / "external/wesaturate/500px"

ASPECTS = ("1:1", "16:9")


@dataclass(frozen=True)
class Photo:
    name: str
    path: Path
    cut: tuple[int, int, int, int] | None = None  # (x, y, w, h) taken from the file
    what: str = ""

    def available(self) -> bool:
        return self.path.is_file()

    def pixels(self) -> np.ndarray:
        """The photo as uint8 RGB, cut if it is a cut."""
        from PIL import Image

        with Image.open(self.path) as image:
            rgb = np.asarray(image.convert("RGB"))
        if self.cut is not None:
            x, y, w, h = self.cut
            rgb = rgb[y : y + h, x : x + w]
        return np.ascontiguousarray(rgb)


# Real photos of five shapes. The portrait and panorama are cuts of flower.png
# (its middle 1008x1512 and 2268x972), made here for the shapes the test data
# lacks.
PHOTOS = (
    Photo("flower 3:2", FLOWER_DIR / "flower.png", None, "flower.png, 2268x1512"),
    Photo("flower 2:3 cut", FLOWER_DIR / "flower.png", (630, 0, 1008, 1512),
          "middle 1008x1512 of flower.png"),
    Photo("flower 21:9 cut", FLOWER_DIR / "flower.png", (0, 270, 2268, 972),
          "middle 2268x972 of flower.png"),
    Photo("flower_cropped 1:1", FLOWER_DIR / "flower_cropped.jpg", None,
          "flower_cropped.jpg, 1040x1040"),
    Photo("room 3:2", TESTDATA / "jxl/hdr_room.png", None, "hdr_room.png, 676x449"),
    Photo("cliff + jumper 1:1", WESATURATE / "cvo9xd_keong_macan_srgb8.png", None,
          "wesaturate cvo9xd_keong_macan, 500x500"),
    Photo("tulips 1:1", WESATURATE / "tmshre_riaphotographs_srgb8.png", None,
          "wesaturate tmshre_riaphotographs, 500x500"),
    Photo("blossom 1:1", WESATURATE / "u76c0g_bliznaca_srgb8.png", None,
          "wesaturate u76c0g_bliznaca, 500x500"),
)

Box = tuple[int, int, int, int]


def contains(box: Box, point: tuple[int, int]) -> bool:
    x, y, w, h = box
    return x <= point[0] < x + w and y <= point[1] < y + h


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two boxes."""
    left, top = max(a[0], b[0]), max(a[1], b[1])
    right, bottom = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    inter = max(0, right - left) * max(0, bottom - top)
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def vips_image(pixels: np.ndarray):
    """The pixels as a libvips image (no copy); libvips set to one thread, no cache.

    One worker thread, like our Model(threads=1). Without turning the operation
    cache off, repeated smartcrop calls on one image would return the first
    result and time nothing.
    """
    import pyvips

    pyvips.concurrency_set(1)
    pyvips.cache_set_max(0)
    height, width, bands = pixels.shape
    return pyvips.Image.new_from_memory(pixels.data, width, height, bands, "uchar")


def vips_box(image, width: int, height: int) -> Box:
    """libvips' attention crop of `width` x `height`, as a box.

    `smartcrop` returns the cropped image; the crop's offset in the source is
    its `xoffset`/`yoffset` metadata, negated (libvips 8.18 sets no
    `vips-smartcrop-*` fields; `check_vips_box` confirms the offset against the
    pixels).
    """
    out = image.smartcrop(width, height, interesting="attention", premultiplied=False)
    return -out.get("xoffset"), -out.get("yoffset"), out.width, out.height


def check_vips_box(image, pixels: np.ndarray, box: Box) -> None:
    """Asserts that libvips' crop is exactly pixels[box] (the offset is read right)."""
    x, y, w, h = box
    out = image.smartcrop(w, h, interesting="attention", premultiplied=False)
    crop = np.ndarray(buffer=out.write_to_memory(), dtype=np.uint8,
                      shape=(out.height, out.width, out.bands))
    assert np.array_equal(crop, pixels[y : y + h, x : x + w]), "libvips crop offset misread"


def smartcrop_box(cropper, image, width: int, height: int) -> Box:
    """smartcrop.py's best crop of `width` x `height` (a PIL image in)."""
    top = cropper.crop(image, width, height)["top_crop"]
    return top["x"], top["y"], top["width"], top["height"]
