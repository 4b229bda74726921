"""Turning uploaded photos (files or camera-roll zips) into a report and cleaned copies.

Everything happens in a private temporary folder that is deleted before the request ends;
the photos are never stored with the case. Only the report is kept (by the action).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

from django.core.files.uploadedfile import UploadedFile

from courseline.digital.photos.batch import (
    ArchiveRefused,
    extract_zip,
    looks_like_zip,
    unique_name,
)
from courseline.digital.photos.clean import CleanResult, Profile, clean_file
from courseline.digital.photos.model import PhotoScan
from courseline.digital.photos.scan import scan_file
from courseline.web.evidence.storage import work_dir

_UNSAFE = re.compile(r"[^\w.\- ]+")


def safe_filename(name: str, fallback: str = "photo") -> str:
    """A file name safe to show and to put in a zip: no folders, no control characters."""
    base = PurePosixPath(name.replace("\\", "/")).name
    base = _UNSAFE.sub("_", base).strip(" .")[:120]
    return base or fallback


@dataclass
class Batch:
    """The files found in an upload: (name shown to the user, where it is on disk)."""

    files: list[tuple[str, Path]] = field(default_factory=list)
    refused: list[dict[str, str]] = field(default_factory=list)
    """Uploads not opened at all: ``{"name", "reason"}``."""


@contextmanager
def workspace() -> Iterator[Path]:
    """A private (0700) temporary folder, removed however the block ends."""
    folder = Path(tempfile.mkdtemp(prefix="courseline-photos-", dir=work_dir()))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def save_upload(upload: UploadedFile, target: Path) -> Path:
    """Write an upload to ``target`` (a new file) chunk by chunk; returns ``target``."""
    with open(target, "xb") as sink:
        for chunk in upload.chunks():
            sink.write(chunk)
    return target


def unpack(uploads: Sequence[UploadedFile], folder: Path) -> Batch:
    """Save each upload under ``folder``; zips are unpacked safely (or refused with a reason)."""
    batch = Batch()
    for index, upload in enumerate(uploads):
        name = safe_filename(upload.name or "", f"upload-{index + 1}")
        slot = folder / f"u{index:04d}"
        slot.mkdir()
        upload.seek(0)
        head = upload.read(8)
        upload.seek(0)
        target = slot / name
        save_upload(upload, target)
        if not looks_like_zip(head):
            batch.files.append((name, target))
            continue
        members = slot / "members"
        members.mkdir()
        try:
            unpacked = extract_zip(target, members)
        except ArchiveRefused as exc:
            batch.refused.append({"name": name, "reason": exc.message})
            continue
        finally:
            target.unlink()
        batch.files.extend((f"{name}/{member.name}", member.path) for member in unpacked)
    return batch


def scan_batch(batch: Batch) -> list[PhotoScan]:
    return [scan_file(path, display_path=shown) for shown, path in batch.files]


def _zip_name(shown: str) -> str:
    parts = [
        safe_filename(part, "file") for part in shown.split("/") if part not in ("", ".", "..")
    ]
    return "/".join(parts) or "file"


@dataclass
class Cleaned:
    archive: IO[bytes]
    results: list[tuple[str, CleanResult]]


def clean_batch(batch: Batch, folder: Path, profile: Profile) -> Cleaned:
    """Clean every file into ``folder``/out and pack the copies (and a note of what could not
    be cleaned) into an anonymous temporary zip file, returned open at its start."""
    out = folder / "out"
    out.mkdir()
    results: list[tuple[str, CleanResult]] = []
    archive: IO[bytes] = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 - handed to caller
    taken: set[str] = set()
    lines: list[str] = []
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as packed:
        for index, (shown, path) in enumerate(batch.files):
            target = out / f"{index:05d}-{path.name}"
            # A throwaway copy, zipped and deleted within the request: flushing it to disk
            # would only slow the batch down (a crash loses nothing that must survive).
            result = clean_file(path, target, profile=profile, durable=False)
            results.append((shown, result))
            if result.refused:
                lines.append(f"{shown}: not cleaned - {result.refused}")
                continue
            removed = ", ".join(result.removed) or "nothing needed removing"
            lines.append(f"{shown}: cleaned ({removed})")
            packed.write(target, unique_name(_zip_name(shown), taken))
            target.unlink()
        lines.append("")
        lines.append(
            "Files marked 'not cleaned' are not in this archive: do not share the originals "
            "until their location data has been removed another way (for example by taking a "
            "screenshot of the picture)."
        )
        packed.writestr("WHAT-WAS-CLEANED.txt", "\n".join(lines) + "\n")
    archive.seek(0)
    return Cleaned(archive, results)
