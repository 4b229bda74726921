"""TIFF / EXIF: the IFD structure shared by JPEG APP1, PNG eXIf, WebP EXIF, HEIF Exif items and
raw TIFF/DNG files.

Reads IFD0 (Make, Model, Artist, embedded XMP/IPTC), the Exif IFD (capture time and its offset,
body serial number, owner name), the GPS IFD (latitude/longitude with their N/S/E/W references)
and IFD1 (the thumbnail, returned so the caller can look inside it). Work is bounded: every
offset and count is checked against the data length, an IFD is visited at most once, and an IFD
with more than ``MAX_ENTRIES`` entries is ignored.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import struct
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from courseline.digital.photos.containers import MAX_PAYLOAD, ContainerError, Payloads, Window
from courseline.digital.photos.model import ErrorKind, SourceKind

MAX_ENTRIES = 1000
MAX_IFDS = 8
MAX_TEXT = 1024
MAX_THUMBNAIL = 2 * 1024 * 1024

_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
_TEXT_TYPES = frozenset({1, 2, 7, 129})
_MAGICS = frozenset({42, 0x4F52, 0x5352, 0x55})  # TIFF, Olympus ORF (two), Panasonic RW2

# tags
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_MAKE, _MODEL, _ARTIST, _DATETIME = 0x010F, 0x0110, 0x013B, 0x0132
_XMP, _IPTC, _PHOTOSHOP, _DNG_SERIAL = 0x02BC, 0x83BB, 0x8649, 0xC62F
_ORIGINAL, _DIGITIZED = 0x9003, 0x9004
_OFFSET, _OFFSET_ORIGINAL, _OFFSET_DIGITIZED = 0x9010, 0x9011, 0x9012
_OWNER, _SERIAL = 0xA430, 0xA431
_THUMB_OFFSET, _THUMB_LENGTH = 0x0201, 0x0202

_DATE = re.compile(r"\s*(\d{4})[:-](\d\d)[:-](\d\d)[ T](\d\d):(\d\d)(?::(\d\d))?")
_TZ = re.compile(r"\s*([+-])(\d\d):?(\d\d)\s*$")

_Entry = tuple[int, int, bytes]
"""An IFD entry: (type, count, the 4-byte value-or-offset field)."""


class _Data(Protocol):
    size: int

    def read(self, offset: int, n: int) -> bytes: ...


class _Bytes:
    __slots__ = ("_data", "size")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self.size = len(data)

    def read(self, offset: int, n: int) -> bytes:
        if offset < 0 or n <= 0:
            return b""
        return self._data[offset : offset + n]


@dataclass(slots=True)
class TiffInfo:
    """What one TIFF stream says. ``thumbnail`` is the IFD1 JPEG (at most ``MAX_THUMBNAIL``)."""

    gps: tuple[float, float] | None = None
    taken_at: dt.datetime | None = None
    make: str | None = None
    model: str | None = None
    serial: str | None = None
    owner: str | None = None
    thumbnail: bytes | None = None
    xmp: bytes | None = None
    iptc: bytes | None = None
    photoshop: bytes | None = None


_STRUCTS = {
    big: (struct.Struct(order + "H"), struct.Struct(order + "I"), struct.Struct(order + "HHI4s"))
    for big, order in ((False, "<"), (True, ">"))
}
"""(u16, u32, IFD entry) for little- and big-endian streams, built once."""


class _Reader:
    def __init__(self, data: _Data, big_endian: bool) -> None:
        self.data = data
        self.order = ">" if big_endian else "<"
        self.visited: set[int] = set()
        self._u16, self._u32, self._entry = _STRUCTS[big_endian]

    def ifd(self, offset: int) -> tuple[dict[int, _Entry], int]:
        """The entries of the IFD at ``offset`` and the offset of the next IFD (0: none)."""
        if offset < 8 or offset in self.visited or len(self.visited) >= MAX_IFDS:
            return {}, 0
        self.visited.add(offset)
        head = self.data.read(offset, 2)
        if len(head) < 2:
            return {}, 0
        count = self._u16.unpack(head)[0]
        if count == 0 or count > MAX_ENTRIES:
            return {}, 0
        raw = self.data.read(offset + 2, 12 * count + 4)
        complete = min(count, len(raw) // 12)
        table = raw[: 12 * complete]
        entries = {tag: (kind, n, field) for tag, kind, n, field in self._entry.iter_unpack(table)}
        if len(entries) < complete:  # a repeated tag: keep the first, as readers usually do
            entries = {}
            for tag, kind, n, field in self._entry.iter_unpack(table):
                entries.setdefault(tag, (kind, n, field))
        following = self._u32.unpack_from(raw, 12 * count)[0] if len(raw) >= 12 * count + 4 else 0
        return entries, following

    def value(self, entry: _Entry | None, limit: int) -> bytes | None:
        """The raw bytes of an entry's value, or None if absent, oversized or out of bounds."""
        if entry is None:
            return None
        kind, count, field = entry
        unit = _TYPE_SIZES.get(kind)
        if unit is None or count == 0 or unit * count > limit:
            return None
        size = unit * count
        if size <= 4:
            return field[:size]
        offset = self._u32.unpack(field)[0]
        if offset + size > self.data.size:
            return None
        got = self.data.read(offset, size)
        return got if len(got) == size else None

    def text(self, entry: _Entry | None) -> str | None:
        if entry is None or entry[0] not in _TEXT_TYPES:
            return None
        raw = self.value(entry, MAX_TEXT)
        if raw is None:
            return None
        text = raw.split(b"\0", 1)[0].decode("utf-8", "replace").strip()
        return text or None

    def number(self, entry: _Entry | None) -> int:
        """A LONG/SHORT/IFD pointer value (0 when absent or of another type)."""
        if entry is None or entry[1] != 1:
            return 0
        if entry[0] in (4, 13):
            return int(self._u32.unpack(entry[2])[0])
        if entry[0] == 3:
            return int(self._u16.unpack_from(entry[2])[0])
        return 0

    def rationals(self, entry: _Entry | None) -> list[float | None]:
        """RATIONAL/SRATIONAL values (at most 3); a zero denominator gives None."""
        if entry is None or entry[0] not in (5, 10) or not 1 <= entry[1] <= 3:
            return []
        raw = self.value(entry, 24)
        if raw is None:
            return []
        fmt = self.order + ("II" if entry[0] == 5 else "ii")
        return [num / den if den else None for num, den in struct.iter_unpack(fmt, raw)]


