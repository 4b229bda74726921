"""Remove what a photo or video reveals about where it was taken, without re-encoding anything.

Two ways of cleaning, chosen by format:

* **Rebuilt in memory** (JPEG, PNG, WebP; at most ``MAX_CLEAN_SIZE``): the file is copied
  segment by segment (chunk by chunk), leaving out or rewriting only the metadata blocks; the
  compressed image data is copied byte for byte.
* **Patched in place on a copy** (TIFF/DNG, HEIF/HEIC/AVIF, MP4/MOV/3GP; at most
  ``MAX_PATCH_SIZE``): a planner (``clean_tiff``, ``clean_bmff``) reads only the structure with
  seeks and lists same-length changes: IFD tables rewritten over themselves, metadata zeroed,
  boxes turned into ``free`` boxes, Exif/XMP items overwritten. The file is streamed to the
  copy and the changes applied there, so no offset moves, media data is never held in memory,
  and a change that would touch image strips, tiles, image items or media samples is refused.

Either way the original is never modified. The copy is written to a temporary file next to the
destination, flushed to disk, re-read with ``scan_file`` (and, for patched formats, planned
again, which must find nothing left to remove) and only then renamed over the destination, so
a destination is either a verified clean copy or untouched. What cannot be cleaned losslessly
(BigTIFF, maker-specific raw layouts, fragmented movies with a timed metadata track, metadata
sharing bytes with media data, other formats) is refused with the reason, never half-cleaned.

Two profiles:

* ``LOCATION`` removes every location source: the EXIF GPS IFD (rewritten in place, so the
  capture time and camera stay), XMP, IPTC place names, an EXIF thumbnail that carries its own
  metadata, trailing data that looks like metadata, QuickTime ``©xyz``/``loci``/location keys
  and timed metadata tracks (which can hold a GPS trace).
* ``ALL`` removes all EXIF, XMP, IPTC, comments, text chunks, maker segments, QuickTime user
  data and metadata keys and movie creation times, keeping only what is needed to display the
  image correctly (JFIF, ICC profile, Adobe colour transform).
"""

from __future__ import annotations

import contextlib
import io
import mmap
import os
import re
import stat
import struct
import tempfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from courseline.digital.photos import clean_bmff, clean_tiff
from courseline.digital.photos.clean_base import (
    EXIF_GPS,
    EXIF_THUMBNAIL,
    EXIF_WHOLE,
    IPTC_PLACES,
    PHOTOSHOP,
    TRAILER,
    XMP,
    PatchPlan,
    Profile,
    Source,
    apply,
)
from courseline.digital.photos.clean_base import Refuse as _Refuse
from courseline.digital.photos.clean_base import Removed as _Removed
from courseline.digital.photos.clean_base import Unfixable as _Unfixable
from courseline.digital.photos.clean_exif import strip_exif_location
from courseline.digital.photos.containers import ContainerError, Payloads, jpeg, png, tiff, webp
from courseline.digital.photos.containers.iptc import place_text, read_irb
from courseline.digital.photos.model import PhotoScan
from courseline.digital.photos.scan import scan_file, scan_stream

__all__ = [
    "EXIF_GPS",
    "EXIF_THUMBNAIL",
    "EXIF_WHOLE",
    "IPTC_PLACES",
    "MAX_CLEAN_SIZE",
    "MAX_PATCH_SIZE",
    "PHOTOSHOP",
    "TRAILER",
    "XMP",
    "CleanResult",
    "Profile",
    "clean_file",
    "strip_exif_location",
]

MAX_CLEAN_SIZE = 512 * 1024 * 1024
"""Largest file rebuilt in memory (JPEG, PNG, WebP)."""
MAX_PATCH_SIZE = 64 * 1024 * 1024 * 1024
"""Largest file cleaned by patching a copy (TIFF, HEIF, video); it is never held in memory."""


