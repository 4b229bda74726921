"""Read location, time and device metadata from ISO base media files: HEIF/AVIF, MP4, MOV, 3GP.

``read(f, size)`` walks the box tree with seeks and reads only the small boxes it needs, so
the media data (``mdat``) is never read and a ``moov`` after the media data costs one seek.

What it finds:

* **MP4/MOV/3GP**: ``udta/©xyz`` (ISO 6709) -> ``QUICKTIME_XYZ``; Apple ``meta`` (``keys`` +
  ``ilst``) ``com.apple.quicktime.location.ISO6709`` -> ``QUICKTIME_KEYS`` (and
  ``…location.name`` as text), ``…make``/``…model``/``…creationdate``; ``udta/meta/ilst``
  (iTunes-style ``©xyz``, ``©mak``, ``©mod``, ``©day``); the QuickTime user-data text atoms
  ``©mak``/``©mod``/``©day``; XMP in ``udta/XMP_`` or the XMP ``uuid`` box; the 3GPP ``loci``
  box, reported as ``QUICKTIME_XYZ`` (it is the 3GPP user-data equivalent of ``©xyz``) with
  the place name, if any, as ``text``; ``mvhd`` creation time (UTC) when nothing better is
  recorded; and a ``TIMED_GPS`` source when a track's handler is ``meta``, ``camm`` or ``gpmd``
  (the samples are not decoded, so an Apple ``meta`` track without GPS is also reported).
* **HEIF/AVIF**: the ``Exif`` item (returned as the TIFF stream in ``exif``, for the EXIF
  parser) and the XMP item (``mime`` item of type ``application/rdf+xml``, in ``xmp``).

Offsets are absolute: the file is read from byte 0, whatever the current position of ``f``.
Every failure is a ``ContainerError`` carrying an ``ErrorKind``; once the format is known it is
an ``IsoError`` whose ``found`` holds what was read before the failure (like the other readers,
which keep their partial payloads), so a truncated video still reports its location.
"""

from __future__ import annotations

import datetime as dt
import re
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from courseline.digital.photos.containers import ContainerError
from courseline.digital.photos.model import Device, ErrorKind, LocationSource, SourceKind

__all__ = ["IsoError", "IsoFindings", "parse_iso6709", "read"]

MAX_DEPTH = 8
MAX_BOXES = 10_000
MAX_ITEM_BYTES = 4 * 1024 * 1024  # Exif and XMP items, XMP boxes
MAX_TABLE_BYTES = 1024 * 1024  # iloc, keys
MAX_SMALL_BYTES = 64 * 1024  # text atoms, data atoms, infe, mvhd
MAX_EXTENTS = 100_000

XMP_UUID = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")
TIMED_GPS_HANDLERS = frozenset({b"meta", b"camm", b"gpmd"})
TIMED_GPS_TEXT = "timed GPS track present"
TOP_LEVEL_TYPES = frozenset(
    {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot", b"uuid", b"meta", b"styp"}
)

HEIF_BRANDS = frozenset(
    {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"mif2", b"miaf"}
)
AVIF_BRANDS = frozenset({b"avif", b"avis"})
MOV_BRANDS = frozenset({b"qt  "})
GPP_BRANDS = frozenset({b"3gp4", b"3gp5", b"3gp6", b"3gp7", b"3gg6", b"3g2a", b"3g2b", b"3g2c"})
MP4_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8", b"iso9"}
    | {b"mp41", b"mp42", b"mp71", b"avc1", b"M4V ", b"M4VP", b"M4A ", b"dash", b"MSNV", b"XAVC"}
    | {b"f4v ", b"NDAS", b"CAEP", b"niko", b"mmp4", b"kddi"}
)

KEY_LOCATION = "com.apple.quicktime.location.ISO6709"
KEY_LOCATION_NAME = "com.apple.quicktime.location.name"
MAKE_KEYS = frozenset({"com.apple.quicktime.make", "com.android.manufacturer", "\xa9mak"})
MODEL_KEYS = frozenset({"com.apple.quicktime.model", "com.android.model", "\xa9mod"})
DATE_KEYS = frozenset({"com.apple.quicktime.creationdate", "\xa9day"})

