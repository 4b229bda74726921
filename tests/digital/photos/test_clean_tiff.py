"""Cleaning TIFF/DNG files in place on a copy: GPS (and for the all profile every identifying
tag) goes, strips stay byte for byte, and what cannot be cleaned in place is refused."""

from __future__ import annotations

import io
import json
import shutil
import struct
import subprocess
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courseline.digital.photos.clean import (
    EXIF_GPS,
    EXIF_THUMBNAIL,
    IPTC_PLACES,
    XMP,
    Profile,
    clean_file,
)
from courseline.digital.photos.clean_base import Refuse, Source
from courseline.digital.photos.clean_tiff import EXIF_IFD, IDENTITY, MAX_VALUES
from courseline.digital.photos.clean_tiff import plan as plan_tiff
from courseline.digital.photos.scan import scan_file
from tests.digital.photos import fixtures as fx
from tests.digital.photos.test_clean import PROFILES, run
from tests.digital.photos.test_fuzz import mutated

ORDERS = ["<", ">"]


def strips_of(data: bytes, strips: list[tuple[int, int]]) -> list[bytes]:
    return [data[offset : offset + length] for offset, length in strips]


def tags_in_ifd0(data: bytes) -> set[int]:
    order = "<" if data[:2] == b"II" else ">"
    first = struct.unpack_from(order + "I", data, 4)[0]
    count = struct.unpack_from(order + "H", data, first)[0]
    return {struct.unpack_from(order + "H", data, first + 2 + 12 * i)[0] for i in range(count)}


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("profile", PROFILES)
def test_a_tiff_loses_its_gps_and_keeps_its_strips_byte_for_byte(
    tmp_path: Path, order: str, profile: Profile
) -> None:
    data, strips = fx.tiff_file(order=order)
    assert scan_file_bytes(tmp_path, data).location is not None
    result, dst = run(tmp_path, data, "photo.tif", profile)
    assert result.refused is None and result.format == "tiff" and EXIF_GPS in result.removed
    cleaned = dst.read_bytes()
    assert len(cleaned) == len(data)
    assert strips_of(cleaned, strips) == strips_of(data, strips)
    scan = scan_file(dst)
    assert scan.error is None and not scan.reveals_location
    assert 0x8825 not in tags_in_ifd0(cleaned)
    latitude = b"".join(struct.pack(order + "II", *pair) for pair in fx.dms(fx.PARIS[0]))
    assert latitude in data and latitude not in cleaned  # zeroed, not just unreferenced
    if profile is Profile.LOCATION:
        assert result.removed == (EXIF_GPS,)
        assert scan.device.make == "Canon" and scan.device.serial == "SN-42"
        assert scan.taken_at is not None
    else:
        assert {EXIF_IFD, IDENTITY} <= set(result.removed)
        assert scan.device.empty and scan.taken_at is None
        assert b"Canon" not in cleaned and b"Sam Owner" not in cleaned and b"SN-42" not in cleaned
        assert tags_in_ifd0(cleaned) == {0x0100, 0x0101, 0x0103, 0x0111, 0x0117}


def test_embedded_xmp_and_iptc_go_with_the_location_profile(tmp_path: Path) -> None:
    iptc = fx.iim([(2, 90, b"Lyon"), (2, 101, b"France")])
    extra = [(0x02BC, fx.BYTE, fx.xmp_gps(*fx.NEW_YORK)), (0x83BB, fx.UNDEFINED, iptc)]
    data, strips = fx.tiff_file(gps=None, extra=extra)
    assert len(scan_file_bytes(tmp_path, data).sources) == 2
    result, dst = run(tmp_path, data, "photo.tif")
    assert set(result.removed) == {XMP, IPTC_PLACES}
    cleaned = dst.read_bytes()
    assert b"Lyon" not in cleaned and b"GPSLatitude" not in cleaned
    assert strips_of(cleaned, strips) == strips_of(data, strips)
    assert scan_file(dst).device.make == "Canon"


def test_a_thumbnail_with_its_own_gps_is_neutralised_without_changing_its_pixels(
    tmp_path: Path,
) -> None:
    thumbnail = fx.thumbnail_with_gps()
    data, strips = fx.tiff_file(gps=None, thumbnail=thumbnail)
    assert scan_file_bytes(tmp_path, data).reveals_location
    result, dst = run(tmp_path, data, "photo.tif")
    assert result.removed == (EXIF_THUMBNAIL,)
    cleaned = dst.read_bytes()
    start = data.index(thumbnail)
    after = cleaned[start : start + len(thumbnail)]
    scan_at = thumbnail.index(b"\xff\xdb")  # quantisation table, frame, scan: all unchanged
    assert after[:4] == thumbnail[:4] and after[scan_at:] == thumbnail[scan_at:]
    assert b"Exif" not in after
    assert strips_of(cleaned, strips) == strips_of(data, strips)


