"""TIFF/EXIF: both byte orders, GPS references and ranges, and bounded work on hostile input."""

from __future__ import annotations

import datetime as dt
import struct
import time
from pathlib import Path

import pytest

from courseline.digital.photos.containers import ContainerError, tiff
from courseline.digital.photos.model import ErrorKind, SourceKind
from courseline.digital.photos.scan import scan_file
from tests.digital.photos import fixtures as fx
from tests.digital.photos.fixtures import ASCII, LONG, RATIONAL, SHORT, SRATIONAL


def gps_only(gps: list[fx.Entry], order: str = "<") -> tiff.TiffInfo:
    return tiff.parse(fx.tiff([(0x010F, ASCII, "Make")], gps=gps, order=order))


@pytest.mark.parametrize("order", ["<", ">"])
def test_both_byte_orders_give_the_same_answer(order: str) -> None:
    info = tiff.parse(fx.exif_tiff(gps=fx.SYDNEY, order=order, serial="X1", owner="Jo"))
    assert info.gps == pytest.approx(fx.SYDNEY, abs=1e-6)
    assert (info.make, info.model, info.serial, info.owner) == ("Apple", "iPhone 14", "X1", "Jo")
    assert info.taken_at == dt.datetime(
        2026, 3, 4, 5, 6, 7, tzinfo=dt.timezone(dt.timedelta(hours=1))
    )


@pytest.mark.parametrize("order", ["<", ">"])
def test_a_raw_tiff_file_is_scanned_in_place(tmp_path: Path, order: str) -> None:
    path = tmp_path / "scan.tif"
    path.write_bytes(fx.exif_tiff(gps=fx.NEW_YORK, order=order) + bytes(100_000))
    scan = scan_file(path)
    assert scan.format == "tiff" and scan.error is None
    assert [s.kind for s in scan.sources] == [SourceKind.EXIF_GPS]
    assert scan.location == pytest.approx(fx.NEW_YORK, abs=1e-6)


def test_a_missing_reference_still_reports_the_location_unsigned() -> None:
    info = gps_only([(2, RATIONAL, fx.dms(51.5)), (4, RATIONAL, fx.dms(0.12))])
    assert info.gps == pytest.approx((51.5, 0.12), abs=1e-6)


def test_signed_rationals_and_decimal_degrees_are_understood() -> None:
    info = gps_only([(2, SRATIONAL, [(-3350, 100)]), (4, RATIONAL, [(15121, 100)])])
    assert info.gps == pytest.approx((-33.5, 151.21), abs=1e-9)


def test_zero_denominators_are_ignored_in_minutes_and_fatal_in_degrees() -> None:
    minutes_unknown = gps_only(
        [(2, RATIONAL, [(48, 1), (0, 0), (0, 0)]), (4, RATIONAL, [(2, 1), (30, 1), (0, 0)])]
    )
    assert minutes_unknown.gps == pytest.approx((48.0, 2.5))
    degrees_unknown = gps_only([(2, RATIONAL, [(0, 0), (1, 1), (0, 1)]), (4, RATIONAL, [(2, 1)])])
    assert degrees_unknown.gps is None


@pytest.mark.parametrize(
    "lat,lon",
    [([(91, 1)], [(2, 1)]), ([(45, 1)], [(181, 1)]), ([(0, 1)], [(0, 1)])],
    ids=["latitude-over-90", "longitude-over-180", "null-island"],
)
def test_out_of_range_and_null_island_coordinates_are_not_a_location(
    lat: list[tuple[int, int]], lon: list[tuple[int, int]]
) -> None:
    assert gps_only([(2, RATIONAL, lat), (4, RATIONAL, lon)]).gps is None


def test_coordinates_of_the_wrong_type_are_ignored() -> None:
    assert gps_only([(2, SHORT, [48, 51, 29]), (4, RATIONAL, [(2, 1)])]).gps is None


def test_an_ifd_pointing_at_itself_is_visited_once() -> None:
    # IFD0 at offset 8 whose Exif pointer and next-IFD pointer both lead back to offset 8
    entries = [(0x010F, ASCII, "Loop"), (0x8769, LONG, 8), (0x8825, LONG, 8)]
    data = b"II*\0" + struct.pack("<I", 8) + fx.ifd("<", entries, 8, next_ifd=8)
    started = time.perf_counter()
    info = tiff.parse(data)
    assert time.perf_counter() - started < 0.1
    assert info.make == "Loop" and info.gps is None


