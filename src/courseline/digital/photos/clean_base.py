"""What every cleaner shares: the labels of what was removed, the refusal that explains why a
file cannot be cleaned, and the patch plan used by the cleaners that work on a copy in place.

Two kinds of cleaner exist. JPEG, PNG and WebP are rebuilt in memory, segment by segment
(``clean.py``). TIFF/DNG, HEIF/AVIF and MP4/MOV/3GP are *patched*: the cleaner reads only the
structure it needs from the original (with seeks) and returns a ``PatchPlan``, a list of byte
ranges to overwrite with bytes of the same length, or to zero. The file is then copied and the
patches applied to the copy, so no offset anywhere in the file moves and media data is copied
byte for byte; a plan is refused if a patch would touch a region that must stay identical
(image strips and tiles, item extents, media samples). Item extents are named in the plan
(``protect``); strips and media samples, which can number millions, are checked by their
planner against the finished list of changes instead of being held as regions.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from enum import StrEnum
from typing import BinaryIO

EXIF_GPS = "EXIF GPS"
EXIF_WHOLE = "EXIF (whole block, including capture time and camera)"
EXIF_THUMBNAIL = "EXIF thumbnail"
XMP = "XMP"
IPTC_PLACES = "IPTC place names"
PHOTOSHOP = "IPTC/Photoshop resources"
TRAILER = "data after the end of the image"

Region = tuple[int, int]
"""A byte range ``[start, end)`` of a file."""

SHARED_WITH_MEDIA = (
    "metadata shares bytes with the image or media data, so it cannot be removed without "
    "changing them"
)

MAX_PATCH_BYTES = 64 * 1024 * 1024
"""Most bytes a plan may hold in memory as replacement data (zeroed ranges are not held)."""


class Refuse(Exception):
    """The file cannot be cleaned losslessly; ``message`` says why, in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unfixable(Exception):
    """An EXIF stream too odd to rewrite in place; the whole block is dropped instead."""


class Removed:
    """What was removed, in order of first mention, without repeats."""

    def __init__(self) -> None:
        self.items: dict[str, None] = {}

    def add(self, *labels: str) -> None:
        for label in labels:
            self.items.setdefault(label, None)

    def result(self) -> tuple[str, ...]:
        return tuple(self.items)


def merged(regions: list[Region]) -> list[Region]:
    """``regions`` sorted, with overlapping or touching ranges joined; empty ranges dropped."""
    out: list[Region] = []
    for start, end in sorted(r for r in regions if r[1] > r[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def overlaps(region: Region, sorted_regions: list[Region]) -> bool:
    """Whether ``region`` shares a byte with any of ``sorted_regions`` (from ``merged``)."""
    start, end = region
    if end <= start:
        return False
    at = bisect.bisect_right(sorted_regions, (start, float("inf")))
    if at and sorted_regions[at - 1][1] > start:
        return True
    return at < len(sorted_regions) and sorted_regions[at][0] < end


@dataclass(slots=True)
class PatchPlan:
    """Changes to make to a copy of a file of ``size`` bytes, all length-preserving."""

    size: int
    writes: dict[int, bytes] = field(default_factory=dict)
    zeros: list[Region] = field(default_factory=list)
    protected: list[Region] = field(default_factory=list)
    removed: Removed = field(default_factory=Removed)
    held: int = 0

    def write(self, offset: int, data: bytes) -> None:
        """Overwrite ``len(data)`` bytes at ``offset`` (a later write to the same offset wins)."""
        if offset < 0 or offset + len(data) > self.size:
            raise Refuse("a metadata block points outside the file")
        self.held += len(data)
        if self.held > MAX_PATCH_BYTES:
            raise Refuse("too much metadata to rewrite in place")
        self.writes[offset] = data

    def zero(self, start: int, end: int) -> None:
        if start < 0 or end > self.size or end < start:
            raise Refuse("a metadata block points outside the file")
        self.zeros.append((start, end))

    def protect(self, start: int, end: int) -> None:
        self.protected.append((start, min(end, self.size)))

    def changed(self) -> list[Region]:
        return merged([*self.zeros, *((o, o + len(d)) for o, d in self.writes.items())])

    def check(self) -> None:
        """Refuse when a change would touch a protected region, or two writes overlap."""
        keep = merged(self.protected)
        if any(overlaps(region, keep) for region in self.changed()):
            raise Refuse(SHARED_WITH_MEDIA)
        ends = 0
        for offset in sorted(self.writes):
            if offset < ends:
                raise Refuse("overlapping metadata blocks cannot be rewritten in place")
            ends = offset + len(self.writes[offset])

    @property
    def empty(self) -> bool:
        return not self.writes and not any(end > start for start, end in self.zeros)


_COPY_CHUNK = 1024 * 1024


def apply(plan: PatchPlan, src: BinaryIO, out: BinaryIO) -> None:
    """Copy ``src`` (from byte 0) to ``out`` and apply ``plan``; refuse if ``src`` did not hold
    exactly ``plan.size`` bytes. ``src`` may be any seekable stream (a file or bytes in memory),
    so a caller reading a real file checks that the file itself did not grow meanwhile."""
    src.seek(0)
    copied = 0
    while True:
        chunk = src.read(_COPY_CHUNK)
        if not chunk:
            break
        out.write(chunk)
        copied += len(chunk)
        if copied > plan.size:
            break
    if copied != plan.size:
        raise Refuse("the file changed while it was being cleaned")
    block = bytes(_COPY_CHUNK)
    for start, end in merged(plan.zeros):
        out.seek(start)
        while start < end:
            step = min(end - start, _COPY_CHUNK)
            out.write(block[:step])
            start += step
    for offset in sorted(plan.writes):
        out.seek(offset)
        out.write(plan.writes[offset])
    out.flush()


class Source:
    """Exact reads at absolute offsets of an open file, refusing (not raising) on short data."""

    def __init__(self, f: BinaryIO, size: int) -> None:
        self.f = f
        self.size = size

    def read(self, offset: int, n: int, what: str = "a metadata block") -> bytes:
        if n < 0 or offset < 0 or offset + n > self.size:
            raise Refuse(f"the file ends inside {what}")
        self.f.seek(offset)
        data = self.f.read(n)
        while len(data) < n:
            more = self.f.read(n - len(data))
            if not more:
                raise Refuse(f"the file ends inside {what}")
            data += more
        return data


class Profile(StrEnum):
    LOCATION = "location"
    ALL = "all"
