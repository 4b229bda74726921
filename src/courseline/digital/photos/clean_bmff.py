"""HEIF/HEIC/AVIF and MP4/MOV/3GP files cleaned in place, on a copy: values are neutralised
where they lie, so no box changes size and no offset (``iloc`` extents, ``stco``/``co64``
chunk offsets, whether ``moov`` comes before or after ``mdat``) needs fixing.

How each source is neutralised:

* A box that only holds metadata (``udta/©xyz``, ``udta/loci``, ``udta/XMP_``, the XMP
  ``uuid`` box, an Apple ``ilst`` item) becomes a ``free`` box of the same size with its
  content zeroed; the name of a removed Apple key (``com.apple.quicktime.location.ISO6709``…)
  is zeroed in ``keys`` too.
* A HEIF ``Exif`` item keeps its length: for ``Profile.LOCATION`` its TIFF stream is rewritten
  without the GPS IFD (``strip_exif_location``), for ``Profile.ALL`` it becomes an empty TIFF
  stream padded with zeros. An XMP item becomes an empty XMP packet padded with spaces.
  Image item extents are protected: the plan is refused if a change would touch one.
* A timed metadata track (handler ``meta``, ``camm`` or ``gpmd``; Apple ``mebx`` samples, GoPro
  GPMF, Google CAMM: they can hold a GPS trace) is located through its sample table (``stsz``,
  ``stsc``, ``stco``/``co64``): its samples are zeroed in ``mdat`` and its ``trak`` box becomes
  ``free``, so the other tracks play as before. The samples of every other track are protected.
  A fragmented movie, or a sample table that cannot be followed, is refused.
* ``Profile.ALL`` also frees every ``udta`` and non-HEIF ``meta`` box (make, model, software,
  creation date, Apple content identifiers) and zeroes the creation and modification times of
  ``mvhd``, ``tkhd`` and ``mdhd``.
"""

from __future__ import annotations

import array
import itertools
import struct
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from courseline.digital.photos.clean_base import (
    EXIF_GPS,
    EXIF_WHOLE,
    SHARED_WITH_MEDIA,
    XMP,
    PatchPlan,
    Profile,
    Refuse,
    Region,
    Source,
    Unfixable,
    merged,
    overlaps,
)
from courseline.digital.photos.clean_exif import EMPTY_TIFF, strip_exif_location
from courseline.digital.photos.containers.isobmff import TOP_LEVEL_TYPES

__all__ = [
    "LOCATION_KEYS",
    "LOCATION_LOCI",
    "LOCATION_XYZ",
    "MOVIE_TIMES",
    "TIMED_TRACK",
    "USER_DATA",
    "plan",
]

MAX_DEPTH = 10
MAX_BOXES = 20_000
MAX_ITEM_BYTES = 4 * 1024 * 1024
MAX_TABLE_BYTES = 32 * 1024 * 1024
MAX_SAMPLES = 4_000_000
"""Most samples (and chunks) in one track's tables; held as compact arrays (16 MiB each)."""

LOCATION_XYZ = "QuickTime location (©xyz)"
LOCATION_LOCI = "3GPP location (loci)"
LOCATION_KEYS = "QuickTime location keys"
USER_DATA = "QuickTime user data and metadata keys (make, model, software, dates)"
MOVIE_TIMES = "movie and track creation times"
TIMED_TRACK = "timed metadata track (can hold a GPS trace)"

XMP_UUID = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")
TIMED_HANDLERS = frozenset({b"meta", b"camm", b"gpmd"})
_XMP_HEAD = (
    b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"/>'
)
_XMP_TAIL = b'<?xpacket end="w"?>'

_Replacer = Callable[[int], bytes]


def empty_xmp(length: int) -> bytes:
    """An XMP packet with no properties, exactly ``length`` bytes (spaces if too short)."""
    room = length - len(_XMP_HEAD) - len(_XMP_TAIL)
    return _XMP_HEAD + b" " * room + _XMP_TAIL if room >= 0 else b" " * length


def _is_location_key(name: str) -> bool:
    return name == "\xa9xyz" or "location" in name.lower()


@dataclass(frozen=True, slots=True)
class _Box:
    type: bytes
    start: int
    body: int
    end: int


