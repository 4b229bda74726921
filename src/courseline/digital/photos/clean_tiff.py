"""TIFF and DNG files cleaned in place, on a copy: no byte moves, so no offset needs fixing.

Approach: *neutralise in place* rather than rebuild. A TIFF file is a web of absolute offsets
(IFD chains, SubIFDs, strips, tiles, values, maker notes that point outside themselves); a
rebuild would have to understand every one of them, and one missed pointer corrupts the image.
Instead each IFD that loses tags is rewritten over its own table (fewer entries, the next-IFD
pointer moved up, the freed tail zeroed) and the data the removed tags pointed at (the GPS IFD,
the XMP packet, the EXIF IFD and its interoperability IFD and maker note, strings) is zeroed.
Strips and tiles are never written: their offset and size tables are kept (as compact arrays)
and the plan is refused if any change would touch a strip or tile, so the pixel data of the
copy is byte-identical.

Every IFD reachable from the header is visited: the IFD0 chain (pages, thumbnails) and
SubIFDs (DNG raw and preview images), at most ``MAX_IFDS`` of them, loops ignored.

* ``Profile.LOCATION`` drops the GPS IFD pointer, XMP (700), IPTC (33723), Photoshop resources
  (34377, which can hold IPTC place names) and DNG OriginalRawFileData (an embedded copy of the
  original raw file and its metadata); in a JPEG thumbnail (JPEGInterchangeFormat), its
  EXIF/XMP/Photoshop segments are zeroed in place (the preview pixels are unchanged).
* ``Profile.ALL`` also drops the EXIF IFD (capture time, serial and owner, maker note), the
  make, model, software, date, artist, host computer, copyright, description and Windows XP tags,
  and DNG serial, private data, raw file name and unique ids. DNG requires UniqueCameraModel, so
  its text is overwritten with a neutral name of the same length instead of being removed.

BigTIFF is refused (the scanner does not read it, so a clean copy could not be verified), as
are Olympus ORF and Panasonic RW2 raw files, whose maker-specific layouts carry metadata (a
full EXIF preview) outside the TIFF structure.
"""

from __future__ import annotations

import array
import struct
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from courseline.digital.photos.clean_base import (
    EXIF_GPS,
    EXIF_THUMBNAIL,
    IPTC_PLACES,
    PHOTOSHOP,
    SHARED_WITH_MEDIA,
    XMP,
    PatchPlan,
    Profile,
    Refuse,
    Region,
    Source,
    merged,
    overlaps,
)

__all__ = ["EXIF_IFD", "IDENTITY", "ORIGINAL_RAW", "plan"]

MAX_IFDS = 1024
MAX_ENTRIES = 1000
MAX_ARRAY = 16 * 1024 * 1024
"""Largest strip/tile offset or count array read (4 million LONGs)."""
MAX_VALUES = 2 * MAX_ARRAY // 4
"""Most SHORT/LONG values (strip and tile offsets and sizes, pointers) read from all the image
directories of one file together: a file may repeat its directories (or point them all at one
big table), so the limit is on the whole plan, not on each table. Enough for the largest single
strip table (offsets and sizes); held as compact arrays, 32 MiB at most."""
MAX_THUMBNAIL = 2 * 1024 * 1024
MAX_SEGMENTS = 512

EXIF_IFD = "EXIF (capture time, camera serial, owner and maker note)"
IDENTITY = "camera, software, owner and date tags"
ORIGINAL_RAW = "embedded original raw file"

_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
_GPS, _EXIF, _INTEROP, _SUBIFDS = 0x8825, 0x8769, 0xA005, 0x014A
_STRIPS, _STRIP_BYTES, _TILES, _TILE_BYTES = 0x0111, 0x0117, 0x0144, 0x0145
_THUMB_OFFSET, _THUMB_LENGTH = 0x0201, 0x0202
_UNIQUE_CAMERA_MODEL = 0xC614
_NEUTRAL_MODEL = b"Camera"

