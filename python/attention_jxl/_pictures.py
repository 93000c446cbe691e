"""Pictures for the command line (Pillow): preview strips, center dots, heat maps.

Everything is drawn in 8-bit RGB. Only the command line uses this module.
"""

from __future__ import annotations

import numpy as np

GREEN = (0, 255, 0)
OUTLINE = (16, 16, 16)


def to_rgb8(image: np.ndarray) -> np.ndarray:
    """HxWx3 uint8 for display: 16-bit and float scaled, gray replicated,
    alpha composited over light gray."""
    pixels = np.asarray(image)
    if pixels.dtype == np.uint16:
        pixels = (pixels.astype(np.float32) / 257.0 + 0.5).astype(np.uint8)
    elif pixels.dtype != np.uint8:
        pixels = (np.clip(np.nan_to_num(pixels.astype(np.float32)), 0, 1) * 255 + 0.5)
        pixels = pixels.astype(np.uint8)
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    channels = pixels.shape[2]
    color = pixels[:, :, : 1 if channels <= 2 else 3]
    if channels in (2, 4):
        alpha = pixels[:, :, -1:].astype(np.float32) / 255
        color = (color * alpha + 200 * (1 - alpha) + 0.5).astype(np.uint8)
    if color.shape[2] == 1:
        color = np.repeat(color, 3, axis=2)
    return np.ascontiguousarray(color)


def _font(size: int):
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType sizes
        return ImageFont.load_default()


def draw_dot(canvas, x: float, y: float, radius: int) -> None:
    """A green dot with a dark outline centered on (x, y) of a PIL image."""
    from PIL import ImageDraw

    draw = ImageDraw.Draw(canvas)
    outline = max(2, radius // 3)
    draw.ellipse((x - radius - outline, y - radius - outline, x + radius + outline,
                  y + radius + outline), fill=OUTLINE)
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=GREEN)


def frame_width(width: int, height: int, strip_height: int) -> int:
    """The width of one frame of a strip `strip_height` pixels high."""
    return max(1, round(width * strip_height / height))


def caption_height(height: int) -> int:
    """The height of the label band below frames `height` pixels high."""
    return max(12, height // 18) + 14


def strip_picture(
    frames: list[np.ndarray | None],
    labels: list[str],
    *,
    size: tuple[int, int],
    height: int = 400,
    center: tuple[float, float] | None = None,
    box: tuple[int, int, int, int] | None = None,
):
    """The frames side by side, scaled to `height`, each labelled in a band
    below it (`caption_height`); None frames (not enough bytes yet) are gray
    panels. `size` is the image's (width, height); `center`, in its pixels,
    is marked with a green dot and `box` (x0, y0, x1, y1), e.g. the group
    sent first, outlined in green."""
    from PIL import Image, ImageDraw

    width = frame_width(size[0], size[1], height)
    font = _font(max(12, height // 18))
    strip = Image.new("RGB", (width * len(frames), height + caption_height(height)), (0, 0, 0))
    draw = ImageDraw.Draw(strip)
    for index, frame in enumerate(frames):
        left = index * width
        if frame is not None:
            picture = Image.fromarray(to_rgb8(frame)).resize((width, height), Image.LANCZOS)
            strip.paste(picture, (left, 0))
            if box is not None:
                sx, sy = width / size[0], height / size[1]
                draw.rectangle((left + box[0] * sx, box[1] * sy, left + box[2] * sx - 1,
                                box[3] * sy - 1), outline=GREEN, width=2)
            if center is not None:
                draw_dot(strip, left + (center[0] + 0.5) * width / size[0],
                         (center[1] + 0.5) * height / size[1], max(4, height // 60))
        else:
            draw.rectangle((left, 0, left + width - 1, height - 1), fill=(48, 48, 48))
            draw.text((left + width / 2, height / 2), "no image yet", fill=(200, 200, 200),
                      font=font, anchor="mm")
        if index:
            draw.line((left, 0, left, strip.height - 1), fill=(255, 255, 255), width=1)
        draw.text((left + width / 2, height + caption_height(height) / 2), labels[index],
                  fill=(255, 255, 255), font=font, anchor="mm")
    return strip


def center_picture(image: np.ndarray, center: tuple[float, float]):
    """The image (8-bit RGB) with a green dot at `center`."""
    from PIL import Image

    picture = Image.fromarray(to_rgb8(image))
    radius = max(5, min(picture.size) // 90)
    draw_dot(picture, center[0] + 0.5, center[1] + 0.5, radius)
    return picture


def heat_picture(image: np.ndarray, saliency_map: np.ndarray, center: tuple[float, float]):
    """The image (8-bit RGB) under its saliency map as a translucent heat map
    (transparent where nobody looks, then blue to red), with the center dot.
    `saliency_map` has the image's size, values in [0, 1]."""
    from PIL import Image

    base = to_rgb8(image).astype(np.float32)
    weight = np.clip(np.asarray(saliency_map, dtype=np.float32), 0, 1)[:, :, None]
    # A blue -> green -> yellow -> red ramp.
    stops = np.array([[0, 0, 255], [0, 255, 0], [255, 255, 0], [255, 0, 0]], np.float32)
    weight = np.sqrt(weight)  # the map is peaked: show its weaker parts too
    position = weight[:, :, 0] * (len(stops) - 1)
    low = np.minimum(position.astype(np.int32), len(stops) - 2)
    fraction = (position - low)[:, :, None]
    color = stops[low] * (1 - fraction) + stops[low + 1] * fraction
    opacity = 0.65 * weight
    blended = base * (1 - opacity) + color * opacity
    picture = Image.fromarray((blended + 0.5).astype(np.uint8))
    radius = max(5, min(picture.size) // 90)
    draw_dot(picture, center[0] + 0.5, center[1] + 0.5, radius)
    return picture
