"""Evidence bundles: a zip an officer can check with one command, and how it is checked.

Layout of a bundle (format version 1)::

    evidence/<exhibit>-<file name>   each item, byte for byte (media stored, text deflated)
    chronology.pdf                   the case chronology
    manifest.csv                     one row per item, for people and spreadsheets
    manifest.json                    every item and document with its SHA-256 and size
    manifest.sha256                  `sha256sum` lines: manifest.json first, then every file

:func:`write_bundle` streams every item into the zip while hashing it and fails (leaving no
file) if an item's bytes do not match the SHA-256 recorded when it was received.
:func:`verify_bundle` treats the zip as hostile: it never extracts anything, bounds the work by
declared sizes and limits, and reports every changed, missing or unlisted file and a manifest
whose hash does not match. Matching hashes show the files are the ones listed when the bundle
was made; they do not show who made them, when, or that their content is true.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from courseline import __version__
from courseline.evidence.crypto import EvidenceError, Readable

FORMAT = "courseline-evidence-bundle"
FORMAT_VERSION = 1
MANIFEST_JSON = "manifest.json"
MANIFEST_CSV = "manifest.csv"
MANIFEST_SHA256 = "manifest.sha256"
CHRONOLOGY_PDF = "chronology.pdf"
EVIDENCE_DIR = "evidence/"
CHUNK = 1024 * 1024
MAX_NAME_LENGTH = 120

TEXT_EXTENSIONS = frozenset({
    ".txt", ".csv", ".tsv", ".json", ".jsonl", ".xml", ".html", ".htm", ".eml", ".mbox", ".md",
    ".log", ".rtf", ".vcf", ".ics", ".srt", ".vtt", ".doc", ".xls", ".ppt", ".svg", ".bmp",
    ".wav", ".tif", ".tiff",
})  # fmt: skip
"""Extensions worth deflating; everything else (photos, video, audio, office zips) is stored."""

CSV_COLUMNS = (
    "exhibit",
    "file",
    "sha256",
    "size_bytes",
    "received_at_utc",
    "source",
    "linked_incidents",
    "original_filename",
    "derived_from_sha256",
    "derivation",
)

_HEX64 = re.compile(r"[0-9a-f]{64}")
_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._()+-]+")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


class BundleError(EvidenceError):
    """A bundle could not be written; no file was left at the output path."""


class BundleUnreadable(EvidenceError):
    """The file given is not a bundle that can be checked at all (not a zip, over limits)."""


@dataclass(frozen=True, slots=True)
class BundleItem:
    """One exhibit file to put in a bundle.

    ``opener`` returns a fresh binary stream of the plain bytes (for example a
    :class:`~courseline.evidence.crypto.DecryptingReader`); it is closed after use if it has a
    ``close`` method. ``sha256`` and ``size`` are the values recorded on intake (or when a
    derived copy was made); writing fails if the stream does not match them.
    """

    exhibit: str
    filename: str
    sha256: str
    size: int
    received_at: dt.datetime
    source: str
    opener: Callable[[], Readable]
    incidents: tuple[str, ...] = ()
    derived_from_sha256: str | None = None
    """For a derived copy (e.g. location-stripped): the SHA-256 of the original it came from."""
    derivation: str = ""
    """How the copy was made, in words (e.g. 'location metadata removed by Courseline 0.1')."""
    compress: bool | None = None
    """Deflate the file in the zip; None decides by the file name's extension."""


@dataclass(frozen=True, slots=True)
class BundleMeta:
    case_reference: str
    prepared_by: str
    created_at: dt.datetime
    copies: str = "originals"
    """What the evidence files are: 'originals' or 'location-stripped copies'."""
    generator: str = f"Courseline {__version__}"


@dataclass(frozen=True, slots=True)
class WrittenBundle:
    path: Path
    manifest_sha256: str
    items: int
    bytes_of_evidence: int


# --- names --------------------------------------------------------------------------------------


