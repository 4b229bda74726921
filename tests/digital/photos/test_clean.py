"""Lossless cleaning: locations (or all metadata) go, image data stays byte for byte, the original
is never touched, and nothing is written unless the copy was verified clean."""

from __future__ import annotations

import hashlib
import json
import shutil
import struct
import subprocess
import time
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courseline.digital.photos import clean as clean_module
from courseline.digital.photos.clean import (
    EXIF_GPS,
    EXIF_THUMBNAIL,
    EXIF_WHOLE,
    IPTC_PLACES,
    TRAILER,
    XMP,
    CleanResult,
    Profile,
    clean_file,
)
from courseline.digital.photos.scan import scan_file
from tests.digital.photos import fixtures as fx
from tests.digital.photos import iso_fixtures as iso
from tests.digital.photos.test_fuzz import mutated

PROFILES = [Profile.LOCATION, Profile.ALL]
JFIF = fx.segment(0xE0, b"JFIF\0\x01\x02\0\0\x01\0\x01\0\0")
ICC = fx.app2(3000)
ADOBE = fx.segment(0xEE, b"Adobe\0\x64\0\0\0\0\x01")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def run(
    tmp_path: Path, data: bytes, name: str, profile: Profile = Profile.LOCATION
) -> tuple[CleanResult, Path]:
    """Clean ``data`` (written as ``name``) into out/, checking the original is not modified
    and no temporary file is left behind whatever happens."""
    src = tmp_path / name
    src.write_bytes(data)
    before = digest(src)
    out_dir = tmp_path / "out"
    out_dir.mkdir(exist_ok=True)
    dst = out_dir / f"clean-{profile}-{name}"
    result = clean_file(src, dst, profile=profile)
    assert digest(src) == before
    assert leftovers(out_dir) == []
    if result.refused is None:
        assert result.verified and result.output == str(dst) and dst.is_file()
    else:
        assert not result.verified and result.output is None and not dst.exists()
    return result, dst


def after_sos(data: bytes) -> bytes:
    """Everything from the first SOS marker on, found by walking the header segments."""
    pos = 2
    while data[pos + 1] != 0xDA:
        pos += 2 + struct.unpack_from(">H", data, pos + 2)[0]
    return data[pos:]


def rich_jpeg(trailer: bytes = b"") -> bytes:
    """A phone photo with every kind of metadata the scanner reads, plus colour segments."""
    exif = fx.exif_tiff(
        gps=fx.PARIS, serial="SN123", owner="Sam", thumbnail=fx.thumbnail_with_gps()
    )
    return (
        fx.jpeg(
            JFIF,
            fx.app1_exif(exif),
            fx.app1_xmp(fx.xmp_gps(*fx.NEW_YORK)),
            *fx.app1_extended_xmp(b"0" * 32, fx.xmp_gps(*fx.SYDNEY)),
            *ICC,
            fx.app13_iptc(),
            fx.segment(0xFE, b"a comment"),
            fx.segment(0xE5, b"MakerStuff\0" + bytes(40)),
            ADOBE,
            body=4096,
        )
        + trailer
    )


# ---- JPEG ------------------------------------------------------------------------------------
@pytest.mark.parametrize("profile", PROFILES)
def test_every_location_leaves_a_jpeg_and_the_image_data_is_byte_identical(
    tmp_path: Path, profile: Profile
) -> None:
    data = rich_jpeg()
    assert scan_file_bytes(tmp_path, data).reveals_location
    result, dst = run(tmp_path, data, "rich.jpg", profile)
    assert result.refused is None and result.format == "jpeg"
    cleaned = dst.read_bytes()
    scan = scan_file(dst)
    assert scan.error is None and not scan.reveals_location and scan.location is None
    assert after_sos(cleaned) == after_sos(data)
    assert {XMP, IPTC_PLACES} <= set(result.removed)
    assert b"ICC_PROFILE\0" in cleaned and b"JFIF\0" in cleaned and b"Adobe\0" in cleaned


