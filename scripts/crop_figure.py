#!/usr/bin/env python3
"""Draws the crops of benchmarks/test_bench_crop.py on the photos: OUT.png.

    .venv/bin/python scripts/crop_figure.py OUT.png [--width 1600] [--no-center]

Each photo appears twice, once per aspect (1:1, 16:9), with the largest crop
of that aspect chosen by ours (attention_jxl.crop_box), by libvips' smartcrop
(interesting="attention") and by smartcrop.py, and our predicted center as a
dot (left out with --no-center, as in the committed docs/crops.png, which
shows nothing of the model's output but the rectangles). Needs the bench
extra (pyvips-binary, smartcrop) and Pillow.

Where boxes coincide their edges show as parallel stripes: ours is drawn
widest, libvips inside it, smartcrop.py innermost (all lines lie inside the
box they draw).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import smartcrop
from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import attention_jxl  # noqa: E402
from crop_peers import ASPECTS, PHOTOS, smartcrop_box, vips_box, vips_image  # noqa: E402

# (label, colour, line width at figure scale)
CROPPERS = (
    ("ours (attention_jxl.crop_box)", (255, 214, 0), 9),
    ("libvips smartcrop attention", (0, 229, 255), 6),
    ("smartcrop.py", (255, 40, 40), 3),
)
CENTER = (255, 255, 255)
COLUMNS = 4  # cells per row: two photos, each at both aspects
GAP = 12
LABEL = 20
BACKGROUND = (32, 32, 32)


def boxes_for(pixels, aspect: str, model, cropper) -> list[tuple[int, int, int, int]]:
    ours = attention_jxl.crop_box(pixels, aspect=aspect, model=model)
    width, height = ours[2], ours[3]
    vips = vips_box(vips_image(pixels), width, height)
    pil = Image.fromarray(pixels)
    return [ours, vips, smartcrop_box(cropper, pil, width, height)]


def draw_cell(pixels, boxes, center, cell_w: int, cell_h: int, font, title: str) -> Image.Image:
    height, width = pixels.shape[:2]
    scale = min(cell_w / width, (cell_h - LABEL) / height)
    shown_w, shown_h = round(width * scale), round(height * scale)
    photo = Image.fromarray(pixels).resize((shown_w, shown_h), Image.LANCZOS)
    cell = Image.new("RGB", (cell_w, cell_h), BACKGROUND)
    left = (cell_w - shown_w) // 2
    cell.paste(photo, (left, LABEL))
    draw = ImageDraw.Draw(cell)
    for (x, y, w, h), (_label, colour, line) in zip(boxes, CROPPERS, strict=True):
        x0, y0 = left + round(x * scale), LABEL + round(y * scale)
        x1, y1 = left + round((x + w) * scale) - 1, LABEL + round((y + h) * scale) - 1
        draw.rectangle((x0, y0, x1, y1), outline=colour, width=line)
    if center is not None:
        cx, cy = left + center[0] * scale, LABEL + center[1] * scale
        draw.ellipse((cx - 7, cy - 7, cx + 7, cy + 7), fill=(0, 0, 0))
        draw.ellipse((cx - 5, cy - 5, cx + 5, cy + 5), fill=CENTER)
    draw.text((cell_w // 2, LABEL // 2), title, fill=(235, 235, 235), font=font, anchor="mm")
    return cell


def legend(width: int, font, with_center: bool) -> Image.Image:
    strip = Image.new("RGB", (width, 34), BACKGROUND)
    draw = ImageDraw.Draw(strip)
    x = GAP
    for label, colour, _line in CROPPERS:
        draw.rectangle((x, 10, x + 28, 24), outline=colour, width=4)
        x += 36
        draw.text((x, 17), label, fill=(235, 235, 235), font=font, anchor="lm")
        x += int(draw.textlength(label, font=font)) + 28
    if not with_center:
        return strip
    draw.ellipse((x, 10, x + 14, 24), fill=(0, 0, 0))
    draw.ellipse((x + 2, 12, x + 12, 22), fill=CENTER)
    text = "our predicted center (the model's guess, not human data)"
    draw.text((x + 22, 17), text, fill=(235, 235, 235), font=font, anchor="lm")
    return strip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the PNG to write")
    parser.add_argument("--width", type=int, default=1600, help="figure width in pixels")
    parser.add_argument("--no-center", action="store_true", help="leave out our center dot")
    options = parser.parse_args()

    photos = [photo for photo in PHOTOS if photo.available()]
    if not photos:
        sys.exit("none of the photos is installed (apt-get install libjxl-testdata)")
    model = attention_jxl.Model(threads=1)
    cropper = smartcrop.SmartCrop()
    font = ImageFont.load_default(size=14)

    cell_w = (options.width - GAP * (COLUMNS + 1)) // COLUMNS
    cell_h = round(cell_w * 0.72) + LABEL
    cells = []
    for photo in photos:
        pixels = photo.pixels()
        center = attention_jxl.center(pixels, model=model)
        for aspect in ASPECTS:
            boxes = boxes_for(pixels, aspect, model, cropper)
            cells.append(draw_cell(pixels, boxes, None if options.no_center else center,
                                   cell_w, cell_h, font,
                                   f"{photo.name}: {aspect} crop"))
            print(f"{photo.name} {aspect}: center {center}, ours {boxes[0]}, "
                  f"libvips {boxes[1]}, smartcrop.py {boxes[2]}")

    top = legend(options.width, font, not options.no_center)
    rows = -(-len(cells) // COLUMNS)
    figure = Image.new("RGB", (options.width, top.height + rows * (cell_h + GAP) + GAP),
                       BACKGROUND)
    figure.paste(top, (0, 0))
    for index, cell in enumerate(cells):
        row, column = divmod(index, COLUMNS)
        figure.paste(cell, (GAP + column * (cell_w + GAP), top.height + GAP + row * (cell_h + GAP)))
    options.out.parent.mkdir(parents=True, exist_ok=True)
    # A dithered 256-colour palette keeps the file small enough to live in the
    # repository (about a half of the RGB PNG) without banding in the skies.
    palette = figure.quantize(256, method=Image.Quantize.FASTOCTREE)
    figure.quantize(palette=palette, dither=Image.Dither.FLOYDSTEINBERG).save(
        options.out, optimize=True)
    print(f"wrote {options.out} ({figure.width}x{figure.height}, "
          f"{options.out.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
