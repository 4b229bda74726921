"""Unpacking a camera-roll zip as hostile input."""

from __future__ import annotations

import io
import stat
import struct
import zipfile
from pathlib import Path

import pytest

from courseline.digital.photos.batch import ArchiveLimits, ArchiveRefused, extract_zip


def _zip(path: Path, members: dict[str, bytes], *, mode: int | None = None) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if mode is not None:
                info.external_attr = mode << 16
            archive.writestr(info, data)
    return path


def _dest(tmp_path: Path) -> Path:
    dest = tmp_path / "out"
    dest.mkdir(parents=True)
    return dest


def test_it_unpacks_members_under_safe_names(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "a.zip", {"DCIM/IMG_1.JPG": b"one", "DCIM/IMG_2.JPG": b"two"})
    members = extract_zip(archive, _dest(tmp_path))
    assert [m.name for m in members] == ["DCIM/IMG_1.JPG", "DCIM/IMG_2.JPG"]
    assert [m.path.read_bytes() for m in members] == [b"one", b"two"]


def test_it_keeps_the_folder_structure_when_asked(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "a.zip", {"UDID/Info.plist": b"i", "UDID/00/ab": b"x"})
    dest = _dest(tmp_path)
    extract_zip(archive, dest, keep_paths=True)
    assert (dest / "UDID" / "00" / "ab").read_bytes() == b"x"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../evil.jpg", "climbs out"),
        ("a/../../evil.jpg", "climbs out"),
        ("/etc/passwd", "absolute path"),
        ("C:/Windows/evil.jpg", "absolute path"),
        ("..\\..\\evil.jpg", "climbs out"),
        ("inner.zip", "another archive"),
        ("photos.tar.gz", "another archive"),
    ],
)
def test_it_refuses_hostile_names_and_writes_nothing(
    tmp_path: Path, name: str, reason: str
) -> None:
    archive = _zip(tmp_path / "a.zip", {"ok.jpg": b"fine", name: b"bad"})
    dest = _dest(tmp_path)
    with pytest.raises(ArchiveRefused, match=reason):
        extract_zip(archive, dest)
    assert list(dest.iterdir()) == []
    assert not (tmp_path / "evil.jpg").exists()


def test_it_refuses_a_disguised_nested_archive_and_cleans_up(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "a.zip", {"ok.jpg": b"fine", "z.jpg": b"\x1f\x8b\x08rest"})
    dest = _dest(tmp_path)
    with pytest.raises(ArchiveRefused, match="another archive"):
        extract_zip(archive, dest)
    assert list(dest.iterdir()) == []


def test_it_refuses_links_and_devices(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "a.zip", {"link.jpg": b"/etc/passwd"}, mode=stat.S_IFLNK | 0o777)
    with pytest.raises(ArchiveRefused, match="link or special"):
        extract_zip(archive, _dest(tmp_path))


def test_it_refuses_a_zip_bomb_by_ratio(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "a.zip", {"bomb.jpg": b"\0" * (50 * 1024 * 1024)})
    with pytest.raises(ArchiveRefused, match="zip bomb"):
        extract_zip(archive, _dest(tmp_path))


def test_it_refuses_too_many_members_or_too_many_bytes(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "a.zip", {f"{i}.jpg": b"x" for i in range(20)})
    with pytest.raises(ArchiveRefused, match="at most 10"):
        extract_zip(archive, _dest(tmp_path), limits=ArchiveLimits(max_members=10))
    with pytest.raises(ArchiveRefused, match="size limit"):
        extract_zip(archive, _dest(tmp_path / "b"), limits=ArchiveLimits(max_total_bytes=5))


def test_a_header_that_lies_about_the_size_is_caught_while_unpacking(tmp_path: Path) -> None:
    data = b"A" * 5000
    path = _zip(tmp_path / "a.zip", {"small.jpg": data})
    raw = bytearray(path.read_bytes())
    # Shrink the declared uncompressed size in both the local header and the central directory.
    local = raw.index(b"PK\x03\x04")
    struct.pack_into("<I", raw, local + 22, 100)
    central = raw.index(b"PK\x01\x02")
    struct.pack_into("<I", raw, central + 24, 100)
    path.write_bytes(bytes(raw))
    dest = _dest(tmp_path)
    with pytest.raises(ArchiveRefused):
        extract_zip(path, dest)
    assert list(dest.iterdir()) == []


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04", b"not a zip", b"PK\x05\x06" + b"\0" * 18])
def test_a_damaged_archive_is_refused_with_a_message(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "bad.zip"
    path.write_bytes(data)
    try:
        members = extract_zip(path, _dest(tmp_path))
    except ArchiveRefused as exc:
        assert exc.message
    else:
        assert members == []  # an empty but valid archive


def test_encrypted_members_are_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("secret.jpg", b"x")
    raw = bytearray(buffer.getvalue())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = raw.index(signature) + offset
        struct.pack_into("<H", raw, at, struct.unpack_from("<H", raw, at)[0] | 0x1)
    path = tmp_path / "enc.zip"
    path.write_bytes(bytes(raw))
    with pytest.raises(ArchiveRefused, match="password"):
        extract_zip(path, _dest(tmp_path))


def test_many_small_members_adding_up_to_a_bomb_are_refused(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "a.zip", {f"{i}.jpg": b"\0" * 500_000 for i in range(40)})
    assert archive.stat().st_size < 200_000
    with pytest.raises(ArchiveRefused, match="zip bomb"):
        extract_zip(archive, _dest(tmp_path))


def test_a_backup_may_hold_compressed_files_when_paths_are_kept(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "a.zip", {"UDID/ab/cd": b"\x1f\x8b\x08 compressed", "UDID/x": b"y"})
    dest = _dest(tmp_path)
    extract_zip(archive, dest, keep_paths=True)
    assert (dest / "UDID" / "ab" / "cd").exists()
    with pytest.raises(ArchiveRefused, match="another archive"):
        extract_zip(archive, _dest(tmp_path / "flat"))