@dataclass(frozen=True)
class CleanResult:
    """What ``clean_file`` did. ``output`` is None (and nothing was written) when ``refused``."""

    source: str
    output: str | None
    format: str | None
    removed: tuple[str, ...]
    refused: str | None
    verified: bool


def _strip_exif_payload(payload: bytes, prefix: bytes) -> tuple[bytes | None, tuple[str, ...]]:
    """``payload`` (``prefix`` + TIFF) for the LOCATION profile: rewritten, unchanged (no labels)
    or None (dropped whole, when it cannot be rewritten safely)."""
    head = prefix if payload.startswith(prefix) else b""
    try:
        stream, labels = strip_exif_location(payload[len(head) :])
    except (_Unfixable, struct.error):
        return None, (EXIF_WHOLE,)
    return (head + stream if labels else payload), labels


# ---- JPEG ------------------------------------------------------------------------------------
_SOI, _EOI, _SOS, _TEM = b"\xff\xd8", 0xD9, 0xDA, 0x01
_APP0, _APP1, _APP2, _APP13, _APP14, _COM = 0xE0, 0xE1, 0xE2, 0xED, 0xEE, 0xFE
_STANDALONE = frozenset({_TEM, *range(0xD0, 0xD8)})
_EXIF_ID = b"Exif\0"
_XMP_IDS = (b"http://ns.adobe.com/xap/1.0/\0", b"http://ns.adobe.com/xmp/extension/\0")
_PHOTOSHOP_ID = b"Photoshop 3.0\0"
_KEEP_FOR_ALL = ((_APP0, b"JFIF\0"), (_APP2, b"ICC_PROFILE\0"), (_APP14, b"Adobe"))
_TRAILER_HINTS = (
    b"Exif", b"GPS", b"xmp", b"XMP", b"8BIM", b"Photoshop",
    # A video appended after the picture ("motion photos") can carry its own location.
    b"\xa9xyz", b"ISO6709", b"loci",
)  # fmt: skip
_MAX_SEGMENTS = 4096

_Segment = tuple[int, bytes]
"""(marker, payload after the length field); standalone markers have an empty payload."""


def _jpeg_marker(data: bytes, pos: int) -> tuple[int, int]:
    """The marker at ``pos`` (fill bytes skipped) and the position just after it."""
    if data[pos : pos + 1] != b"\xff":
        raise _Refuse(f"no JPEG marker at byte {pos}")
    while pos + 1 < len(data) and data[pos + 1] == 0xFF:
        pos += 1
    if pos + 1 >= len(data):
        raise _Refuse("file ends inside a JPEG marker")
    return data[pos + 1], pos + 2


def _jpeg_headers(data: bytes) -> tuple[list[_Segment], int]:
    """The segments between SOI and the first SOS (or EOI), and where that marker starts."""
    segments: list[_Segment] = []
    pos = 2
    for _ in range(_MAX_SEGMENTS):
        marker, after = _jpeg_marker(data, pos)
        if marker in (_SOS, _EOI):
            return segments, after - 2
        if marker in _STANDALONE:
            segments.append((marker, b""))
            pos = after
            continue
        if after + 2 > len(data):
            raise _Refuse("file ends inside a JPEG segment")
        length = struct.unpack_from(">H", data, after)[0]
        if length < 2 or after + length > len(data):
            raise _Refuse(f"bad JPEG segment length at byte {after}")
        segments.append((marker, data[after + 2 : after + length]))
        pos = after + length
    raise _Refuse("too many JPEG segments before the image data")


_REAL_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
"""0xFF followed by a marker code: not byte stuffing (FF 00), a restart marker or fill."""


def _next_marker(data: bytes, pos: int) -> int:
    """Where the next real marker starts in entropy-coded data (stuffing and RSTn skipped)."""
    found = _REAL_MARKER.search(data, pos)
    return len(data) if found is None else found.start()


