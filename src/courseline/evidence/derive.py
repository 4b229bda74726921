"""What Courseline reads from, and makes from, an evidence original at intake.

``inspect_original`` looks at the plain bytes of a just-received original (in a private
temporary file; the original itself is never changed) and returns:

* the capture time the file records (photos and videos), to show beside the claimed time;
* whether the file reveals a location;
* derived copies, each with a sentence saying exactly how it was made: a small viewing
  thumbnail for photos, and a copy with location metadata removed (the lossless photo clean)
  for any photo or video that reveals a location. A copy that cannot be made is reported
  with the reason; the original is kept whatever happens.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from courseline import __version__
from courseline.digital.photos.clean import Profile, clean_file
from courseline.digital.photos.scan import scan_file

THUMBNAIL_BOX = (480, 480)
MAX_THUMBNAIL_PIXELS = 25_000_000
"""Images larger than this (a decompression bomb, or a huge scan) get no thumbnail."""
_THUMBNAIL_FORMATS = frozenset({"jpeg", "png", "webp"})


class LocationStatus(StrEnum):
    NONE_FOUND = "none_found"
    STRIPPED_COPY = "stripped_copy"
    CANNOT_STRIP = "cannot_strip"
    NOT_CHECKED = "not_checked"


@dataclass(frozen=True, slots=True)
class Derivation:
    kind: str
    """'thumbnail' or 'location_stripped'."""
    path: Path
    content_type: str
    method: str


@dataclass
class Inspection:
    format: str | None = None
    capture_time: dt.datetime | None = None
    capture_note: str = ""
    location_status: LocationStatus = LocationStatus.NOT_CHECKED
    location_note: str = ""
    derived: list[Derivation] = field(default_factory=list)


def _thumbnail(original: Path, target: Path) -> Derivation | None:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(original) as image:
            if image.width * image.height > MAX_THUMBNAIL_PIXELS:
                return None
            image.draft("RGB", (THUMBNAIL_BOX[0] * 2, THUMBNAIL_BOX[1] * 2))
            shown = ImageOps.exif_transpose(image).convert("RGB")
            shown.thumbnail(THUMBNAIL_BOX)
            shown.save(target, format="PNG", optimize=False)
    except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError):
        return None
    import PIL

    method = (
        f"Viewing thumbnail made by Courseline {__version__} with Pillow {PIL.__version__}: "
        f"the picture decoded, turned upright, scaled to fit {THUMBNAIL_BOX[0]}x"
        f"{THUMBNAIL_BOX[1]} pixels and saved as PNG with no metadata. For viewing only; "
        "the original is unchanged."
    )
    return Derivation("thumbnail", target, "image/png", method)


def not_inspected() -> Inspection:
    """For a file that is no photo or video format Courseline reads: nothing derived."""
    return Inspection(location_note="not a photo or video format Courseline reads")


def inspect_original(original: Path, workdir: Path, *, suffix: str = "") -> Inspection:
    """Inspect ``original`` (plain bytes) and write any derived copies into ``workdir``."""
    result = Inspection()
    scan = scan_file(original, display_path="original")
    result.format = scan.format
    if scan.format is None:
        result.location_note = "not a photo or video format Courseline reads"
        return result
    if scan.taken_at is not None:
        result.capture_time = scan.taken_at
        result.capture_note = (
            "capture time recorded in the file"
            if scan.taken_at.tzinfo is not None
            else "capture time recorded in the file, without a time zone (read as UTC)"
        )
        if scan.taken_at.tzinfo is None:
            result.capture_time = scan.taken_at.replace(tzinfo=dt.UTC)
    if scan.error is not None:
        result.location_note = f"the file could not be fully read ({scan.error.message})"
    if scan.format in _THUMBNAIL_FORMATS:
        thumb = _thumbnail(original, workdir / "thumbnail.png")
        if thumb is not None:
            result.derived.append(thumb)
    if not scan.reveals_location:
        if scan.error is None:
            result.location_status = LocationStatus.NONE_FOUND
            result.location_note = "no location metadata found"
        return result
    target = workdir / f"location-stripped{suffix}"
    cleaned = clean_file(original, target, profile=Profile.LOCATION)
    if cleaned.refused:
        result.location_status = LocationStatus.CANNOT_STRIP
        result.location_note = cleaned.refused
        return result
    removed = ", ".join(cleaned.removed)
    method = (
        f"Copy made by Courseline {__version__} (photo clean, profile 'location'): removed "
        f"{removed}. Picture and sound data copied byte for byte; the copy was re-read to "
        "check no location remains. The original is unchanged."
    )
    result.derived.append(
        Derivation("location_stripped", target, "application/octet-stream", method)
    )
    result.location_status = LocationStatus.STRIPPED_COPY
    result.location_note = f"location removed in the derived copy ({removed})"
    return result