def test_the_location_profile_keeps_capture_time_and_camera_but_not_the_gps(
    tmp_path: Path,
) -> None:
    data = rich_jpeg()
    result, dst = run(tmp_path, data, "rich.jpg")
    assert EXIF_GPS in result.removed and EXIF_THUMBNAIL in result.removed
    assert EXIF_WHOLE not in result.removed
    scan = scan_file(dst)
    assert scan.device.make == "Apple" and scan.device.model == "iPhone 14"
    assert scan.taken_at is not None and scan.taken_at.year == 2026
    cleaned = dst.read_bytes()
    # the GPS values are zeroed, not just unreferenced
    latitude = b"".join(struct.pack("<II", *pair) for pair in fx.dms(fx.PARIS[0]))
    assert latitude in data and latitude not in cleaned
    assert b"a comment" in cleaned and b"MakerStuff" in cleaned


def test_the_all_profile_removes_device_make_model_capture_time_and_maker_segments(
    tmp_path: Path,
) -> None:
    result, dst = run(tmp_path, rich_jpeg(), "rich.jpg", Profile.ALL)
    assert EXIF_WHOLE in result.removed and "JPEG comments" in result.removed
    scan = scan_file(dst)
    assert scan.device.empty and scan.taken_at is None
    cleaned = dst.read_bytes()
    for gone in (b"Exif\0", b"http://ns.adobe.com", b"Photoshop", b"a comment", b"MakerStuff"):
        assert gone not in cleaned


@pytest.mark.parametrize("order", ["<", ">"])
def test_a_big_or_little_endian_exif_gps_is_removed_in_place(tmp_path: Path, order: str) -> None:
    data = fx.jpeg_with_gps(fx.SYDNEY, order=order)
    result, dst = run(tmp_path, data, "photo.jpg")
    assert result.removed == (EXIF_GPS,)
    assert len(dst.read_bytes()) == len(data)  # same-size rewrite: no other offset moves
    assert not scan_file(dst).reveals_location and scan_file(dst).device.make == "Apple"


def test_a_photo_without_metadata_is_copied_unchanged(tmp_path: Path) -> None:
    data = fx.jpeg(JFIF, *ICC)
    for profile in PROFILES:
        result, dst = run(tmp_path, data, "plain.jpg", profile)
        assert result.removed == () and dst.read_bytes() == data


def test_a_thumbnail_without_its_own_metadata_is_kept(tmp_path: Path) -> None:
    thumbnail = fx.jpeg(body=64)
    data = fx.jpeg(fx.app1_exif(fx.exif_tiff(gps=fx.PARIS, thumbnail=thumbnail)))
    result, dst = run(tmp_path, data, "photo.jpg")
    assert result.removed == (EXIF_GPS,)
    assert thumbnail in dst.read_bytes()


def test_an_exif_block_too_odd_to_rewrite_is_dropped_whole_and_said_so(tmp_path: Path) -> None:
    # the GPS pointer aims at IFD0 itself: zeroing the "GPS IFD" would destroy IFD0
    stream = fx.tiff([(0x010F, fx.ASCII, "Apple"), (0x8825, fx.SHORT, 8)])
    result, dst = run(tmp_path, fx.jpeg(fx.app1_exif(stream)), "odd.jpg")
    assert result.removed == (EXIF_WHOLE,)
    assert b"Exif\0" not in dst.read_bytes()


def test_iptc_without_place_names_is_kept_by_the_location_profile(tmp_path: Path) -> None:
    iptc = fx.segment(
        0xED, b"Photoshop 3.0\0" + fx.irb([(0x0404, fx.iim([(2, 120, b"a caption")]))])
    )
    result, dst = run(tmp_path, fx.jpeg(iptc), "caption.jpg")
    assert result.removed == () and b"a caption" in dst.read_bytes()
    result, dst = run(tmp_path, fx.jpeg(iptc), "caption.jpg", Profile.ALL)
    assert b"a caption" not in dst.read_bytes()


def test_a_progressive_style_jpeg_with_several_scans_is_copied_to_its_last_eoi(
    tmp_path: Path,
) -> None:
    second_scan = fx.segment(0xC4, b"\x10" + bytes(16)) + fx.segment(0xDA, b"\x01\x01\x00\x00")
    body = fx.scan_data(2048)[:-2] + second_scan + b"\x12\xff\x00\x34\xff\xd3\x56" + b"\xff\xd9"
    data = b"\xff\xd8" + fx.app1_exif(fx.exif_tiff(gps=fx.PARIS)) + body
    for profile in PROFILES:
        result, dst = run(tmp_path, data, "prog.jpg", profile)
        assert after_sos(dst.read_bytes()) == after_sos(data)