def _jpeg_image_end(data: bytes, pos: int) -> int:
    """The position just after EOI, following every scan and inter-scan segment from ``pos``;
    the end of the file when there is no EOI (a truncated image is copied as it is)."""
    size = len(data)
    while True:
        pos = _next_marker(data, pos)
        if pos >= size:
            return size
        marker = data[pos + 1]
        if marker == _EOI:
            return pos + 2
        if marker == _TEM or pos + 4 > size:
            pos += 2
            continue
        length = struct.unpack_from(">H", data, pos + 2)[0]
        if length < 2:
            return size
        pos += 2 + length


def _app_for_all(marker: int, payload: bytes) -> str | None:
    """Why an APPn/COM segment goes under the ALL profile (None: it is kept)."""
    if any(marker == m and payload.startswith(p) for m, p in _KEEP_FOR_ALL):
        return None
    if payload.startswith(_EXIF_ID):
        return EXIF_WHOLE
    if payload.startswith(_XMP_IDS):
        return XMP
    if marker == _COM:
        return "JPEG comments"
    return f"APP{marker - _APP0} maker data"


def _photoshop_labels(segments: list[_Segment]) -> tuple[str, ...]:
    """What the Photoshop resources reveal (empty: nothing about a location)."""
    irb = b"".join(
        p[len(_PHOTOSHOP_ID) :]
        for m, p in segments
        if m in (_APP1, _APP13) and p.startswith(_PHOTOSHOP_ID)
    )
    resources = read_irb(irb)
    labels: list[str] = []
    if resources.iptc and place_text(resources.iptc):
        labels.append(IPTC_PLACES)
    if resources.exif or resources.xmp:
        labels.append(PHOTOSHOP)
    return tuple(labels)


@dataclass(slots=True)
class _JpegPlan:
    profile: Profile
    removed: _Removed
    photoshop: tuple[str, ...]
    drop_mpf: bool

    def segment(self, marker: int, payload: bytes) -> bytes | None:
        """The payload to keep for this segment (possibly rewritten), or None to drop it."""
        if marker not in range(_APP0, _APP0 + 16) and marker != _COM:
            return payload
        if self.profile is Profile.ALL:
            if payload.startswith(_PHOTOSHOP_ID):
                self.removed.add(*self.photoshop, PHOTOSHOP)
                return None
            label = _app_for_all(marker, payload)
            if label is not None:
                self.removed.add(label)
                return None
            return payload
        return self._location(marker, payload)

    def _location(self, marker: int, payload: bytes) -> bytes | None:
        if marker == _APP1 and payload.startswith(_EXIF_ID):
            kept, labels = _strip_exif_payload(payload, b"Exif\0\0")
            self.removed.add(*labels)
            return kept
        if marker == _APP1 and payload.startswith(_XMP_IDS):
            self.removed.add(XMP)
            return None
        if payload.startswith(_PHOTOSHOP_ID) and self.photoshop:
            self.removed.add(*self.photoshop)
            return None
        if self.drop_mpf and marker == _APP2 and payload.startswith(b"MPF\0"):
            self.removed.add("MPF index of the dropped secondary images")
            return None
        return payload


def _trailer_goes(trailer: bytes, profile: Profile) -> bool:
    if not trailer:
        return False
    return profile is Profile.ALL or any(hint in trailer for hint in _TRAILER_HINTS)


@dataclass(frozen=True, slots=True)
class _Rebuilt:
    """A cleaned file as new header bytes followed by ranges copied unchanged from the source
    (the compressed image data, and a kept trailer): the big part is never re-encoded and,
    when writing to a file, is copied by the kernel without passing through Python."""

    prefix: bytes
    ranges: tuple[tuple[int, int], ...]
    removed: tuple[str, ...]

    def assemble(self, data: bytes) -> bytes:
        return self.prefix + b"".join(data[start:end] for start, end in self.ranges)


