"""Unpack a camera-roll export (a zip file) for checking, treating the archive as hostile.

``extract_zip`` writes the members into a folder the caller owns (and later deletes) and
returns where each one went under a safe name. The whole archive is refused, with a message a
caseworker can act on, when it:

* is not a readable zip file, or is encrypted;
* has a member whose name is absolute, climbs out with ``..``, or names a device or link;
* contains another archive (zip, tar, gzip, 7z, rar…): nested archives are not opened;
* claims or turns out to hold more than the byte, member or compression-ratio limits
  (a "zip bomb"). Sizes are counted while decompressing, so a lying header does not help.

On refusal every file already written is removed, so nothing half-unpacked is left behind.
"""

from __future__ import annotations

import contextlib
import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

__all__ = [
    "ArchiveLimits",
    "ArchiveRefused",
    "Member",
    "extract_zip",
    "looks_like_zip",
    "unique_name",
]

_CHUNK = 1024 * 1024
_ARCHIVE_SUFFIXES = frozenset(
    {".zip", ".tar", ".tgz", ".gz", ".bz2", ".xz", ".7z", ".rar", ".zst", ".cpio", ".jar", ".apk"}
)
_ARCHIVE_MAGIC = (
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ\x00",
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07",
    b"\x28\xb5\x2f\xfd",
)
_SKIPPED_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


class ArchiveRefused(Exception):
    """The archive is not opened; ``message`` says why in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    max_members: int = 10_000
    max_total_bytes: int = 4 * 1024**3
    max_member_bytes: int = 2 * 1024**3
    max_ratio: int = 200
    """Largest allowed uncompressed/compressed ratio for members over 1 MiB."""
    max_overall_ratio: int = 50
    """Largest allowed ratio of everything unpacked to the archive's own size (many small
    members can add up to a bomb that no single member gives away)."""


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    """The member's path inside the archive, as shown to the user."""
    path: Path
    """Where it was written."""


def looks_like_zip(head: bytes) -> bool:
    return head.startswith((b"PK\x03\x04", b"PK\x05\x06"))


def _safe_name(raw: str) -> PurePosixPath:
    name = raw.replace("\\", "/")
    if "\x00" in name:
        raise ArchiveRefused("the archive has a file name with a NUL character")
    pure = PurePosixPath(name)
    if pure.is_absolute() or (pure.parts and pure.parts[0].endswith(":")):
        raise ArchiveRefused(f"the archive has an absolute path ({raw[:80]}); it is not opened")
    if ".." in pure.parts:
        raise ArchiveRefused(f"the archive has a path that climbs out of it ({raw[:80]})")
    parts = [part for part in pure.parts if part not in ("", ".")]
    if not parts:
        raise ArchiveRefused("the archive has a member with an empty name")
    return PurePosixPath(*parts)


def _is_link_or_special(info: zipfile.ZipInfo) -> bool:
    """A symbolic link, device or pipe (Unix file type in the upper bits; 0 means unknown)."""
    kind = stat.S_IFMT(info.external_attr >> 16)
    return kind not in (0, stat.S_IFREG, stat.S_IFDIR)


def _check_entries(
    infos: list[zipfile.ZipInfo], limits: ArchiveLimits, archive_size: int, *, nested_ok: bool
) -> list[zipfile.ZipInfo]:
    files = [info for info in infos if not info.is_dir()]
    if len(files) > limits.max_members:
        raise ArchiveRefused(
            f"the archive holds {len(files)} files; at most {limits.max_members} can be checked "
            "at once"
        )
    declared = 0
    for info in files:
        name = _safe_name(info.filename)
        if info.flag_bits & 0x1:
            raise ArchiveRefused("the archive is password-protected; unpack it first")
        if _is_link_or_special(info):
            raise ArchiveRefused(f"the archive has a link or special file ({name}); not opened")
        if not nested_ok and name.suffix.lower() in _ARCHIVE_SUFFIXES:
            raise ArchiveRefused(
                f"the archive contains another archive ({name}); nested archives are not "
                "opened: unpack it and upload its contents"
            )
        if info.file_size > limits.max_member_bytes:
            raise ArchiveRefused(f"{name} is too large to check")
        if info.file_size > _CHUNK and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise ArchiveRefused(
                f"{name} would expand {info.file_size // max(info.compress_size, 1)} times; "
                "the archive looks like a zip bomb and is not opened"
            )
        declared += info.file_size
    if declared > limits.max_total_bytes:
        raise ArchiveRefused("the archive would unpack to more than the size limit")
    if declared > limits.max_overall_ratio * archive_size + _CHUNK:
        raise ArchiveRefused(
            "the archive would expand far beyond its own size; it looks like a zip bomb and is "
            "not opened"
        )
    return files


