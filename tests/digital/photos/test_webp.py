"""WebP: the RIFF EXIF and XMP chunks are read; broken RIFF files give typed errors."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from courseline.digital.photos.model import ErrorKind, PhotoScan, SourceKind
from courseline.digital.photos.scan import scan_file
from tests.digital.photos import fixtures as fx


def scan_webp(tmp_path: Path, data: bytes) -> PhotoScan:
    path = tmp_path / "image.webp"
    path.write_bytes(data)
    return scan_file(path)


@pytest.mark.parametrize("prefix", [b"", b"Exif\0\0"], ids=["bare-tiff", "exif-prefixed"])
def test_exif_chunk_gps_is_read(tmp_path: Path, prefix: bytes) -> None:
    data = fx.webp(fx.riff_chunk(b"EXIF", prefix + fx.exif_tiff(gps=fx.SYDNEY)))
    scan = scan_webp(tmp_path, data)
    assert scan.format == "webp" and scan.error is None
    assert [s.kind for s in scan.sources] == [SourceKind.EXIF_GPS]
    assert scan.location == pytest.approx(fx.SYDNEY, abs=1e-6)


def test_xmp_chunk_gps_is_read(tmp_path: Path) -> None:
    scan = scan_webp(tmp_path, fx.webp(fx.riff_chunk(b"XMP ", fx.xmp_gps(*fx.PARIS))))
    assert [s.kind for s in scan.sources] == [SourceKind.XMP]


def test_a_webp_without_metadata_has_no_sources(tmp_path: Path) -> None:
    scan = scan_webp(tmp_path, fx.webp())
    assert scan.error is None and scan.sources == ()


def test_a_webp_cut_short_is_truncated_but_keeps_earlier_chunks(tmp_path: Path) -> None:
    data = fx.webp(
        fx.riff_chunk(b"EXIF", fx.exif_tiff(gps=fx.SYDNEY)), fx.riff_chunk(b"ICCP", bytes(5000))
    )
    scan = scan_webp(tmp_path, data[:-100])
    assert scan.error is not None and scan.error.kind == ErrorKind.TRUNCATED
    assert scan.location == pytest.approx(fx.SYDNEY, abs=1e-6)


def test_a_chunk_longer_than_the_riff_is_truncated(tmp_path: Path) -> None:
    body = b"WEBP" + b"VP8 " + struct.pack("<I", 10_000) + bytes(10)
    scan = scan_webp(tmp_path, b"RIFF" + struct.pack("<I", len(body)) + body)
    assert scan.error is not None and scan.error.kind == ErrorKind.TRUNCATED


def test_an_odd_sized_chunk_is_padded_before_the_next(tmp_path: Path) -> None:
    data = fx.webp(fx.riff_chunk(b"ICCP", bytes(7)), fx.riff_chunk(b"XMP ", fx.xmp_gps(*fx.PARIS)))
    assert scan_webp(tmp_path, data).location == pytest.approx(fx.PARIS, abs=1e-6)
