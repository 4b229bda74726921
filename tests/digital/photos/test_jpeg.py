"""JPEG: every metadata segment that can reveal a location is found, and little else is read."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from courseline.digital.photos.containers import ContainerError, Payloads, jpeg
from courseline.digital.photos.model import ErrorKind, SourceKind
from courseline.digital.photos.scan import scan_file
from tests.digital.photos import fixtures as fx


def scan_bytes(tmp_path: Path, data: bytes, name: str = "photo.jpg"):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_bytes(data)
    return scan_file(path)


class CountingFile(io.BytesIO):
    """A file that records how many bytes were read from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.bytes_read += len(data)
        return data


def test_exif_gps_is_reported_with_time_zone_device_serial_and_owner(tmp_path: Path) -> None:
    scan = scan_bytes(tmp_path, fx.jpeg_with_gps(fx.PARIS, serial="SN-1", owner="Sam Doe"))
    assert scan.error is None and scan.format == "jpeg"
    assert [s.kind for s in scan.sources] == [SourceKind.EXIF_GPS]
    assert scan.location == pytest.approx(fx.PARIS, abs=1e-6)
    assert scan.taken_at == dt.datetime(
        2026, 3, 4, 5, 6, 7, tzinfo=dt.timezone(dt.timedelta(hours=1))
    )
    assert (scan.device.make, scan.device.model) == ("Apple", "iPhone 14")
    assert (scan.device.serial, scan.device.owner) == ("SN-1", "Sam Doe")


def test_southern_and_western_references_make_coordinates_negative(tmp_path: Path) -> None:
    south = scan_bytes(tmp_path, fx.jpeg_with_gps(fx.SYDNEY), "s.jpg")
    west = scan_bytes(tmp_path, fx.jpeg_with_gps(fx.NEW_YORK), "w.jpg")
    assert south.location == pytest.approx(fx.SYDNEY, abs=1e-6)
    assert west.location == pytest.approx(fx.NEW_YORK, abs=1e-6)


def test_a_photo_with_only_xmp_gps_reveals_its_location(tmp_path: Path) -> None:
    scan = scan_bytes(tmp_path, fx.jpeg(fx.app1_xmp(fx.xmp_gps(*fx.NEW_YORK))))
    assert [s.kind for s in scan.sources] == [SourceKind.XMP]
    assert scan.location == pytest.approx(fx.NEW_YORK, abs=1e-6)


def test_xmp_written_after_200_kb_of_app2_blocks_is_still_found(tmp_path: Path) -> None:
    data = fx.jpeg(
        fx.app1_exif(fx.exif_tiff()), *fx.app2(200_000), fx.app1_xmp(fx.xmp_gps(*fx.PARIS))
    )
    scan = scan_bytes(tmp_path, data)
    assert [s.kind for s in scan.sources] == [SourceKind.XMP]
    assert scan.location == pytest.approx(fx.PARIS, abs=1e-6)


def test_exif_and_xmp_copies_are_both_listed_exif_first(tmp_path: Path) -> None:
    data = fx.jpeg(fx.app1_exif(fx.exif_tiff(gps=fx.PARIS)), fx.app1_xmp(fx.xmp_gps(*fx.SYDNEY)))
    scan = scan_bytes(tmp_path, data)
    assert [s.kind for s in scan.sources] == [SourceKind.EXIF_GPS, SourceKind.XMP]
    assert scan.location == pytest.approx(fx.PARIS, abs=1e-6)


def test_iptc_city_and_country_are_reported_as_a_place_name(tmp_path: Path) -> None:
    scan = scan_bytes(tmp_path, fx.jpeg(fx.app13_iptc("Saint-Étienne", "France", "FRA")))
    assert len(scan.sources) == 1
    source = scan.sources[0]
    assert source.kind == SourceKind.IPTC_PLACE and not source.has_coordinates
    assert source.text == "Saint-Étienne, France, FRA"
    assert scan.location is None and scan.reveals_location


def test_a_thumbnail_carrying_its_own_gps_is_reported_as_thumbnail_exif(tmp_path: Path) -> None:
    thumb = fx.thumbnail_with_gps(fx.SYDNEY)
    scan = scan_bytes(tmp_path, fx.jpeg(fx.app1_exif(fx.exif_tiff(gps=fx.PARIS, thumbnail=thumb))))
    assert [s.kind for s in scan.sources] == [SourceKind.EXIF_GPS, SourceKind.THUMBNAIL_EXIF]
    assert (scan.sources[1].lat, scan.sources[1].lon) == pytest.approx(fx.SYDNEY, abs=1e-6)