def test_offsets_and_counts_beyond_the_data_are_ignored() -> None:
    table = struct.pack("<H", 2)
    table += struct.pack("<HHII", 0x010F, ASCII, 4000, 999_999)  # value far outside the data
    table += struct.pack("<HHII", 0x8825, LONG, 1, 0xFFFFFFF0)  # GPS IFD outside the data
    data = b"II*\0" + struct.pack("<I", 8) + table + struct.pack("<I", 0x7FFFFFFF)
    info = tiff.parse(data)
    assert info.make is None and info.gps is None


def test_an_ifd_claiming_too_many_entries_is_skipped_quickly() -> None:
    data = b"MM\0*" + struct.pack(">I", 8) + struct.pack(">H", 65535) + bytes(100)
    started = time.perf_counter()
    assert tiff.parse(data).make is None
    assert time.perf_counter() - started < 0.05


@pytest.mark.parametrize(
    "data,kind",
    [
        (b"II*\0", ErrorKind.TRUNCATED),
        (b"XX*\0\x08\0\0\0", ErrorKind.MALFORMED),
        (b"II\x2b\0\x08\0\0\0", ErrorKind.UNSUPPORTED),
        (b"II\x99\0\x08\0\0\0", ErrorKind.MALFORMED),
    ],
    ids=["short", "bad-order", "bigtiff", "bad-magic"],
)
def test_a_bad_header_raises_a_typed_container_error(data: bytes, kind: ErrorKind) -> None:
    with pytest.raises(ContainerError) as caught:
        tiff.parse(data)
    assert caught.value.kind == kind


def test_a_tiff_file_whose_first_ifd_is_past_the_end_is_truncated(tmp_path: Path) -> None:
    path = tmp_path / "cut.tif"
    path.write_bytes(fx.exif_tiff(gps=fx.PARIS)[:6] + b"\0\0")
    path.write_bytes(b"II*\0" + struct.pack("<I", 5000) + bytes(10))
    scan = scan_file(path)
    assert scan.error is not None and scan.error.kind == ErrorKind.TRUNCATED


def test_digitized_time_and_ifd0_time_are_fallbacks_for_the_capture_time() -> None:
    data = fx.tiff([(0x0132, ASCII, "2025:01:02 03:04:05")], exif=[(0x9010, ASCII, "-05:30")])
    info = tiff.parse(data)
    assert info.taken_at == dt.datetime(
        2025, 1, 2, 3, 4, 5, tzinfo=dt.timezone(-dt.timedelta(hours=5, minutes=30))
    )
    assert tiff.parse(fx.exif_tiff(offset=None)).taken_at == dt.datetime(2026, 3, 4, 5, 6, 7)  # noqa: DTZ001


def test_blank_and_impossible_dates_are_no_date() -> None:
    assert tiff.parse(fx.exif_tiff(taken="0000:00:00 00:00:00")).taken_at is None
    assert tiff.parse(fx.exif_tiff(taken="    :  :     :  :  ")).taken_at is None


def test_xmp_and_iptc_kept_inside_a_tiff_are_read(tmp_path: Path) -> None:
    iptc = fx.iim([(2, 90, b"Leeds")])
    data = fx.tiff(
        [(0x010F, ASCII, "Scanner"), (0x02BC, 1, fx.xmp_gps(*fx.PARIS)), (0x83BB, 7, iptc)]
    )
    path = tmp_path / "scan.tif"
    path.write_bytes(data)
    scan = scan_file(path)
    assert [s.kind for s in scan.sources] == [SourceKind.XMP, SourceKind.IPTC_PLACE]
    assert scan.sources[1].text == "Leeds"


def test_an_oversized_thumbnail_is_not_loaded() -> None:
    ifd1 = [(0x0201, LONG, 8), (0x0202, LONG, tiff.MAX_THUMBNAIL + 1)]
    data = fx.tiff([(0x010F, ASCII, "Make")], ifd1=ifd1)
    assert tiff.parse(data).thumbnail is None
