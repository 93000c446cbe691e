"""A Pillow plugin for JPEG XL: ``import attention_jxl.pillow`` and then
``Image.open("x.jxl")`` and ``im.save("x.jxl", center="auto", distance=1)``.

Opening reads the headers only (`attention_jxl.probe`): size, mode, Exif, XMP
and ICC profile are known before any pixel is decoded; `load()` decodes. Gray
images keep 16 bits (mode ``I;16``) and floats (``F``); alpha is kept (``LA``,
``RGBA``). Pillow has no 16-bit or float color mode: such color images open
as 8-bit ``RGB``/``RGBA`` (as Pillow opens 16-bit PNGs); `attention_jxl.decode`
gives their full samples.

Saving encodes center-first: ``center`` ("auto", an (x, y) pair or None),
``distance``, ``effort``, ``lossless`` and libjxl frame settings as in
`attention_jxl.encode`; the image's ``exif``, ``xmp`` and ``icc_profile``
(from its info, or given to `save`) go into the file.

Pillow (13) has no entry point for plugins, so importing this module is what
registers it.
"""

from __future__ import annotations

from typing import IO, Any

import numpy as np
from PIL import Image, ImageFile

import attention_jxl
from attention_jxl._image import as_image_array

FORMAT = "JXL"
MIME = "image/jxl"
_SIGNATURES = (b"\xff\x0a", b"\0\0\0\x0cJXL \r\n\x87\n")
# First read for the headers; doubled while they do not fit (large ICC
# profile, boxes before the codestream).
_HEADER_BYTES = 16 * 1024


def _accept(prefix: bytes) -> bool:
    return prefix.startswith(_SIGNATURES)


def _mode_of(info: attention_jxl.Info) -> str:
    gray = info.channels - int(info.has_alpha) == 1
    if gray and not info.has_alpha:
        if info.float_samples:
            return "F"
        return "I;16" if info.bits_per_sample > 8 else "L"
    if gray:
        return "LA"
    return "RGBA" if info.has_alpha else "RGB"


class JxlImageFile(ImageFile.ImageFile):
    """A JPEG XL file opened by Pillow: headers at open, pixels at `load()`."""

    format = FORMAT
    format_description = "JPEG XL (attention_jxl)"

    def _open(self) -> None:
        size = _HEADER_BYTES
        while True:
            self.fp.seek(0)
            head = self.fp.read(size)
            try:
                info = attention_jxl.probe(head)
                break
            except attention_jxl.ImageTooLargeError as error:
                raise Image.DecompressionBombError(str(error)) from None
            except ValueError as error:
                if len(head) < size:  # the whole file was read
                    raise SyntaxError(f"not a valid JPEG XL file: {error}") from None
                size *= 4
        self.jxl_info = info
        self._size = (info.width, info.height)
        self._mode = _mode_of(info)
        self.n_frames = info.frames
        self.is_animated = info.animated
        if info.orientation != 1:
            self.info["orientation"] = info.orientation
        if info.has_exif or info.has_xmp or info.has_icc:
            self.fp.seek(0)
            metadata = attention_jxl.read_metadata(self.fp.read())
            self._store_metadata(metadata, info.has_icc)
        self.tile = [ImageFile._Tile("attention_jxl", (0, 0) + self._size, 0, ())]

    def _store_metadata(self, metadata: attention_jxl.Metadata, has_icc: bool) -> None:
        if metadata.exif:
            self.info["exif"] = b"Exif\0\0" + metadata.exif
        if metadata.xmp:
            self.info["xmp"] = metadata.xmp
        if has_icc and metadata.icc:
            self.info["icc_profile"] = metadata.icc


class _JxlDecoder(ImageFile.PyDecoder):
    _pulls_fd = True

    def decode(self, buffer: bytes | Any) -> tuple[int, int]:
        assert self.fd is not None
        self.fd.seek(0)
        try:
            pixels = attention_jxl.decode(self.fd.read())
        except ValueError as error:  # what Pillow's own decoders raise for a broken file
            raise OSError(f"cannot decode the JPEG XL file: {error}") from None
        mode = self.mode
        if mode in ("RGB", "RGBA", "LA") and pixels.dtype != np.uint8:
            scale = 255.0 if pixels.dtype == np.float32 else 255.0 / 65535.0
            pixels = np.rint(np.clip(pixels.astype(np.float32) * scale, 0, 255)).astype(np.uint8)
        raw_mode = {"I;16": "I;16", "F": "F"}.get(mode, mode)
        self.set_as_raw(np.ascontiguousarray(pixels).tobytes(), raw_mode)
        return -1, 0


def _save(image: Image.Image, fp: IO[bytes], filename: str | bytes) -> None:
    options = dict(image.encoderinfo)
    exif = options.pop("exif", image.info.get("exif"))
    if isinstance(exif, Image.Exif):
        exif = exif.tobytes()
    xmp = options.pop("xmp", image.info.get("xmp"))
    if isinstance(xmp, str):
        xmp = xmp.encode()
    icc = options.pop("icc_profile", image.info.get("icc_profile"))
    settings = {name: options[name] for name in
                ("center", "distance", "effort", "lossless", "threads", "orientation")
                if name in options}
    settings.update({name: value for name, value in options.items()
                     if name in attention_jxl.frame_setting_names()})
    fp.write(attention_jxl.encode(as_image_array(image), exif=exif or None, xmp=xmp or None,
                                  icc_profile=icc or None, **settings))


def register() -> None:
    """Registers the plugin with Pillow (done on import)."""
    Image.register_open(FORMAT, JxlImageFile, _accept)
    Image.register_decoder("attention_jxl", _JxlDecoder)
    Image.register_save(FORMAT, _save)
    Image.register_extension(FORMAT, ".jxl")
    Image.register_mime(FORMAT, MIME)


register()