@dataclass(slots=True)
class _Item:
    type: bytes = b""
    content_type: str = ""
    extents: list[Region] = field(default_factory=list)
    method: int = 0
    data_ref: int = 0


@dataclass(slots=True)
class _Track:
    box: _Box
    handler: bytes = b""
    stbl: _Box | None = None


class _Planner:
    def __init__(self, src: Source, profile: Profile) -> None:
        self.src = src
        self.profile = profile
        self.plan = PatchPlan(src.size)
        self.boxes = 0
        self.tracks: list[_Track] = []
        self.mdats: list[Region] = []
        self.fragmented = False

    # -- boxes

    def children(self, start: int, end: int, depth: int) -> Iterator[_Box]:
        if depth > MAX_DEPTH:
            raise Refuse("boxes are nested too deeply")
        pos = start
        while end - pos >= 8:
            self.boxes += 1
            if self.boxes > MAX_BOXES:
                raise Refuse(f"more than {MAX_BOXES} boxes")
            size, kind = struct.unpack(">I4s", self.src.read(pos, 8, "a box header"))
            body = pos + 8
            if size == 1:
                size = int.from_bytes(self.src.read(pos + 8, 8, "a box header"), "big")
                body = pos + 16
            elif size == 0:
                size = end - pos
            if size < body - pos or pos + size > end:
                raise Refuse(f"box {kind!r} has an impossible size")
            yield _Box(kind, pos, body, pos + size)
            pos += size
        if depth == 0 and pos != end:
            raise Refuse("the file ends inside a box header")

    def body(self, box: _Box, cap: int) -> bytes:
        if box.end - box.body > cap:
            raise Refuse(f"a {box.type.decode('latin-1')!r} box is too large to rewrite")
        return self.src.read(box.body, box.end - box.body, "a box")

    def free(self, box: _Box, label: str) -> None:
        """Turn ``box`` into a ``free`` box of the same size, its content zeroed."""
        self.plan.write(box.start + 4, b"free")
        self.plan.zero(box.body, box.end)
        self.plan.removed.add(label)

    # -- walking

    def run(self) -> PatchPlan:
        if self.src.size < 8 or self.src.read(4, 4) not in TOP_LEVEL_TYPES:
            raise Refuse("not an ISO base media file")
        for box in self.children(0, self.src.size, 0):
            if box.type == b"moov":
                self.movie(box)
            elif box.type == b"meta":
                self.meta(box, b"", 1)
            elif box.type == b"uuid":
                self.uuid(box)
            elif box.type == b"mdat":
                self.mdats.append((box.body, box.end))
            elif box.type in (b"moof", b"mfra"):
                self.fragmented = True
        timed = [t for t in self.tracks if t.handler in TIMED_HANDLERS]
        if timed:
            self.remove_tracks(timed)
        return self.plan

    def movie(self, moov: _Box) -> None:
        for box in self.children(moov.body, moov.end, 1):
            if box.type == b"cmov":
                raise Refuse("the movie header is compressed, so its metadata cannot be reached")
            if box.type == b"mvex":
                self.fragmented = True
            elif box.type == b"mvhd":
                self.times(box)
            elif box.type == b"trak":
                self.track(box)
            else:
                self.common(box, b"moov", 2)

    def common(self, box: _Box, parent: bytes, depth: int) -> None:
        """Boxes that may appear in moov or trak: user data, metadata, XMP."""
        if box.type == b"udta":
            self.user_data(box, depth)
        elif box.type == b"meta":
            self.meta(box, parent, depth)
        elif box.type == b"uuid":
            self.uuid(box)

    def track(self, trak: _Box) -> None:
        track = _Track(trak)
        self.tracks.append(track)
        for box in self.children(trak.body, trak.end, 2):
            if box.type == b"tkhd":
                self.times(box)
            elif box.type == b"mdia":
                self.media(box, track)
            else:
                self.common(box, b"trak", 3)

    def media(self, mdia: _Box, track: _Track) -> None:
        for box in self.children(mdia.body, mdia.end, 3):
            if box.type == b"mdhd":
                self.times(box)
            elif box.type == b"hdlr" and not track.handler:
                track.handler = self.src.read(box.body, min(12, box.end - box.body))[8:12]
            elif box.type == b"minf":
                for child in self.children(box.body, box.end, 4):
                    if child.type == b"stbl":
                        track.stbl = child

    def times(self, box: _Box) -> None:
        """Zero the creation and modification times of mvhd/tkhd/mdhd (``Profile.ALL``)."""
        if self.profile is not Profile.ALL:
            return
        version = self.src.read(box.body, 1, "a movie header")[0]
        width = 16 if version == 1 else 8
        if box.body + 4 + width > box.end:
            raise Refuse("a movie or track header is cut short")
        if self.src.read(box.body + 4, width).strip(b"\0"):
            self.plan.write(box.body + 4, bytes(width))
            self.plan.removed.add(MOVIE_TIMES)

    def uuid(self, box: _Box) -> None:
        if box.end - box.body >= 16 and self.src.read(box.body, 16) == XMP_UUID:
            self.free(box, XMP)

    def user_data(self, udta: _Box, depth: int) -> None:
        if self.profile is Profile.ALL:
            self.free(udta, USER_DATA)
            return
        for box in self.children(udta.body, udta.end, depth + 1):
            if box.type == b"\xa9xyz":
                self.free(box, LOCATION_XYZ)
            elif box.type == b"loci":
                self.free(box, LOCATION_LOCI)
            elif box.type == b"XMP_":
                self.free(box, XMP)
            else:
                self.common(box, b"udta", depth + 1)

    # -- meta: Apple keys/ilst, iTunes ilst, HEIF items

    def meta(self, meta: _Box, parent: bytes, depth: int) -> None:
        start = meta.body
        if meta.end - start >= 4 and self.src.read(start, 4) == bytes(4):
            start += 4  # ISO meta is a FullBox; QuickTime meta is not
        found: dict[bytes, _Box] = {}
        for child in self.children(start, meta.end, depth + 1):
            found.setdefault(child.type, child)
        if b"iinf" in found:
            self.items(found, depth + 1)
            return
        if self.profile is Profile.ALL:
            self.free(meta, USER_DATA)
            return
        keys = self.keys(found[b"keys"]) if b"keys" in found else []
        if b"ilst" in found:
            self.ilst(found[b"ilst"], keys, depth + 1)
        for name, region in keys:
            if _is_location_key(name) and name.strip("\0"):
                self.plan.zero(*region)
                self.plan.removed.add(LOCATION_KEYS)

    def keys(self, box: _Box) -> list[tuple[str, Region]]:
        data = self.body(box, MAX_TABLE_BYTES)
        if len(data) < 8:
            raise Refuse("a metadata keys box is cut short")
        count = int.from_bytes(data[4:8], "big")
        if count > (len(data) - 8) // 8:
            raise Refuse(f"a metadata keys box claims {count} keys")
        names: list[tuple[str, Region]] = []
        pos = 8
        for _ in range(count):
            size = int.from_bytes(data[pos : pos + 4], "big")
            if size < 8 or pos + size > len(data):
                raise Refuse("a metadata key has a bad size")
            name = data[pos + 8 : pos + size].decode("utf-8", "replace")
            names.append((name, (box.body + pos + 8, box.body + pos + size)))
            pos += size
        return names

    def ilst(self, ilst: _Box, keys: list[tuple[str, Region]], depth: int) -> None:
        for item in self.children(ilst.body, ilst.end, depth + 1):
            index = int.from_bytes(item.type, "big")
            name = keys[index - 1][0] if 1 <= index <= len(keys) else ""
            if not name:
                name = item.type.decode("latin-1")
            if name == "----":
                name = self.freeform_name(item, depth + 1)
            if _is_location_key(name):
                label = LOCATION_XYZ if name == "\xa9xyz" else LOCATION_KEYS
                self.free(item, label)

    def freeform_name(self, item: _Box, depth: int) -> str:
        """The ``name`` of an iTunes freeform (``----``) item."""
        for child in self.children(item.body, item.end, depth + 1):
            if child.type == b"name":
                return self.body(child, MAX_TABLE_BYTES)[4:].decode("utf-8", "replace")
        return "----"

    def items(self, found: dict[bytes, _Box], depth: int) -> None:
        items = self.item_infos(found[b"iinf"], depth + 1)
        if not any(item.type == b"Exif" or _is_xmp(item) for item in items.values()):
            return
        if b"iloc" not in found:
            raise Refuse("HEIF items without an item location box")
        idat = found.get(b"idat")
        self.locate(self.body(found[b"iloc"], MAX_TABLE_BYTES), items, idat)
        for item in items.values():
            if item.type == b"Exif":
                self.exif_item(item)
            elif _is_xmp(item):
                self.rewrite_item(item, empty_xmp, XMP)
            elif item.method != 2:
                for start, end in item.extents:
                    self.plan.protect(start, end)

    def item_infos(self, iinf: _Box, depth: int) -> dict[int, _Item]:
        head = self.src.read(iinf.body, min(8, iinf.end - iinf.body), "an item list")
        width = 2 if head[:1] == b"\0" else 4
        items: dict[int, _Item] = {}
        for child in self.children(iinf.body + 4 + width, iinf.end, depth + 1):
            if child.type != b"infe":
                continue
            data = self.src.read(child.body, min(child.end - child.body, 4096), "an item entry")
            item_id, item = _parse_infe(data)
            items.setdefault(item_id, item)
        return items

    def locate(self, data: bytes, items: dict[int, _Item], idat: _Box | None) -> None:
        for item_id, method, data_ref, extents in _parse_iloc(data):
            item = items.get(item_id)
            if item is None or item.extents:
                continue
            item.method, item.data_ref = method, data_ref
            for offset, length in extents:
                if method == 1:
                    if idat is None:
                        raise Refuse("a HEIF item is stored in a missing idat box")
                    offset += idat.body
                    length = length or idat.end - offset
                elif method == 0:
                    length = length or self.src.size - offset
                item.extents.append((offset, offset + length))

    def item_content(self, item: _Item) -> bytes:
        if item.method not in (0, 1) or item.data_ref != 0:
            raise Refuse("a metadata item is stored by reference, so it cannot be rewritten")
        total = sum(end - start for start, end in item.extents)
        if total > MAX_ITEM_BYTES:
            raise Refuse(f"a metadata item of {total} bytes is too large to rewrite")
        return b"".join(self.src.read(s, e - s, "a metadata item") for s, e in item.extents)

    def rewrite_item(self, item: _Item, replace: _Replacer, label: str) -> None:
        content = self.item_content(item)
        new = replace(len(content))
        self.write_item(item, content, new, label)

    def write_item(self, item: _Item, old: bytes, new: bytes, label: str) -> None:
        if new == old:
            return
        self.plan.removed.add(label)
        pos = 0
        for start, end in item.extents:
            part = new[pos : pos + end - start]
            if part != old[pos : pos + end - start]:
                self.plan.write(start, part)
            pos += end - start

    def exif_item(self, item: _Item) -> None:
        content = self.item_content(item)
        at = _tiff_start(content)
        if at is None:
            keep = min(4, len(content))
            self.write_item(item, content, content[:keep].ljust(len(content), b"\0"), EXIF_WHOLE)
            return
        stream = content[at:]
        order = "<" if stream[:2] == b"II" else ">"
        empty = EMPTY_TIFF[order][: len(stream)].ljust(len(stream), b"\0")
        if self.profile is Profile.ALL:
            self.write_item(item, content, content[:at] + empty, EXIF_WHOLE)
            return
        try:
            cleaned, labels = strip_exif_location(stream)
        except (Unfixable, struct.error):
            cleaned, labels = empty, (EXIF_WHOLE,)
        if cleaned != stream:
            self.write_item(
                item, content, content[:at] + cleaned, labels[0] if labels else EXIF_GPS
            )
            self.plan.removed.add(*labels)

    # -- timed metadata tracks

    def remove_tracks(self, timed: list[_Track]) -> None:
        """Zero the samples of the timed metadata tracks and free their ``trak`` boxes, after
        checking that no sample of another track shares a byte with them."""
        if self.fragmented:
            raise Refuse(
                "a fragmented movie has a timed metadata track (which can hold a GPS trace) "
                "whose samples cannot all be located; the original is unchanged"
            )
        zeros: list[Region] = []
        for track in timed:
            for start, end in self.samples(track):
                if not any(m_start <= start and end <= m_end for m_start, m_end in self.mdats):
                    raise Refuse("a timed metadata track has samples outside the media data")
                zeros.append((start, end))
        doomed = merged(zeros)
        for track in self.tracks:
            if track not in timed and any(overlaps(r, doomed) for r in self.samples(track)):
                raise Refuse(SHARED_WITH_MEDIA)
        for start, end in doomed:
            self.plan.zero(start, end)
        for track in timed:
            self.free(track.box, TIMED_TRACK)

    def samples(self, track: _Track) -> Iterator[Region]:
        """The byte ranges of a track's chunks, from its sample table."""
        if track.stbl is None:
            raise Refuse("a track has no sample table, so its samples cannot be located")
        found: dict[bytes, _Box] = {}
        for child in self.children(track.stbl.body, track.stbl.end, 5):
            found.setdefault(child.type, child)
        if b"stsz" not in found or b"stsc" not in found:
            raise Refuse("a track's sample table is incomplete or uses a compact form")
        sizes = _sample_sizes(self.body(found[b"stsz"], MAX_TABLE_BYTES))
        runs = _runs(self.body(found[b"stsc"], MAX_TABLE_BYTES))
        if b"co64" in found:
            offsets = _offsets(self.body(found[b"co64"], MAX_TABLE_BYTES), 8)
        elif b"stco" in found:
            offsets = _offsets(self.body(found[b"stco"], MAX_TABLE_BYTES), 4)
        else:
            raise Refuse("a track's sample table has no chunk offsets")
        return _chunk_ranges(sizes, runs, offsets, self.src.size)