def safe_filename(name: str, *, max_length: int = MAX_NAME_LENGTH) -> str:
    """A file name safe in any zip tool, shell and file system: no folders, no leading dot,
    no spaces, ASCII only. The original name is kept in the manifest.
    """
    base = re.split(r"[\\/]", name)[-1]
    stem, dot, extension = base.rpartition(".")
    if not dot or not stem.strip(" ."):
        stem, extension = base, ""
    stem = _ascii_part(stem)
    extension = _ascii_part(extension)[:10]
    room = max_length - (len(extension) + 1 if extension else 0)
    stem = stem[:room].rstrip("._-") or "file"
    return f"{stem}.{extension}" if extension else stem


def _ascii_part(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = _UNSAFE_CHARS.sub("_", text)
    return re.sub(r"_{2,}", "_", text).strip("._-")


def _evidence_names(items: Iterable[BundleItem]) -> list[tuple[BundleItem, str]]:
    used: set[str] = set()
    named: list[tuple[BundleItem, str]] = []
    for item in items:
        exhibit = safe_filename(item.exhibit.replace("/", "-"), max_length=20)
        candidate = f"{exhibit}-{safe_filename(item.filename)}"
        stem, dot, extension = candidate.rpartition(".")
        if not dot or "." in extension:
            stem, dot, extension = candidate, "", ""
        number = 1
        while candidate.lower() in used:
            number += 1
            candidate = f"{stem}-{number}{dot}{extension}"
        used.add(candidate.lower())
        named.append((item, EVIDENCE_DIR + candidate))
    return named


def _should_compress(item: BundleItem) -> bool:
    if item.compress is not None:
        return item.compress
    return Path(item.filename.lower()).suffix in TEXT_EXTENSIONS


# --- writing ------------------------------------------------------------------------------------


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("bundle times must be timezone-aware")
    return moment.astimezone(dt.UTC)


def _iso(moment: dt.datetime) -> str:
    return _utc(moment).isoformat(timespec="seconds").replace("+00:00", "Z")


def csv_safe(value: str) -> str:
    """A cell a spreadsheet will show as text, never run as a formula."""
    if value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _zip_time(moment: dt.datetime) -> tuple[int, int, int, int, int, int]:
    utc = _utc(moment)
    if utc.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second)


class _Writer:
    def __init__(self, zf: zipfile.ZipFile, created_at: dt.datetime) -> None:
        self.zf = zf
        self.date_time = _zip_time(created_at)

    def info(self, name: str, compress: bool, size: int) -> zipfile.ZipInfo:
        zinfo = zipfile.ZipInfo(name, self.date_time)
        zinfo.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        zinfo.file_size = size
        zinfo.external_attr = 0o644 << 16
        return zinfo

    def add_bytes(self, name: str, data: bytes, compress: bool = True) -> dict[str, Any]:
        self.zf.writestr(self.info(name, compress, len(data)), data)
        return {"file": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}

    def add_item(self, item: BundleItem, name: str) -> None:
        digest = hashlib.sha256()
        size = 0
        stream = item.opener()
        zinfo = self.info(name, _should_compress(item), item.size)
        try:
            with self.zf.open(zinfo, "w") as target:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > item.size:
                        break
                    digest.update(chunk)
                    target.write(chunk)
        finally:
            close = getattr(stream, "close", None)
            if callable(close):
                close()
        if size != item.size or digest.hexdigest() != item.sha256:
            raise BundleError(
                f"exhibit {item.exhibit} ({item.filename}) does not match the SHA-256 and size "
                "recorded when it was received; the bundle was not written. The stored file "
                "may have been changed or damaged: check it before anything else."
            )


def _item_record(item: BundleItem, name: str) -> dict[str, Any]:
    return {
        "exhibit": item.exhibit,
        "file": name,
        "original_filename": item.filename,
        "sha256": item.sha256,
        "size": item.size,
        "received_at": _iso(item.received_at),
        "source": item.source,
        "incidents": list(item.incidents),
        "derived_from_sha256": item.derived_from_sha256,
        "derivation": item.derivation,
    }