_EPOCH_1904 = dt.datetime(1904, 1, 1, tzinfo=dt.UTC)
_ISO6709 = re.compile(r"([+-])(\d+(?:\.\d*)?)([+-])(\d+(?:\.\d*)?)(?:[+-]\d+(?:\.\d*)?)?")


@dataclass(frozen=True)
class IsoFindings:
    """What one ISO base media file reveals; ``exif`` is the raw TIFF stream of a HEIF item."""

    format: str
    exif: bytes | None = None
    xmp: bytes | None = None
    sources: list[LocationSource] = field(default_factory=list)
    taken_at: dt.datetime | None = None
    device: Device = field(default_factory=Device)


class IsoError(ContainerError):
    """A failure after the format was recognised; ``found`` is what was read before it."""

    def __init__(self, error: ContainerError, found: IsoFindings) -> None:
        super().__init__(error.kind, error.message)
        self.found = found


def read(f: BinaryIO, size: int) -> IsoFindings:
    """Read one file of ``size`` bytes; raise ``ContainerError`` (an ``IsoError`` carrying the
    partial findings once the format is known) and nothing else on failure."""
    reader = _Reader(f, size)
    try:
        return reader.run()
    except ContainerError as exc:
        raise reader.partial(exc) from None
    except (struct.error, IndexError, ValueError, OverflowError, UnicodeError) as exc:
        error = ContainerError(ErrorKind.MALFORMED, f"malformed box data ({exc})")
        raise reader.partial(error) from None
    except (OSError, EOFError) as exc:
        error = ContainerError(ErrorKind.UNREADABLE, f"could not read the file ({exc})")
        raise reader.partial(error) from None


# ---- helpers -------------------------------------------------------------------------------


def _fail(kind: ErrorKind, message: str) -> ContainerError:
    return ContainerError(kind, message)


def _fourcc(kind: bytes) -> str:
    return kind.decode("latin-1")


def _cstring(data: bytes, start: int) -> tuple[str, int]:
    """A NUL-terminated UTF-8 string at ``start``; returns it and the offset after the NUL."""
    end = data.find(b"\0", start)
    if end < 0:
        end = len(data)
    return data[start:end].decode("utf-8", "replace"), end + 1


def _uint(data: bytes, pos: int, width: int) -> int:
    if width == 0:
        return 0
    if pos < 0 or pos + width > len(data):
        raise _fail(ErrorKind.MALFORMED, "field runs past the end of its box")
    return int.from_bytes(data[pos : pos + width], "big")


def _angle(sign: str, digits: str, degree_digits: int) -> float | None:
    """One ISO 6709 component: ±DD[D].D, ±DD[D]MM.M or ±DD[D]MMSS.S (by integer digit count)."""
    whole = digits.split(".")[0]
    extra = len(whole) - degree_digits
    if extra not in (0, 2, 4):
        return None
    value = float(digits)
    if extra == 2:
        value = float(whole[:degree_digits]) + float(digits[degree_digits:]) / 60
    elif extra == 4:
        seconds = float(digits[degree_digits + 2 :])
        value = float(whole[:degree_digits]) + float(whole[degree_digits:][:2]) / 60
        value += seconds / 3600
    return -value if sign == "-" else value


def parse_iso6709(text: str) -> tuple[float, float] | None:
    """Latitude and longitude of an ISO 6709 point such as ``+51.5074-000.1278+011.000/``."""
    match = _ISO6709.match(text.strip())
    if match is None:
        return None
    lat = _angle(match.group(1), match.group(2), 2)
    lon = _angle(match.group(3), match.group(4), 3)
    if lat is None or lon is None or abs(lat) > 90 or abs(lon) > 180:
        return None
    return lat, lon


def _location(kind: SourceKind, text: str) -> LocationSource | None:
    text = text.strip("\0 \t\r\n")
    if not text:
        return None
    point = parse_iso6709(text)
    if point is None:
        return LocationSource(kind=kind, text=text)
    return LocationSource(kind=kind, lat=point[0], lon=point[1], text=text)


