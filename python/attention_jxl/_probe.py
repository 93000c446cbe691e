"""probe: what a JPEG XL file holds, from its headers alone."""

from __future__ import annotations

from dataclasses import dataclass

from attention_jxl import _core
from attention_jxl._image import as_byte_buffer


@dataclass(frozen=True)
class Info:
    """A JPEG XL file's image as its headers describe it.

    Attributes:
        width, height: stored size in pixels (before `orientation` is applied).
        channels: color channels (1 gray, 3 RGB) plus alpha, as `decode` returns them.
        bits_per_sample: of the color channels.
        float_samples: floating point samples (`decode` gives float32).
        has_alpha: an alpha channel.
        orientation: EXIF orientation 1..8 that turns the stored pixels upright.
        frames: displayed frames (1 for a still image; animation frames or layers).
        animated: the file is an animation.
        has_preview: a preview frame.
        has_icc: the color space is an ICC profile (else an enumerated one).
        jpeg_reconstruction: the original JPEG can be rebuilt (`reconstruct_jpeg`).
        has_exif, has_xmp: the file has an Exif or XMP box.
        container: the file is in the ISOBMFF container (else a bare codestream).
        center_first: the groups are stored in a custom (center-first) order.
        first_group: top-left pixel (x, y) of the group stored first; in a
            center-first file the group holding its center.
        groups: groups of the first frame (1 when the image fits in one group).
    """

    width: int
    height: int
    channels: int
    bits_per_sample: int
    float_samples: bool
    has_alpha: bool
    orientation: int
    frames: int
    animated: bool
    has_preview: bool
    has_icc: bool
    jpeg_reconstruction: bool
    has_exif: bool
    has_xmp: bool
    container: bool
    center_first: bool
    first_group: tuple[int, int]
    groups: int


def probe(data: bytes | bytearray | memoryview) -> Info:
    """Reads a JPEG XL file's headers without decoding any pixels.

    Reads the container boxes, the image header and each frame's header and
    table of contents (whose sections are skipped). `frames` counts the frames
    whose headers are in `data`: a file cut off after its first frame's table
    of contents can be probed, and gives the true count only when complete.

    Raises:
        ValueError: not JPEG XL, or cut off before the first frame's table
            of contents (the message gives the byte count).
        ImageTooLargeError: the header declares more pixels than
            `max_image_pixels` allows.
    """
    return Info(**_core.probe(as_byte_buffer(data, "data (the JPEG XL file)")))