def _plan_jpeg(data: bytes, profile: Profile) -> _Rebuilt:
    if data[:2] != _SOI:
        raise _Refuse("no JPEG start-of-image marker")
    segments, image_start = _jpeg_headers(data)
    image_end = _jpeg_image_end(data, image_start)
    trailer = data[image_end:] if image_end < len(data) else b""
    drop_trailer = _trailer_goes(trailer, profile)
    photoshop = _photoshop_labels(segments)
    plan = _JpegPlan(profile, _Removed(), photoshop, drop_trailer)
    out = [_SOI]
    for marker, payload in segments:
        if marker in _STANDALONE:
            out.append(bytes([0xFF, marker]))
            continue
        kept = plan.segment(marker, payload)
        if kept is not None:
            out.append(struct.pack(">BBH", 0xFF, marker, len(kept) + 2) + kept)
    ranges = [(image_start, image_end)]
    if drop_trailer:
        plan.removed.add(TRAILER)
    elif trailer:
        ranges.append((image_end, len(data)))
    return _Rebuilt(b"".join(out), tuple(ranges), plan.removed.result())


def _clean_jpeg(data: bytes, profile: Profile) -> tuple[bytes, tuple[str, ...]]:
    rebuilt = _plan_jpeg(data, profile)
    return rebuilt.assemble(data), rebuilt.removed


# ---- PNG -------------------------------------------------------------------------------------
def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_text_label(body: bytes, profile: Profile) -> str | None:
    keyword = body.split(b"\0", 1)[0]
    if keyword == png.XMP_KEY:
        return XMP
    if keyword.startswith(png.RAW_PREFIX):
        name = keyword[len(png.RAW_PREFIX) :].decode("latin-1").strip().lower()
        return f"PNG raw profile ({name})"
    return "PNG text chunks" if profile is Profile.ALL else None


def _png_action(kind: bytes, raw: bytes, profile: Profile, removed: _Removed) -> bytes | None:
    """The chunk to write (``raw`` itself when kept unchanged), or None to drop it."""
    body = raw[8:-4]
    if kind == b"eXIf":
        if profile is Profile.ALL:
            removed.add(EXIF_WHOLE)
            return None
        kept, labels = _strip_exif_payload(body, b"Exif\0\0")
        removed.add(*labels)
        if kept is None:
            return None
        return raw if kept is body else _png_chunk(kind, kept)
    if kind in png.TEXT_CHUNKS:
        label = _png_text_label(body, profile)
        if label is not None:
            removed.add(label)
            return None
    if kind == b"tIME" and profile is Profile.ALL:
        removed.add("PNG modification time")
        return None
    return raw


def _clean_png(data: bytes, profile: Profile) -> tuple[bytes, tuple[str, ...]]:
    if not data.startswith(png.SIGNATURE):
        raise _Refuse("no PNG signature")
    removed = _Removed()
    out = [png.SIGNATURE]
    pos = 8
    while True:
        if pos + 12 > len(data):
            raise _Refuse("file ends before the PNG end chunk")
        length, kind = struct.unpack_from(">I4s", data, pos)
        end = pos + 12 + length
        if length > 0x7FFFFFFF or end > len(data):
            raise _Refuse("file ends inside a PNG chunk")
        kept = _png_action(kind, data[pos:end], profile, removed)
        if kept is not None:
            out.append(kept)
        pos = end
        if kind == b"IEND":
            break
    if pos < len(data):
        removed.add(TRAILER)
    return b"".join(out), removed.result()


# ---- WebP ------------------------------------------------------------------------------------
_VP8X_EXIF, _VP8X_XMP = 0x08, 0x04


def _riff_chunks(data: bytes, end: int) -> list[tuple[bytes, bytes]]:
    chunks: list[tuple[bytes, bytes]] = []
    pos = 12
    while pos + 8 <= end:
        kind, length = struct.unpack_from("<4sI", data, pos)
        if pos + 8 + length > end:
            raise _Refuse("file ends inside a RIFF chunk")
        chunks.append((kind, data[pos + 8 : pos + 8 + length]))
        pos += 8 + length + (length & 1)
    if not chunks:
        raise _Refuse("WebP file without any chunk")
    return chunks


