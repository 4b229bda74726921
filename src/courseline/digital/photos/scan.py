"""Find every place a photo or video file reveals a location, without ever raising.

``scan_file`` recognises the container by its magic bytes, lets the container reader collect
the raw metadata blocks (reading only the headers it needs), then decodes EXIF, XMP and IPTC
into one ``PhotoScan``; ``scan_stream`` does the same for an open stream (an upload held in
memory). ``scan_paths`` does it for files and directory trees, optionally in several processes
(``jobs=0`` decides from the batch size and the CPUs), yielding results in input order.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from courseline.digital.photos.containers import ContainerError, Payloads, jpeg, png, tiff, webp
from courseline.digital.photos.containers import iptc as iptc_reader
from courseline.digital.photos.containers import xmp as xmp_reader
from courseline.digital.photos.containers.isobmff import TOP_LEVEL_TYPES
from courseline.digital.photos.model import (
    Device,
    ErrorKind,
    LocationSource,
    PhotoScan,
    ScanError,
    SourceKind,
)

__all__ = ["auto_jobs", "scan_file", "scan_paths", "scan_stream"]

ISOBMFF_MODULE = "courseline.digital.photos.containers.isobmff"

_Reader = Callable[[BinaryIO, int, Payloads], None]
_READERS: dict[str, _Reader] = {
    "jpeg": jpeg.read,
    "tiff": tiff.read,
    "png": png.read,
    "webp": webp.read,
}
_TIFF_MAGIC = (b"II*\0", b"MM\0*", b"II+\0", b"MM\0+", b"IIRO", b"IIRS", b"MMOR", b"IIU\0")
_UNREAD = {b"GIF87a": "gif", b"GIF89a": "gif", b"\xff\x0a": "jxl", b"\0\0\0\x0cJXL ": "jxl"}
_DEVICE_FIELDS = ("make", "model", "serial", "owner")
_APP1_MARKER = b"\xff\xe1"


def sniff(head: bytes) -> str | None:
    """The container a file's first 16 bytes announce (jpeg, tiff, png, webp, isobmff), or
    None when it is no photo or video format Courseline reads."""
    return _sniff(head)


def _sniff(head: bytes) -> str | None:
    if head[:2] == b"\xff\xd8" and (len(head) == 2 or head[2] == 0xFF):
        return "jpeg"
    if head[:4] in _TIFF_MAGIC:
        return "tiff"
    if head[:8] == png.SIGNATURE:
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] in TOP_LEVEL_TYPES:
        return "isobmff"
    for magic, name in _UNREAD.items():
        if head.startswith(magic):
            return name
    return None


@dataclass(slots=True)
class _Collector:
    """Gathers sources from every decoded block, strongest evidence first."""

    coordinates: list[LocationSource] = field(default_factory=list)
    secondary: list[LocationSource] = field(default_factory=list)
    places: list[LocationSource] = field(default_factory=list)
    taken: list[dt.datetime] = field(default_factory=list)
    fallback_taken: list[dt.datetime] = field(default_factory=list)
    device: dict[str, str] = field(default_factory=dict)
    fallback_device: dict[str, str] = field(default_factory=dict)

    def identity(self, source: object, *, fallback: bool = False) -> None:
        into = self.fallback_device if fallback else self.device
        for name in _DEVICE_FIELDS:
            value = getattr(source, name, None)
            if isinstance(value, str) and value and name not in into:
                into[name] = value

    def exif(self, info: tiff.TiffInfo, kind: SourceKind) -> None:
        if info.gps is not None:
            self.coordinates.append(LocationSource(kind, lat=info.gps[0], lon=info.gps[1]))
        if info.thumbnail is not None:
            gps = _thumbnail_gps(info.thumbnail)
            if gps is not None:
                self.secondary.append(
                    LocationSource(SourceKind.THUMBNAIL_EXIF, lat=gps[0], lon=gps[1])
                )
        if info.taken_at is not None:
            self.taken.append(info.taken_at)
        self.identity(info)

    def xmp(self, info: xmp_reader.XmpInfo, kind: SourceKind) -> None:
        for lat, lon in info.coordinates:
            self.secondary.append(LocationSource(kind, lat=lat, lon=lon))
        if info.places:
            place_kind = SourceKind.XMP_PLACE if kind == SourceKind.XMP else kind
            self.places.append(LocationSource(place_kind, text=", ".join(info.places)))

    def result(self, path: str, fmt: str | None, error: ScanError | None) -> PhotoScan:
        ordered = dict.fromkeys(self.coordinates + self.secondary + self.places)
        taken = self.taken + self.fallback_taken
        return PhotoScan(
            path=path,
            format=fmt,
            sources=tuple(ordered),
            taken_at=taken[0] if taken else None,
            device=Device(**{**self.fallback_device, **self.device}),
            error=error,
        )


def _thumbnail_gps(data: bytes) -> tuple[float, float] | None:
    """The EXIF GPS of a thumbnail JPEG, which can differ from (or survive) the main image's."""
    if _APP1_MARKER not in data:  # no APP1 segment, so no EXIF (most thumbnails)
        return None
    found = Payloads("jpeg")
    with contextlib.suppress(ContainerError):
        jpeg.read_bytes(data, found)
    for blob, _ in found.exif:
        try:
            info = tiff.parse_thumbnail_exif(blob)
        except ContainerError:
            continue
        if info.gps is not None:
            return info.gps
    return None