def _coordinate(
    reader: _Reader, ref: _Entry | None, val: _Entry | None, limit: float
) -> float | None:
    parts = reader.rationals(val)
    if not parts or parts[0] is None:
        return None
    rest = [p or 0.0 for p in parts[1:]] + [0.0, 0.0]
    degrees = abs(parts[0]) + abs(rest[0]) / 60 + abs(rest[1]) / 3600
    reference = (reader.text(ref) or "").upper()[:1]
    if parts[0] < 0 or reference in ("S", "W"):
        degrees = -degrees
    if not math.isfinite(degrees) or abs(degrees) > limit:
        return None
    return round(degrees, 8)


def _gps(reader: _Reader, offset: int) -> tuple[float, float] | None:
    entries, _ = reader.ifd(offset)
    if not entries:
        return None
    lat = _coordinate(reader, entries.get(1), entries.get(2), 90.0)
    lon = _coordinate(reader, entries.get(3), entries.get(4), 180.0)
    if lat is None or lon is None or (lat == 0.0 and lon == 0.0):
        return None  # absent, invalid, or "Null Island" (no fix)
    return (lat, lon)


def parse_datetime(text: str | None, offset: str | None = None) -> dt.datetime | None:
    """EXIF "YYYY:MM:DD HH:MM:SS" (with an optional "+HH:MM" offset) as a datetime."""
    if not text:
        return None
    m = _DATE.match(text)
    if m is None:
        return None
    tz: dt.tzinfo | None = None
    zone = _TZ.match(offset) if offset else None
    if zone is not None:
        minutes = int(zone.group(2)) * 60 + int(zone.group(3))
        if minutes < 24 * 60:
            tz = dt.timezone(dt.timedelta(minutes=-minutes if zone.group(1) == "-" else minutes))
    y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
    try:
        return dt.datetime(y, mo, d, h, mi, s, tzinfo=tz)
    except ValueError:
        return None