def _webp_keep(kind: bytes, body: bytes, profile: Profile, removed: _Removed) -> bytes | None:
    if kind == b"XMP ":
        removed.add(XMP)
        return None
    if kind != b"EXIF":
        return body
    if profile is Profile.ALL:
        removed.add(EXIF_WHOLE)
        return None
    kept, labels = _strip_exif_payload(body, b"Exif\0\0")
    removed.add(*labels)
    return kept


def _clean_webp(data: bytes, profile: Profile) -> tuple[bytes, tuple[str, ...]]:
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise _Refuse("no RIFF WEBP header")
    declared = 8 + struct.unpack_from("<I", data, 4)[0]
    if declared > len(data):
        raise _Refuse("file is shorter than its RIFF size")
    removed = _Removed()
    chunks: list[tuple[bytes, bytes]] = []
    for kind, body in _riff_chunks(data, declared):
        kept = _webp_keep(kind, body, profile, removed)
        if kept is not None:
            chunks.append((kind, kept))
    kinds = {kind for kind, _ in chunks}
    if chunks[0][0] == b"VP8X" and chunks[0][1]:
        flags = chunks[0][1][0]
        flags &= ~(0 if b"EXIF" in kinds else _VP8X_EXIF) & ~(0 if b"XMP " in kinds else _VP8X_XMP)
        chunks[0] = (b"VP8X", bytes([flags]) + chunks[0][1][1:])
    body = b"WEBP" + b"".join(
        kind + struct.pack("<I", len(part)) + part + (b"\0" if len(part) & 1 else b"")
        for kind, part in chunks
    )
    if declared < len(data):
        removed.add(TRAILER)
    return b"RIFF" + struct.pack("<I", len(body)) + body, removed.result()


# ---- files -----------------------------------------------------------------------------------
_Cleaner = Callable[[bytes, Profile], tuple[bytes, tuple[str, ...]]]
_CLEANERS: dict[str, _Cleaner] = {"jpeg": _clean_jpeg, "png": _clean_png, "webp": _clean_webp}
"""Formats rebuilt in memory, block by block."""
_Patcher = Callable[[Source, Profile], PatchPlan]
_PATCHERS: dict[str, _Patcher] = {
    "tiff": clean_tiff.plan,
    **dict.fromkeys(("heif", "avif", "mp4", "mov", "3gp"), clean_bmff.plan),
}
"""Formats cleaned by patching a copy in place (nothing moves, media data is never held)."""
_VERIFY_READERS = {"jpeg": jpeg.read, "png": png.read, "webp": webp.read, "tiff": tiff.read}


def _size_text(size: int) -> str:
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= scale:
            return f"{size / scale:g} {unit}"
    return f"{size} bytes"


def _open_source(src: Path, limit: int) -> BinaryIO:
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    f = open(os.open(src, flags), "rb")  # noqa: SIM115 - closed by the caller
    try:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise _Refuse("not a regular file")
        if info.st_size > limit:
            raise _Refuse(f"file is too large to clean (over {_size_text(limit)})")
    except BaseException:
        f.close()
        raise
    return f


def _read_source(src: Path) -> bytes:
    with _open_source(src, MAX_CLEAN_SIZE) as f:
        return f.read(MAX_CLEAN_SIZE + 1)


def _check_destination(src: Path, dst: Path) -> None:
    if dst.is_dir():
        raise _Refuse("the destination is a directory")
    if dst.exists() and os.path.samefile(src, dst):
        raise _Refuse("the destination is the original file; the original is never modified")
    if not dst.parent.is_dir():
        raise _Refuse("the destination folder does not exist")


def _leftover_metadata(f: BinaryIO, size: int, fmt: str) -> bool:
    """Whether any EXIF, XMP or IPTC block is left (``Profile.ALL``) in a rebuilt file or TIFF."""
    reader = _VERIFY_READERS.get(fmt)
    if reader is None:
        return False
    found = Payloads(fmt)
    f.seek(0)
    try:
        reader(f, size, found)
    except ContainerError:
        return True
    embedded = any(i.xmp or i.iptc or i.photoshop for i, _ in found.parsed_exif)
    return bool(found.exif or found.xmp or found.iptc or embedded)