def _exif_infos(found: Payloads) -> list[tuple[tiff.TiffInfo, SourceKind]]:
    infos = list(found.parsed_exif)
    for blob, kind in found.exif:
        try:
            infos.append((tiff.parse(blob), kind))
        except ContainerError:
            continue  # a damaged EXIF block does not hide the others
    return infos


def _embedded(info: tiff.TiffInfo, kind: SourceKind, found: Payloads) -> None:
    """XMP and IPTC kept inside a TIFF stream (tags 0x02BC, 0x83BB, 0x8649)."""
    if info.xmp:
        found.xmp.append((info.xmp, SourceKind.XMP if kind == SourceKind.EXIF_GPS else kind))
    if info.iptc:
        found.iptc.append((info.iptc, SourceKind.IPTC_PLACE))
    if info.photoshop:
        irb_iptc = iptc_reader.read_irb(info.photoshop).iptc
        if irb_iptc:
            found.iptc.append((irb_iptc, SourceKind.IPTC_PLACE))


def _decode(found: Payloads, collector: _Collector) -> None:
    for info, kind in _exif_infos(found):
        collector.exif(info, kind)
        _embedded(info, kind, found)
    xmp_infos = [(xmp_reader.parse(blob), kind) for blob, kind in found.xmp]
    for xmp_info, kind in xmp_infos:
        collector.xmp(xmp_info, kind)
    for blob, kind in found.iptc:
        text = iptc_reader.place_text(blob)
        if text:
            collector.places.append(LocationSource(kind, text=text))
    for xmp_info, _ in xmp_infos:
        if xmp_info.taken_at is not None:
            collector.fallback_taken.append(xmp_info.taken_at)
        collector.identity(xmp_info, fallback=True)


def _scan_isobmff(f: BinaryIO, size: int, shown: str) -> PhotoScan:
    try:
        module = importlib.import_module(ISOBMFF_MODULE)
    except ImportError:
        return _failed(shown, None, ErrorKind.UNSUPPORTED, "video/HEIF reading is not available")
    error = None
    try:
        findings = module.read(f, size)
    except ContainerError as exc:
        # Like the other formats: what was read before the problem is reported with it.
        findings = getattr(exc, "found", None)
        if findings is None:
            return _failed(shown, None, exc.kind, exc.message)
        error = ScanError(exc.kind, exc.message)
    fmt = findings.format if isinstance(findings.format, str) else None
    found = Payloads(fmt or "isobmff")
    if isinstance(findings.exif, bytes) and findings.exif:
        exif = findings.exif[6:] if findings.exif.startswith(b"Exif\0") else findings.exif
        found.exif.append((exif, SourceKind.EXIF_GPS))
    if isinstance(findings.xmp, bytes) and findings.xmp:
        found.xmp.append((findings.xmp, SourceKind.XMP))
    collector = _Collector()
    _decode(found, collector)
    own = [s for s in findings.sources if isinstance(s, LocationSource)]
    collector.coordinates.extend(s for s in own if s.has_coordinates)
    collector.places.extend(s for s in own if not s.has_coordinates)
    if isinstance(findings.taken_at, dt.datetime):
        collector.taken.append(findings.taken_at)
    collector.identity(findings.device)
    return collector.result(shown, fmt, error)