def _is_xmp(item: _Item) -> bool:
    return item.content_type.strip().lower() == "application/rdf+xml"


def _u(data: bytes, pos: int, width: int) -> int:
    if pos < 0 or pos + width > len(data):
        raise Refuse("a table runs past the end of its box")
    return int.from_bytes(data[pos : pos + width], "big")


def _cstring_end(data: bytes, start: int) -> int:
    end = data.find(b"\0", start)
    return len(data) if end < 0 else end


def _parse_infe(data: bytes) -> tuple[int, _Item]:
    version = _u(data, 0, 1)
    if version >= 2:
        width = 2 if version == 2 else 4
        item_id = _u(data, 4, width)
        pos = 4 + width + 2
        item_type = data[pos : pos + 4]
        name_end = _cstring_end(data, pos + 4)
        content = ""
        if item_type == b"mime":
            content = data[name_end + 1 : _cstring_end(data, name_end + 1)].decode("latin-1")
        return item_id, _Item(type=item_type, content_type=content)
    item_id = _u(data, 4, 2)
    name_end = _cstring_end(data, 8)
    content = data[name_end + 1 : _cstring_end(data, name_end + 1)].decode("latin-1")
    return item_id, _Item(content_type=content)


_IlocEntry = tuple[int, int, int, list[tuple[int, int]]]