def _csv_bytes(records: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for record in records:
        row = [
            record["exhibit"],
            record["file"],
            record["sha256"],
            str(record["size"]),
            record["received_at"],
            record["source"],
            "; ".join(record["incidents"]),
            record["original_filename"],
            record["derived_from_sha256"] or "",
            record["derivation"],
        ]
        writer.writerow([csv_safe(cell) for cell in row])
    # A byte-order mark so that spreadsheet programs read the UTF-8 correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _check_item(item: BundleItem) -> None:
    if not _HEX64.fullmatch(item.sha256):
        raise ValueError(f"exhibit {item.exhibit}: sha256 must be 64 lower-case hex characters")
    if item.size < 0:
        raise ValueError(f"exhibit {item.exhibit}: size cannot be negative")
    _utc(item.received_at)


def write_bundle(
    out_path: str | os.PathLike[str],
    items: Iterable[BundleItem],
    chronology_pdf: bytes,
    meta: BundleMeta,
) -> WrittenBundle:
    """Write a bundle atomically: a temporary file next to ``out_path``, renamed when complete.

    Raises :class:`BundleError` (and leaves nothing at ``out_path``) when an item's bytes do not
    match its recorded SHA-256 or size; errors from an item's opener propagate the same way.
    """
    out = Path(out_path)
    named = _evidence_names(items)
    for item, _ in named:
        _check_item(item)
    fd, temp_name = tempfile.mkstemp(dir=out.parent or ".", prefix=f".{out.name}.", suffix=".part")
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "w+b") as handle:
            with zipfile.ZipFile(handle, "w", allowZip64=True) as zf:
                writer = _Writer(zf, meta.created_at)
                records = []
                for item, name in named:
                    writer.add_item(item, name)
                    records.append(_item_record(item, name))
                documents = [
                    writer.add_bytes(CHRONOLOGY_PDF, chronology_pdf, compress=False),
                    writer.add_bytes(MANIFEST_CSV, _csv_bytes(records)),
                ]
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "case_reference": meta.case_reference,
                    "prepared_by": meta.prepared_by,
                    "created_at": _iso(meta.created_at),
                    "generator": meta.generator,
                    "copies": meta.copies,
                    "hash_algorithm": "sha256",
                    "items": records,
                    "documents": documents,
                }
                manifest_bytes = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode(
                    "utf-8"
                )
                manifest_entry = writer.add_bytes(MANIFEST_JSON, manifest_bytes)
                lines = [manifest_entry, *documents, *records]
                sums = "".join(f"{line['sha256']}  {line['file']}\n" for line in lines)
                writer.add_bytes(MANIFEST_SHA256, sums.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, out)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    return WrittenBundle(
        out, manifest_entry["sha256"], len(records), sum(item.size for item, _ in named)
    )


# --- verifying ----------------------------------------------------------------------------------


class ProblemKind(StrEnum):
    CHANGED = "changed"
    """A file's bytes do not match the SHA-256 or size in the manifest."""
    MISSING = "missing"
    """The manifest lists a file the zip does not hold."""
    UNLISTED = "unlisted"
    """The zip holds a file the manifest does not list."""
    MANIFEST = "manifest"
    """The manifest is missing, unreadable, or does not match manifest.sha256."""
    DAMAGED = "damaged"
    """A file in the zip cannot be read (corrupt data or zip checksum)."""
    UNSAFE = "unsafe"
    """A name, size or compression ratio that a bundle made by Courseline never has."""


@dataclass(frozen=True, slots=True)
class BundleProblem:
    kind: ProblemKind
    file: str
    detail: str


