"""Cleaning HEIF/AVIF and MP4/MOV/3GP in place on a copy: location boxes become ``free``, Exif
and XMP items are overwritten at the same length, timed metadata tracks are dropped with their
samples zeroed, and every other byte (image items, media samples, chunk offsets) is unchanged."""

from __future__ import annotations

import json
import random
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courseline.digital.photos import clean as clean_module
from courseline.digital.photos.clean import EXIF_GPS, EXIF_WHOLE, XMP, Profile, clean_file
from courseline.digital.photos.clean_bmff import (
    LOCATION_KEYS,
    LOCATION_LOCI,
    LOCATION_XYZ,
    MOVIE_TIMES,
    TIMED_TRACK,
    USER_DATA,
    empty_xmp,
)
from courseline.digital.photos.scan import scan_file
from tests.digital.photos import fixtures as fx
from tests.digital.photos import iso_fixtures as iso
from tests.digital.photos.test_clean import PROFILES, run
from tests.digital.photos.test_fuzz import mutated


def mdat_payload(data: bytes) -> bytes:
    """The body of the first top-level ``mdat`` box."""
    pos = 0
    while pos < len(data):
        size, kind = struct.unpack_from(">I4s", data, pos)
        if kind == b"mdat":
            return data[pos + 8 : pos + size]
        pos += size
    raise AssertionError("no mdat")


def top_level(data: bytes) -> list[tuple[bytes, int]]:
    out, pos = [], 0
    while pos < len(data):
        size, kind = struct.unpack_from(">I4s", data, pos)
        out.append((kind, size))
        pos += size
    return out


def with_random_image(data: bytes, length: int = 64) -> tuple[bytes, int]:
    """A HEIC fixture whose image item (at the start of ``mdat``) holds random bytes."""
    at = data.index(b"mdat") + 4
    image = random.Random(5).randbytes(length)
    return data[:at] + image + data[at + length :], at


# ---- movies ----------------------------------------------------------------------------------
@pytest.mark.parametrize("moov_last", [False, True])
@pytest.mark.parametrize("profile", PROFILES)
def test_xyz_goes_from_an_mp4_wherever_the_movie_box_is_and_mdat_is_untouched(
    tmp_path: Path, moov_last: bool, profile: Profile
) -> None:
    data = iso.mp4_with_xyz(moov_last=moov_last, mdat_size=4096)
    data = data.replace(bytes(4096), random.Random(1).randbytes(4096))
    assert scan_file_bytes(tmp_path, data, "a.mp4").location is not None
    result, dst = run(tmp_path, data, "clip.mp4", profile)
    assert result.refused is None and result.format == "mp4"
    cleaned = dst.read_bytes()
    assert len(cleaned) == len(data) and top_level(cleaned) == top_level(data)
    assert mdat_payload(cleaned) == mdat_payload(data)
    assert iso.LONDON_ISO6709.encode() not in cleaned
    assert not scan_file(dst).reveals_location
    assert result.removed == ((LOCATION_XYZ,) if profile is Profile.LOCATION else (USER_DATA,))


@pytest.mark.parametrize("moov_last", [False, True])
def test_apple_location_keys_go_and_the_camera_stays_with_the_location_profile(
    tmp_path: Path, moov_last: bool
) -> None:
    data = iso.mov_with_keys(moov_last=moov_last)
    result, dst = run(tmp_path, data, "clip.mov")
    assert result.removed == (LOCATION_KEYS,)
    cleaned = dst.read_bytes()
    assert iso.PARIS_ISO6709.encode() not in cleaned
    assert b"com.apple.quicktime.location.ISO6709" not in cleaned
    assert mdat_payload(cleaned) == mdat_payload(data)
    scan = scan_file(dst)
    assert not scan.reveals_location and scan.device.model == "iPhone 15 Pro"


def test_the_all_profile_removes_apple_keys_and_movie_times(tmp_path: Path) -> None:
    data = iso.mov_with_keys()
    result, dst = run(tmp_path, data, "clip.mov", Profile.ALL)
    assert set(result.removed) == {USER_DATA, MOVIE_TIMES}
    cleaned = dst.read_bytes()
    for gone in (b"Apple", b"iPhone", b"17.4.1", b"2024-05-01", struct.pack(">I", iso.MVHD_2024)):
        assert gone not in cleaned
    scan = scan_file(dst)
    assert scan.device.empty and scan.taken_at is None and not scan.reveals_location