def _left_by_patcher(f: BinaryIO, size: int, fmt: str, profile: Profile) -> bool:
    """Whether re-planning the copy still finds something to remove (it must find nothing)."""
    patcher = _PATCHERS.get(fmt)
    if patcher is None:
        return False
    f.seek(0)
    try:
        return not patcher(Source(f, size), profile).empty
    except _Refuse:
        return True


def _problem_in(f: BinaryIO, size: int, shown: str, fmt: str, profile: Profile) -> str | None:
    """Why the cleaned copy in ``f`` is not clean enough (None: it is)."""
    scan: PhotoScan = scan_stream(f, size, display_path=shown)
    if scan.error is not None:
        return f"the cleaned copy could not be re-read ({scan.error.message})"
    if scan.format != fmt:
        return "the cleaned copy is no longer recognised as the same format"
    if scan.reveals_location:
        kinds = ", ".join(sorted({str(source.kind) for source in scan.sources}))
        return f"a location source survived cleaning ({kinds})"
    if profile is Profile.ALL and (
        not scan.device.empty or scan.taken_at is not None or _leftover_metadata(f, size, fmt)
    ):
        return "EXIF, XMP, IPTC or device data survived cleaning"
    if _left_by_patcher(f, size, fmt, profile):
        return "metadata survived cleaning"
    return None


def _problem(path: Path, shown: str, fmt: str, profile: Profile) -> str | None:
    """Why the written copy is not clean enough (None: it is)."""
    with open(path, "rb") as f:
        return _problem_in(f, os.fstat(f.fileno()).st_size, shown, fmt, profile)


def _fsync_directory(folder: Path) -> None:
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_verified(
    fill: Callable[[BinaryIO], None], dst: Path, fmt: str, profile: Profile, *, durable: bool = True
) -> None:
    """Let ``fill`` write a temporary file beside ``dst``, fsync, verify, then rename it over
    ``dst``.

    Verification happens on the flushed temporary file (the very bytes ``dst`` becomes), so a
    failed check deletes it and leaves any existing ``dst`` untouched."""
    fd, name = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".cleaning", dir=dst.parent)
    tmp = Path(name)
    try:
        with open(fd, "w+b") as f:
            fill(f)
            f.flush()
            if durable:
                os.fsync(f.fileno())
        problem = _problem(tmp, str(dst), fmt, profile)
        if problem is not None:
            raise _Refuse(f"{problem}; no copy was written and the original is unchanged")
        os.replace(tmp, dst)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    if durable:
        _fsync_directory(dst.parent)


def _clean_patched(
    src: Path, dst: Path, fmt: str, profile: Profile, patcher: _Patcher, *, durable: bool = True
) -> tuple[str, ...]:
    """Plan the changes reading ``src`` with seeks, then copy it and patch the copy."""
    with _open_source(src, MAX_PATCH_SIZE) as f:
        size = os.fstat(f.fileno()).st_size
        plan = patcher(Source(f, size), profile)
        plan.check()

        def fill(out: BinaryIO) -> None:
            apply(plan, f, out)
            # A file still being written (a camera or sync client) may have grown after the
            # copy stopped at the planned size; ``apply`` alone cannot see that.
            if os.fstat(f.fileno()).st_size != size:
                raise _Refuse("the file changed while it was being cleaned")

        _write_verified(fill, dst, fmt, profile, durable=durable)
    return plan.removed.result()