@dataclass(frozen=True, slots=True)
class BundleLimits:
    max_entries: int = 20_000
    max_total_size: int = 256 * 1024**3
    """Sum of the sizes the zip declares, uncompressed."""
    max_manifest_size: int = 64 * 1024**2
    max_ratio: int = 1000
    """Largest compression ratio accepted for entries over 1 MiB (zip bombs go far higher)."""


@dataclass(frozen=True, slots=True)
class BundleReport:
    problems: tuple[BundleProblem, ...]
    files_checked: int
    """Files whose SHA-256 was recomputed."""
    items_listed: int
    manifest_sha256: str | None
    """The recomputed SHA-256 of manifest.json: compare it with the one sent separately."""
    case_reference: str | None = None
    created_at: str | None = None
    generator: str | None = None
    copies: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems


_DRIVE = re.compile(r"^[A-Za-z]:")


def _unsafe_name(name: str) -> str | None:
    if not name or "\x00" in name or any(ord(c) < 32 for c in name):
        return "its name contains control characters"
    if name.startswith("/") or _DRIVE.match(name):
        return "its name is an absolute path"
    if "\\" in name:
        return "its name contains a backslash"
    if ".." in name.split("/"):
        return "its name climbs out of the folder ('..')"
    return None


@dataclass
class _Entry:
    info: zipfile.ZipInfo
    sha256: str | None = None
    size: int = 0
    error: str | None = None
    hashed: bool = False


