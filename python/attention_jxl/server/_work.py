"""What each endpoint computes, as plain functions the runner's threads call."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

import attention_jxl
from attention_jxl import _files, _png
from attention_jxl.server._errors import Problem

# Signatures of the image files the endpoints read (Pillow reads all but PNG).
IMAGE_SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG"), (b"\x89PNG\r\n\x1a\n", "PNG"), (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"), (b"II*\0", "TIFF"), (b"MM\0*", "TIFF"), (b"BM", "BMP"),
)
JXL_SIGNATURES = (b"\xff\x0a", b"\0\0\0\x0cJXL \r\n\x87\n")


def image_kind(data: bytes) -> str | None:
    for signature, kind in IMAGE_SIGNATURES:
        if data.startswith(signature):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    if data[:2] in (b"P1", b"P2", b"P3", b"P4", b"P5", b"P6", b"P7"):
        return "PNM"
    return None


def require_image(data: bytes) -> str:
    """The kind of image `data` is; 415 for anything else."""
    if not data:
        raise Problem(400, "empty body: send the image file as the request body")
    kind = image_kind(data)
    if kind is None:
        what = "JPEG XL" if data.startswith(JXL_SIGNATURES) else "not an image type read here"
        raise Problem(415, f"unsupported media type ({what}): send PNG, JPEG, WebP, GIF, TIFF, "
                           "BMP or PNM")
    return kind


def require_jxl(data: bytes) -> None:
    if not data.startswith(JXL_SIGNATURES):
        raise Problem(415, "unsupported media type: send a JPEG XL file")


def encode(data: bytes, options: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    require_image(data)
    encoded, center, warnings = _files.encode_file_bytes(data, name="the body", threads=1,
                                                         **options)
    headers = {"X-Attention-Center": f"{center[0]},{center[1]}"} if center else {}
    if warnings:
        headers["X-Attention-Warnings"] = json.dumps(warnings)
    return encoded, headers


def _upright_image(data: bytes) -> _files.ImageFile:
    require_image(data)
    return _files.read_image(data, "the body")


def center(data: bytes) -> dict[str, Any]:
    image = _upright_image(data)
    x, y = attention_jxl.center(image.pixels, orientation=image.orientation)
    height, width = image.pixels.shape[:2]
    return {"center": [x, y], "width": width, "height": height,
            "orientation": image.orientation, "warnings": image.warnings}


def saliency(data: bytes, as_png: bool) -> dict[str, Any] | bytes:
    image = _upright_image(data)
    values = attention_jxl.saliency(image.pixels, orientation=image.orientation)
    if as_png:
        return _png.heatmap_png(values)
    return {"width": int(values.shape[1]), "height": int(values.shape[0]),
            "saliency": np.round(values, 4).tolist(), "warnings": image.warnings}


def crop(data: bytes, options: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    require_image(data)
    cropped, fields, warnings = _files.crop_file_bytes(data, name="the body", **options)
    headers = {"X-Attention-Box": ",".join(map(str, fields["box"])),
               "X-Attention-Center": ",".join(map(str, fields["center"]))}
    if warnings:
        headers["X-Attention-Warnings"] = json.dumps(warnings)
    return cropped, headers


def probe(data: bytes) -> dict[str, Any]:
    require_jxl(data)
    info = attention_jxl.probe(data)
    return {**info.__dict__, "first_group": list(info.first_group)}


def reconstruct_jpeg(data: bytes) -> bytes:
    require_jxl(data)
    return attention_jxl.reconstruct_jpeg(data, threads=1)