def test_a_thumbnail_without_gps_adds_nothing(tmp_path: Path) -> None:
    thumb = fx.jpeg(fx.app1_exif(fx.exif_tiff()), body=64)
    scan = scan_bytes(tmp_path, fx.jpeg(fx.app1_exif(fx.exif_tiff(thumbnail=thumb))))
    assert scan.sources == () and scan.error is None


def test_a_photo_without_location_reports_no_sources_but_keeps_time_and_device(
    tmp_path: Path,
) -> None:
    scan = scan_bytes(tmp_path, fx.jpeg(fx.app1_exif(fx.exif_tiff(maker_note=20_000))))
    assert scan.error is None and scan.sources == () and not scan.reveals_location
    assert scan.taken_at is not None and scan.device.model == "iPhone 14"


def test_extended_xmp_split_over_several_segments_is_reassembled(tmp_path: Path) -> None:
    extended = fx.xmp_gps(*fx.SYDNEY) + b" " * 150_000
    guid = b"0123456789ABCDEF0123456789ABCDEF"
    data = fx.jpeg(fx.app1_xmp(fx.xmp_packet()), *fx.app1_extended_xmp(guid, extended))
    scan = scan_bytes(tmp_path, data)
    assert scan.location == pytest.approx(fx.SYDNEY, abs=1e-6)


def test_photoshop_irb_copies_of_exif_and_xmp_are_read() -> None:
    resources = fx.irb([(0x0422, fx.exif_tiff(gps=fx.PARIS)), (0x0424, fx.xmp_gps(*fx.SYDNEY))])
    data = fx.jpeg(fx.segment(0xED, b"Photoshop 3.0\0" + resources))
    found = Payloads("jpeg")
    jpeg.read(io.BytesIO(data), len(data), found)
    assert len(found.exif) == 1 and len(found.xmp) == 1


def test_the_reader_skips_large_segments_and_never_reads_the_image_data() -> None:
    data = fx.jpeg(
        fx.app1_exif(fx.exif_tiff(gps=fx.PARIS)),
        *fx.app2(500_000),
        fx.app1_xmp(fx.xmp_gps(*fx.PARIS)),
        body=4_000_000,
    )
    f = CountingFile(data)
    found = Payloads("jpeg")
    jpeg.read(f, len(data), found)
    assert len(found.exif) == 1 and len(found.xmp) == 1
    assert f.bytes_read < 300_000, f.bytes_read


@pytest.mark.parametrize("cut", [3, 4, 5, 11, 40, 200])
def test_a_truncated_jpeg_is_reported_as_truncated(tmp_path: Path, cut: int) -> None:
    data = fx.jpeg(fx.app1_exif(fx.exif_tiff(gps=fx.PARIS)))
    scan = scan_bytes(tmp_path, data[:cut])
    assert scan.error is not None and scan.error.kind == ErrorKind.TRUNCATED
    assert scan.format == "jpeg"


def test_a_truncated_jpeg_still_reports_the_location_read_before_the_cut(tmp_path: Path) -> None:
    data = fx.jpeg(fx.app1_exif(fx.exif_tiff(gps=fx.PARIS)), *fx.app2(100_000))
    scan = scan_bytes(tmp_path, data[:50_000])
    assert scan.error is not None and scan.error.kind == ErrorKind.TRUNCATED
    assert scan.location == pytest.approx(fx.PARIS, abs=1e-6)


def test_garbage_between_segments_is_malformed(tmp_path: Path) -> None:
    data = b"\xff\xd8" + fx.segment(0xE0, b"JFIF\0") + b"garbage" + fx.scan_data(10)
    scan = scan_bytes(tmp_path, data)
    assert scan.error is not None and scan.error.kind == ErrorKind.MALFORMED


def test_a_segment_length_below_two_is_malformed() -> None:
    data = b"\xff\xd8\xff\xe1\x00\x01" + bytes(20)
    with pytest.raises(ContainerError) as caught:
        jpeg.read(io.BytesIO(data), len(data), Payloads("jpeg"))
    assert caught.value.kind == ErrorKind.MALFORMED


def test_fill_bytes_and_standalone_markers_before_segments_are_tolerated(tmp_path: Path) -> None:
    data = b"\xff\xd8\xff\xff\xff\x01" + fx.app1_exif(fx.exif_tiff(gps=fx.PARIS)) + fx.scan_data(9)
    assert scan_bytes(tmp_path, data).location == pytest.approx(fx.PARIS, abs=1e-6)


def test_a_corrupt_exif_block_does_not_hide_the_xmp_copy(tmp_path: Path) -> None:
    data = fx.jpeg(fx.segment(0xE1, b"Exif\0\0XX*\0garbage"), fx.app1_xmp(fx.xmp_gps(*fx.PARIS)))
    scan = scan_bytes(tmp_path, data)
    assert scan.error is None and [s.kind for s in scan.sources] == [SourceKind.XMP]