def _parse_date(text: str) -> dt.datetime | None:
    text = text.strip("\0 \t\r\n")
    if len(text) < 16:  # a date alone ("2024", "2024-05-01") is not a capture time
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def _format_of(major: bytes, compatible: list[bytes]) -> str | None:
    brands = [major, *compatible]
    if any(b in AVIF_BRANDS for b in brands) and (major in HEIF_BRANDS | AVIF_BRANDS):
        return "avif"
    for table, name in _BRAND_TABLES:
        if major in table:
            return name
    for table, name in _BRAND_TABLES:
        if any(b in table for b in compatible):
            return name
    return None


_BRAND_TABLES: tuple[tuple[frozenset[bytes], str], ...] = (
    (AVIF_BRANDS, "avif"),
    (HEIF_BRANDS, "heif"),
    (MOV_BRANDS, "mov"),
    (GPP_BRANDS, "3gp"),
    (MP4_BRANDS, "mp4"),
)


@dataclass(frozen=True, slots=True)
class _Box:
    type: bytes
    body: int  # first byte after the header (and after nothing else: FullBox fields included)
    end: int

    @property
    def length(self) -> int:
        return self.end - self.body


@dataclass(slots=True)
class _Item:
    type: bytes
    content_type: str = ""
    extents: list[tuple[int, int]] = field(default_factory=list)
    method: int = 0
    data_ref: int = 0
    located: bool = False


# ---- the reader ----------------------------------------------------------------------------