def _failed(shown: str, fmt: str | None, kind: ErrorKind, message: str) -> PhotoScan:
    return PhotoScan(path=shown, format=fmt, error=ScanError(kind, message))


def _open(path: str | Path) -> tuple[BinaryIO, int]:
    """Open without blocking (a FIFO must not hang the scan) and insist on a regular file."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise IsADirectoryError("not a regular file")
        return open(fd, "rb", buffering=0), info.st_size  # noqa: SIM115 - closed by the caller
    except BaseException:
        os.close(fd)
        raise


def _read(f: BinaryIO, size: int, shown: str) -> PhotoScan:
    head = f.read(16)
    kind = _sniff(head)
    if kind is None:
        message = "empty file" if size == 0 else "not a recognised photo or video format"
        return _failed(shown, None, ErrorKind.NOT_AN_IMAGE, message)
    if kind == "isobmff":
        return _scan_isobmff(f, size, shown)
    reader = _READERS.get(kind)
    if reader is None:
        return _failed(shown, kind, ErrorKind.UNSUPPORTED, f"{kind} files are not read")
    found = Payloads(kind)
    error = None
    try:
        reader(f, size, found)
    except ContainerError as exc:
        error = ScanError(exc.kind, exc.message)
    collector = _Collector()
    _decode(found, collector)
    return collector.result(shown, kind, error)


def _scan(path: str | Path, shown: str) -> PhotoScan:
    try:
        f, size = _open(path)
    except OSError as exc:
        return _failed(shown, None, ErrorKind.UNREADABLE, exc.strerror or str(exc))
    except ValueError:  # e.g. a NUL byte in the path
        return _failed(shown, None, ErrorKind.UNREADABLE, "invalid path")
    with f:
        return _read(f, size, shown)


def _guarded(shown: str, work: Callable[[], PhotoScan]) -> PhotoScan:
    try:
        return work()
    except ContainerError as exc:
        return _failed(shown, None, exc.kind, exc.message)
    except MemoryError:
        return _failed(shown, None, ErrorKind.TOO_LARGE, "not enough memory to inspect the file")
    except Exception as exc:  # a reader bug must not stop a batch; report it as malformed
        return _failed(shown, None, ErrorKind.MALFORMED, f"could not parse: {type(exc).__name__}")


def scan_file(path: str | Path, *, display_path: str | None = None) -> PhotoScan:
    """Everything ``path`` reveals about where (and when, and with what) it was taken.

    Never raises: an unreadable, truncated, malformed or unsupported file gives a ``PhotoScan``
    whose ``error`` says why (with whatever was found before the problem, if anything).
    """
    shown = display_path if display_path is not None else str(path)
    return _guarded(shown, lambda: _scan(path, shown))


def scan_stream(f: BinaryIO, size: int, *, display_path: str) -> PhotoScan:
    """``scan_file`` for an open binary stream of ``size`` bytes that supports seeking (for
    example ``io.BytesIO`` holding an upload). Read from byte 0; never raises."""

    def work() -> PhotoScan:
        f.seek(0)
        return _read(f, size, display_path)

    return _guarded(display_path, work)


_Target = tuple[str, str, str | None]
"""(path to open, path to show, error message if the path could not even be listed)."""


def _listing(directory: str, shown: str) -> tuple[list[os.DirEntry[str]], str | None]:
    try:
        with os.scandir(directory) as it:
            return sorted(it, key=lambda entry: entry.name), None
    except OSError as exc:
        return [], f"cannot list directory: {exc.strerror or exc}"


def _walk(top: str, recursive: bool) -> Iterator[_Target]:
    """Regular files below ``top`` in name order, depth first; symlinks are never followed."""
    stack: list[tuple[Iterator[os.DirEntry[str]], str]] = []
    entries, problem = _listing(top, top)
    if problem:
        yield (top, top, problem)
    stack.append((iter(entries), top))
    while stack:
        iterator, shown = stack[-1]
        entry = next(iterator, None)
        if entry is None:
            stack.pop()
            continue
        entry_shown = os.path.join(shown, entry.name)
        try:
            if entry.is_symlink():
                continue
            if entry.is_file(follow_symlinks=False):
                yield (entry.path, entry_shown, None)
            elif recursive and entry.is_dir(follow_symlinks=False):
                children, problem = _listing(entry.path, entry_shown)
                if problem:
                    yield (entry.path, entry_shown, problem)
                stack.append((iter(children), entry_shown))
        except OSError:
            continue


def _targets(paths: Sequence[str], recursive: bool) -> Iterator[_Target]:
    for path in paths:
        try:
            is_dir = stat.S_ISDIR(os.stat(path).st_mode)
        except OSError:
            is_dir = False  # scan_file reports why it cannot be read
        if is_dir:
            yield from _walk(path, recursive)
        else:
            yield (path, path, None)


def _scan_target(target: _Target) -> PhotoScan:
    path, shown, problem = target
    if problem is not None:
        return _failed(shown, None, ErrorKind.UNREADABLE, problem)
    return scan_file(path, display_path=shown)


AUTO_JOBS_MIN_FILES = 256
"""With ``jobs=0`` (automatic), fewer files than this are read in this process: starting
workers costs more than it saves."""
AUTO_JOBS_MIN_CPUS = 4
"""Reading a photo's headers takes about 0.1 ms, close to what sending its result back from a
worker costs, so on one or two CPUs worker processes were measured slower than none."""
MAX_AUTO_JOBS = 8


def auto_jobs(files: int) -> int:
    """How many processes ``jobs=0`` uses for ``files`` files: one per usable CPU (at most
    ``MAX_AUTO_JOBS``) for a big batch on a machine with ``AUTO_JOBS_MIN_CPUS`` or more,
    otherwise one."""
    if files < AUTO_JOBS_MIN_FILES:
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return min(cpus, MAX_AUTO_JOBS) if cpus >= AUTO_JOBS_MIN_CPUS else 1


def scan_paths(paths: Sequence[str], *, recursive: bool, jobs: int = 1) -> Iterator[PhotoScan]:
    """Scan files, and the regular files in directories (all the tree below when ``recursive``).

    Directory entries are shown as the given path joined with their relative path; symlinks and
    special files inside directories are skipped. With ``jobs`` > 1 files are read in that many
    processes, and with ``jobs=0`` the number is chosen by ``auto_jobs``; results always come in
    input order.
    """
    targets = _targets(paths, recursive)
    if jobs == 1:
        yield from map(_scan_target, targets)
        return
    items = list(targets)
    workers = auto_jobs(len(items)) if jobs <= 0 else min(jobs, len(items))
    if workers <= 1:
        yield from map(_scan_target, items)
        return
    yield from _in_pool(items, workers)


def _in_pool(items: list[_Target], workers: int) -> Iterator[PhotoScan]:
    """Scan in worker processes; if processes cannot be started here (no semaphores in a
    sandbox) or a worker dies (killed for memory), the files not yet done are scanned in this
    process instead, so every file still gets exactly one result, in order."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    done = 0
    try:
        pool = ProcessPoolExecutor(max_workers=workers)
    except (OSError, NotImplementedError):
        pool = None
    if pool is not None:
        try:
            chunk = max(1, min(64, len(items) // (workers * 8)))
            for scan in pool.map(_scan_target, items, chunksize=chunk):
                yield scan
                done += 1
        except (BrokenProcessPool, OSError):
            pass
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    yield from map(_scan_target, items[done:])