def test_itunes_style_and_freeform_location_items_are_removed(tmp_path: Path) -> None:
    freeform = iso.box(
        b"----",
        iso.box(b"mean", bytes(4) + b"com.apple.iTunes")
        + iso.box(b"name", bytes(4) + b"com.apple.quicktime.location.ISO6709")
        + iso.data_atom(iso.PARIS_ISO6709.encode()),
    )
    xyz = iso.box(b"\xa9xyz", iso.data_atom(iso.LONDON_ISO6709.encode()))
    ilst = iso.box(b"ilst", xyz + freeform)
    meta = iso.full_box(b"meta", 0, 0, iso.hdlr(b"mdir") + ilst)
    data = iso.mp4(iso.mvhd() + iso.box(b"udta", meta), mdat_size=256)
    assert len(scan_file_bytes(tmp_path, data, "a.mp4").sources) == 2
    result, dst = run(tmp_path, data, "clip.mp4")
    assert set(result.removed) == {LOCATION_XYZ, LOCATION_KEYS}
    cleaned = dst.read_bytes()
    assert iso.LONDON_ISO6709.encode() not in cleaned and iso.PARIS_ISO6709.encode() not in cleaned
    assert not scan_file(dst).reveals_location


@pytest.mark.parametrize("profile", PROFILES)
def test_a_3gpp_loci_box_is_removed(tmp_path: Path, profile: Profile) -> None:
    data = iso.gpp_with_loci()
    result, dst = run(tmp_path, data, "clip.3gp", profile)
    assert result.format == "3gp" and not scan_file(dst).reveals_location
    assert b"Opera House" not in dst.read_bytes()
    if profile is Profile.LOCATION:
        assert result.removed == (LOCATION_LOCI,)
        assert scan_file(dst).taken_at is not None


@pytest.mark.parametrize("uuid", [True, False])
@pytest.mark.parametrize("profile", PROFILES)
def test_xmp_in_a_uuid_or_user_data_box_is_removed(
    tmp_path: Path, uuid: bool, profile: Profile
) -> None:
    data = iso.mp4_with_xmp(uuid=uuid)
    result, dst = run(tmp_path, data, "clip.mp4", profile)
    assert result.refused is None and not scan_file(dst).reveals_location
    assert b"GPSLatitude" not in dst.read_bytes()
    assert XMP in result.removed or USER_DATA in result.removed


@pytest.mark.parametrize(("moov_last", "co64"), [(False, False), (True, True)])
@pytest.mark.parametrize("handler", [b"meta", b"camm", b"gpmd"])
@pytest.mark.parametrize("profile", PROFILES)
def test_a_timed_gps_track_is_dropped_and_its_samples_zeroed_the_others_kept(
    tmp_path: Path, moov_last: bool, co64: bool, handler: bytes, profile: Profile
) -> None:
    tracks = [
        (b"vide", iso.video_samples()),
        (handler, iso.gps_samples()),
        (b"soun", iso.video_samples(5, seed=3)),
    ]
    data, layout = iso.movie_with_tracks(tracks, moov_last=moov_last, co64=co64)
    assert scan_file_bytes(tmp_path, data, "a.mov").reveals_location
    result, dst = run(tmp_path, data, "clip.mov", profile)
    assert result.refused is None and TIMED_TRACK in result.removed
    cleaned = dst.read_bytes()
    for kept in (b"vide", b"soun"):
        assert all(cleaned[o : o + n] == data[o : o + n] for o, n in layout[kept])
    assert all(cleaned[o : o + n] == bytes(n) for o, n in layout[handler])
    assert iso.LONDON_ISO6709.encode() not in cleaned
    assert not scan_file(dst).reveals_location


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (iso.mp4_with_timed_gps(), "sample table"),
        (
            iso.movie_with_tracks(
                [(b"vide", iso.video_samples()), (b"meta", iso.gps_samples())],
                extra_moov=iso.box(b"mvex", iso.full_box(b"trex", 0, 0, bytes(20))),
            )[0],
            "fragmented movie",
        ),
        (iso.mp4(iso.mvhd() + iso.box(b"cmov", bytes(16))), "compressed"),
    ],
)
@pytest.mark.parametrize("profile", PROFILES)
def test_movies_that_cannot_be_cleaned_in_place_are_refused(
    tmp_path: Path, data: bytes, reason: str, profile: Profile
) -> None:
    result, _ = run(tmp_path, data, "clip.mov", profile)
    assert result.refused is not None and reason in result.refused and result.removed == ()