def unique_name(name: str, taken: set[str]) -> str:
    """``name`` (a relative path with ``/``), or ``stem-1.ext``, ``stem-2.ext``… in its last
    part, whichever is not yet in ``taken`` (compared without case); it is then added."""
    path, candidate, counter = PurePosixPath(name), name, 1
    while candidate.lower() in taken:
        candidate = str(path.with_name(f"{path.stem}-{counter}{path.suffix}"))
        counter += 1
    taken.add(candidate.lower())
    return candidate


def _copy_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: int, *, nested_ok: bool
) -> int:
    """Decompress one member into ``target``, counting real bytes; returns bytes written."""
    written = 0
    limit = min(budget, info.file_size)
    target.parent.mkdir(parents=True, exist_ok=True)
    with archive.open(info) as source, open(target, "xb") as sink:
        first = True
        while chunk := source.read(_CHUNK):
            if first and not nested_ok and chunk.startswith(_ARCHIVE_MAGIC):
                raise ArchiveRefused(
                    f"the archive contains another archive ({info.filename[:80]}); nested "
                    "archives are not opened"
                )
            first = False
            written += len(chunk)
            if written > limit:
                raise ArchiveRefused("the archive unpacks to more than it says; not opened")
            sink.write(chunk)
    return written


def extract_zip(
    archive_path: Path,
    dest: Path,
    *,
    limits: ArchiveLimits | None = None,
    keep_paths: bool = False,
) -> list[Member]:
    """Unpack ``archive_path`` into the existing, empty folder ``dest``; see the module doc.

    Members go into numbered folders under their own file names, unless ``keep_paths``, when
    the archive's (checked, relative) folder structure is kept, as a backup folder needs. A
    backup's own files may be compressed, so with ``keep_paths`` members that are archives
    are allowed (they are never opened)."""
    limits = limits or ArchiveLimits()
    written: list[Path] = []
    try:
        with zipfile.ZipFile(archive_path) as archive:
            files = _check_entries(
                archive.infolist(), limits, archive_path.stat().st_size, nested_ok=keep_paths
            )
            members: list[Member] = []
            taken: set[str] = set()
            budget = limits.max_total_bytes
            for index, info in enumerate(files):
                name = _safe_name(info.filename)
                if name.name in _SKIPPED_NAMES or name.name.startswith("._"):
                    continue  # Finder and Explorer litter, not photos
                if keep_paths:
                    target = dest.joinpath(*name.parts)
                    if str(target).lower() in taken:
                        raise ArchiveRefused(f"the archive holds {name} twice; not opened")
                    taken.add(str(target).lower())
                else:
                    target = Path(unique_name(str(dest / f"{index:05d}" / name.name), taken))
                written.append(target)
                budget -= _copy_member(archive, info, target, budget, nested_ok=keep_paths)
                members.append(Member(str(name), target))
            return members
    except ArchiveRefused:
        _remove(written, dest)
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
        _remove(written, dest)
        raise ArchiveRefused(f"the file is not a readable zip archive ({exc})") from None
    except NotImplementedError:
        _remove(written, dest)
        raise ArchiveRefused(
            "the archive uses a compression method that is not supported"
        ) from None
    except OSError as exc:
        _remove(written, dest)
        raise ArchiveRefused(f"the archive could not be unpacked ({exc.strerror or exc})") from None
    except BaseException:
        _remove(written, dest)
        raise


def _remove(written: list[Path], dest: Path) -> None:
    """Delete everything this call wrote under ``dest`` (files, then their folders)."""
    for path in written:
        with contextlib.suppress(OSError):
            path.unlink()
    if dest.is_dir():
        for child in dest.iterdir():
            if child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    child.unlink()
