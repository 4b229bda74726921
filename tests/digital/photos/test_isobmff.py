"""The ISO base media reader: MP4/MOV/3GP user data and Apple keys, HEIF/AVIF items, and
bounded, typed failure on hostile input."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import json
import random
import struct
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import BinaryIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courseline.digital.photos.containers import ContainerError
from courseline.digital.photos.containers.isobmff import (
    TIMED_GPS_TEXT,
    IsoError,
    IsoFindings,
    parse_iso6709,
    read,
)
from courseline.digital.photos.model import Device, ErrorKind, SourceKind
from tests.digital.photos import iso_fixtures as fx

CORPUS_SCRIPT = Path(__file__).resolve().parents[4] / "shared" / "bench" / "make_photo_corpus.py"


def scan(data: bytes) -> IsoFindings:
    return read(io.BytesIO(data), len(data))


def error_kind(data: bytes) -> ErrorKind:
    with pytest.raises(ContainerError) as info:
        scan(data)
    return info.value.kind


def coords(findings: IsoFindings) -> list[tuple[SourceKind, float, float]]:
    return [
        (s.kind, round(s.lat, 4), round(s.lon, 4))
        for s in findings.sources
        if s.lat is not None and s.lon is not None
    ]


class CountingReader(io.RawIOBase):
    """A read-only file that counts the bytes handed out."""

    def __init__(self, f: BinaryIO) -> None:
        self.f = f
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.f.seek(offset, whence)

    def read(self, n: int = -1) -> bytes:
        assert n is not None and n >= 0, "the reader must never read to the end of the file"
        data = self.f.read(n)
        self.bytes_read += len(data)
        return data


# ---- movies --------------------------------------------------------------------------------


@pytest.mark.parametrize("moov_last", [False, True])
def test_mp4_xyz_before_and_after_a_large_mdat(moov_last: bool) -> None:
    data = fx.mp4_with_xyz(moov_last=moov_last, mdat_size=2 * 1024 * 1024)
    counter = CountingReader(io.BytesIO(data))
    findings = read(counter, len(data))  # type: ignore[arg-type]
    assert findings.format == "mp4"
    assert coords(findings) == [(SourceKind.QUICKTIME_XYZ, 51.5074, -0.1278)]
    assert findings.sources[0].text == fx.LONDON_ISO6709
    assert findings.taken_at is None  # mvhd creation time 0 is "unset"
    assert counter.bytes_read < 4096  # mdat never read


def test_mov_apple_keys_location_device_and_creation_date() -> None:
    findings = scan(fx.mov_with_keys(moov_last=True))
    assert findings.format == "mov"
    assert coords(findings) == [(SourceKind.QUICKTIME_KEYS, 48.8583, 2.2945)]
    assert findings.device == Device(make="Apple", model="iPhone 15 Pro")
    assert findings.taken_at == dt.datetime(
        2024, 5, 1, 14, 34, 56, tzinfo=dt.timezone(dt.timedelta(hours=2))
    )
    assert findings.taken_at.utcoffset() == dt.timedelta(hours=2)


def test_mov_keys_meta_written_as_full_box_is_read_too() -> None:
    meta = fx.apple_meta([("com.apple.quicktime.location.ISO6709", fx.PARIS_ISO6709)], full=True)
    findings = scan(fx.mp4(fx.mvhd() + meta, brand=b"qt  ", compatible=(b"qt  ",)))
    assert coords(findings) == [(SourceKind.QUICKTIME_KEYS, 48.8583, 2.2945)]


def test_mvhd_creation_time_when_nothing_better() -> None:
    for version in (0, 1):
        findings = scan(fx.mp4(fx.mvhd(fx.MVHD_2024, version=version)))
        assert findings.taken_at == dt.datetime(2024, 5, 1, 12, 34, 56, tzinfo=dt.UTC)
        assert findings.sources == []


def test_3gp_loci() -> None:
    findings = scan(fx.gpp_with_loci())
    assert findings.format == "3gp"
    assert coords(findings) == [(SourceKind.QUICKTIME_XYZ, -33.8568, 151.2153)]
    assert findings.sources[0].text == "Opera House"


def test_udta_text_atoms_and_itunes_ilst() -> None:
    udta = fx.box(
        b"udta",
        fx.qt_text(b"\xa9mak", "samsung")
        + fx.qt_text(b"\xa9mod", "SM-S911B")
        + fx.itunes_meta([(b"\xa9xyz", fx.LONDON_ISO6709), (b"\xa9day", "2024-05-01T12:00:00Z")]),
    )
    findings = scan(fx.mp4(fx.mvhd(fx.MVHD_2024) + udta))
    assert coords(findings) == [(SourceKind.QUICKTIME_XYZ, 51.5074, -0.1278)]
    assert findings.device == Device(make="samsung", model="SM-S911B")
    assert findings.taken_at == dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("uuid", [True, False])
def test_mp4_xmp(uuid: bool) -> None:
    findings = scan(fx.mp4_with_xmp(uuid))
    assert findings.xmp == fx.XMP_PACKET
    assert findings.exif is None


@pytest.mark.parametrize("handler", [b"camm", b"gpmd", b"meta"])
def test_timed_gps_track_reported_without_decoding(handler: bytes) -> None:
    findings = scan(fx.mp4_with_timed_gps(handler))
    assert [(s.kind, s.text, s.lat) for s in findings.sources] == [
        (SourceKind.TIMED_GPS, TIMED_GPS_TEXT, None)
    ]


def test_plain_mp4_reveals_nothing() -> None:
    findings = scan(fx.mp4_plain())
    assert findings == IsoFindings(format="mp4")


def test_largesize_and_size_zero_boxes() -> None:
    moov = fx.large_box(b"moov", fx.mvhd() + fx.box(b"udta", fx.qt_text(b"\xa9xyz", "+10-020/")))
    to_end = struct.pack(">I", 0) + b"mdat" + bytes(100)
    data = fx.ftyp(b"mp42", b"mp42", b"isom") + moov + to_end
    assert coords(scan(data)) == [(SourceKind.QUICKTIME_XYZ, 10.0, -20.0)]


@pytest.mark.parametrize(
    ("major", "compatible", "expected"),
    [
        (b"heic", (b"mif1", b"heic"), "heif"),
        (b"mif1", (b"mif1", b"heix"), "heif"),
        (b"msf1", (b"msf1",), "heif"),
        (b"avif", (b"avif", b"mif1"), "avif"),
        (b"mif1", (b"mif1", b"avif"), "avif"),
        (b"avis", (b"avis",), "avif"),
        (b"qt  ", (b"qt  ",), "mov"),
        (b"3gp4", (b"3gp4",), "3gp"),
        (b"3g2a", (b"3g2a",), "3gp"),
        (b"mp42", (b"mp42", b"isom"), "mp4"),
        (b"M4V ", (b"M4V ", b"mp42"), "mp4"),
        (b"xxxx", (b"isom",), "mp4"),
    ],
)
def test_brands(major: bytes, compatible: tuple[bytes, ...], expected: str) -> None:
    assert scan(fx.ftyp(major, *compatible) + fx.mdat(16)).format == expected


def test_unknown_brand_without_movie_is_unsupported() -> None:
    assert error_kind(fx.ftyp(b"jxl ", b"jxl ") + fx.mdat(16)) == ErrorKind.UNSUPPORTED


def test_quicktime_without_ftyp_is_mov() -> None:
    data = fx.box(b"wide") + fx.mdat(32) + fx.box(b"moov", fx.mvhd())
    assert scan(data).format == "mov"


def test_not_an_iso_file() -> None:
    assert error_kind(b"\xff\xd8\xff\xe1" + bytes(40)) == ErrorKind.NOT_AN_IMAGE
    assert error_kind(b"abc") == ErrorKind.NOT_AN_IMAGE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+51.5074-000.1278+011.000/", (51.5074, -0.1278)),
        ("-33.8568+151.2153/", (-33.8568, 151.2153)),
        ("+4851.498+00217.670/", (48.8583, 2.2945)),  # DDMM.MMM / DDDMM.MMM
        ("+485129.88+0021740.2/", (48.8583, 2.2945)),  # DDMMSS.SS / DDDMMSS.SS
        ("+40-075CRSWGS_84/", (40.0, -75.0)),
    ],
)
def test_iso6709(text: str, expected: tuple[float, float]) -> None:
    got = parse_iso6709(text)
    assert got is not None
    assert got == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("text", ["", "hello", "+95.0+010.0/", "+10.0+190.0/", "+1.0+010.0/"])
def test_iso6709_rejects(text: str) -> None:
    assert parse_iso6709(text) is None


def test_unparseable_xyz_is_still_reported_as_text() -> None:
    udta = fx.box(b"udta", fx.qt_text(b"\xa9xyz", "somewhere"))
    findings = scan(fx.mp4(fx.mvhd() + udta))
    assert [(s.kind, s.text, s.lat) for s in findings.sources] == [
        (SourceKind.QUICKTIME_XYZ, "somewhere", None)
    ]


# ---- HEIF / AVIF ---------------------------------------------------------------------------


@pytest.mark.parametrize("exif_prefix", [True, False])
def test_heic_exif_and_xmp_items(exif_prefix: bool) -> None:
    tiff = fx.tiny_tiff_with_gps()
    findings = scan(fx.heic(tiff, fx.XMP_PACKET, exif_prefix=exif_prefix))
    assert findings.format == "heif"
    assert findings.exif is not None
    assert findings.exif.startswith((b"II*\0", b"MM\0*"))
    assert findings.exif == tiff
    assert findings.xmp == fx.XMP_PACKET
    assert findings.sources == []  # EXIF/XMP are decoded by their own parsers


@pytest.mark.parametrize(("iloc_version", "infe_version"), [(0, 2), (1, 2), (2, 3)])
def test_heic_iloc_and_infe_versions(iloc_version: int, infe_version: int) -> None:
    tiff = fx.tiny_tiff_with_gps()
    data = fx.heic(tiff, None, iloc_version=iloc_version, infe_version=infe_version)
    findings = scan(data)
    assert findings.exif == tiff
    assert findings.xmp is None


def test_heic_without_metadata_items() -> None:
    findings = scan(fx.heic())
    assert (findings.format, findings.exif, findings.xmp) == ("heif", None, None)


def test_avif_brand() -> None:
    findings = scan(fx.avif())
    assert findings == IsoFindings(format="avif")


def test_heic_item_in_idat_is_unsupported() -> None:
    data = fx.heic(fx.tiny_tiff_with_gps(), None, method=1)
    assert error_kind(data) == ErrorKind.UNSUPPORTED


def test_heic_huge_exif_item_is_too_large() -> None:
    children = fx.iinf([fx.infe(1, b"Exif")]) + fx.iloc([(1, [(0, 5 * 1024 * 1024)])])
    assert error_kind(fx.heif_meta_file(children)) == ErrorKind.TOO_LARGE


def test_heic_exif_item_past_end_of_file_is_truncated() -> None:
    children = fx.iinf([fx.infe(1, b"Exif")]) + fx.iloc([(1, [(10_000, 100)])])
    assert error_kind(fx.heif_meta_file(children)) == ErrorKind.TRUNCATED


# ---- hostile input -------------------------------------------------------------------------


def test_truncated_box() -> None:
    data = fx.mp4_with_xyz(moov_last=True, mdat_size=64)
    assert error_kind(data[:-10]) == ErrorKind.TRUNCATED
    assert error_kind(data[:-3]) == ErrorKind.TRUNCATED
    assert error_kind(data + b"\0\0\0") == ErrorKind.TRUNCATED  # a header cut short


def mdat_claiming(data: bytes, size: int) -> bytes:
    """``data`` with its (first) ``mdat`` box claiming ``size`` bytes."""
    at = data.index(b"mdat") - 4
    return data[:at] + struct.pack(">I", size) + data[at + 4 :]


def test_a_truncated_movie_keeps_the_location_found_before_the_error() -> None:
    data = mdat_claiming(fx.mp4_with_xyz(mdat_size=64), 1 << 20)
    with pytest.raises(IsoError) as info:
        scan(data)
    assert info.value.kind == ErrorKind.TRUNCATED
    assert info.value.found.format == "mp4"
    assert coords(info.value.found) == [(SourceKind.QUICKTIME_XYZ, 51.5074, -0.1278)]


def test_a_truncated_heic_keeps_its_exif_item() -> None:
    data = fx.heic(fx.tiny_tiff_with_gps())
    with pytest.raises(IsoError) as info:
        scan(data + b"\0\0\0\x40free")  # a last box cut short
    assert info.value.kind == ErrorKind.TRUNCATED
    assert info.value.found.format == "heif" and info.value.found.exif is not None


def test_an_error_before_the_format_is_known_carries_nothing() -> None:
    with pytest.raises(ContainerError) as info:
        scan(b"\0\0\0\x40free" + bytes(16))
    assert info.value.kind == ErrorKind.TRUNCATED and not isinstance(info.value, IsoError)


def test_size_beyond_file() -> None:
    data = fx.ftyp(b"isom", b"isom") + struct.pack(">I", 1 << 30) + b"moov" + bytes(64)
    assert error_kind(data) == ErrorKind.TRUNCATED
    big = fx.ftyp(b"isom") + struct.pack(">I", 1) + b"mdat" + struct.pack(">Q", 1 << 62)
    assert error_kind(big) == ErrorKind.TRUNCATED


def test_declared_size_larger_than_real_file() -> None:
    data = fx.mp4_with_xyz(mdat_size=64)
    with pytest.raises(ContainerError) as info:
        read(io.BytesIO(data), len(data) + 100)
    assert info.value.kind == ErrorKind.TRUNCATED


def test_child_beyond_parent_is_malformed() -> None:
    udta = fx.box(b"udta", struct.pack(">I", 500) + b"\xa9xyz" + bytes(8))
    assert error_kind(fx.mp4(fx.mvhd() + udta)) == ErrorKind.MALFORMED


@pytest.mark.parametrize("size", [2, 4, 7])
def test_impossible_box_size(size: int) -> None:
    data = fx.ftyp(b"isom") + struct.pack(">I", size) + b"free" + bytes(32)
    assert error_kind(data) == ErrorKind.MALFORMED


def test_zero_size_boxes_cannot_loop() -> None:
    # each size-0 box extends to the end of its parent: the walk must end, not spin
    nested = b"".join(struct.pack(">I", 0) + b"moov" for _ in range(200))
    start = time.perf_counter()
    assert error_kind(fx.ftyp(b"isom") + nested) == ErrorKind.MALFORMED
    assert time.perf_counter() - start < 1
    flat = fx.ftyp(b"isom") + fx.box(b"moov", struct.pack(">I", 0) + b"free" + bytes(8))
    assert scan(flat).format == "mp4"


def test_deep_nesting() -> None:
    inner = fx.mvhd()
    for _ in range(50):
        inner = fx.box(b"udta", inner)
    assert error_kind(fx.mp4(inner)) == ErrorKind.MALFORMED


def test_too_many_boxes() -> None:
    data = fx.ftyp(b"isom") + fx.box(b"moov", fx.box(b"free") * 20_000)
    assert error_kind(data) == ErrorKind.TOO_LARGE


def test_absurd_iloc_item_count() -> None:
    children = fx.iinf([fx.infe(1, b"Exif")]) + fx.iloc([(1, [(0, 4)])], count=0xFFFF)
    assert error_kind(fx.heif_meta_file(children)) == ErrorKind.MALFORMED


def test_absurd_iloc_extent_count() -> None:
    children = fx.iinf([fx.infe(1, b"Exif")]) + fx.iloc([(1, [(0, 4)])], extent_count=0xFFFF)
    assert error_kind(fx.heif_meta_file(children)) == ErrorKind.MALFORMED


def test_absurd_iinf_count() -> None:
    children = fx.iinf([fx.infe(1, b"Exif")], count=0xFFFF) + fx.iloc([(1, [(0, 4)])])
    assert error_kind(fx.heif_meta_file(children)) == ErrorKind.MALFORMED


def test_bad_iloc_field_sizes_and_version() -> None:
    bad_sizes = fx.full_box(b"iloc", 1, 0, bytes([0x33, 0x00]) + bytes(2))
    children = fx.iinf([fx.infe(1, b"Exif")]) + bad_sizes
    assert error_kind(fx.heif_meta_file(children)) == ErrorKind.MALFORMED
    future = fx.full_box(b"iloc", 3, 0, bytes(8))
    children = fx.iinf([fx.infe(1, b"Exif")]) + future
    assert error_kind(fx.heif_meta_file(children)) == ErrorKind.UNSUPPORTED


def test_absurd_keys_count() -> None:
    keys = fx.full_box(b"keys", 0, 0, struct.pack(">I", 0xFFFFFFFF) + fx.box(b"mdta", b"k"))
    meta = fx.box(b"meta", fx.hdlr(b"mdta") + keys)
    assert error_kind(fx.mp4(fx.mvhd() + meta)) == ErrorKind.MALFORMED


def test_os_errors_become_unreadable() -> None:
    class Broken(io.BytesIO):
        def read(self, n: int | None = -1) -> bytes:
            raise OSError("device gone")

    with pytest.raises(ContainerError) as info:
        read(Broken(fx.mp4_plain()), 100)
    assert info.value.kind == ErrorKind.UNREADABLE


def test_100_mb_file_is_fast_and_skips_mdat(tmp_path: Path) -> None:
    path = tmp_path / "long.mp4"
    media = 100 * 1024 * 1024
    moov = fx.box(b"moov", fx.mvhd() + fx.box(b"udta", fx.qt_text(b"\xa9xyz", fx.LONDON_ISO6709)))
    with path.open("wb") as out:
        out.write(fx.ftyp(b"isom", b"isom") + struct.pack(">I", 8 + media) + b"mdat")
        out.seek(media, io.SEEK_CUR)  # sparse: no need to write 100 MB
        out.write(moov)
    size = path.stat().st_size
    with path.open("rb") as raw:
        counter = CountingReader(raw)
        start = time.perf_counter()
        findings = read(counter, size)  # type: ignore[arg-type]
        elapsed = time.perf_counter() - start
    assert coords(findings) == [(SourceKind.QUICKTIME_XYZ, 51.5074, -0.1278)]
    assert elapsed < 0.5
    assert counter.bytes_read < 4096


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(fx.all_valid())))
    for _ in range(draw(st.integers(0, 8))):
        pos = draw(st.integers(0, len(data) - 1))
        data[pos] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        pos = draw(st.integers(0, len(data) - 4))
        value = draw(st.sampled_from([0, 1, 7, 8, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF]))
        data[pos : pos + 4] = struct.pack(">I", value)
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


@settings(deadline=1000, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(), st.integers(-16, 16))
def test_fuzz_only_container_error_escapes(data: bytes, size_delta: int) -> None:
    size = max(0, len(data) + size_delta)
    try:
        findings = read(io.BytesIO(data), size)
    except ContainerError as exc:
        assert isinstance(exc.kind, ErrorKind)
        return
    assert findings.format in {"heif", "avif", "mp4", "mov", "3gp"}
    if findings.exif is not None:
        assert len(findings.exif) <= 4 * 1024 * 1024


# ---- agreement with the benchmark corpus ---------------------------------------------------


def _corpus_module() -> ModuleType:
    if not CORPUS_SCRIPT.is_file():
        pytest.skip(f"{CORPUS_SCRIPT} not present")
    spec = importlib.util.spec_from_file_location("make_photo_corpus_for_iso", CORPUS_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)  # the video writer needs no Pillow
    except ImportError as exc:
        pytest.skip(f"benchmark corpus script cannot be imported: {exc}")
    return module


def _check_against_manifest(entry: dict[str, object], findings: IsoFindings) -> None:
    assert findings.format == entry["format"]
    assert [s.kind.value for s in findings.sources] == entry["sources"]
    gps = entry["gps"]
    if gps and entry["sources"]:
        assert isinstance(gps, list)
        source = findings.sources[0]
        assert source.lat == pytest.approx(gps[0], abs=1e-4)
        assert source.lon == pytest.approx(gps[1], abs=1e-4)


def test_agrees_with_benchmark_video_writer() -> None:
    corpus = _corpus_module()
    rng = random.Random(621)
    for i in range(120):
        gps = None
        if rng.random() < 0.6:
            gps = (round(rng.uniform(-89.9, 89.9), 6), round(rng.uniform(-179.9, 179.9), 6))
        keys = rng.random() < 0.5
        moov_last = rng.random() < 0.5
        data = corpus.mp4_bytes(gps, keys, 4, i, moov_last=moov_last)
        sources = (["quicktime-keys"] if keys else ["quicktime-xyz"]) if gps else []
        entry: dict[str, object] = {
            "format": "mov" if keys else "mp4",
            "gps": list(gps) if gps else None,
            "sources": sources,
        }
        _check_against_manifest(entry, scan(data))


def test_agrees_with_generated_corpus_manifest(tmp_path: Path) -> None:
    pytest.importorskip("PIL")
    corpus = _corpus_module()
    argv = sys.argv
    sys.argv = ["make_photo_corpus.py", str(tmp_path), "--count", "150", "--scan-kib", "8"]
    try:
        corpus.main()
    finally:
        sys.argv = argv
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    videos = [f for f in manifest["files"] if f["format"] in {"mp4", "mov"}]
    assert videos, "the corpus should hold some videos"
    for entry in videos:
        path = tmp_path / entry["path"]
        with path.open("rb") as f:
            _check_against_manifest(entry, read(f, path.stat().st_size))


def test_short_reads_are_completed() -> None:
    class Dribble(io.BytesIO):
        def read(self, n: int | None = -1) -> bytes:
            return super().read(min(3, n if n is not None and n >= 0 else 3))

    data = fx.mov_with_keys()
    findings = read(Dribble(data), len(data))
    assert coords(findings) == [(SourceKind.QUICKTIME_KEYS, 48.8583, 2.2945)]