def test_a_timed_track_whose_samples_overlap_the_video_is_refused(tmp_path: Path) -> None:
    tracks = [(b"vide", iso.video_samples()), (b"meta", iso.gps_samples())]
    data, layout = iso.movie_with_tracks(tracks)
    first_video = layout[b"vide"][0][0]
    first_gps = layout[b"meta"][0][0]
    # aim the GPS track's first chunk at the first video chunk
    data = data.replace(struct.pack(">I", first_gps), struct.pack(">I", first_video), 1)
    result, _ = run(tmp_path, data, "clip.mov")
    assert result.refused is not None and "image or media data" in result.refused


def test_a_big_movie_is_patched_on_a_copy_not_read_into_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = iso.mp4_with_xyz(mdat_size=256 * 1024)
    monkeypatch.setattr(clean_module, "MAX_CLEAN_SIZE", 1024)
    result, dst = run(tmp_path, data, "clip.mp4")
    assert result.refused is None and mdat_payload(dst.read_bytes()) == mdat_payload(data)
    monkeypatch.setattr(clean_module, "MAX_PATCH_SIZE", 1024)
    result, _ = run(tmp_path, data, "other.mp4")
    assert result.refused is not None and "too large" in result.refused


# ---- HEIF ------------------------------------------------------------------------------------
@pytest.mark.parametrize("order", ["<", ">"])
@pytest.mark.parametrize("profile", PROFILES)
def test_heic_exif_gps_and_xmp_are_neutralised_at_the_same_length(
    tmp_path: Path, order: str, profile: Profile
) -> None:
    exif = fx.exif_tiff(gps=fx.PARIS, serial="SN1", owner="Sam", order=order)
    data, image_at = with_random_image(iso.heic(exif, iso.XMP_PACKET))
    assert len(scan_file_bytes(tmp_path, data, "a.heic").sources) == 2
    result, dst = run(tmp_path, data, "photo.heic", profile)
    assert result.refused is None and result.format == "heif"
    cleaned = dst.read_bytes()
    assert len(cleaned) == len(data)
    assert cleaned[image_at : image_at + 64] == data[image_at : image_at + 64]
    assert cleaned[:image_at] == data[:image_at]  # ftyp, meta (iinf, iloc) untouched
    xmp_at = data.index(iso.XMP_PACKET)
    assert cleaned[xmp_at : xmp_at + len(iso.XMP_PACKET)] == empty_xmp(len(iso.XMP_PACKET))
    scan = scan_file(dst)
    assert scan.error is None and not scan.reveals_location
    if profile is Profile.LOCATION:
        assert result.removed == (EXIF_GPS, XMP)
        assert scan.device.make == "Apple" and scan.device.serial == "SN1"
    else:
        assert result.removed == (EXIF_WHOLE, XMP)
        assert scan.device.empty and scan.taken_at is None
        assert b"Apple" not in cleaned and b"SN1" not in cleaned


def test_heic_with_iloc_version_2_and_infe_version_3_is_cleaned(tmp_path: Path) -> None:
    data = iso.heic(iso.tiny_tiff_with_gps(), None, iloc_version=2, infe_version=3)
    for profile in PROFILES:
        result, dst = run(tmp_path, data, "photo.heic", profile)
        assert result.refused is None and not scan_file(dst).reveals_location


def test_an_avif_without_metadata_is_copied_unchanged(tmp_path: Path) -> None:
    data = iso.avif()
    for profile in PROFILES:
        result, dst = run(tmp_path, data, "photo.avif", profile)
        assert result.format == "avif" and result.removed == () and dst.read_bytes() == data