def _taken_at(
    reader: _Reader, exif: dict[int, _Entry], ifd0: dict[int, _Entry]
) -> dt.datetime | None:
    for when, zone, entries in (
        (_ORIGINAL, _OFFSET_ORIGINAL, exif),
        (_DIGITIZED, _OFFSET_DIGITIZED, exif),
        (_DATETIME, _OFFSET, ifd0),
    ):
        found = parse_datetime(reader.text(entries.get(when)), reader.text(exif.get(zone)))
        if found is not None:
            return found
    return None


def _thumbnail(reader: _Reader, ifd1: dict[int, _Entry]) -> bytes | None:
    start = reader.number(ifd1.get(_THUMB_OFFSET))
    length = reader.number(ifd1.get(_THUMB_LENGTH))
    if start <= 0 or not 4 <= length <= MAX_THUMBNAIL or start + length > reader.data.size:
        return None
    data = reader.data.read(start, length)
    return data if data[:2] == b"\xff\xd8" else None


def _embedded(reader: _Reader, info: TiffInfo, ifd0: dict[int, _Entry]) -> None:
    info.xmp = reader.value(ifd0.get(_XMP), MAX_PAYLOAD)
    info.iptc = reader.value(ifd0.get(_IPTC), MAX_PAYLOAD)
    info.photoshop = reader.value(ifd0.get(_PHOTOSHOP), MAX_PAYLOAD)


def _parse(data: _Data, *, embedded: bool = True) -> TiffInfo:
    head = data.read(0, 8)
    if len(head) < 8:
        raise ContainerError(ErrorKind.TRUNCATED, "TIFF header is cut short")
    if head[:2] not in (b"II", b"MM"):
        raise ContainerError(ErrorKind.MALFORMED, "not a TIFF byte-order mark")
    reader = _Reader(data, big_endian=head[:2] == b"MM")
    magic = reader._u16.unpack_from(head, 2)[0]
    if magic == 43:
        raise ContainerError(ErrorKind.UNSUPPORTED, "BigTIFF is not read")
    if magic not in _MAGICS:
        raise ContainerError(ErrorKind.MALFORMED, "bad TIFF magic number")
    ifd0, next_ifd = reader.ifd(reader._u32.unpack_from(head, 4)[0])
    info = TiffInfo()
    if not ifd0:
        return info
    exif, _ = reader.ifd(reader.number(ifd0.get(_EXIF_IFD)))
    info.make = reader.text(ifd0.get(_MAKE))
    info.model = reader.text(ifd0.get(_MODEL))
    info.serial = reader.text(exif.get(_SERIAL)) or reader.text(ifd0.get(_DNG_SERIAL))
    info.owner = reader.text(exif.get(_OWNER)) or reader.text(ifd0.get(_ARTIST))
    info.taken_at = _taken_at(reader, exif, ifd0)
    info.gps = _gps(reader, reader.number(ifd0.get(_GPS_IFD)))
    if next_ifd:
        info.thumbnail = _thumbnail(reader, reader.ifd(next_ifd)[0])
    if embedded:
        _embedded(reader, info, ifd0)
    return info


def parse(data: bytes) -> TiffInfo:
    """Decode one in-memory TIFF stream (EXIF). Raises ``ContainerError`` on a bad header only."""
    return _parse(_Bytes(data))


def parse_thumbnail_exif(data: bytes) -> TiffInfo:
    """Like ``parse``, for the EXIF of a thumbnail: no embedded XMP/IPTC."""
    return _parse(_Bytes(data), embedded=False)


def read(f: BinaryIO, size: int, out: Payloads) -> None:
    """Read a TIFF (or TIFF-based raw: DNG, ORF, RW2) file in place, seeking to each IFD."""
    window = Window(f, size)
    head = window.need(0, 8, "the TIFF header")
    first = struct.unpack_from(">I" if head[:2] == b"MM" else "<I", head, 4)[0]
    if first + 2 > size:
        raise ContainerError(ErrorKind.TRUNCATED, "file ends before its first IFD")
    out.parsed_exif.append((_parse(window), SourceKind.EXIF_GPS))
