"""Fuzzing: mutated fixtures never make a parser raise anything but ContainerError, never make
scan_file raise at all (nor fall back to its catch-all for reader bugs), and stay fast."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courseline.digital.photos.containers import (
    ContainerError,
    Payloads,
    iptc,
    jpeg,
    png,
    tiff,
    webp,
    xmp,
)
from courseline.digital.photos.scan import scan_file
from tests.digital.photos import fixtures as fx

SAMPLES = fx.samples()
FUZZ = settings(deadline=1000, max_examples=150, suppress_health_check=[HealthCheck.too_slow])

INTERESTING = [
    b"\0\0\0\0",
    b"\xff\xff\xff\xff",
    b"\x7f\xff\xff\xff",
    b"\0\0\0\x08",
    b"\x08\0\0\0",
    b"\xff",
]


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with a few byte flips, overwrites with boundary values, insertions or a cut,
    mostly in the first kilobyte where the structure lives."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        if not out:
            break
        span = len(out) if draw(st.booleans()) else min(len(out), 1024)
        pos = draw(st.integers(0, span - 1))
        action = draw(st.sampled_from(["flip", "value", "insert", "cut", "delete"]))
        if action == "flip":
            out[pos] ^= draw(st.integers(1, 255))
        elif action == "value":
            value = draw(st.sampled_from(INTERESTING))
            out[pos : pos + len(value)] = value
        elif action == "insert":
            out[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif action == "delete":
            del out[pos : pos + draw(st.integers(1, 16))]
        else:
            del out[pos:]
    return bytes(out)


def sample_and_mutation() -> st.SearchStrategy[bytes]:
    return st.sampled_from(sorted(SAMPLES)).flatmap(lambda name: mutated(SAMPLES[name]))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@FUZZ
@given(data=sample_and_mutation())
def test_scan_file_never_raises_and_never_hits_its_catch_all_on_mutated_files(
    workdir: Path, data: bytes
) -> None:
    path = workdir / "mutant"
    path.write_bytes(data)
    scan = scan_file(path)
    assert scan.error is None or not scan.error.message.startswith("could not parse"), scan.error


Reader = Callable[[BinaryIO, int, Payloads], None]
READERS: dict[str, Reader] = {
    "jpeg": jpeg.read,
    "tiff": tiff.read,
    "png": png.read,
    "webp": webp.read,
}


@FUZZ
@given(
    name=st.sampled_from(sorted(SAMPLES)),
    reader=st.sampled_from(sorted(READERS)),
    data=st.data(),
)
def test_container_readers_raise_only_container_errors(
    name: str, reader: str, data: st.DataObject
) -> None:
    blob = data.draw(mutated(SAMPLES[name]))
    with contextlib.suppress(ContainerError):
        READERS[reader](io.BytesIO(blob), len(blob), Payloads(reader))


EXIF_STREAMS = [
    fx.exif_tiff(gps=fx.PARIS, serial="S", owner="O", thumbnail=fx.thumbnail_with_gps()),
    fx.exif_tiff(gps=fx.SYDNEY, order=">"),
]


@FUZZ
@given(data=st.sampled_from(EXIF_STREAMS).flatmap(mutated))
def test_the_tiff_parser_raises_only_container_errors(data: bytes) -> None:
    try:
        info = tiff.parse(data)
    except ContainerError:
        return
    if info.gps is not None:
        assert abs(info.gps[0]) <= 90 and abs(info.gps[1]) <= 180


@FUZZ
@given(data=st.binary(max_size=2048))
def test_the_tiff_parser_survives_random_bytes_after_a_valid_header(data: bytes) -> None:
    for head in (b"II*\0\x08\0\0\0", b"MM\0*\0\0\0\x08"):
        with contextlib.suppress(ContainerError):
            tiff.parse(head + data)


XMP_PACKETS = [
    fx.xmp_gps(*fx.PARIS),
    fx.xmp_packet(
        'photoshop:City="Leeds"',
        "<exif:GPSLatitude>1,2.5N</exif:GPSLatitude><exif:GPSLongitude>3,4W</exif:GPSLongitude>"
        "<Iptc4xmpExt:LocationName><rdf:Alt><rdf:li>Here</rdf:li></rdf:Alt></Iptc4xmpExt:LocationName>",
    ),
]


@FUZZ
@given(data=st.sampled_from(XMP_PACKETS).flatmap(mutated) | st.binary(max_size=4096))
def test_the_xmp_parser_never_raises(data: bytes) -> None:
    info = xmp.parse(data)
    for lat, lon in info.coordinates:
        assert abs(lat) <= 90 and abs(lon) <= 180


@FUZZ
@given(text=st.text(max_size=64))
def test_xmp_coordinate_text_never_raises(text: str) -> None:
    value = xmp.parse_coordinate(text, "N", "S", 90.0)
    assert value is None or abs(value) <= 90


IRB = fx.irb([(0x0404, fx.iim([(1, 90, b"\x1b%G"), (2, 90, b"York"), (2, 101, b"UK")]))])


@FUZZ
@given(data=mutated(IRB) | st.binary(max_size=1024))
def test_the_iptc_readers_never_raise(data: bytes) -> None:
    found = iptc.read_irb(data)
    iptc.place_text(data)
    if found.iptc is not None:
        iptc.place_text(found.iptc)


@FUZZ
@given(text=st.binary(max_size=512))
def test_raw_profile_decoding_never_raises(text: bytes) -> None:
    png.raw_profile(text)
