"""Reading pcap and pcapng files: byte orders, resolutions, blocks, damage and truncation."""

from __future__ import annotations

import datetime as dt
import gzip
import struct
from pathlib import Path

import pytest

from courseline.digital.network import CaptureError
from courseline.digital.network.capture import CHUNK
from tests.digital.network import fixtures as fx

UTC = dt.UTC


def _query_times(report: object) -> list[dt.datetime | None]:
    return [h.first_seen for h in report.hits]  # type: ignore[attr-defined]


@pytest.mark.parametrize("endian", ["<", ">"])
@pytest.mark.parametrize("nano", [False, True])
def test_it_reads_classic_pcap_in_both_byte_orders_and_resolutions(
    tmp_path: Path, endian: str, nano: bool
) -> None:
    data = fx.pcap(
        [(fx.T0 + 0.25, fx.dns_query_frame("i.spyic.com")), (fx.T0 + 7.5, fx.bulk_frame())],
        endian=endian,
        nano=nano,
    )
    report = fx.check(tmp_path, data)
    assert report.summary.format == "pcap" and report.summary.packets == 2
    assert fx.seen(report) == {("Spyic", "dns-query", "i.spyic.com")}
    (hit,) = report.hits
    assert hit.first_seen == dt.datetime(2025, 11, 28, 3, 20, 0, 250000, tzinfo=UTC)
    assert report.summary.duration_seconds == pytest.approx(7.25)
    assert report.summary.file_bytes == len(data)


def test_it_keeps_nanosecond_precision_to_the_microsecond(tmp_path: Path) -> None:
    data = fx.pcap([(fx.T0 + 0.123456, fx.dns_query_frame("i.spyic.com"))], nano=True)
    (hit,) = fx.check(tmp_path, data).hits
    assert hit.first_seen is not None and hit.first_seen.microsecond == 123456


@pytest.mark.parametrize("endian", ["<", ">"])
def test_it_reads_pcapng_with_several_interfaces_link_types_and_resolutions(
    tmp_path: Path, endian: str
) -> None:
    raw = fx.ipv4(fx.CLIENT, fx.RESOLVER, 17, fx.udp(40001, 53, fx.dns_query("a.example.com")))
    data = (
        fx.shb(endian)
        + fx.idb(1, endian)  # Ethernet, microseconds
        + fx.opaque_block(0x0BAD, 40, endian)  # an unknown block is skipped by its length
        + fx.idb(101, endian, tsresol=9)  # raw IP, nanoseconds
        + fx.idb(113, endian, tsresol=0x80 | 10, tsoffset=100)  # SLL, 2^-10 s, +100 s
        + fx.epb(0, (fx.T0 + 1) * 1_000_000, fx.dns_query_frame("i.spyic.com"), endian)
        + fx.epb(1, (fx.T0 + 2) * 1_000_000_000, raw, endian)
        + fx.epb(2, (fx.T0 + 3 - 100) * 1024, fx.sll(raw), endian)
    )
    report = fx.check(tmp_path, data, "c.pcapng")
    summary = report.summary
    assert summary.format == "pcapng" and summary.link_types == (1, 101, 113)
    assert summary.packets == 3 and summary.unsupported_packets == 0
    by_value = {h.value: h for h in report.hits}
    assert by_value["i.spyic.com"].first_seen == dt.datetime.fromtimestamp(fx.T0 + 1, UTC)
    example = by_value["a.example.com"]
    assert example.count == 2
    assert example.first_seen == dt.datetime.fromtimestamp(fx.T0 + 2, UTC)
    assert example.last_seen == dt.datetime.fromtimestamp(fx.T0 + 3, UTC)


def test_it_restarts_interfaces_in_a_new_section_with_another_byte_order(tmp_path: Path) -> None:
    data = (
        fx.shb("<")
        + fx.idb(1, "<")
        + fx.epb(0, fx.T0 * 1_000_000, fx.dns_query_frame("one.spyic.com"), "<")
        + fx.shb(">")
        + fx.idb(1, ">")
        + fx.epb(0, fx.T0 * 1_000_000, fx.dns_query_frame("two.spyic.com"), ">")
    )
    report = fx.check(tmp_path, data)
    assert {h.value for h in report.hits} == {"one.spyic.com", "two.spyic.com"}


def test_a_simple_packet_block_is_read_with_the_last_known_time(tmp_path: Path) -> None:
    data = (
        fx.shb()
        + fx.idb(1)
        + fx.epb(0, fx.T0 * 1_000_000, fx.bulk_frame(100))
        + fx.spb(fx.dns_query_frame("i.spyic.com"))
    )
    report = fx.check(tmp_path, data)
    (hit,) = report.hits
    assert report.summary.packets == 2
    assert hit.first_seen == dt.datetime.fromtimestamp(fx.T0, UTC)


def test_a_simple_packet_block_before_any_timestamp_has_no_time(tmp_path: Path) -> None:
    data = fx.shb() + fx.idb(1) + fx.spb(fx.dns_query_frame("i.spyic.com"))
    (hit,) = fx.check(tmp_path, data).hits
    assert hit.first_seen is None and hit.count == 1