def _parse_iloc(data: bytes) -> list[_IlocEntry]:
    """(item id, construction method, data reference, [(offset, length)]) for every item."""
    version = _u(data, 0, 1)
    if version > 2:
        raise Refuse(f"item location box version {version} is not understood")
    offset_size, length_size = _u(data, 4, 1) >> 4, _u(data, 4, 1) & 15
    base_size, index_size = _u(data, 5, 1) >> 4, (_u(data, 5, 1) & 15 if version else 0)
    if any(s not in (0, 4, 8) for s in (offset_size, length_size, base_size, index_size)):
        raise Refuse("item location field sizes must be 0, 4 or 8")
    id_size = 4 if version == 2 else 2
    count = _u(data, 6, id_size)
    pos = 6 + id_size
    if count * (id_size + 4 + base_size) > len(data):
        raise Refuse(f"item location box claims {count} items")
    entries: list[_IlocEntry] = []
    budget = MAX_SAMPLES
    for _ in range(count):
        item_id = _u(data, pos, id_size)
        pos += id_size
        method = _u(data, pos, 2) & 15 if version else 0
        pos += 2 if version else 0
        data_ref = _u(data, pos, 2)
        base = _u(data, pos + 2, base_size)
        extent_count = _u(data, pos + 2 + base_size, 2)
        pos += 4 + base_size
        budget -= extent_count
        step = index_size + offset_size + length_size
        if budget < 0 or extent_count * step > len(data) - pos:
            raise Refuse(f"an item claims {extent_count} extents")
        extents = []
        for _ in range(extent_count):
            offset = _u(data, pos + index_size, offset_size)
            length = _u(data, pos + index_size + offset_size, length_size)
            extents.append((base + offset, length))
            pos += step
        entries.append((item_id, method, data_ref, extents))
    return entries


