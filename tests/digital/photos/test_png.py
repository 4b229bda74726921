"""PNG: eXIf, XMP text chunks and ImageMagick raw profiles; bounded decompression."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest

from courseline.digital.photos.containers import MAX_PAYLOAD, Payloads, png
from courseline.digital.photos.model import ErrorKind, PhotoScan, SourceKind
from courseline.digital.photos.scan import scan_file
from tests.digital.photos import fixtures as fx

XMP_KEY = b"XML:com.adobe.xmp"


def scan_png(tmp_path: Path, data: bytes) -> PhotoScan:
    path = tmp_path / "image.png"
    path.write_bytes(data)
    return scan_file(path)


def test_exif_in_an_exif_chunk_is_read(tmp_path: Path) -> None:
    scan = scan_png(tmp_path, fx.png(fx.png_chunk(b"eXIf", fx.exif_tiff(gps=fx.PARIS))))
    assert scan.format == "png" and scan.error is None
    assert [s.kind for s in scan.sources] == [SourceKind.EXIF_GPS]
    assert scan.location == pytest.approx(fx.PARIS, abs=1e-6)
    assert scan.device.make == "Apple"


@pytest.mark.parametrize("compressed", [False, True])
def test_xmp_in_an_itxt_chunk_is_read(tmp_path: Path, compressed: bool) -> None:
    chunk = fx.itxt(XMP_KEY, fx.xmp_gps(*fx.NEW_YORK), compressed=compressed)
    scan = scan_png(tmp_path, fx.png(chunk))
    assert [s.kind for s in scan.sources] == [SourceKind.XMP]
    assert scan.location == pytest.approx(fx.NEW_YORK, abs=1e-6)


def test_xmp_in_a_plain_text_chunk_after_the_image_data_is_read(tmp_path: Path) -> None:
    data = fx.png()
    iend = data.rindex(b"IEND") - 4
    data = data[:iend] + fx.text_chunk(XMP_KEY, fx.xmp_gps(*fx.PARIS)) + data[iend:]
    assert scan_png(tmp_path, data).location == pytest.approx(fx.PARIS, abs=1e-6)


@pytest.mark.parametrize("chunk", ["zTXt", "tEXt", "iTXt"])
def test_imagemagick_raw_exif_profiles_are_reported_as_png_text(tmp_path: Path, chunk: str) -> None:
    text = fx.raw_profile("exif", b"Exif\0\0" + fx.exif_tiff(gps=fx.SYDNEY))
    key = b"Raw profile type exif"
    built = {
        "zTXt": fx.ztxt(key, text),
        "tEXt": fx.text_chunk(key, text),
        "iTXt": fx.itxt(key, text, compressed=True),
    }[chunk]
    scan = scan_png(tmp_path, fx.png(built))
    assert [s.kind for s in scan.sources] == [SourceKind.PNG_TEXT]
    assert scan.location == pytest.approx(fx.SYDNEY, abs=1e-6)


def test_imagemagick_raw_xmp_and_iptc_profiles_are_reported_as_png_text(tmp_path: Path) -> None:
    xmp_text = fx.raw_profile("xmp", fx.xmp_gps(*fx.PARIS))
    iptc_text = fx.raw_profile("iptc", fx.irb([(0x0404, fx.iim([(2, 90, b"Bristol")]))]))
    data = fx.png(
        fx.ztxt(b"Raw profile type xmp", xmp_text), fx.ztxt(b"Raw profile type iptc", iptc_text)
    )
    scan = scan_png(tmp_path, data)
    assert [(s.kind, s.text) for s in scan.sources] == [
        (SourceKind.PNG_TEXT, None),
        (SourceKind.PNG_TEXT, "Bristol"),
    ]


def test_other_text_chunks_are_not_read_beyond_their_keyword() -> None:
    data = fx.png(fx.text_chunk(b"Comment", b"x" * 500_000))
    found = Payloads("png")
    png.read(io.BytesIO(data), len(data), found)
    assert found.exif == [] and found.xmp == []


def test_a_decompression_bomb_is_refused_as_too_large(tmp_path: Path) -> None:
    bomb = zlib.compress(b"\0" * (MAX_PAYLOAD + 1024), 9)
    chunk = fx.png_chunk(b"zTXt", b"Raw profile type exif\0\0" + bomb)
    scan = scan_png(tmp_path, fx.png(chunk))
    assert scan.error is not None and scan.error.kind == ErrorKind.TOO_LARGE


def test_a_png_without_iend_is_truncated_but_keeps_what_was_found(tmp_path: Path) -> None:
    data = fx.png(fx.png_chunk(b"eXIf", fx.exif_tiff(gps=fx.PARIS)))
    scan = scan_png(tmp_path, data[: data.rindex(b"IDAT") + 10])
    assert scan.error is not None and scan.error.kind == ErrorKind.TRUNCATED
    assert scan.location == pytest.approx(fx.PARIS, abs=1e-6)


def test_an_impossible_chunk_length_is_malformed(tmp_path: Path) -> None:
    data = fx.PNG_SIGNATURE + struct.pack(">I", 0xFFFFFFF0) + b"tEXt" + bytes(50)
    scan = scan_png(tmp_path, data)
    assert scan.error is not None and scan.error.kind == ErrorKind.MALFORMED


def test_corrupt_compressed_text_is_malformed(tmp_path: Path) -> None:
    chunk = fx.png_chunk(b"zTXt", b"Raw profile type exif\0\0not zlib at all")
    scan = scan_png(tmp_path, fx.png(chunk))
    assert scan.error is not None and scan.error.kind == ErrorKind.MALFORMED


def test_bad_hex_in_a_raw_profile_is_ignored() -> None:
    assert png.raw_profile(b"\nexif\n  4\nzzzz\n") is None
    assert png.raw_profile(b"\nexif\n  nope\n0000\n") is None
    assert png.raw_profile(b"\nexif\n  2\n41 42 43\n") == b"AB"
