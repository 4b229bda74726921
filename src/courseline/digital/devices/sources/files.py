"""Bounded reading of hostile input files and zip archives (no extraction to disk)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from courseline.digital.devices.model import SourceError

MAX_TEXT_BYTES = 128 * 1024 * 1024
MAX_ZIP_BYTES = 2 * 1024 * 1024 * 1024
MAX_ZIP_ENTRIES = 100_000
MAX_RATIO = 200  # uncompressed / compressed, above which a member is treated as a zip bomb
_CHUNK = 1024 * 1024


def read_capped(path: Path, limit: int = MAX_TEXT_BYTES) -> bytes:
    """The bytes of a regular file, refusing files larger than ``limit``."""
    if not path.is_file():
        raise SourceError(f"{path}: not a readable file")
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as problem:
        raise SourceError(f"{path}: cannot read ({problem.strerror or problem})") from None
    if len(data) > limit:
        raise SourceError(f"{path}: larger than {limit // (1024 * 1024)} MB, not inspected")
    return data


def decode_text(data: bytes, name: str) -> str:
    """Text from bytes; binary data (NUL bytes, mostly undecodable) is refused."""
    if b"\x00" in data[:65536]:
        raise SourceError(f"{name}: binary data, not a text file")
    text = data.decode("utf-8", errors="replace")
    if text and text.count("\ufffd") > len(text) // 10:
        raise SourceError(f"{name}: binary data, not a text file")
    return text


def read_text(path: Path, limit: int = MAX_TEXT_BYTES) -> str:
    return decode_text(read_capped(path, limit), path.name)


def open_zip(path: Path, max_entries: int = MAX_ZIP_ENTRIES) -> zipfile.ZipFile:
    if not path.is_file():
        raise SourceError(f"{path}: not a readable file")
    if path.stat().st_size > MAX_ZIP_BYTES:
        raise SourceError(f"{path}: archive larger than {MAX_ZIP_BYTES // 2**30} GB")
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise SourceError(f"{path.name}: not a zip archive, or a truncated one") from None
    except OSError as problem:
        raise SourceError(f"{path}: cannot read ({problem.strerror or problem})") from None
    if len(archive.infolist()) > max_entries:
        archive.close()
        raise SourceError(f"{path.name}: more than {max_entries} entries, not inspected")
    return archive


def read_member(archive: zipfile.ZipFile, name: str, limit: int = MAX_TEXT_BYTES) -> bytes:
    """One member's bytes, streamed with a hard cap (header sizes are not trusted)."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise SourceError(f"{name}: not in the archive") from None
    if info.flag_bits & 0x1:
        raise SourceError(f"{name}: encrypted inside the archive, cannot be read")
    if info.file_size > limit:
        raise SourceError(f"{name}: larger than {limit // (1024 * 1024)} MB, not inspected")
    if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
        raise SourceError(f"{name}: compressed suspiciously well (zip bomb?), not inspected")
    chunks: list[bytes] = []
    total = 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(_CHUNK):
                total += len(chunk)
                if total > limit or total > max(info.compress_size, 1) * MAX_RATIO:
                    raise SourceError(f"{name}: expands beyond its limits (zip bomb?)")
                chunks.append(chunk)
    except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, ValueError) as problem:
        raise SourceError(f"{name}: damaged inside the archive ({problem})") from None
    except NotImplementedError:
        raise SourceError(f"{name}: uses an unsupported compression method") from None
    return b"".join(chunks)