def _tiff_start(item: bytes) -> int | None:
    """Where the TIFF stream of a HEIF Exif item starts (after its 32-bit offset)."""
    if len(item) < 12:
        return None
    skip = int.from_bytes(item[:4], "big")
    for start in (4 + skip, 4, 10):
        if item[start : start + 4] in (b"II*\0", b"MM\0*"):
            return start
    return None


def _table(data: bytes, entry: int, what: str) -> tuple[int, int]:
    """(entry count, position of the first entry) of a FullBox table."""
    count = _u(data, 4, 4)
    if count > MAX_SAMPLES or 8 + count * entry > len(data):
        raise Refuse(f"a track's {what} table claims {count} entries")
    return count, 8


def _array(code: str, data: bytes, start: int, count: int) -> array.array[int]:
    """``count`` big-endian numbers from ``data`` at ``start``, stored compactly."""
    values = array.array(code)
    values.frombytes(data[start : start + count * values.itemsize])
    if len(values) != count:
        raise Refuse("a track's sample table is cut short")
    if sys.byteorder == "little":
        values.byteswap()
    return values


def _sample_sizes(data: bytes) -> array.array[int] | tuple[int, int]:
    """Per-sample sizes, or (constant size, sample count)."""
    constant = _u(data, 4, 4)
    count = _u(data, 8, 4)
    if count > MAX_SAMPLES:
        raise Refuse(f"a track claims {count} samples")
    if constant:
        return (constant, count)
    return _array("I", data, 12, count)


