"""Draws what Chromium paints of a JPEG XL photo while the file is still arriving.

Rows: scanline group order, center-first, center-first with progressive DC;
columns: how much of the file has arrived. Each cell is the browser's
screenshot, scaled down, with the 512x512 window around the attention center
outlined (green once it is final). Prints, for each row and fraction, the PSNR
against the browser's paint of the whole file and whether the center window
is final, then the fewest bytes (in whole percent) at which anything is
painted and at which the center window is final.

    .venv/bin/python scripts/browser_figure.py docs/progressive.png  (the README has it as JPEG)

Needs Chromium (Debian package `chromium`) and the model (as for the tests).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont, ImageOps

import attention_jxl

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "tests"))
from browser import BACKGROUND, Box, Chromium, ImageServer, find_chromium  # noqa: E402

FLOWER = Path("/usr/share/libjxl-testdata/jxl/flower/flower.png")
WINDOW = 512  # the center window's side, two groups
UNPAINTED = (224, 224, 224)


@dataclass
class Cell:
    """The browser's paint of one prefix, and how it compares with the whole file's."""

    shot: np.ndarray
    psnr: float
    center_final: bool
    painted: bool

    def label(self) -> str:
        if not self.painted:
            return "nothing painted"
        return "final" if math.isinf(self.psnr) else f"{self.psnr:.1f} dB"


@dataclass
class Row:
    name: str
    key: str
    data: bytes
    cells: dict[int, Cell] = field(default_factory=dict)


def load(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(ImageOps.exif_transpose(image).convert("RGB"))


def center_window(center: tuple[int, int], width: int, height: int) -> Box:
    """The WINDOW x WINDOW box around `center`, cut to the image."""
    x0, y0 = max(0, center[0] - WINDOW // 2), max(0, center[1] - WINDOW // 2)
    x1, y1 = min(width, center[0] + WINDOW // 2), min(height, center[1] + WINDOW // 2)
    return x0, y0, x1 - x0, y1 - y0


def crop(image: np.ndarray, box: Box) -> np.ndarray:
    x, y, width, height = box
    return image[y : y + height, x : x + width]


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    error = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return math.inf if error == 0 else float(10 * np.log10(255.0**2 / error))


def smallest_percent(holds: Callable[[int], bool]) -> int | None:
    """The smallest whole percent in 1..100 at which `holds`, by bisection.

    Assumes that once it holds it keeps holding for longer prefixes (more
    bytes never take a painted pixel back).
    """
    if not holds(100):
        return None
    low, high = 0, 100  # holds(high); not holds(low) or low == 0
    while high - low > 1:
        middle = (low + high) // 2
        if holds(middle):
            high = middle
        else:
            low = middle
    return high


def prefix(data: bytes, percent: int) -> int:
    return len(data) * percent // 100


def font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has one bitmap size only
        return ImageFont.load_default()


def draw(rows: list[Row], percents: list[int], window: Box, cell_width: int) -> Image.Image:
    """The figure: a column of row names, then one cell per fraction."""
    height, width = rows[0].cells[percents[0]].shot.shape[:2]
    scale = cell_width / width
    cell_height = round(height * scale)
    label, title = font(14), font(16)
    name_width, header, caption, gap, footer = 190, 28, 22, 8, 24
    body = header + len(rows) * (cell_height + caption + gap)
    figure = Image.new("RGB", (name_width + len(percents) * (cell_width + gap), body + footer),
                       "white")
    pen = ImageDraw.Draw(figure)
    for column, percent in enumerate(percents):
        x = name_width + column * (cell_width + gap)
        pen.text((x + cell_width // 2, header // 2), f"{percent}% of the bytes", fill="black",
                 font=title, anchor="mm")
    wx, wy, ww, wh = (round(v * scale) for v in window)
    for line, row in enumerate(rows):
        y = header + line * (cell_height + caption + gap)
        pen.multiline_text((4, y + cell_height // 2), row.name.replace(" + ", "\n+ "),
                           fill="black", font=title, anchor="lm")
        for column, percent in enumerate(percents):
            x = name_width + column * (cell_width + gap)
            cell = row.cells[percent]
            shot = cell.shot.copy()
            # The page's magenta marks what is not painted; grey is kinder.
            shot[np.all(shot == BACKGROUND, axis=2)] = UNPAINTED
            thumbnail = Image.fromarray(shot).resize((cell_width, cell_height),
                                                     Image.Resampling.LANCZOS)
            figure.paste(thumbnail, (x, y))
            pen.rectangle((x + wx, y + wy, x + wx + ww - 1, y + wy + wh - 1),
                          outline=(0, 200, 0) if cell.center_final else (255, 220, 0), width=2)
            pen.text((x + cell_width // 2, y + cell_height + caption // 2), cell.label(),
                     fill="black", font=label, anchor="mm")
    pen.text((4, body + footer // 2),
             f"Box: the {WINDOW}x{WINDOW} window around the attention center, green once "
             f"final. dB: PSNR against the paint of the whole file.", fill="black", font=label,
             anchor="lm")
    return figure


def painted(shot: np.ndarray) -> bool:
    return bool(np.any(shot != np.array(BACKGROUND, dtype=np.uint8)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path, help="the PNG to write")
    parser.add_argument("--image", type=Path, default=FLOWER,
                        help="the photo (default: %(default)s)")
    parser.add_argument("--at", default="5,10,20,30,40,100",
                        help="percentages of the bytes, one column each (default: %(default)s)")
    parser.add_argument("--cell-width", type=int, default=320,
                        help="width of a cell in pixels (default: %(default)s)")
    args = parser.parse_args()
    percents = [int(p) for p in args.at.split(",")]
    if not all(0 <= p <= 100 for p in percents):
        parser.error("--at takes percentages from 0 to 100")
    executable = find_chromium()
    if executable is None:
        parser.error("chromium not installed (Debian package chromium)")

    started = time.monotonic()
    pixels = load(args.image)
    height, width = pixels.shape[:2]
    center = attention_jxl.center(pixels)
    window = center_window(center, width, height)
    rows = [Row("scanline", "scanline", attention_jxl.encode(pixels, center=None)),
            Row("center-first", "center", attention_jxl.encode(pixels, center=center))]
    reorder = getattr(attention_jxl, "reorder", None)
    if reorder is not None:
        # libjxl writes progressive DC in scanline order only; reorder()
        # moves the groups around the center to the front.
        scanline_dc = attention_jxl.encode(pixels, center=None, progressive_dc=1)
        rows.append(Row("center-first + progressive DC", "center_dc",
                        reorder(scanline_dc, center)))
    print(f"{args.image.name}: {width}x{height}, attention center {center}, center window "
          f"{window[2]}x{window[3]} at ({window[0]}, {window[1]}); encoded in "
          f"{time.monotonic() - started:.1f} s")
    if reorder is None:
        print("row 'center-first + progressive DC' unavailable: this attention_jxl has no "
              "reorder(), and libjxl 0.7 cannot write progressive DC center-first")

    server = ImageServer()
    try:
        with Chromium(executable) as chromium:
            print(f"browser: {chromium.version}\n")

            def show(row: Row, percent: int, box: Box | None = None) -> np.ndarray:
                return chromium.show(server, row.key, prefix(row.data, percent), box=box)

            finals: dict[str, np.ndarray] = {}
            for row in rows:
                server.add(row.key, row.data, width, height)
                final = finals[row.key] = show(row, 100)
                for percent in percents:
                    shot = final if percent == 100 else show(row, percent)
                    row.cells[percent] = Cell(
                        shot, psnr(shot, final),
                        np.array_equal(crop(shot, window), crop(final, window)), painted(shot))
            print(f"{'row':30} {'bytes':>8}" + "".join(f"{f'{p}%':>17}" for p in percents))
            for row in rows:
                print(f"{row.name:30} {len(row.data):>8}" + "".join(
                    f"{row.cells[p].label().replace('nothing painted', '-'):>11}"
                    f"{' exact' if row.cells[p].center_final else '':6}" for p in percents))
            print("\n(PSNR against the paint of the whole file; exact: the center window is "
                  "final)\n")
            print(f"{'row':30} {'anything painted from':>22} {'center window final from':>25}")
            for row in rows:
                final_window = crop(finals[row.key], window)
                first = smallest_percent(lambda p, row=row: painted(show(row, p)))
                exact = smallest_percent(lambda p, row=row, final_window=final_window:
                                         np.array_equal(show(row, p, window), final_window))
                print(f"{row.name:30} {f'{first}%':>22} {f'{exact}%':>25}")
    finally:
        server.close()

    args.output.parent.mkdir(parents=True, exist_ok=True)
    draw(rows, percents, window, args.cell_width).save(args.output, optimize=True)
    print(f"\nwrote {args.output} ({time.monotonic() - started:.0f} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
