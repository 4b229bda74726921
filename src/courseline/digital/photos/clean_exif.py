"""EXIF (a TIFF stream inside JPEG APP1, PNG eXIf, WebP EXIF or a HEIF Exif item) rewritten in
place: the GPS IFD, embedded XMP/IPTC and a thumbnail carrying its own metadata are removed by
rewriting IFD0 over itself and zeroing the removed data, so the stream keeps its length and
every other offset in it stays valid.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from courseline.digital.photos.clean_base import (
    EXIF_GPS,
    EXIF_THUMBNAIL,
    IPTC_PLACES,
    PHOTOSHOP,
    XMP,
    Removed,
    Unfixable,
    merged,
    overlaps,
)
from courseline.digital.photos.containers import ContainerError, Payloads, jpeg

__all__ = ["EMPTY_TIFF", "jpeg_has_metadata", "strip_exif_location"]

EMPTY_TIFF = {"<": b"II*\0\x08\0\0\0" + bytes(6), ">": b"MM\0*\0\0\0\x08" + bytes(6)}
"""A valid TIFF stream with an empty IFD0, in each byte order (written over a removed block)."""


def jpeg_has_metadata(data: bytes) -> bool:
    """Whether a (thumbnail) JPEG carries EXIF, XMP or IPTC, or cannot be read at all."""
    found = Payloads("jpeg")
    try:
        jpeg.read_bytes(data, found)
    except ContainerError:
        return True
    return bool(found.exif or found.xmp or found.iptc)


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
            raise Unfixable
        self.buf = bytearray(stream)
        self.order = "<" if stream[:2] == b"II" else ">"
        if self.u16(2) != 42:
            raise Unfixable

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
        if thumbnail[:2] != b"\xff\xd8" or not jpeg_has_metadata(thumbnail):
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


def strip_exif_location(stream: bytes) -> tuple[bytes, tuple[str, ...]]:
    """The TIFF stream without its GPS IFD (and embedded XMP/IPTC, and a thumbnail carrying its
    own metadata), same length and layout so every other offset stays valid. The removed data
    is zeroed, not just unreferenced. Raises ``Unfixable`` when that cannot be done safely."""
    tiff = _Tiff(stream)
    ifd0 = tiff.ifd(tiff.u32(4))
    if ifd0 is None or not ifd0.complete or len(ifd0.entries) != ifd0.count:
        raise Unfixable
    removed = Removed()
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
    protected = merged([(0, 8), (ifd0.offset, ifd0.end)])
    if any(overlaps(region, protected) for region in wipes):
        raise Unfixable
    tiff.rewrite_ifd(ifd0, keep, following)
    for region in wipes:
        tiff.wipe(region)
    return bytes(tiff.buf), removed.result()
