"""XMP: coordinates in every written form, place names, and no entity expansion."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from courseline.digital.photos.containers import xmp
from tests.digital.photos import fixtures as fx


@pytest.mark.parametrize(
    "text,expected",
    [
        ("51,30.5N", 51.508333333),
        ("51,30,30N", 51.508333333),
        ("51,30,7.4S", -51.502055556),
        ("51.5", 51.5),
        ("-51.5", -51.5),
        ("51.5S", -51.5),
        (" 51 , 30.5 N ", 51.508333333),
    ],
)
def test_latitude_text_forms_are_understood(text: str, expected: float) -> None:
    assert xmp.parse_coordinate(text, "N", "S", 90.0) == pytest.approx(expected, abs=1e-8)


@pytest.mark.parametrize("text", ["", "N", "abc", "91,0N", "51,30.5E", "1e5", "12,,3N"])
def test_invalid_latitude_text_is_rejected(text: str) -> None:
    assert xmp.parse_coordinate(text, "N", "S", 90.0) is None


def test_attribute_form_coordinates_are_read() -> None:
    info = xmp.parse(fx.xmp_gps(*fx.SYDNEY))
    assert info.coordinates == [pytest.approx(fx.SYDNEY, abs=1e-6)]


def test_element_form_coordinates_and_single_quoted_attributes_are_read() -> None:
    children = (
        "<exif:GPSLatitude>48,51.49332N</exif:GPSLatitude>\n"
        "<exif:GPSLongitude>2,17.67E</exif:GPSLongitude>"
    )
    info = xmp.parse(fx.xmp_packet(children=children))
    assert info.coordinates == [pytest.approx((48.858222, 2.2945), abs=1e-6)]
    quoted = xmp.parse(fx.xmp_packet("exif:GPSLatitude = '10.5' exif:GPSLongitude='20.25W'"))
    assert quoted.coordinates == [(10.5, -20.25)]


def test_non_standard_prefixes_are_resolved_through_their_namespace() -> None:
    packet = (
        '<rdf:Description xmlns:e="http://ns.adobe.com/exif/1.0/" '
        'e:GPSLatitude="1,30N" e:GPSLongitude="2,30E" '
        'xmlns:exif="urn:not-exif" exif:GPSLatitude="5N" exif:GPSLongitude="5E"/>'
    )
    assert xmp.parse(packet.encode()).coordinates == [(1.5, 2.5)]


def test_place_names_from_photoshop_and_iptc_core_and_extension_are_collected() -> None:
    children = (
        "<photoshop:City>Manchester</photoshop:City>"
        "<photoshop:Country>United Kingdom</photoshop:Country>"
        "<Iptc4xmpCore:Location>Piccadilly &amp; Gardens</Iptc4xmpCore:Location>"
        "<Iptc4xmpExt:LocationShown><rdf:Bag><rdf:li rdf:parseType='Resource'>"
        "<Iptc4xmpExt:City>Salford</Iptc4xmpExt:City>"
        "<Iptc4xmpExt:LocationName><rdf:Alt><rdf:li xml:lang='x-default'>MediaCity</rdf:li>"
        "</rdf:Alt></Iptc4xmpExt:LocationName>"
        "<Iptc4xmpExt:GPSLatitude>53,28.3N</Iptc4xmpExt:GPSLatitude>"
        "<Iptc4xmpExt:GPSLongitude>2,17.8W</Iptc4xmpExt:GPSLongitude>"
        "</rdf:li></rdf:Bag></Iptc4xmpExt:LocationShown>"
    )
    info = xmp.parse(fx.xmp_packet('photoshop:State="Greater Manchester"', children))
    assert info.places == [
        "Greater Manchester",
        "Manchester",
        "United Kingdom",
        "Piccadilly & Gardens",
        "Salford",
        "MediaCity",
    ]
    assert info.coordinates == [pytest.approx((53.471667, -2.296667), abs=1e-6)]


def test_capture_time_prefers_exif_date_time_original_and_keeps_the_offset() -> None:
    packet = fx.xmp_packet(
        'xmp:CreateDate="2020-01-01T00:00:00" exif:DateTimeOriginal="2026-05-06T07:08:09+02:00"'
    )
    assert xmp.parse(packet).taken_at == dt.datetime(
        2026, 5, 6, 7, 8, 9, tzinfo=dt.timezone(dt.timedelta(hours=2))
    )


def test_camera_identity_is_read_from_tiff_and_exif_ex_properties() -> None:
    packet = (
        b'<x xmlns:tiff="http://ns.adobe.com/tiff/1.0/" xmlns:exifEX="http://cipa.jp/exif/1.0/" '
        b'tiff:Make="Canon" tiff:Model="EOS R6" exifEX:BodySerialNumber="0123" '
        b'exifEX:CameraOwnerName="A. Person"/>'
    )
    info = xmp.parse(packet)
    assert (info.make, info.model, info.serial, info.owner) == (
        "Canon",
        "EOS R6",
        "0123",
        "A. Person",
    )


def test_entity_bombs_are_not_expanded() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{"&lol%s;" % (i - 1 if i > 1 else "") * 10}">' for i in range(1, 10)
        )
        + "]>"
    ).encode() + fx.xmp_packet(children="<photoshop:City>&lol9;</photoshop:City>")
    started = time.perf_counter()
    info = xmp.parse(bomb)
    assert time.perf_counter() - started < 0.1
    assert info.places == ["&lol9;"]


def test_external_entities_are_never_fetched_or_read() -> None:
    packet = b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + fx.xmp_packet(
        children="<photoshop:City>&xxe;</photoshop:City>"
    )
    assert xmp.parse(packet).places == ["&xxe;"]


def test_utf16_packets_are_decoded() -> None:
    packet = fx.xmp_gps(*fx.PARIS).decode().encode("utf-16")
    assert xmp.parse(packet).coordinates == [pytest.approx(fx.PARIS, abs=1e-6)]


def test_many_unclosed_elements_do_not_make_the_scan_quadratic() -> None:
    packet = fx.xmp_packet(children="<photoshop:City>x" * 50_000)
    started = time.perf_counter()
    xmp.parse(packet)
    assert time.perf_counter() - started < 1.0


def test_zero_zero_coordinates_and_unpaired_latitudes_are_not_a_location() -> None:
    assert (
        xmp.parse(fx.xmp_packet('exif:GPSLatitude="0,0N" exif:GPSLongitude="0,0E"')).coordinates
        == []
    )
    assert xmp.parse(fx.xmp_packet('exif:GPSLatitude="10,0N"')).coordinates == []
