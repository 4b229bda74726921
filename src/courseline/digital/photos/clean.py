"""Remove what a photo reveals about where it was taken, without re-encoding the image.

``clean_file`` copies a JPEG, PNG or WebP file segment by segment (chunk by chunk), leaving out
or rewriting only the metadata blocks; the compressed image data is copied byte for byte. The
original is never modified. The copy is written to a temporary file next to the destination,
flushed to disk, re-read with ``scan_file`` and only then renamed over the destination, so a
destination is either a verified clean copy or untouched. Formats that cannot yet be cleaned
losslessly (TIFF/DNG, HEIF/AVIF, MP4/MOV) are refused explicitly, never half-cleaned.

Two profiles:

* ``LOCATION`` removes every location source: the EXIF GPS IFD (rewritten in place, so the
  capture time and camera stay), XMP, IPTC place names, an EXIF thumbnail that carries its own
  metadata, and trailing data that looks like metadata.
* ``ALL`` removes all EXIF, XMP, IPTC, comments, text chunks and maker segments, keeping only
  what is needed to display the image correctly (JFIF, ICC profile, Adobe colour transform).
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import struct
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from courseline.digital.photos.containers import ContainerError, Payloads, jpeg, png, webp
from courseline.digital.photos.containers.iptc import place_text, read_irb
from courseline.digital.photos.model import PhotoScan
from courseline.digital.photos.scan import scan_file

__all__ = ["CleanResult", "Profile", "clean_file"]

MAX_CLEAN_SIZE = 512 * 1024 * 1024
"""Largest file cleaned (it is held in memory while the copy is built)."""


class Profile(StrEnum):
    LOCATION = "location"
    ALL = "all"


@dataclass(frozen=True)
class CleanResult:
    """What ``clean_file`` did. ``output`` is None (and nothing was written) when ``refused``."""

    source: str
    output: str | None
    format: str | None
    removed: tuple[str, ...]
    refused: str | None
    verified: bool


EXIF_GPS = "EXIF GPS"
EXIF_WHOLE = "EXIF (whole block, including capture time and camera)"
EXIF_THUMBNAIL = "EXIF thumbnail"
XMP = "XMP"
IPTC_PLACES = "IPTC place names"
PHOTOSHOP = "IPTC/Photoshop resources"
TRAILER = "data after the end of the image"

_UNSUPPORTED_NAMES = {
    "tiff": "TIFF/DNG",
    "heif": "HEIF",
    "avif": "AVIF",
    "mp4": "MP4",
    "mov": "MOV",
    "3gp": "3GP",
}


class _Refuse(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Unfixable(Exception):
    """An EXIF stream too odd to rewrite in place; the whole block is dropped instead."""


class _Removed:
    """What was removed, in order of first mention, without repeats."""

    def __init__(self) -> None:
        self.items: dict[str, None] = {}

    def add(self, *labels: str) -> None:
        for label in labels:
            self.items.setdefault(label, None)

    def result(self) -> tuple[str, ...]:
        return tuple(self.items)


# ---- EXIF (TIFF stream) rewritten in place ---------------------------------------------------
_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
_MAX_ENTRIES = 1000
_MAX_THUMBNAIL = 2 * 1024 * 1024
_GPS_IFD = 0x8825
_THUMB_OFFSET, _THUMB_LENGTH = 0x0201, 0x0202
_LOCATION_TAGS = {
    _GPS_IFD: EXIF_GPS,
    0x02BC: XMP,
    0x83BB: IPTC_PLACES,
    0x8649: PHOTOSHOP,
}
"""IFD0 tags that point at a location, or at blocks (XMP, IPTC) that can hold one."""

_Entry = tuple[int, int, int, bytes]
"""(tag, type, count, the 4-byte value-or-offset field)."""
_Region = tuple[int, int]


@dataclass(slots=True)
class _Ifd:
    offset: int
    count: int
    entries: list[_Entry]
    following: int
    complete: bool

    @property
    def end(self) -> int:
        return self.offset + 2 + 12 * self.count + 4


class _Tiff:
    """A mutable TIFF stream: entries are removed and data zeroed without moving anything."""

    def __init__(self, stream: bytes) -> None:
        if len(stream) < 8 or stream[:2] not in (b"II", b"MM"):
            raise _Unfixable
        self.buf = bytearray(stream)
        self.order = "<" if stream[:2] == b"II" else ">"
        if self.u16(2) != 42:
            raise _Unfixable

    def u16(self, at: int) -> int:
        return int(struct.unpack_from(self.order + "H", self.buf, at)[0])

    def u32(self, at: int) -> int:
        return int(struct.unpack_from(self.order + "I", self.buf, at)[0])

    def ifd(self, offset: int) -> _Ifd | None:
        """The IFD at ``offset``, read as leniently as the scanner reads it."""
        size = len(self.buf)
        if offset < 8 or offset + 2 > size:
            return None
        count = self.u16(offset)
        if count == 0 or count > _MAX_ENTRIES:
            return None
        available = min(count, (size - offset - 2) // 12)
        fmt = self.order + "HHI4s"
        entries = [
            (int(t), int(k), int(n), bytes(f))
            for t, k, n, f in struct.iter_unpack(
                fmt, bytes(self.buf[offset + 2 : offset + 2 + 12 * available])
            )
        ]
        end = offset + 2 + 12 * count
        complete = end + 4 <= size
        following = self.u32(end) if complete else 0
        return _Ifd(offset, count, entries, following, complete)

    def number(self, entry: _Entry | None) -> int:
        if entry is None or entry[2] != 1:
            return 0
        if entry[1] in (4, 13):
            return int(struct.unpack(self.order + "I", entry[3])[0])
        if entry[1] == 3:
            return int(struct.unpack_from(self.order + "H", entry[3])[0])
        return 0

    def value_region(self, entry: _Entry) -> _Region | None:
        unit = _TYPE_SIZES.get(entry[1])
        if unit is None or unit * entry[2] <= 4:
            return None
        start = int(struct.unpack(self.order + "I", entry[3])[0])
        if start >= len(self.buf):
            return None
        return (start, min(start + unit * entry[2], len(self.buf)))

    def ifd_regions(self, offset: int) -> list[_Region]:
        """The table of the IFD at ``offset`` and every out-of-line value it points at."""
        found = self.ifd(offset)
        if found is None:
            return []
        regions = [(found.offset, min(found.end, len(self.buf)))]
        for entry in found.entries:
            region = self.value_region(entry)
            if region is not None:
                regions.append(region)
        return regions

    def dirty_thumbnail(self, offset: int) -> list[_Region]:
        """Regions of IFD1 and its thumbnail if the thumbnail carries metadata of its own."""
        ifd1 = self.ifd(offset)
        if ifd1 is None:
            return []
        tags = {entry[0]: entry for entry in ifd1.entries}
        start = self.number(tags.get(_THUMB_OFFSET))
        length = self.number(tags.get(_THUMB_LENGTH))
        if start <= 0 or not 4 <= length <= _MAX_THUMBNAIL or start + length > len(self.buf):
            return []
        thumbnail = bytes(self.buf[start : start + length])
        if thumbnail[:2] != b"\xff\xd8" or not _jpeg_has_metadata(thumbnail):
            return []
        return [*self.ifd_regions(offset), (start, start + length)]

    def rewrite_ifd(self, ifd: _Ifd, entries: list[_Entry], following: int) -> None:
        """Write ``entries`` over the IFD table in place, zero-padding the freed slots."""
        table = struct.pack(self.order + "H", len(entries)) + b"".join(
            struct.pack(self.order + "HHI", tag, kind, count) + field
            for tag, kind, count, field in entries
        )
        table += struct.pack(self.order + "I", following)
        self.buf[ifd.offset : ifd.end] = table.ljust(ifd.end - ifd.offset, b"\0")

    def wipe(self, region: _Region) -> None:
        start, end = region
        self.buf[start:end] = bytes(end - start)


def _overlaps(region: _Region, others: list[_Region]) -> bool:
    return any(region[0] < end and start < region[1] for start, end in others)


def strip_exif_location(stream: bytes) -> tuple[bytes, tuple[str, ...]]:
    """The TIFF stream without its GPS IFD (and embedded XMP/IPTC, and a thumbnail carrying its
    own metadata), same length and layout so every other offset stays valid. The removed data
    is zeroed, not just unreferenced. Raises ``_Unfixable`` when that cannot be done safely."""
    tiff = _Tiff(stream)
    ifd0 = tiff.ifd(tiff.u32(4))
    if ifd0 is None or not ifd0.complete or len(ifd0.entries) != ifd0.count:
        raise _Unfixable
    removed = _Removed()
    keep: list[_Entry] = []
    wipes: list[_Region] = []
    for entry in ifd0.entries:
        label = _LOCATION_TAGS.get(entry[0])
        if label is None:
            keep.append(entry)
            continue
        removed.add(label)
        region = tiff.value_region(entry)
        if region is not None:
            wipes.append(region)
        if entry[0] == _GPS_IFD:
            wipes.extend(tiff.ifd_regions(tiff.number(entry)))
    following = ifd0.following
    thumbnail = tiff.dirty_thumbnail(following) if following else []
    if thumbnail:
        wipes.extend(thumbnail)
        following = 0
        removed.add(EXIF_THUMBNAIL)
    if not removed.items:
        return stream, ()
    protected = [(0, 8), (ifd0.offset, ifd0.end)]
    if any(_overlaps(region, protected) for region in wipes):
        raise _Unfixable
    tiff.rewrite_ifd(ifd0, keep, following)
    for region in wipes:
        tiff.wipe(region)
    return bytes(tiff.buf), removed.result()


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
_TRAILER_HINTS = (b"Exif", b"GPS", b"xmp", b"XMP", b"8BIM", b"Photoshop")
_MAX_SEGMENTS = 4096

_Segment = tuple[int, bytes]
"""(marker, payload after the length field); standalone markers have an empty payload."""


def _jpeg_has_metadata(data: bytes) -> bool:
    found = Payloads("jpeg")
    try:
        jpeg.read(io.BytesIO(data), len(data), found)
    except ContainerError:
        return True
    return bool(found.exif or found.xmp or found.iptc)


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


def _next_marker(data: bytes, pos: int) -> int:
    """Where the next real marker starts in entropy-coded data (stuffing and RSTn skipped)."""
    size = len(data)
    while True:
        found = data.find(b"\xff", pos)
        if found < 0 or found + 1 >= size:
            return size
        following = data[found + 1]
        if following == 0 or following == 0xFF or 0xD0 <= following <= 0xD7:
            pos = found + 1
            continue
        return found


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


def _clean_jpeg(data: bytes, profile: Profile) -> tuple[bytes, tuple[str, ...]]:
    if not data.startswith(_SOI):
        raise _Refuse("no JPEG start-of-image marker")
    segments, image_start = _jpeg_headers(data)
    image_end = _jpeg_image_end(data, image_start)
    trailer = data[image_end:]
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
    out.append(data[image_start:image_end])
    if drop_trailer:
        plan.removed.add(TRAILER)
    else:
        out.append(trailer)
    return b"".join(out), plan.removed.result()


# ---- PNG -------------------------------------------------------------------------------------
_PNG_TEXT = frozenset({b"tEXt", b"zTXt", b"iTXt"})
_PNG_XMP_KEY = b"XML:com.adobe.xmp"
_PNG_RAW_PREFIX = b"Raw profile type "


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_text_label(body: bytes, profile: Profile) -> str | None:
    keyword = body.split(b"\0", 1)[0]
    if keyword == _PNG_XMP_KEY:
        return XMP
    if keyword.startswith(_PNG_RAW_PREFIX):
        name = keyword[len(_PNG_RAW_PREFIX) :].decode("latin-1").strip().lower()
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
    if kind in _PNG_TEXT:
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
_VERIFY_READERS = {"jpeg": jpeg.read, "png": png.read, "webp": webp.read}


def _read_source(src: Path) -> bytes:
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(src, flags)
    with open(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise _Refuse("not a regular file")
        if info.st_size > MAX_CLEAN_SIZE:
            raise _Refuse("file is too large to clean (over 512 MiB)")
        return f.read(MAX_CLEAN_SIZE + 1)


def _check_destination(src: Path, dst: Path) -> None:
    if dst.is_dir():
        raise _Refuse("the destination is a directory")
    if dst.exists() and os.path.samefile(src, dst):
        raise _Refuse("the destination is the original file; the original is never modified")
    if not dst.parent.is_dir():
        raise _Refuse("the destination folder does not exist")


def _leftover_metadata(path: Path, fmt: str) -> bool:
    found = Payloads(fmt)
    size = path.stat().st_size
    with open(path, "rb") as f:
        try:
            _VERIFY_READERS[fmt](f, size, found)
        except ContainerError:
            return True
    return bool(found.exif or found.xmp or found.iptc)


def _problem(path: Path, shown: str, fmt: str, profile: Profile) -> str | None:
    """Why the written copy is not clean enough (None: it is)."""
    scan: PhotoScan = scan_file(path, display_path=shown)
    if scan.error is not None:
        return f"the cleaned copy could not be re-read ({scan.error.message})"
    if scan.format != fmt:
        return "the cleaned copy is no longer recognised as the same format"
    if scan.reveals_location:
        kinds = ", ".join(sorted({str(source.kind) for source in scan.sources}))
        return f"a location source survived cleaning ({kinds})"
    if profile is Profile.ALL and (
        not scan.device.empty or scan.taken_at is not None or _leftover_metadata(path, fmt)
    ):
        return "EXIF, XMP, IPTC or device data survived cleaning"
    return None


def _fsync_directory(folder: Path) -> None:
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_verified(data: bytes, dst: Path, fmt: str, profile: Profile) -> None:
    """Write to a temporary file beside ``dst``, fsync, verify, then rename it over ``dst``.

    Verification happens on the flushed temporary file (the very bytes ``dst`` becomes), so a
    failed check deletes it and leaves any existing ``dst`` untouched."""
    fd, name = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".cleaning", dir=dst.parent)
    tmp = Path(name)
    try:
        with open(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        problem = _problem(tmp, str(dst), fmt, profile)
        if problem is not None:
            raise _Refuse(f"{problem}; no copy was written and the original is unchanged")
        os.replace(tmp, dst)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_directory(dst.parent)


def _clean(src: Path, dst: Path, profile: Profile, fmt: list[str | None]) -> tuple[str, ...]:
    scan = scan_file(src)
    fmt[0] = scan.format
    if scan.error is not None:
        raise _Refuse(scan.error.message)
    cleaner = _CLEANERS.get(scan.format or "")
    if scan.format is None or cleaner is None:
        name = _UNSUPPORTED_NAMES.get(scan.format or "", scan.format or "this format")
        raise _Refuse(
            f"lossless cleaning of {name} is not supported yet; the original is unchanged"
        )
    _check_destination(src, dst)
    data = _read_source(src)
    cleaned, removed = cleaner(data, profile)
    _write_verified(cleaned, dst, scan.format, profile)
    return removed


def clean_file(src: Path, dst: Path, *, profile: Profile = Profile.LOCATION) -> CleanResult:
    """Write a copy of ``src`` to ``dst`` without location metadata (``Profile.LOCATION``) or
    without any EXIF/XMP/IPTC/device metadata (``Profile.ALL``), losslessly.

    Never modifies ``src`` and never raises for a bad file: when the file cannot be cleaned (or
    the copy fails verification) nothing is written and ``refused`` says why.
    """
    source = str(src)
    fmt: list[str | None] = [None]
    try:
        removed = _clean(Path(src), Path(dst), Profile(profile), fmt)
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