def test_a_gps_pointer_in_a_later_page_is_removed_too(tmp_path: Path) -> None:
    data, strips = fx.tiff_file(gps=None)
    order = "<"
    first = struct.unpack_from("<I", data, 4)[0]
    count = struct.unpack_from("<H", data, first)[0]
    next_at = first + 2 + 12 * count
    # a second page: an IFD with only a GPS pointer, appended after the pixels
    gps_at = len(data) + 2 + 12 + 4
    page = struct.pack("<HHHII", 1, 0x8825, fx.LONG, 1, gps_at) + struct.pack("<I", 0)
    gps = fx.ifd(order, fx.gps_entries(*fx.SYDNEY), gps_at)
    data = data[:next_at] + struct.pack("<I", len(data)) + data[next_at + 4 :] + page + gps
    result, dst = run(tmp_path, data, "pages.tif")
    assert result.removed == (EXIF_GPS,)
    cleaned = dst.read_bytes()
    assert cleaned[len(data) - len(gps) :] == bytes(len(gps))
    assert struct.unpack_from("<H", cleaned, len(data) - len(gps) - len(page))[0] == 0
    assert strips_of(cleaned, strips) == strips_of(data, strips)


def test_the_required_dng_camera_model_is_neutralised_not_removed(tmp_path: Path) -> None:
    extra = [(0xC612, fx.BYTE, bytes([1, 4, 0, 0])), (0xC614, fx.ASCII, "Canon EOS R6")]
    data, _ = fx.tiff_file(extra=extra)
    result, dst = run(tmp_path, data, "raw.dng", Profile.LOCATION)
    assert b"Canon EOS R6" in dst.read_bytes()
    result, dst = run(tmp_path, data, "raw.dng", Profile.ALL)
    cleaned = dst.read_bytes()
    assert 0xC614 in tags_in_ifd0(cleaned) and b"Canon EOS R6" not in cleaned
    assert b"Camera\0\0\0\0\0\0\0" in cleaned


def test_a_clean_tiff_is_copied_unchanged(tmp_path: Path) -> None:
    data, _ = fx.tiff_file(gps=None, exif=[(0x9000, fx.UNDEFINED, b"0232")])
    result, dst = run(tmp_path, data, "plain.tif")
    assert result.removed == () and dst.read_bytes() == data


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"II+\0" + struct.pack("<I", 8) + bytes(64), "BigTIFF"),
        (b"IIRO" + struct.pack("<I", 8) + fx.tiff([(0x010F, fx.ASCII, "Olympus")])[8:], "Olympus"),
    ],
)
@pytest.mark.parametrize("profile", PROFILES)
def test_tiff_variants_that_cannot_be_cleaned_in_place_are_refused(
    tmp_path: Path, data: bytes, reason: str, profile: Profile
) -> None:
    result, _ = run(tmp_path, data, "photo.tif", profile)
    assert result.refused is not None and reason in result.refused and result.removed == ()


@pytest.mark.parametrize("profile", PROFILES)
def test_gps_data_that_shares_bytes_with_the_pixels_is_refused(
    tmp_path: Path, profile: Profile
) -> None:
    data, strips = fx.tiff_file()
    # point the first strip at the GPS IFD: zeroing it would change the image
    order = "<"
    first = struct.unpack_from("<I", data, 4)[0]
    count = struct.unpack_from("<H", data, first)[0]
    gps_ifd = next(
        struct.unpack_from(order + "I", data, first + 2 + 12 * i + 8)[0]
        for i in range(count)
        if struct.unpack_from(order + "H", data, first + 2 + 12 * i)[0] == 0x8825
    )
    offsets_at = data.index(struct.pack("<III", *(o for o, _ in strips)))
    patched = bytearray(data)
    patched[offsets_at : offsets_at + 4] = struct.pack("<I", gps_ifd)
    result, _ = run(tmp_path, bytes(patched), "overlap.tif", profile)
    assert result.refused is not None and "image or media data" in result.refused


# ---- size and time bounds --------------------------------------------------------------------
def many_pages(pages: int, entries: int, order: str = "<") -> bytes:
    """A chain of ``pages`` IFDs, each with ``entries`` kept tags whose values lie outside the
    table and a GPS IFD of as many tags: tens of thousands of regions to keep and to zero."""
    out = bytearray((b"II*\0" if order == "<" else b"MM\0*") + struct.pack(order + "I", 8))
    kept: list[fx.Entry] = [(0xC000 + j, fx.ASCII, "abcd") for j in range(entries)]
    gps: list[fx.Entry] = [(j + 1, fx.ASCII, "wxyz") for j in range(entries)]
    for page in range(pages):
        start = len(out)
        gps_at = start + len(fx.ifd(order, [*kept, (0x8825, fx.LONG, 0)], start))
        gps_ifd = fx.ifd(order, gps, gps_at)
        following = gps_at + len(gps_ifd) if page + 1 < pages else 0
        out += fx.ifd(order, [*kept, (0x8825, fx.LONG, gps_at)], start, following) + gps_ifd
    return bytes(out)