@pytest.mark.parametrize(
    ("trailer", "kept_for_location"),
    [(b"HARMLESS-TRAILER", True), (b"\xff\xd8\xff\xe1\0\x10Exif\0\0GPS stuff", False)],
)
def test_trailing_data_is_kept_only_when_harmless_and_only_for_the_location_profile(
    tmp_path: Path, trailer: bytes, kept_for_location: bool
) -> None:
    data = fx.jpeg_with_gps() + trailer
    result, dst = run(tmp_path, data, "trailer.jpg")
    assert dst.read_bytes().endswith(trailer) is kept_for_location
    assert (TRAILER in result.removed) is not kept_for_location
    result, dst = run(tmp_path, data, "trailer.jpg", Profile.ALL)
    assert not dst.read_bytes().endswith(trailer) and TRAILER in result.removed


def test_an_existing_destination_is_replaced_atomically(tmp_path: Path) -> None:
    src = tmp_path / "a.jpg"
    src.write_bytes(fx.jpeg_with_gps())
    dst = tmp_path / "b.jpg"
    dst.write_bytes(b"old")
    assert clean_file(src, dst).refused is None
    assert not scan_file(dst).reveals_location
    assert leftovers(tmp_path) == []


# ---- PNG -------------------------------------------------------------------------------------
def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, whole chunk bytes) of every chunk, checking each CRC."""
    out, pos = [], 8
    while pos < len(data):
        length, kind = struct.unpack_from(">I4s", data, pos)
        raw = data[pos : pos + 12 + length]
        assert struct.unpack(">I", raw[-4:])[0] == zlib.crc32(raw[4:-4])
        out.append((kind, raw))
        pos += 12 + length
    return out


def rich_png() -> bytes:
    return fx.png(
        fx.png_chunk(b"eXIf", fx.exif_tiff(gps=fx.PARIS)),
        fx.itxt(b"XML:com.adobe.xmp", fx.xmp_gps(*fx.NEW_YORK)),
        fx.ztxt(
            b"Raw profile type exif",
            fx.raw_profile("exif", b"Exif\0\0" + fx.exif_tiff(gps=fx.SYDNEY)),
        ),
        fx.text_chunk(b"Comment", b"hello"),
        fx.png_chunk(b"tIME", b"\x07\xea\x03\x04\x05\x06\x07"),
    )


@pytest.mark.parametrize("profile", PROFILES)
def test_every_location_leaves_a_png_and_critical_chunks_are_byte_identical(
    tmp_path: Path, profile: Profile
) -> None:
    data = rich_png()
    assert len(scan_file_bytes(tmp_path, data, "x.png").sources) == 3
    result, dst = run(tmp_path, data, "rich.png", profile)
    assert result.refused is None and result.format == "png"
    assert not scan_file(dst).reveals_location
    before, after = png_chunks(data), png_chunks(dst.read_bytes())
    for kind in (b"IHDR", b"IDAT", b"IEND"):
        assert [c for k, c in before if k == kind] == [c for k, c in after if k == kind]
    kinds = [k for k, _ in after]
    assert b"iTXt" not in kinds and b"zTXt" not in kinds
    if profile is Profile.LOCATION:
        assert kinds == [b"IHDR", b"eXIf", b"tEXt", b"tIME", b"IDAT", b"IEND"]
        assert scan_file(dst).device.make == "Apple" and EXIF_GPS in result.removed
    else:
        assert kinds == [b"IHDR", b"IDAT", b"IEND"]
        assert scan_file(dst).device.empty and scan_file(dst).taken_at is None


# ---- WebP ------------------------------------------------------------------------------------
def riff_chunks(data: bytes) -> dict[bytes, bytes]:
    assert struct.unpack_from("<I", data, 4)[0] + 8 == len(data)
    out, pos = {}, 12
    while pos < len(data):
        kind, length = struct.unpack_from("<4sI", data, pos)
        out[kind] = data[pos + 8 : pos + 8 + length]
        pos += 8 + length + (length & 1)
    return out


@pytest.mark.parametrize("profile", PROFILES)
def test_every_location_leaves_a_webp_its_flags_and_size_are_fixed_and_vp8_is_identical(
    tmp_path: Path, profile: Profile
) -> None:
    data = fx.webp(
        fx.riff_chunk(b"EXIF", fx.exif_tiff(gps=fx.SYDNEY)),
        fx.riff_chunk(b"XMP ", fx.xmp_gps(*fx.PARIS)),
    )
    result, dst = run(tmp_path, data, "rich.webp", profile)
    assert result.refused is None and result.format == "webp"
    assert not scan_file(dst).reveals_location
    chunks = riff_chunks(dst.read_bytes())
    assert chunks[b"VP8 "] == riff_chunks(data)[b"VP8 "]
    assert b"XMP " not in chunks and chunks[b"VP8X"][0] & 0x04 == 0
    if profile is Profile.LOCATION:
        assert b"EXIF" in chunks and chunks[b"VP8X"][0] & 0x08
    else:
        assert b"EXIF" not in chunks and chunks[b"VP8X"][0] & 0x08 == 0
        assert scan_file(dst).device.empty


def test_a_simple_webp_has_no_metadata_and_is_copied_as_is(tmp_path: Path) -> None:
    body = b"WEBP" + fx.riff_chunk(b"VP8 ", bytes(range(200)))
    data = b"RIFF" + struct.pack("<I", len(body)) + body
    for profile in PROFILES:
        result, dst = run(tmp_path, data, "simple.webp", profile)
        assert result.removed == () and dst.read_bytes() == data


# ---- refusals --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("anim.gif", b"GIF89a" + bytes(32), "gif files are not read"),
        ("big.tif", b"II+\0" + struct.pack("<I", 8) + bytes(64), "BigTIFF"),
        ("clip.mp4", iso.mp4_with_xyz(mdat_size=1024)[:-10], "past the end"),
        ("garbage.jpg", b"this is not a photo at all", "not a recognised"),
        ("empty.jpg", b"", "empty file"),
        ("cut.jpg", fx.jpeg_with_gps()[:40], "file ends"),
    ],
)
@pytest.mark.parametrize("profile", PROFILES)
def test_unsupported_or_broken_files_are_refused_and_nothing_is_written(
    tmp_path: Path, name: str, data: bytes, reason: str, profile: Profile
) -> None:
    result, _ = run(tmp_path, data, name, profile)
    assert result.refused is not None and reason in result.refused
    assert result.removed == ()


def test_the_original_itself_is_never_the_destination(tmp_path: Path) -> None:
    src = tmp_path / "a.jpg"
    src.write_bytes(fx.jpeg_with_gps())
    before = digest(src)
    result = clean_file(src, src)
    assert result.refused is not None and "original" in result.refused
    assert digest(src) == before and leftovers(tmp_path) == []


def test_a_missing_file_or_destination_folder_is_refused(tmp_path: Path) -> None:
    assert clean_file(tmp_path / "nope.jpg", tmp_path / "out.jpg").refused is not None
    src = tmp_path / "a.jpg"
    src.write_bytes(fx.jpeg_with_gps())
    assert clean_file(src, tmp_path / "missing" / "out.jpg").refused is not None
    assert not (tmp_path / "out.jpg").exists()


def test_a_copy_that_fails_verification_is_deleted_and_an_existing_destination_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def copy_unchanged(data: bytes, profile: object) -> object:
        return clean_module._Rebuilt(b"", ((0, len(data)),), ())

    monkeypatch.setattr(clean_module, "_plan_jpeg", copy_unchanged)
    src = tmp_path / "a.jpg"
    src.write_bytes(fx.jpeg_with_gps())
    dst = tmp_path / "b.jpg"
    dst.write_bytes(b"previous")
    result = clean_file(src, dst)
    assert result.refused is not None and "survived" in result.refused
    assert dst.read_bytes() == b"previous" and leftovers(tmp_path) == []


# ---- exiftool differential -------------------------------------------------------------------
EXIFTOOL = shutil.which("exiftool")


@pytest.mark.skipif(EXIFTOOL is None, reason="exiftool is not installed")
@pytest.mark.parametrize("profile", PROFILES)
def test_exiftool_finds_no_gps_xmp_or_iptc_in_the_cleaned_copies(
    tmp_path: Path, profile: Profile
) -> None:
    webp = fx.webp(
        fx.riff_chunk(b"EXIF", fx.exif_tiff(gps=fx.SYDNEY)),
        fx.riff_chunk(b"XMP ", fx.xmp_gps(*fx.PARIS)),
    )
    outputs = []
    for name, data in (("a.jpg", rich_jpeg()), ("b.png", rich_png()), ("c.webp", webp)):
        result, dst = run(tmp_path, data, name, profile)
        assert result.refused is None
        outputs.append(str(dst))
    assert EXIFTOOL is not None
    sources = [str(tmp_path / n) for n in ("a.jpg", "b.png", "c.webp")]
    command = [EXIFTOOL, "-n", "-json", "-GPSLatitude", "-GPSLongitude", "-XMP:all", "-IPTC:all"]
    before = json.loads(subprocess.run([*command, *sources], capture_output=True).stdout)
    assert all("GPSLatitude" in entry for entry in before)  # the check can see GPS
    after = json.loads(subprocess.run([*command, *outputs], capture_output=True).stdout)
    assert len(after) == 3
    for entry in after:
        assert set(entry) == {"SourceFile"}, entry
    if profile is Profile.ALL:
        device = subprocess.run(
            [EXIFTOOL, "-json", "-Make", "-Model", "-DateTimeOriginal", *outputs],
            capture_output=True,
        )
        assert all(set(e) == {"SourceFile"} for e in json.loads(device.stdout))


# ---- fuzzing ---------------------------------------------------------------------------------
JPEG_SAMPLES = [data for name, data in fx.samples().items() if name.endswith(".jpg")]
JPEG_SAMPLES.append(rich_jpeg(trailer=b"\xff\xd8 Exif trailer"))


@pytest.fixture(scope="module")
def fuzzdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("clean-fuzz")


@settings(deadline=2000, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.sampled_from(JPEG_SAMPLES).flatmap(mutated), profile=st.sampled_from(PROFILES))
def test_cleaning_mutated_jpegs_never_raises_and_never_writes_a_located_copy(
    fuzzdir: Path, data: bytes, profile: Profile
) -> None:
    src = fuzzdir / "mutant.jpg"
    src.write_bytes(data)
    dst = fuzzdir / "out" / "clean.jpg"
    dst.parent.mkdir(exist_ok=True)
    dst.unlink(missing_ok=True)
    result = clean_file(src, dst, profile=profile)
    assert src.read_bytes() == data
    assert [p.name for p in dst.parent.iterdir() if p.name != "clean.jpg"] == []
    if result.refused is not None:
        assert not dst.exists()
        assert not result.refused.startswith("could not clean"), result.refused
        return
    scan = scan_file(dst)
    assert scan.error is None and not scan.reveals_location
    if profile is Profile.ALL:
        assert scan.device.empty and scan.taken_at is None


# ---- speed -----------------------------------------------------------------------------------
def test_a_one_megabyte_jpeg_is_cleaned_quickly(tmp_path: Path) -> None:
    data = fx.jpeg(
        fx.app1_exif(fx.exif_tiff(gps=fx.PARIS, thumbnail=fx.thumbnail_with_gps())),
        fx.app1_xmp(fx.xmp_gps(*fx.PARIS)),
        *ICC,
        body=1_000_000,
    )
    src, dst = tmp_path / "big.jpg", tmp_path / "clean.jpg"
    src.write_bytes(data)
    start = time.perf_counter()
    result = clean_file(src, dst)
    elapsed = time.perf_counter() - start
    assert result.refused is None and after_sos(dst.read_bytes()) == after_sos(data)
    assert elapsed < 1.0, elapsed


def scan_file_bytes(tmp_path: Path, data: bytes, name: str = "x.jpg"):  # type: ignore[no-untyped-def]
    path = tmp_path / "scan-only" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    return scan_file(path)


def test_a_motion_photo_video_with_its_own_location_is_dropped_from_the_copy(
    tmp_path: Path,
) -> None:
    """A video appended after the picture (a "motion photo") can record where it was made."""
    video = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 8 + b"\x00\x00\x00\x1e\xa9xyz+48.8583+002.2945/"
    src = tmp_path / "motion.jpg"
    src.write_bytes(fx.jpeg() + b"\xff\xd9" + video)
    result = clean_file(src, tmp_path / "out.jpg")
    assert result.refused is None
    assert b"\xa9xyz" not in (tmp_path / "out.jpg").read_bytes()