_LOCATION_TAGS = {
    _GPS: EXIF_GPS,
    0x02BC: XMP,
    0x83BB: IPTC_PLACES,
    0x8649: PHOTOSHOP,
    0xC68C: ORIGINAL_RAW,
}
_IDENTITY_TAGS = frozenset(
    {0x010D, 0x010E, 0x010F, 0x0110, 0x0131, 0x0132, 0x013B, 0x013C, 0x8298}
    | {0x9003, 0x9004, 0x9010, 0x9011, 0x9012, 0x9290, 0x9291, 0x9292, 0x927C, 0x9286}
    | {0xA420, 0xA430, 0xA431, 0xA433, 0xA434, 0xA435}
    | {0x9C9B, 0x9C9C, 0x9C9D, 0x9C9E, 0x9C9F}
    | {0xC615, 0xC62F, 0xC634, 0xC65D, 0xC68B, 0xC71B}
)
"""Tags naming the camera, its owner, the software or a date (dropped by ``Profile.ALL``)."""

_SOS, _EOI, _COM, _APP0 = 0xDA, 0xD9, 0xFE, 0xE0
_KEEP_SEGMENTS = ((0xE0, b"JFIF\0"), (0xE2, b"ICC_PROFILE\0"), (0xEE, b"Adobe"))


@dataclass(frozen=True, slots=True)
class _Entry:
    tag: int
    kind: int
    count: int
    field: bytes
    raw: bytes


@dataclass(frozen=True, slots=True)
class _Ifd:
    offset: int
    entries: tuple[_Entry, ...]
    following: int

    @property
    def end(self) -> int:
        return self.offset + 2 + 12 * len(self.entries) + 4