class _Reader:
    def __init__(self, f: BinaryIO, size: int) -> None:
        self.f = f
        self.size = size
        self.boxes = 0
        self.major: bytes | None = None
        self.compatible: list[bytes] = []
        self.saw_moov = False
        self.exif: bytes | None = None
        self.xmp: bytes | None = None
        self.sources: list[LocationSource] = []
        self.timed_gps = False
        self.make: str | None = None
        self.model: str | None = None
        self.key_time: dt.datetime | None = None
        self.mvhd_time: dt.datetime | None = None
        self.visitors: dict[bytes, Callable[[_Box, int, bytes], None]] = {
            b"ftyp": self._ftyp,
            b"moov": self._container,
            b"trak": self._container,
            b"mdia": self._container,
            b"udta": self._container,
            b"meta": self._meta,
            b"mvhd": self._mvhd,
            b"hdlr": self._track_handler,
            b"\xa9xyz": self._text_atom,
            b"\xa9mak": self._text_atom,
            b"\xa9mod": self._text_atom,
            b"\xa9day": self._text_atom,
            b"loci": self._loci,
            b"XMP_": self._xmp_box,
            b"uuid": self._uuid,
        }

    # -- driving

    def run(self) -> IsoFindings:
        if self.size < 8:
            raise _fail(ErrorKind.NOT_AN_IMAGE, "file too short for an ISO base media box")
        first = self.read_at(4, 4)
        if first not in TOP_LEVEL_TYPES:
            raise _fail(ErrorKind.NOT_AN_IMAGE, "not an ISO base media file (no ftyp box)")
        self.walk(0, self.size, 0, b"")
        return self.findings(self.format())

    def findings(self, fmt: str) -> IsoFindings:
        sources = list(self.sources)
        if self.timed_gps:
            sources.append(LocationSource(kind=SourceKind.TIMED_GPS, text=TIMED_GPS_TEXT))
        return IsoFindings(
            format=fmt,
            exif=self.exif,
            xmp=self.xmp,
            sources=sources,
            taken_at=self.key_time or self.mvhd_time,
            device=Device(make=self.make, model=self.model),
        )

    def partial(self, error: ContainerError) -> ContainerError:
        """``error`` with what was read before it, when the format is known by then (a
        location in a moov box before a truncated mdat must not be lost)."""
        try:
            fmt = self.format()
        except ContainerError:
            return error
        return IsoError(error, self.findings(fmt))

    def format(self) -> str:
        if self.major is not None:
            found = _format_of(self.major, self.compatible)
            if found is not None:
                return found
        if self.saw_moov:
            return "mov" if self.major is None else "mp4"
        if self.major is None:
            raise _fail(ErrorKind.NOT_AN_IMAGE, "no ftyp box and no movie box")
        brand = _fourcc(self.major).strip()
        raise _fail(ErrorKind.UNSUPPORTED, f"unsupported ISO base media brand {brand!r}")

    def walk(self, start: int, end: int, depth: int, parent: bytes) -> None:
        for box in self.children(start, end, depth):
            visit = self.visitors.get(box.type)
            if visit is not None:
                visit(box, depth, parent)

    # -- low-level reading

    def read_at(self, offset: int, n: int) -> bytes:
        if n < 0 or offset < 0 or offset + n > self.size:
            raise _fail(ErrorKind.TRUNCATED, "data runs past the end of the file")
        self.f.seek(offset)
        data = self.f.read(n)
        while len(data) < n:  # raw (unbuffered) files may return short reads
            more = self.f.read(n - len(data))
            if not more:
                raise _fail(ErrorKind.TRUNCATED, "file ended early")
            data += more
        return data

    def body(self, box: _Box, cap: int, skip: int = 0) -> bytes:
        """The payload of ``box`` after ``skip`` bytes; TOO_LARGE beyond ``cap``."""
        n = box.length - skip
        if n < 0:
            raise _fail(ErrorKind.MALFORMED, f"{_fourcc(box.type)!r} box too short")
        if n > cap:
            raise _fail(ErrorKind.TOO_LARGE, f"{_fourcc(box.type)!r} box too large to inspect")
        return self.read_at(box.body + skip, n)

    def children(self, start: int, end: int, depth: int) -> Iterator[_Box]:
        if depth > MAX_DEPTH:
            raise _fail(ErrorKind.MALFORMED, "boxes nested too deeply")
        pos = start
        while pos < end:
            if end - pos < 8:
                if depth == 0:
                    raise _fail(ErrorKind.TRUNCATED, "file ends inside a box header")
                return  # QuickTime pads some containers with a 32-bit zero
            box = self.header(pos, end, depth)
            yield box
            pos = box.end

    def header(self, pos: int, end: int, depth: int) -> _Box:
        self.boxes += 1
        if self.boxes > MAX_BOXES:
            raise _fail(ErrorKind.TOO_LARGE, f"more than {MAX_BOXES} boxes")
        size, kind = struct.unpack(">I4s", self.read_at(pos, 8))
        body = pos + 8
        if size == 1:
            if end - pos < 16:
                raise self.overrun(depth, "64-bit box header")
            size = int.from_bytes(self.read_at(pos + 8, 8), "big")
            body = pos + 16
        elif size == 0:
            size = end - pos
        if size < body - pos:
            raise _fail(ErrorKind.MALFORMED, f"box {_fourcc(kind)!r} has impossible size {size}")
        if size > end - pos:
            raise self.overrun(depth, f"box {_fourcc(kind)!r}")
        return _Box(kind, body, pos + size)

    @staticmethod
    def overrun(depth: int, what: str) -> ContainerError:
        if depth == 0:
            return _fail(ErrorKind.TRUNCATED, f"{what} runs past the end of the file")
        return _fail(ErrorKind.MALFORMED, f"{what} runs past the end of its parent box")

    # -- movie boxes

    def _container(self, box: _Box, depth: int, parent: bytes) -> None:
        if box.type == b"moov":
            self.saw_moov = True
        self.walk(box.body, box.end, depth + 1, box.type)

    def _ftyp(self, box: _Box, depth: int, parent: bytes) -> None:
        if depth != 0 or self.major is not None:
            return
        data = self.read_at(box.body, min(box.length, 1024))
        if len(data) < 8:
            raise _fail(ErrorKind.MALFORMED, "ftyp box too short")
        self.major = data[:4]
        self.compatible = [data[i : i + 4] for i in range(8, len(data) - 3, 4)]

    def _mvhd(self, box: _Box, depth: int, parent: bytes) -> None:
        data = self.body(box, MAX_SMALL_BYTES)
        seconds = _uint(data, 4, 8) if data[:1] == b"\x01" else _uint(data, 4, 4)
        if seconds == 0:
            return
        try:
            self.mvhd_time = _EPOCH_1904 + dt.timedelta(seconds=seconds)
        except OverflowError:
            return

    def _track_handler(self, box: _Box, depth: int, parent: bytes) -> None:
        if parent != b"mdia":
            return
        data = self.body(box, MAX_SMALL_BYTES)
        if data[8:12] in TIMED_GPS_HANDLERS:
            self.timed_gps = True

    def _text_atom(self, box: _Box, depth: int, parent: bytes) -> None:
        """QuickTime user-data text: 16-bit length, 16-bit language, then the string."""
        if parent != b"udta":
            return
        data = self.read_at(box.body, min(box.length, MAX_SMALL_BYTES))
        if len(data) < 4:
            return
        n = _uint(data, 0, 2)
        text = data[4 : 4 + n].decode("utf-8", "replace")
        self.value(_fourcc(box.type), text, SourceKind.QUICKTIME_XYZ)

    def _loci(self, box: _Box, depth: int, parent: bytes) -> None:
        """3GPP location: version/flags, language, name, role, lon/lat/alt (signed 16.16)."""
        data = self.body(box, MAX_SMALL_BYTES)
        pos = 6
        if data[pos : pos + 2] in (b"\xfe\xff", b"\xff\xfe"):
            end = pos
            while data[end : end + 2] not in (b"\0\0", b""):
                end += 2
            name = data[pos:end].decode("utf-16", "replace")
            pos = end + 3
        else:
            name, pos = _cstring(data, pos)
            pos += 1  # role
        lon, lat = struct.unpack_from(">ii", data, pos)
        lat_deg, lon_deg = round(lat / 65536, 6), round(lon / 65536, 6)
        text = name or None
        if abs(lat_deg) > 90 or abs(lon_deg) > 180:
            self.sources.append(LocationSource(kind=SourceKind.QUICKTIME_XYZ, text=text))
            return
        source = LocationSource(kind=SourceKind.QUICKTIME_XYZ, lat=lat_deg, lon=lon_deg, text=text)
        self.sources.append(source)

    def _xmp_box(self, box: _Box, depth: int, parent: bytes) -> None:
        if self.xmp is None:
            self.xmp = self.body(box, MAX_ITEM_BYTES)

    def _uuid(self, box: _Box, depth: int, parent: bytes) -> None:
        if box.length >= 16 and self.read_at(box.body, 16) == XMP_UUID and self.xmp is None:
            self.xmp = self.body(box, MAX_ITEM_BYTES, skip=16)

    def value(self, key: str, text: str, kind: SourceKind) -> None:
        """One named metadata value from user data, an ilst item or an Apple key."""
        if key in (KEY_LOCATION, "\xa9xyz"):
            source = _location(kind, text)
            if source is not None:
                self.sources.append(source)
        elif key == KEY_LOCATION_NAME and text.strip("\0 "):
            self.sources.append(LocationSource(kind=kind, text=text.strip("\0 ")))
        elif key in MAKE_KEYS and self.make is None:
            self.make = text.strip("\0 ") or None
        elif key in MODEL_KEYS and self.model is None:
            self.model = text.strip("\0 ") or None
        elif key in DATE_KEYS and self.key_time is None:
            self.key_time = _parse_date(text)

    # -- meta boxes (Apple keys/ilst and HEIF items)

    def _meta(self, box: _Box, depth: int, parent: bytes) -> None:
        # ISO meta is a FullBox (version and flags, all zero); QuickTime meta is a plain box.
        start = box.body
        if box.length >= 4 and self.read_at(start, 4) == bytes(4):
            start += 4
        children: dict[bytes, _Box] = {}
        for child in self.children(start, box.end, depth + 1):
            children.setdefault(child.type, child)
        keys = self.keys(children[b"keys"]) if b"keys" in children else []
        if b"ilst" in children:
            self.ilst(children[b"ilst"], keys, depth + 1)
        if b"iinf" in children:
            self.items(children, depth + 1)

    def keys(self, box: _Box) -> list[str]:
        data = self.body(box, MAX_TABLE_BYTES)
        count = _uint(data, 4, 4)
        if count > (len(data) - 8) // 8:
            raise _fail(ErrorKind.MALFORMED, f"keys box claims {count} entries")
        names: list[str] = []
        pos = 8
        for _ in range(count):
            size = _uint(data, pos, 4)
            if size < 8 or pos + size > len(data):
                raise _fail(ErrorKind.MALFORMED, "bad key entry size")
            names.append(data[pos + 8 : pos + size].decode("utf-8", "replace"))
            pos += size
        return names

    def ilst(self, box: _Box, keys: list[str], depth: int) -> None:
        for item in self.children(box.body, box.end, depth + 1):
            index = int.from_bytes(item.type, "big")
            if 1 <= index <= len(keys):
                self.ilst_item(item, keys[index - 1], SourceKind.QUICKTIME_KEYS, depth + 1)
            else:
                self.ilst_item(item, _fourcc(item.type), SourceKind.QUICKTIME_XYZ, depth + 1)

    def ilst_item(self, item: _Box, name: str, kind: SourceKind, depth: int) -> None:
        for child in self.children(item.body, item.end, depth + 1):
            if child.type == b"name" and name == "----":
                name = self.body(child, MAX_SMALL_BYTES, skip=4).decode("utf-8", "replace")
            elif child.type == b"data":
                text = self.data_atom(child)
                if text is not None:
                    self.value(name, text, kind)

    def data_atom(self, box: _Box) -> str | None:
        """The text of a ``data`` atom (type 1 UTF-8 or 2 UTF-16), or None for other types."""
        data = self.read_at(box.body, min(box.length, MAX_SMALL_BYTES))
        type_code = _uint(data, 0, 4) & 0xFFFFFF
        if type_code == 1:
            return data[8:].decode("utf-8", "replace")
        if type_code == 2:
            return data[8:].decode("utf-16-be", "replace")
        return None

    # -- HEIF items

    def items(self, children: dict[bytes, _Box], depth: int) -> None:
        items = self.iinf(children[b"iinf"], depth)
        wanted = {i for i, it in items.items() if it.type == b"Exif" or _is_xmp(it)}
        if not wanted:
            return
        if b"iloc" not in children:
            raise _fail(ErrorKind.MALFORMED, "HEIF items without an iloc box")
        _parse_iloc(self.body(children[b"iloc"], MAX_TABLE_BYTES), items, wanted)
        for item_id in sorted(wanted):
            item = items[item_id]
            if item.type == b"Exif" and self.exif is None:
                self.exif = _tiff_stream(self.item_bytes(item))
            elif _is_xmp(item) and self.xmp is None:
                self.xmp = self.item_bytes(item)

    def iinf(self, box: _Box, depth: int) -> dict[int, _Item]:
        head = self.read_at(box.body, min(box.length, 8))
        version = head[:1]
        width = 2 if version == b"\0" else 4
        count = _uint(head, 4, width)
        if count > box.length // 12:
            raise _fail(ErrorKind.MALFORMED, f"iinf box claims {count} items")
        items: dict[int, _Item] = {}
        for child in self.children(box.body + 4 + width, box.end, depth + 1):
            if child.type == b"infe":
                item_id, item = _parse_infe(self.read_at(child.body, min(child.length, 4096)))
                items.setdefault(item_id, item)
        return items

    def item_bytes(self, item: _Item) -> bytes:
        if not item.located:
            raise _fail(ErrorKind.MALFORMED, "metadata item has no location in iloc")
        if item.method != 0 or item.data_ref != 0:
            raise _fail(ErrorKind.UNSUPPORTED, "metadata item stored outside the file data")
        spans: list[tuple[int, int]] = []
        for offset, length in item.extents:
            if offset > self.size:
                raise _fail(ErrorKind.TRUNCATED, "metadata item lies past the end of the file")
            spans.append((offset, length or self.size - offset))
        total = sum(length for _, length in spans)
        if total > MAX_ITEM_BYTES:
            raise _fail(ErrorKind.TOO_LARGE, f"metadata item of {total} bytes")
        return b"".join(self.read_at(offset, length) for offset, length in spans)