def test_packets_straddling_the_read_buffer_are_all_read(tmp_path: Path) -> None:
    bulk = fx.bulk_frame(1400)
    count = (CHUNK * 2) // len(bulk) + 50
    frames = [(fx.T0 + i / 1000, bulk) for i in range(count)]
    frames[count // 2] = (fx.T0, fx.dns_query_frame("i.spyic.com"))
    frames.append((fx.T0 + 99, fx.dns_query_frame("x.spyic.com")))
    report = fx.check(tmp_path, fx.pcap(frames))
    assert report.summary.packets == count + 1
    assert {h.value for h in report.hits} == {"i.spyic.com", "x.spyic.com"}


def test_an_unknown_pcapng_block_larger_than_the_buffer_is_skipped(tmp_path: Path) -> None:
    data = (
        fx.shb()
        + fx.idb(1)
        + fx.opaque_block(0x0BAD, CHUNK + 1000)
        + fx.epb(0, fx.T0 * 1_000_000, fx.dns_query_frame("i.spyic.com"))
    )
    report = fx.check(tmp_path, data)
    assert report.summary.packets == 1 and len(report.hits) == 1


def test_an_unsupported_link_type_is_counted_and_reported(tmp_path: Path) -> None:
    report = fx.check(tmp_path, fx.pcap([(fx.T0, b"\x02\0\0\0" + bytes(40))], link=0))
    assert report.summary.unsupported_packets == 1
    assert any("link types" in w for w in report.summary.warnings)
    assert any("unsupported link types" in n for n in report.not_checked)


# Truncation: a warning and the results so far ------------------------------------------------


def test_a_truncated_final_packet_is_a_warning_with_results_so_far(tmp_path: Path) -> None:
    data = fx.pcap([(fx.T0, fx.dns_query_frame("i.spyic.com")), (fx.T0 + 1, fx.bulk_frame())])
    report = fx.check(tmp_path, data[:-100])
    assert report.summary.truncated and report.summary.packets == 1
    assert "cut short" in report.summary.warnings[0]
    assert len(report.hits) == 1


def test_a_truncated_final_record_header_is_a_warning(tmp_path: Path) -> None:
    data = fx.pcap([(fx.T0, fx.dns_query_frame("i.spyic.com"))]) + b"\x01\x02\x03"
    report = fx.check(tmp_path, data)
    assert report.summary.truncated and report.summary.packets == 1


def test_a_truncated_pcapng_packet_block_is_a_warning(tmp_path: Path) -> None:
    data = fx.shb() + fx.idb(1) + fx.epb(0, 0, fx.dns_query_frame("i.spyic.com"))
    report = fx.check(tmp_path, data + fx.epb(0, 0, fx.bulk_frame())[:-30])
    assert report.summary.truncated and report.summary.packets == 1


def test_an_empty_pcap_is_read_with_no_packets(tmp_path: Path) -> None:
    report = fx.check(tmp_path, fx.pcap([]))
    assert report.summary.packets == 0 and report.summary.first_packet is None
    assert not report.summary.truncated


# Damage: a clear CaptureError ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"hello, this is not a capture at all", "not a pcap or pcapng"),
        (gzip.compress(b"x" * 100), "gzip"),
        (b"\xd4\xc3\xb2\xa1\x02\x00", "cut short"),
        (struct.pack("<IHHiIII", 0xA1B2C3D4, 9, 4, 0, 0, 65535, 1), "version"),
        (b"\x0a\x0d\x0d\x0a\x1c\0\0\0", "cut short"),
        (b"\x0a\x0d\x0d\x0a\x1c\0\0\0ABCD" + bytes(16), "byte-order"),
    ],
)
def test_unreadable_files_raise_a_clear_error(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(CaptureError, match=message):
        fx.check(tmp_path, data)


def test_an_absurd_pcap_packet_length_is_an_error(tmp_path: Path) -> None:
    data = fx.pcap([(fx.T0, fx.bulk_frame())]) + struct.pack("<IIII", 1, 0, 0x7FFFFFFF, 60)
    with pytest.raises(CaptureError, match="packet 2 at byte .* claims 2147483647 bytes"):
        fx.check(tmp_path, data + bytes(100))


@pytest.mark.parametrize("length", [8, 13, 0x7FFFFFF0])
def test_an_absurd_pcapng_block_length_is_an_error(tmp_path: Path, length: int) -> None:
    data = fx.shb() + fx.idb(1) + struct.pack("<II", 6, length) + bytes(64)
    with pytest.raises(CaptureError, match="block 3 at byte 48"):
        fx.check(tmp_path, data)


def test_pcapng_length_fields_that_disagree_are_an_error(tmp_path: Path) -> None:
    block = bytearray(fx.epb(0, 0, fx.bulk_frame(100)))
    block[-4:] = struct.pack("<I", 12)
    with pytest.raises(CaptureError, match="disagree"):
        fx.check(tmp_path, fx.shb() + fx.idb(1) + bytes(block))


def test_a_packet_on_an_undescribed_interface_is_an_error(tmp_path: Path) -> None:
    data = fx.shb() + fx.idb(1) + fx.epb(3, 0, fx.bulk_frame(100))
    with pytest.raises(CaptureError, match="interface 3"):
        fx.check(tmp_path, data)


def test_a_packet_length_overrunning_its_block_is_an_error(tmp_path: Path) -> None:
    block = bytearray(fx.epb(0, 0, fx.bulk_frame(100)))
    block[20:24] = struct.pack("<I", 5000)
    with pytest.raises(CaptureError, match="overruns"):
        fx.check(tmp_path, fx.shb() + fx.idb(1) + bytes(block))


def test_an_impossible_timestamp_resolution_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CaptureError, match="resolution"):
        fx.check(tmp_path, fx.shb() + fx.idb(1, tsresol=77))


def test_missing_files_and_folders_raise_capture_errors(tmp_path: Path) -> None:
    from courseline.digital.network import check_capture

    with pytest.raises(CaptureError, match="does not exist"):
        check_capture(tmp_path / "nope.pcap", fx.watchlist())
    with pytest.raises(CaptureError, match="folder"):
        check_capture(tmp_path, fx.watchlist())