class _Cleaner:
    def __init__(self, src: Source, profile: Profile) -> None:
        head = src.read(0, 8, "the TIFF header")
        if head[:2] not in (b"II", b"MM"):
            raise Refuse("not a TIFF file (no byte-order mark)")
        self.order = "<" if head[:2] == b"II" else ">"
        magic = struct.unpack_from(self.order + "H", head, 2)[0]
        if magic == 43:
            raise Refuse("BigTIFF files cannot be cleaned yet; the original is unchanged")
        if magic != 42:
            raise Refuse(
                "Olympus and Panasonic raw files keep metadata outside the TIFF structure, so "
                "they cannot be cleaned losslessly; the original is unchanged"
            )
        self.src = src
        self.profile = profile
        self.plan = PatchPlan(src.size)
        self.first = struct.unpack_from(self.order + "I", head, 4)[0]
        self.visited: set[int] = set()
        self.keep: list[Region] = [(0, 8)]
        self.wipes: list[Region] = []
        self.values = 0
        self.images: list[tuple[array.array[int], array.array[int]]] = []
        """(offsets, sizes) of the strips or tiles of each image: checked once every change is
        known (``check_images``), not held as millions of protected regions."""

    # -- reading

    def u32(self, raw: bytes, at: int = 0) -> int:
        return int(struct.unpack_from(self.order + "I", raw, at)[0])

    def ifd(self, offset: int) -> _Ifd | None:
        """The IFD at ``offset``; None when already visited (a loop or a shared IFD)."""
        if offset in self.visited:
            return None
        if len(self.visited) >= MAX_IFDS:
            raise Refuse(f"more than {MAX_IFDS} image directories")
        if offset < 8:
            raise Refuse(f"an image directory has an invalid offset ({offset})")
        self.visited.add(offset)
        count = struct.unpack(self.order + "H", self.src.read(offset, 2, "an image directory"))[0]
        if count > MAX_ENTRIES:
            raise Refuse(f"an image directory claims {count} entries")
        table = self.src.read(offset + 2, 12 * count + 4, "an image directory")
        entries = tuple(self.entry(table[12 * i : 12 * i + 12]) for i in range(count))
        return _Ifd(offset, entries, self.u32(table, 12 * count))

    def entry(self, raw: bytes) -> _Entry:
        tag, kind, count, value = struct.unpack(self.order + "HHI4s", raw)
        return _Entry(int(tag), int(kind), int(count), bytes(value), raw)

    def value_region(self, entry: _Entry) -> Region | None:
        unit = _TYPE_SIZES.get(entry.kind)
        if unit is None or unit * entry.count <= 4:
            return None
        start = self.u32(entry.field)
        if start >= self.src.size:
            return None
        return (start, min(start + unit * entry.count, self.src.size))

    def numbers(self, entry: _Entry | None) -> array.array[int]:
        """The SHORT/LONG/IFD values of an entry (offsets, counts, pointers)."""
        values = array.array("I")
        if entry is None or entry.kind not in (3, 4, 13):
            return values
        unit = 2 if entry.kind == 3 else 4
        if unit * entry.count > MAX_ARRAY:
            raise Refuse(f"tag {entry.tag} holds too many values")
        self.values += entry.count
        if self.values > MAX_VALUES:
            raise Refuse(
                f"the image directories list more than {MAX_VALUES} strips, tiles or offsets "
                "in all, too many to check in place"
            )
        region = self.value_region(entry) if unit * entry.count > 4 else None
        if unit * entry.count > 4 and region is None:
            raise Refuse(f"tag {entry.tag} points past the end of the file")
        raw = entry.field if region is None else self.src.read(region[0], unit * entry.count)
        if unit == 2:
            values = array.array("H")
        values.frombytes(raw[: unit * entry.count])
        if (self.order == "<") != (sys.byteorder == "little"):
            values.byteswap()
        return values

    # -- planning

    def run(self) -> PatchPlan:
        offset, pages = self.first, 0
        while 8 <= offset <= self.src.size - 2 and pages < MAX_IFDS:
            found = self.ifd(offset)
            if found is None:
                break
            self.directory(found, depth=0)
            offset, pages = found.following, pages + 1
        # One sorted, merged list searched by bisection: a file with many directories has
        # tens of thousands of regions on each side, too many to compare pair by pair.
        keep = merged(self.keep)
        for start, end in self.wipes:
            if end <= start:
                continue
            if overlaps((start, end), keep):
                raise Refuse(
                    "removed metadata shares bytes with data that must be kept, so it cannot "
                    "be removed in place"
                )
            self.plan.zero(start, end)
        self.check_images()
        return self.plan

    def check_images(self) -> None:
        """Refuse when a change would touch a strip or tile of any image."""
        changed = self.plan.changed()
        if not changed:
            return
        for starts, lengths in self.images:
            for start, length in zip(starts, lengths, strict=False):
                if overlaps((start, min(start + length, self.src.size)), changed):
                    raise Refuse(SHARED_WITH_MEDIA)

    def goes(self, tag: int) -> str | None:
        label = _LOCATION_TAGS.get(tag)
        if label is None and self.profile is Profile.ALL:
            if tag == _EXIF:
                return EXIF_IFD
            if tag in _IDENTITY_TAGS:
                return IDENTITY
        return label

    def directory(self, ifd: _Ifd, depth: int) -> None:
        """Plan one IFD: keep or drop each entry, protect its image data, visit what it holds."""
        self.keep.append((ifd.offset, ifd.end))
        kept: list[bytes] = []
        for entry in ifd.entries:
            label = self.goes(entry.tag)
            if label is None:
                kept.append(self.kept_entry(entry, depth))
                continue
            self.plan.removed.add(label)
            region = self.value_region(entry)
            if region is not None:
                self.wipes.append(region)
            if entry.tag in (_GPS, _EXIF):
                for pointer in self.numbers(entry)[:1]:
                    self.wipe_subtree(pointer, depth=0)
        tags = {entry.tag: entry for entry in ifd.entries}
        self.protect_image(tags)
        self.thumbnail(tags)
        if len(kept) != len(ifd.entries) or any(
            k != e.raw for k, e in zip(kept, ifd.entries, strict=False)
        ):
            table = struct.pack(self.order + "H", len(kept)) + b"".join(kept)
            table += struct.pack(self.order + "I", ifd.following)
            self.plan.write(ifd.offset, table.ljust(ifd.end - ifd.offset, b"\0"))

    def kept_entry(self, entry: _Entry, depth: int) -> bytes:
        region = self.value_region(entry)
        if region is not None:
            self.keep.append(region)
        if entry.tag == _SUBIFDS and depth < 4:
            for pointer in self.numbers(entry)[:MAX_IFDS]:
                found = self.ifd(pointer)
                if found is not None:
                    self.directory(found, depth + 1)
        elif entry.tag == _EXIF:
            self.keep_subtree(self.numbers(entry)[:1])
        if entry.tag == _UNIQUE_CAMERA_MODEL and self.profile is Profile.ALL:
            return self.neutral_model(entry, region)
        return entry.raw

    def neutral_model(self, entry: _Entry, region: Region | None) -> bytes:
        """DNG's required UniqueCameraModel with its text replaced, same length."""
        if entry.kind != 2 or entry.count == 0:
            return entry.raw
        text = _NEUTRAL_MODEL[: entry.count - 1].ljust(entry.count, b"\0")
        if region is None:
            field = text.ljust(4, b"\0")
            if field == entry.field:
                return entry.raw
            self.plan.removed.add(IDENTITY)
            return entry.raw[:8] + field
        if self.src.read(region[0], entry.count) != text:
            self.plan.removed.add(IDENTITY)
            self.plan.write(region[0], text)
        return entry.raw

    def keep_subtree(self, pointers: Sequence[int]) -> None:
        """A kept EXIF IFD (and its interoperability IFD): protect its table and values."""
        for pointer in pointers:
            if pointer < 8 or pointer + 2 > self.src.size:
                continue
            found = self.ifd(pointer)
            if found is None:
                continue
            self.keep.append((found.offset, found.end))
            for entry in found.entries:
                region = self.value_region(entry)
                if region is not None:
                    self.keep.append(region)
                if entry.tag == _INTEROP:
                    self.keep_subtree(self.numbers(entry)[:1])

    def wipe_subtree(self, pointer: int, depth: int) -> None:
        """Zero a dropped GPS or EXIF IFD, every value it points at and its interop IFD."""
        if pointer < 8 or pointer + 2 > self.src.size or depth > 1:
            return
        found = self.ifd(pointer)
        if found is None:
            return
        self.wipes.append((found.offset, found.end))
        for entry in found.entries:
            region = self.value_region(entry)
            if region is not None:
                self.wipes.append(region)
            if entry.tag == _INTEROP:
                for inner in self.numbers(entry)[:1]:
                    self.wipe_subtree(inner, depth + 1)

    def protect_image(self, tags: dict[int, _Entry]) -> None:
        for offsets, counts in ((_STRIPS, _STRIP_BYTES), (_TILES, _TILE_BYTES)):
            starts, lengths = self.numbers(tags.get(offsets)), self.numbers(tags.get(counts))
            if starts and lengths:
                self.images.append((starts, lengths))

    def thumbnail(self, tags: dict[int, _Entry]) -> None:
        """Zero the metadata segments of a JPEG thumbnail in place (its pixels stay)."""
        start = (self.numbers(tags.get(_THUMB_OFFSET)) or [0])[0]
        length = (self.numbers(tags.get(_THUMB_LENGTH)) or [0])[0]
        if start <= 0 or not 4 <= length <= MAX_THUMBNAIL or start + length > self.src.size:
            return
        data = self.src.read(start, length)
        for first, last in _jpeg_metadata(data, self.profile):
            if data[first:last].strip(b"\0"):
                self.plan.zero(start + first, start + last)
                self.plan.removed.add(EXIF_THUMBNAIL)