def _is_xmp(item: _Item) -> bool:
    return item.content_type.strip().lower() == "application/rdf+xml"


def _parse_infe(data: bytes) -> tuple[int, _Item]:
    version = _uint(data, 0, 1)
    if version >= 2:
        width = 2 if version == 2 else 4
        item_id = _uint(data, 4, width)
        pos = 4 + width + 2
        item_type = data[pos : pos + 4]
        _, pos = _cstring(data, pos + 4)  # item name
        content_type = _cstring(data, pos)[0] if item_type == b"mime" else ""
        return item_id, _Item(type=item_type, content_type=content_type)
    item_id = _uint(data, 4, 2)
    _, pos = _cstring(data, 8)
    return item_id, _Item(type=b"", content_type=_cstring(data, pos)[0])


def _parse_iloc(data: bytes, items: dict[int, _Item], wanted: set[int]) -> None:
    version = _uint(data, 0, 1)
    if version > 2:
        raise _fail(ErrorKind.UNSUPPORTED, f"iloc version {version}")
    sizes = _uint(data, 4, 1), _uint(data, 5, 1)
    offset_size, length_size = sizes[0] >> 4, sizes[0] & 15
    base_size, index_size = sizes[1] >> 4, (sizes[1] & 15 if version else 0)
    if any(s not in (0, 4, 8) for s in (offset_size, length_size, base_size, index_size)):
        raise _fail(ErrorKind.MALFORMED, "iloc field sizes must be 0, 4 or 8")
    id_size = 4 if version == 2 else 2
    count = _uint(data, 6, id_size)
    pos = 6 + id_size
    min_entry = id_size + (2 if version else 0) + 2 + base_size + 2
    if count * min_entry > len(data) - pos:
        raise _fail(ErrorKind.MALFORMED, f"iloc box claims {count} items")
    layout = (version, id_size, base_size, index_size, offset_size, length_size)
    budget = [MAX_EXTENTS]
    for _ in range(count):
        pos = _iloc_entry(data, pos, layout, items, wanted, budget)


