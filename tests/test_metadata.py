"""Exif and XMP: written by encode, kept by transcode_jpeg and encode_files, read by decode."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import attention_jxl
from conftest import TESTDATA, require_tool

EXIF_JPEG = TESTDATA / "jxl/jpeg_reconstruction/1x1_exif_xmp.jpg"
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'


def tiff_with_orientation(orientation: int) -> bytes:
    header = b"II" + struct.pack("<HI", 42, 8)
    entry = struct.pack("<HHIH2x", 0x0112, 3, 1, orientation)
    return header + struct.pack("<H", 1) + entry + struct.pack("<I", 0)


def pixels() -> np.ndarray:
    return np.arange(90 * 120 * 3, dtype=np.uint32).reshape(90, 120, 3).astype(np.uint8)


@pytest.mark.parametrize("prefix", [b"", b"Exif\0\0"])
def test_encode_writes_exif_and_xmp_and_decode_returns_them(prefix: bytes) -> None:
    tiff = tiff_with_orientation(3)
    data = attention_jxl.encode(pixels(), exif=prefix + tiff, xmp=XMP, effort=1, center=(60, 40))
    image, metadata = attention_jxl.decode(data, metadata=True)
    assert np.array_equal(image, attention_jxl.decode(data))
    assert metadata.exif == tiff and metadata.xmp == XMP
    assert metadata.icc and metadata.icc[36:40] == b"acsp"  # an ICC profile


def test_libjxl_reads_the_boxes(tmp_path: Path) -> None:
    tiff = tiff_with_orientation(1)
    path = tmp_path / "meta.jxl"
    path.write_bytes(attention_jxl.encode(pixels(), exif=tiff, xmp=XMP, effort=1))
    out = subprocess.run([require_tool("jxlinfo"), str(path)], capture_output=True, text=True,
                         check=True).stdout
    assert "Exif metadata: " in out and "xml  metadata: " in out


def test_without_metadata_nothing_is_returned() -> None:
    _, metadata = attention_jxl.decode(attention_jxl.encode(pixels(), effort=1), metadata=True)
    assert metadata.exif is None and metadata.xmp is None


def test_icc_profile_comes_back() -> None:
    icc = Image.open(TESTDATA / "jxl/flower/flower.png").info.get("icc_profile")
    if icc is None:
        from PIL import ImageCms
        icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = attention_jxl.encode(pixels(), icc_profile=icc, lossless=True, effort=1)
    _, metadata = attention_jxl.decode(data, metadata=True)
    assert metadata.icc == icc


def test_transcode_keeps_the_jpegs_exif_and_xmp() -> None:
    jpeg = EXIF_JPEG.read_bytes()
    source = Image.open(io.BytesIO(jpeg))
    jxl = attention_jxl.transcode_jpeg(jpeg, center=None)
    _, metadata = attention_jxl.decode(jxl, metadata=True)
    assert metadata.exif == source.info["exif"][len(b"Exif\0\0"):]
    assert metadata.xmp and b"xpacket" in metadata.xmp
    assert attention_jxl.reconstruct_jpeg(jxl) == jpeg


@pytest.mark.parametrize("exif", [b"garbage", b"Exif\0\0XX", b"II"])
def test_exif_that_is_not_tiff_is_refused(exif: bytes) -> None:
    with pytest.raises(ValueError, match="exif must be Exif data"):
        attention_jxl.encode(pixels(), exif=exif, effort=1)


def test_metadata_must_be_bytes() -> None:
    with pytest.raises(TypeError, match="xmp must be bytes"):
        attention_jxl.encode(pixels(), xmp="<x/>", effort=1)


def png_with_metadata(tmp_path: Path) -> tuple[Path, bytes]:
    tiff = tiff_with_orientation(1)
    exif = Image.Exif()
    exif.load(tiff)
    path = tmp_path / "source.png"
    Image.fromarray(pixels()).save(path, exif=exif.tobytes())
    written = Image.open(path).info["exif"]
    return path, written[len(b"Exif\0\0"):] if written.startswith(b"Exif\0\0") else written


def test_encode_files_carries_the_sources_metadata(tmp_path: Path) -> None:
    source, tiff = png_with_metadata(tmp_path)
    [record] = attention_jxl.encode_files([source], tmp_path / "out", center=None, effort=1)
    assert record["status"] == "ok", record
    _, metadata = attention_jxl.decode((tmp_path / "out/source.jxl").read_bytes(), metadata=True)
    assert metadata.exif == tiff


def test_encode_files_keeps_webp_xmp(tmp_path: Path) -> None:
    webp = tmp_path / "picture.webp"
    Image.fromarray(pixels()).save(webp, lossless=True, xmp=XMP)
    if not Image.open(webp).info.get("xmp"):
        pytest.skip("this Pillow does not write WebP XMP")
    [record] = attention_jxl.encode_files([webp], tmp_path / "out", center=None, effort=1)
    assert record["status"] == "ok", record
    _, metadata = attention_jxl.decode((tmp_path / "out/picture.jxl").read_bytes(), metadata=True)
    assert metadata.xmp == XMP


def test_strip_drops_it_on_the_command_line(tmp_path: Path) -> None:
    source, _ = png_with_metadata(tmp_path)
    cli = [sys.executable, "-m", "attention_jxl"]
    for strip, folder in [([], "kept"), (["--strip"], "stripped")]:
        subprocess.run([*cli, "encode", str(source), "-o", str(tmp_path / folder), "--no-center",
                        "-e", "1", *strip], check=True, capture_output=True)
    kept = attention_jxl.probe((tmp_path / "kept/source.jxl").read_bytes())
    stripped = attention_jxl.probe((tmp_path / "stripped/source.jxl").read_bytes())
    assert kept.has_exif and not stripped.has_exif