class _Verifier:
    def __init__(self, zf: zipfile.ZipFile, limits: BundleLimits) -> None:
        self.zf = zf
        self.limits = limits
        self.problems: list[BundleProblem] = []
        self.entries: dict[str, _Entry] = {}
        self.skipped: set[str] = set()
        self.files_checked = 0

    def problem(self, kind: ProblemKind, file: str, detail: str) -> None:
        self.problems.append(BundleProblem(kind, file, detail))

    def scan_entries(self) -> None:
        infos = self.zf.infolist()
        if len(infos) > self.limits.max_entries:
            raise BundleUnreadable(
                f"the zip holds {len(infos):,} entries, more than the limit of "
                f"{self.limits.max_entries:,}: it is not a bundle made by Courseline"
            )
        total = sum(info.file_size for info in infos)
        if total > self.limits.max_total_size:
            raise BundleUnreadable(
                f"the zip declares {total:,} bytes uncompressed, more than the limit of "
                f"{self.limits.max_total_size:,}"
            )
        for info in infos:
            self._scan(info)

    def _scan(self, info: zipfile.ZipInfo) -> None:
        name = info.filename
        if info.is_dir():
            return
        reason = _unsafe_name(name)
        if reason is None and name in self.entries:
            reason = "the zip holds two entries with this name"
        if reason is None and info.flag_bits & 0x1:
            reason = "it is encrypted inside the zip"
        if reason is None:
            reason = self._size_problem(info)
        if reason is not None:
            self.problem(ProblemKind.UNSAFE, name, f"{reason}; it was not read")
            self.skipped.add(name)
            return
        self.entries[name] = _Entry(info)

    def _size_problem(self, info: zipfile.ZipInfo) -> str | None:
        if info.compress_type == zipfile.ZIP_STORED:
            if info.compress_size != info.file_size:
                return "its stored and declared sizes disagree"
            return None
        if info.compress_type != zipfile.ZIP_DEFLATED:
            return f"it uses a compression method ({info.compress_type}) Courseline never writes"
        if info.file_size > CHUNK and (
            info.compress_size == 0 or info.file_size / info.compress_size > self.limits.max_ratio
        ):
            return "its compression ratio is far beyond any real file (a zip bomb?)"
        return None

    def hash_entry(self, name: str) -> _Entry | None:
        entry = self.entries.get(name)
        if entry is None or entry.hashed:
            return entry
        entry.hashed = True
        digest = hashlib.sha256()
        size = 0
        try:
            with self.zf.open(entry.info) as stream:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    digest.update(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
            entry.error = str(exc) or type(exc).__name__
            self.problem(ProblemKind.DAMAGED, name, f"it cannot be read: {entry.error}")
            return entry
        entry.sha256, entry.size = digest.hexdigest(), size
        self.files_checked += 1
        return entry

    def read_small(self, name: str, limit: int) -> bytes | None:
        entry = self.entries.get(name)
        if entry is None:
            return None
        if entry.info.file_size > limit:
            self.problem(ProblemKind.UNSAFE, name, f"it is larger than {limit:,} bytes")
            self.skipped.add(name)
            return None
        try:
            with self.zf.open(entry.info) as stream:
                data = stream.read(limit + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
            self.problem(ProblemKind.DAMAGED, name, f"it cannot be read: {exc}")
            self.skipped.add(name)
            return None
        entry.hashed = True
        entry.sha256, entry.size = hashlib.sha256(data).hexdigest(), len(data)
        self.files_checked += 1
        return data

    def check_listed(self, name: str, sha256: str, size: int | None, listed_in: str) -> None:
        if name in self.skipped:
            return
        entry = self.hash_entry(name)
        if entry is None:
            self.problem(ProblemKind.MISSING, name, f"{listed_in} lists it but the zip lacks it")
            self.skipped.add(name)
            return
        if entry.error is not None:
            return
        if entry.sha256 != sha256:
            self.problem(
                ProblemKind.CHANGED,
                name,
                f"its SHA-256 is {entry.sha256}, but {listed_in} records {sha256}",
            )
            self.skipped.add(name)
        elif size is not None and entry.size != size:
            self.problem(
                ProblemKind.CHANGED,
                name,
                f"its size is {entry.size:,} bytes, but {listed_in} records {size:,}",
            )
            self.skipped.add(name)


def _parse_listing(record: Any, where: str) -> tuple[str, str, int] | str:
    if not isinstance(record, dict):
        return f"{where} is not an object"
    name, sha256, size = record.get("file"), record.get("sha256"), record.get("size")
    if not isinstance(name, str) or not name:
        return f"{where} has no file name"
    if not isinstance(sha256, str) or not _HEX64.fullmatch(sha256):
        return f"{where} ({name}) has no valid SHA-256"
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        return f"{where} ({name}) has no valid size"
    return name, sha256, size


def _parse_sums(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """``sha256sum`` lines -> (sha256, name) pairs, and the lines that could not be read."""
    pairs: list[tuple[str, str]] = []
    bad: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = re.fullmatch(r"([0-9a-fA-F]{64}) [ *](.+)", line)
        if match is None:
            bad.append(f"line {number}")
            continue
        pairs.append((match.group(1).lower(), match.group(2)))
    return pairs, bad


def _open_zip(path: Path) -> zipfile.ZipFile:
    if not path.is_file():
        raise BundleUnreadable(f"{path} does not exist or is not a file")
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise BundleUnreadable(f"{path} is not a zip file (or its end is missing)") from None
    except (OSError, EOFError, ValueError, NotImplementedError, UnicodeDecodeError) as exc:
        raise BundleUnreadable(f"{path} cannot be read as a zip file: {exc}") from None


def verify_bundle(path: str | os.PathLike[str], limits: BundleLimits | None = None) -> BundleReport:
    """Recompute every hash in a bundle and report every problem found (never extracts).

    Raises :class:`BundleUnreadable` when the file cannot be checked at all.
    """
    limits = limits or BundleLimits()
    with _open_zip(Path(path)) as zf:
        check = _Verifier(zf, limits)
        check.scan_entries()
        manifest_bytes = check.read_small(MANIFEST_JSON, limits.max_manifest_size)
        manifest_sha = hashlib.sha256(manifest_bytes).hexdigest() if manifest_bytes else None
        listed = {MANIFEST_JSON, MANIFEST_SHA256}
        sums_bytes = check.read_small(MANIFEST_SHA256, limits.max_manifest_size)
        _check_sums(check, sums_bytes, manifest_sha, listed)
        manifest = _load_manifest(check, manifest_bytes)
        items = 0
        if manifest is not None:
            items = _check_manifest(check, manifest, listed)
            for name in sorted(check.entries):
                if name not in listed and name not in check.skipped:
                    check.problem(
                        ProblemKind.UNLISTED,
                        name,
                        "the zip holds this file but the manifest does not list it",
                    )
        meta = manifest or {}
        return BundleReport(
            problems=tuple(check.problems),
            files_checked=check.files_checked,
            items_listed=items,
            manifest_sha256=manifest_sha,
            case_reference=_text(meta.get("case_reference")),
            created_at=_text(meta.get("created_at")),
            generator=_text(meta.get("generator")),
            copies=_text(meta.get("copies")),
        )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _check_sums(
    check: _Verifier, sums_bytes: bytes | None, manifest_sha: str | None, listed: set[str]
) -> None:
    if sums_bytes is None:
        if MANIFEST_SHA256 not in check.skipped:
            check.problem(ProblemKind.MANIFEST, MANIFEST_SHA256, "the zip has no manifest.sha256")
        return
    try:
        text = sums_bytes.decode("utf-8")
    except UnicodeDecodeError:
        check.problem(ProblemKind.MANIFEST, MANIFEST_SHA256, "it is not UTF-8 text")
        return
    pairs, bad = _parse_sums(text)
    for where in bad:
        check.problem(ProblemKind.MANIFEST, MANIFEST_SHA256, f"{where} is not a sha256sum line")
    recorded = dict((name, sha) for sha, name in pairs)
    if MANIFEST_JSON not in recorded:
        check.problem(ProblemKind.MANIFEST, MANIFEST_SHA256, "it has no line for manifest.json")
    elif manifest_sha is not None and recorded[MANIFEST_JSON] != manifest_sha:
        check.problem(
            ProblemKind.MANIFEST,
            MANIFEST_JSON,
            f"its SHA-256 is {manifest_sha}, but manifest.sha256 records "
            f"{recorded[MANIFEST_JSON]}: the manifest was changed",
        )
    for name, sha in recorded.items():
        if name != MANIFEST_JSON:
            listed.add(name)
            check.check_listed(name, sha, None, "manifest.sha256")


def _load_manifest(check: _Verifier, data: bytes | None) -> dict[str, Any] | None:
    if data is None:
        if MANIFEST_JSON not in check.skipped:
            check.problem(
                ProblemKind.MANIFEST, MANIFEST_JSON, "the zip has no manifest.json to check against"
            )
        return None
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        check.problem(ProblemKind.MANIFEST, MANIFEST_JSON, f"it is not valid JSON ({exc})")
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        check.problem(
            ProblemKind.MANIFEST, MANIFEST_JSON, "it is not a Courseline evidence bundle manifest"
        )
        return None
    if manifest.get("format_version") != FORMAT_VERSION:
        check.problem(
            ProblemKind.MANIFEST,
            MANIFEST_JSON,
            f"bundle format version {manifest.get('format_version')!r} is not one this "
            f"version of Courseline reads (it reads {FORMAT_VERSION})",
        )
        return None
    return manifest


def _check_manifest(check: _Verifier, manifest: dict[str, Any], listed: set[str]) -> int:
    items = manifest.get("items")
    documents = manifest.get("documents")
    if not isinstance(items, list) or not isinstance(documents, list):
        check.problem(ProblemKind.MANIFEST, MANIFEST_JSON, "it has no list of items or documents")
        return 0
    groups = (("item", items), ("document", documents))
    for kind, records in groups:
        for number, record in enumerate(records, start=1):
            parsed = _parse_listing(record, f"{kind} {number}")
            if isinstance(parsed, str):
                check.problem(ProblemKind.MANIFEST, MANIFEST_JSON, parsed)
                continue
            name, sha256, size = parsed
            listed.add(name)
            check.check_listed(name, sha256, size, "the manifest")
    return len(items)