def test_an_exif_item_overlapping_the_image_is_refused(tmp_path: Path) -> None:
    data = iso.heic(fx.exif_tiff(gps=fx.PARIS), None)
    # grow the image item's extent so that it covers the Exif item
    image_at = data.index(b"mdat") + 4
    located = struct.pack(">HHHHII", 1, 0, 0, 1, image_at, 64)
    assert located in data
    data = data.replace(located, struct.pack(">HHHHII", 1, 0, 0, 1, image_at, 120))
    result, _ = run(tmp_path, data, "photo.heic")
    assert result.refused is not None and "image or media data" in result.refused


# ---- fuzzing ---------------------------------------------------------------------------------
BMFF_SAMPLES = [
    *iso.all_valid(),
    iso.movie_with_tracks([(b"vide", iso.video_samples()), (b"gpmd", iso.gps_samples())])[0],
    iso.heic(fx.exif_tiff(gps=fx.PARIS, order=">"), iso.XMP_PACKET),
]


@pytest.fixture(scope="module")
def fuzzdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("clean-bmff-fuzz")


@settings(deadline=2000, max_examples=250, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.sampled_from(BMFF_SAMPLES).flatmap(mutated), profile=st.sampled_from(PROFILES))
def test_cleaning_mutated_movies_and_heics_never_raises_and_never_writes_a_located_copy(
    fuzzdir: Path, data: bytes, profile: Profile
) -> None:
    src = fuzzdir / "mutant.mp4"
    src.write_bytes(data)
    dst = fuzzdir / "out" / "clean.mp4"
    dst.parent.mkdir(exist_ok=True)
    dst.unlink(missing_ok=True)
    result = clean_file(src, dst, profile=profile)
    assert src.read_bytes() == data
    assert [p.name for p in dst.parent.iterdir() if p.name != "clean.mp4"] == []
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
def test_exiftool_finds_no_location_in_cleaned_movies_and_heics(
    tmp_path: Path, profile: Profile
) -> None:
    assert EXIFTOOL is not None
    samples = {
        "xyz.mp4": iso.mp4_with_xyz(mdat_size=512),
        "xyz-last.mp4": iso.mp4_with_xyz(moov_last=True, mdat_size=512),
        "keys.mov": iso.mov_with_keys(),
        "loci.3gp": iso.gpp_with_loci(),
        "uuid.mp4": iso.mp4_with_xmp(uuid=True),
        "udta.mp4": iso.mp4_with_xmp(uuid=False),
        "photo.heic": iso.heic(fx.exif_tiff(gps=fx.PARIS), iso.XMP_PACKET),
        "timed.mov": iso.movie_with_tracks(
            [(b"vide", iso.video_samples()), (b"meta", iso.gps_samples())]
        )[0],
    }
    outputs = []
    for name, data in samples.items():
        result, dst = run(tmp_path, data, name, profile)
        assert result.refused is None, (name, result.refused)
        outputs.append(str(dst))
    command = [EXIFTOOL, "-n", "-json", "-a", "-G1", "-GPS:all", "-XMP:all"]
    command += ["-QuickTime:GPSCoordinates", "-Keys:all", "-UserData:all", "-ItemList:all"]
    sources = [str(tmp_path / name) for name in samples if name != "timed.mov"]
    before = json.loads(subprocess.run([*command, *sources], capture_output=True).stdout)
    assert all(len(entry) > 1 for entry in before), before  # the check can see each location
    after = json.loads(subprocess.run([*command, *outputs], capture_output=True).stdout)
    assert len(after) == len(samples)
    for entry in after:
        left = {k: v for k, v in entry.items() if k != "SourceFile"}
        if profile is Profile.LOCATION:  # the camera and date keys stay; no location does
            left = {k: v for k, v in left.items() if not k.startswith("Keys:")}
            assert not any("GPS" in k or "Location" in k for k in entry), entry
        assert left in ({}, {"ItemList:Unknown_free": ""}), entry
    if profile is Profile.ALL:
        identity = [EXIFTOOL, "-json", "-a", "-Make", "-Model", "-Software", "-CreationDate"]
        found = json.loads(subprocess.run([*identity, *outputs], capture_output=True).stdout)
        assert all(set(entry) == {"SourceFile"} for entry in found), found


def scan_file_bytes(tmp_path: Path, data: bytes, name: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "scan-only" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    return scan_file(path)
