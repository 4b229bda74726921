"""Typed results of reading a photo or video file. Parsers fill these; nothing else is returned.

A reader never raises: every file yields a ``PhotoScan``, with ``error`` set when the file
could not be read (truncated, not an image, unsupported, too large to inspect safely).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class SourceKind(StrEnum):
    """Where in the file a location (or place name) was found."""

    EXIF_GPS = "exif-gps"
    XMP = "xmp"
    IPTC_PLACE = "iptc-place"
    XMP_PLACE = "xmp-place"
    THUMBNAIL_EXIF = "thumbnail-exif"
    QUICKTIME_XYZ = "quicktime-xyz"
    QUICKTIME_KEYS = "quicktime-keys"
    PNG_TEXT = "png-text"
    TIMED_GPS = "timed-gps"


class ErrorKind(StrEnum):
    TRUNCATED = "truncated"
    NOT_AN_IMAGE = "not-an-image"
    UNSUPPORTED = "unsupported"
    MALFORMED = "malformed"
    TOO_LARGE = "too-large"
    UNREADABLE = "unreadable"


@dataclass(frozen=True, slots=True)
class LocationSource:
    """One place in the file that reveals a location: coordinates, or a place name as text."""

    kind: SourceKind
    lat: float | None = None
    lon: float | None = None
    text: str | None = None

    @property
    def has_coordinates(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True, slots=True)
class Device:
    make: str | None = None
    model: str | None = None
    serial: str | None = None
    owner: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.make or self.model or self.serial or self.owner)


@dataclass(frozen=True, slots=True)
class ScanError:
    kind: ErrorKind
    message: str


@dataclass(frozen=True, slots=True)
class PhotoScan:
    """Everything found in one file (``format`` is e.g. jpeg, tiff, png, webp, heif, mp4, mov)."""

    path: str
    format: str | None
    sources: tuple[LocationSource, ...] = ()
    taken_at: dt.datetime | None = None
    """Capture time; timezone-aware when the file records its offset, naive otherwise."""
    device: Device = field(default_factory=Device)
    error: ScanError | None = None

    @property
    def location(self) -> tuple[float, float] | None:
        """The first coordinates found (EXIF GPS first), or None."""
        for source in self.sources:
            if source.lat is not None and source.lon is not None:
                return (source.lat, source.lon)
        return None

    @property
    def reveals_location(self) -> bool:
        return bool(self.sources)