def _clean(
    src: Path, dst: Path, profile: Profile, fmt: list[str | None], *, durable: bool = True
) -> tuple[str, ...]:
    scan = scan_file(src)
    fmt[0] = scan.format
    if scan.error is not None:
        raise _Refuse(scan.error.message)
    patcher = _PATCHERS.get(scan.format or "")
    cleaner = _CLEANERS.get(scan.format or "")
    if scan.format is None or (cleaner is None and patcher is None):
        raise _Refuse(
            f"lossless cleaning of {scan.format or 'this format'} files is not supported; "
            "the original is unchanged"
        )
    _check_destination(src, dst)
    if patcher is not None:
        return _clean_patched(src, dst, scan.format, profile, patcher, durable=durable)
    assert cleaner is not None
    if scan.format == "jpeg":
        return _clean_jpeg_file(src, dst, profile, durable=durable)
    data = _read_source(src)
    cleaned, removed = cleaner(data, profile)

    def fill(out: BinaryIO) -> None:
        out.write(cleaned)

    _write_verified(fill, dst, scan.format, profile, durable=durable)
    return removed


def _copy_range(source: BinaryIO, out: BinaryIO, start: int, end: int) -> None:
    """Copy bytes ``[start, end)`` of ``source`` to the end of ``out``, in the kernel where the
    platform allows it (``copy_file_range``), else through a bounded buffer."""
    out.flush()
    src_fd, dst_fd = source.fileno(), out.fileno()
    position = start
    copy = getattr(os, "copy_file_range", None)
    if copy is not None:
        try:
            while position < end:
                done = copy(src_fd, dst_fd, end - position, position)
                if done <= 0:
                    break
                position += done
        except OSError:
            pass  # e.g. across file systems on old kernels: finish with plain reads
    out.seek(0, os.SEEK_END)
    while position < end:
        chunk = os.pread(src_fd, min(end - position, 4 * 1024 * 1024), position)
        if not chunk:
            raise _Refuse("the file changed while it was being cleaned")
        out.write(chunk)
        position += len(chunk)


def _clean_jpeg_file(src: Path, dst: Path, profile: Profile, *, durable: bool) -> tuple[str, ...]:
    """JPEG from a file: parsed through a memory map, new header segments written, and the
    compressed image data copied unchanged from the original by the kernel
    (``copy_file_range``)."""
    with _open_source(src, MAX_CLEAN_SIZE) as f:
        size = os.fstat(f.fileno()).st_size
        if size == 0:
            raise _Refuse("empty file")
        # A read-only map: the headers are parsed and the image data searched for its end
        # marker without first copying the whole file into memory.
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as view:
            rebuilt = _plan_jpeg(view, profile)  # type: ignore[arg-type]

        def fill(out: BinaryIO) -> None:
            out.write(rebuilt.prefix)
            for start, end in rebuilt.ranges:
                _copy_range(f, out, start, end)
            if os.fstat(f.fileno()).st_size != size:
                raise _Refuse("the file changed while it was being cleaned")

        _write_verified(fill, dst, "jpeg", profile, durable=durable)
    return rebuilt.removed


def clean_file(
    src: Path, dst: Path, *, profile: Profile = Profile.LOCATION, durable: bool = True
) -> CleanResult:
    """Write a copy of ``src`` to ``dst`` without location metadata (``Profile.LOCATION``) or
    without any EXIF/XMP/IPTC/device metadata (``Profile.ALL``), losslessly.

    ``durable`` flushes the copy (and its folder) to disk before returning; a batch writing
    fresh copies next to untouched originals may turn it off and flush once at the end.

    Never modifies ``src`` and never raises for a bad file: when the file cannot be cleaned (or
    the copy fails verification) nothing is written and ``refused`` says why.
    """
    source = str(src)
    fmt: list[str | None] = [None]
    try:
        removed = _clean(Path(src), Path(dst), Profile(profile), fmt, durable=durable)
    except _Refuse as exc:
        return CleanResult(source, None, fmt[0], (), exc.message, verified=False)
    except OSError as exc:
        reason = f"could not clean: {exc.strerror or exc}; the original is unchanged"
        return CleanResult(source, None, fmt[0], (), reason, verified=False)
    except MemoryError:
        reason = "not enough memory to clean the file; the original is unchanged"
        return CleanResult(source, None, fmt[0], (), reason, verified=False)
    except Exception as exc:  # a cleaner bug must not stop a batch; nothing was written
        reason = f"could not clean: {type(exc).__name__}; the original is unchanged"
        return CleanResult(source, None, fmt[0], (), reason, verified=False)
    return CleanResult(source, str(dst), fmt[0], removed, None, verified=True)