def _iloc_entry(
    data: bytes,
    pos: int,
    layout: tuple[int, int, int, int, int, int],
    items: dict[int, _Item],
    wanted: set[int],
    budget: list[int],
) -> int:
    version, id_size, base_size, index_size, offset_size, length_size = layout
    item_id = _uint(data, pos, id_size)
    pos += id_size
    method = _uint(data, pos, 2) & 15 if version else 0
    pos += 2 if version else 0
    data_ref = _uint(data, pos, 2)
    base = _uint(data, pos + 2, base_size)
    pos += 2 + base_size
    extent_count = _uint(data, pos, 2)
    pos += 2
    extent_size = index_size + offset_size + length_size
    budget[0] -= extent_count
    if budget[0] < 0 or extent_count * extent_size > len(data) - pos:
        raise _fail(ErrorKind.MALFORMED, f"iloc item claims {extent_count} extents")
    extents: list[tuple[int, int]] = []
    for _ in range(extent_count):
        pos += index_size
        offset = _uint(data, pos, offset_size)
        length = _uint(data, pos + offset_size, length_size)
        pos += offset_size + length_size
        extents.append((base + offset, length))
    if item_id in wanted and not items[item_id].located:
        item = items[item_id]
        item.extents, item.method, item.data_ref, item.located = extents, method, data_ref, True
    return pos


def _tiff_stream(item: bytes) -> bytes | None:
    """The TIFF stream of a HEIF Exif item: skip the 32-bit offset (and any ``Exif\\0\\0``)."""
    if len(item) < 4:
        return None
    skip = int.from_bytes(item[:4], "big")
    for start in (4 + skip, 4, 10):
        if item[start : start + 4] in (b"II*\0", b"MM\0*"):
            return item[start:]
    return None