def _segment_goes(marker: int, payload: bytes, profile: Profile) -> bool:
    if profile is Profile.LOCATION:
        return marker in (0xE1, 0xED)
    if any(marker == m and payload.startswith(p) for m, p in _KEEP_SEGMENTS):
        return False
    return marker == _COM or _APP0 <= marker <= 0xEF


def _jpeg_metadata(data: bytes, profile: Profile) -> list[Region]:
    """The payloads of a JPEG's metadata segments (before its first scan) to be zeroed."""
    if data[:2] != b"\xff\xd8":
        return []
    found: list[Region] = []
    pos = 2
    for _ in range(MAX_SEGMENTS):
        while data[pos + 1 : pos + 2] == b"\xff":
            pos += 1
        if pos + 4 > len(data) or data[pos] != 0xFF or data[pos + 1] in (_SOS, _EOI):
            break
        marker = data[pos + 1]
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
            continue
        length = struct.unpack_from(">H", data, pos + 2)[0]
        if length < 2 or pos + 2 + length > len(data):
            break
        if _segment_goes(marker, data[pos + 4 : pos + 2 + length], profile):
            found.append((pos + 4, pos + 2 + length))
        pos += 2 + length
    return found


def plan(src: Source, profile: Profile) -> PatchPlan:
    """The changes that remove ``profile``'s metadata from the TIFF file ``src``. Raises
    ``Refuse`` when the file cannot be cleaned in place; an empty plan means nothing to remove."""
    try:
        return _Cleaner(src, profile).run()
    except struct.error:
        raise Refuse("an image directory is malformed") from None