def _clean_chunk(tasks: list[tuple[str, str]], profile: str, durable: bool) -> list[CleanResult]:
    return [
        clean_file(Path(src), Path(dst), profile=Profile(profile), durable=durable)
        for src, dst in tasks
    ]


def clean_files(
    tasks: Sequence[tuple[Path, Path]],
    *,
    profile: Profile = Profile.LOCATION,
    durable: bool = True,
    jobs: int = 1,
) -> Iterator[CleanResult]:
    """``clean_file`` for each (source, destination), in order, in ``jobs`` processes.

    Work is handed out in chunks so that each process cleans many files per round trip. If
    worker processes cannot be started, the files are cleaned in this process instead."""
    if jobs <= 1 or len(tasks) < 2 * jobs:
        for src, dst in tasks:
            yield clean_file(src, dst, profile=profile, durable=durable)
        return
    from concurrent.futures import ProcessPoolExecutor

    size = max(1, min(64, len(tasks) // (jobs * 4)))
    chunks = [
        [(str(s), str(d)) for s, d in tasks[i : i + size]] for i in range(0, len(tasks), size)
    ]
    done = 0
    try:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(_clean_chunk, c, profile.value, durable) for c in chunks]
            for future in futures:
                results = future.result()
                done += len(results)
                yield from results
    except (OSError, RuntimeError):  # no worker processes here (or one died): carry on alone
        for src, dst in tasks[done:]:
            yield clean_file(src, dst, profile=profile, durable=durable)


@dataclass(frozen=True, slots=True)
class CleanedBytes:
    """What ``clean_bytes`` made: the verified clean copy, or ``refused`` and no data."""

    data: bytes | None
    format: str | None
    removed: tuple[str, ...]
    refused: str | None


def _clean_in_memory(data: bytes, profile: Profile, fmt: list[str | None]) -> CleanedBytes:
    scan = scan_stream(io.BytesIO(data), len(data), display_path="photo")
    fmt[0] = scan.format
    if scan.error is not None:
        raise _Refuse(scan.error.message)
    if len(data) > MAX_CLEAN_SIZE:
        raise _Refuse("file is too large to clean in memory")
    patcher = _PATCHERS.get(scan.format or "")
    cleaner = _CLEANERS.get(scan.format or "")
    if scan.format is None or (cleaner is None and patcher is None):
        raise _Refuse(f"lossless cleaning of {scan.format or 'this format'} files is not supported")
    if patcher is not None:
        source = io.BytesIO(data)
        plan = patcher(Source(source, len(data)), profile)
        plan.check()
        out = io.BytesIO()
        apply(plan, source, out)
        cleaned, removed = out.getvalue(), plan.removed.result()
    else:
        assert cleaner is not None
        cleaned, removed = cleaner(data, profile)
    problem = _problem_in(io.BytesIO(cleaned), len(cleaned), "photo", scan.format, profile)
    if problem is not None:
        raise _Refuse(problem)
    return CleanedBytes(cleaned, scan.format, removed, None)


def clean_bytes(data: bytes, *, profile: Profile = Profile.LOCATION) -> CleanedBytes:
    """``clean_file`` for a photo or video held in memory: nothing is written anywhere. The
    copy is verified by re-reading it before it is returned; never raises for a bad file."""
    fmt: list[str | None] = [None]
    try:
        return _clean_in_memory(data, Profile(profile), fmt)
    except _Refuse as exc:
        return CleanedBytes(None, fmt[0], (), exc.message)
    except MemoryError:
        return CleanedBytes(None, fmt[0], (), "not enough memory to clean the file")
    except Exception as exc:  # a cleaner bug must not break the page
        return CleanedBytes(None, fmt[0], (), f"could not clean: {type(exc).__name__}")