def _runs(data: bytes) -> list[tuple[int, int]]:
    """(first chunk, samples per chunk) runs of a sample-to-chunk table."""
    count, pos = _table(data, 12, "sample-to-chunk")
    values = _array("I", data, pos, 3 * count)
    return [(values[3 * i], values[3 * i + 1]) for i in range(count)]


def _offsets(data: bytes, width: int) -> array.array[int]:
    count, pos = _table(data, width, "chunk offset")
    return _array("Q" if width == 8 else "I", data, pos, count)


def _chunk_ranges(
    sizes: array.array[int] | tuple[int, int],
    runs: list[tuple[int, int]],
    offsets: array.array[int],
    file_size: int,
) -> Iterator[Region]:
    if isinstance(sizes, tuple):
        constant, total = sizes
        prefix: array.array[int] | None = None
    else:
        constant, total = 0, len(sizes)
        prefix = array.array("Q", [0])
        prefix.extend(itertools.accumulate(sizes))
    sample = 0
    chunks = len(offsets)
    bounds = [*(first for first, _ in runs[1:]), chunks + 1][: len(runs)]
    for (first, per_chunk), after in zip(runs, bounds, strict=True):
        if first < 1 or after <= first:
            raise Refuse("a track's sample-to-chunk table is out of order")
        for chunk in range(first, min(after, chunks + 1)):
            end_sample = min(sample + per_chunk, total)  # a short last chunk is tolerated
            if prefix is None:
                length = (end_sample - sample) * constant
            else:
                length = prefix[end_sample] - prefix[sample]
            start = offsets[chunk - 1]
            if start + length > file_size:
                raise Refuse("a track's samples lie past the end of the file")
            yield (start, start + length)
            sample = end_sample


def plan(src: Source, profile: Profile) -> PatchPlan:
    """The changes that remove ``profile``'s metadata from the ISO base media file ``src``.
    Raises ``Refuse`` when that cannot be done in place; an empty plan means nothing to do."""
    try:
        return _Planner(src, profile).run()
    except struct.error:
        raise Refuse("a box is malformed") from None