@settings(deadline=5000, max_examples=4, suppress_health_check=[HealthCheck.too_slow])
@given(order=st.sampled_from(ORDERS), profile=st.sampled_from(PROFILES))
def test_a_tiff_with_hundreds_of_directories_is_planned_quickly(
    order: str, profile: Profile
) -> None:
    data = many_pages(200, 64, order)
    plan = plan_tiff(Source(io.BytesIO(data), len(data)), profile)
    assert plan.removed.result() == (EXIF_GPS,)
    assert len(plan.writes) == 200  # every page's table, rewritten without its GPS pointer


def test_a_strip_table_shared_by_many_directories_is_refused_with_little_memory() -> None:
    # Twelve pages point at one table of a million strips (4 MB): read for every page, that
    # would be twelve million strips to keep unchanged from a file of 4 MB.
    strips = 1_000_000
    table_at = 8 + 12 * (2 + 12 * 2 + 4)
    out = bytearray(b"II*\0" + struct.pack("<I", 8))
    for page in range(12):
        following = len(out) + 30 if page < 11 else 0
        out += struct.pack("<H", 2)
        out += struct.pack("<HHII", 0x0111, fx.LONG, strips, table_at)
        out += struct.pack("<HHII", 0x0117, fx.LONG, strips, table_at)
        out += struct.pack("<I", following)
    assert len(out) == table_at
    data = bytes(out) + struct.pack(f"<{strips}I", *range(0, 2 * strips, 2))
    tracemalloc.start()
    try:
        with pytest.raises(Refuse) as refused:
            plan_tiff(Source(io.BytesIO(data), len(data)), Profile.LOCATION)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert f"more than {MAX_VALUES} strips, tiles or offsets" in refused.value.message
    assert peak < 100 * 1024 * 1024, peak


# ---- fuzzing ---------------------------------------------------------------------------------
TIFF_SAMPLES = [
    fx.tiff_file()[0],
    fx.tiff_file(order=">", thumbnail=fx.thumbnail_with_gps())[0],
    fx.tiff_file(extra=[(0x02BC, fx.BYTE, fx.xmp_gps(*fx.PARIS))])[0],
]


@pytest.fixture(scope="module")
def fuzzdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("clean-tiff-fuzz")


@settings(deadline=2000, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.sampled_from(TIFF_SAMPLES).flatmap(mutated), profile=st.sampled_from(PROFILES))
def test_cleaning_mutated_tiffs_never_raises_and_never_writes_a_located_copy(
    fuzzdir: Path, data: bytes, profile: Profile
) -> None:
    src = fuzzdir / "mutant.tif"
    src.write_bytes(data)
    dst = fuzzdir / "out" / "clean.tif"
    dst.parent.mkdir(exist_ok=True)
    dst.unlink(missing_ok=True)
    result = clean_file(src, dst, profile=profile)
    assert src.read_bytes() == data
    assert [p.name for p in dst.parent.iterdir() if p.name != "clean.tif"] == []
    if result.refused is not None:
        assert not dst.exists()
        assert not result.refused.startswith("could not clean"), result.refused
        return
    assert len(dst.read_bytes()) == len(data)
    scan = scan_file(dst)
    assert scan.error is None and not scan.reveals_location
    if profile is Profile.ALL:
        assert scan.device.empty and scan.taken_at is None


# ---- exiftool differential -------------------------------------------------------------------
EXIFTOOL = shutil.which("exiftool")


@pytest.mark.skipif(EXIFTOOL is None, reason="exiftool is not installed")
@pytest.mark.parametrize("profile", PROFILES)
def test_exiftool_finds_no_location_in_cleaned_tiffs(tmp_path: Path, profile: Profile) -> None:
    assert EXIFTOOL is not None
    samples = {
        "le.tif": fx.tiff_file()[0],
        "be.tif": fx.tiff_file(order=">", thumbnail=fx.thumbnail_with_gps())[0],
        "xmp.tif": fx.tiff_file(extra=[(0x02BC, fx.BYTE, fx.xmp_gps(*fx.PARIS))])[0],
    }
    outputs = []
    for name, data in samples.items():
        result, dst = run(tmp_path, data, name, profile)
        assert result.refused is None
        outputs.append(str(dst))
    command = [EXIFTOOL, "-n", "-json", "-a", "-G1", "-ee", "-GPS:all", "-XMP:all"]
    before = json.loads(
        subprocess.run([*command, str(tmp_path / "le.tif")], capture_output=True).stdout
    )
    assert any("GPSLatitude" in key for key in before[0])  # the check can see GPS
    after = json.loads(subprocess.run([*command, *outputs], capture_output=True).stdout)
    assert len(after) == len(samples)
    for entry in after:
        assert set(entry) == {"SourceFile"}, entry
    if profile is Profile.ALL:
        identity = [EXIFTOOL, "-json", "-Make", "-Model", "-Artist", "-SerialNumber"]
        found = json.loads(
            subprocess.run([*identity, "-DateTimeOriginal", *outputs], capture_output=True).stdout
        )
        assert all(set(entry) == {"SourceFile"} for entry in found), found


def scan_file_bytes(tmp_path: Path, data: bytes, name: str = "x.tif"):  # type: ignore[no-untyped-def]
    path = tmp_path / "scan-only" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    return scan_file(path)
