"""XMP packets: GPS coordinates, place names, capture time and camera identity.

No XML parser is used. A bounded scanner looks for the few properties we need, in attribute form
(``exif:GPSLatitude="51,30.123N"``) or element form (``<exif:GPSLatitude>…</exif:GPSLatitude>``,
including ``rdf:Alt``/``rdf:li`` values), resolving namespace prefixes from the packet's
``xmlns:`` declarations. DTDs and entities other than the five XML ones and character
references are never expanded, so entity bombs and external entities are inert. Only the first
``MAX_TEXT`` characters are scanned, at most ``MAX_HITS`` properties are looked at, and an element
value is looked for within ``MAX_VALUE`` characters of its start tag.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

from courseline.digital.photos.containers.tiff import parse_datetime

MAX_TEXT = 4 * 1024 * 1024
MAX_HITS = 2000
MAX_VALUE = 64 * 1024

_NAMESPACES = {
    "http://ns.adobe.com/exif/1.0/": "exif",
    "http://cipa.jp/exif/1.0/": "exifEX",
    "http://ns.adobe.com/exif/1.0/aux/": "aux",
    "http://ns.adobe.com/photoshop/1.0/": "photoshop",
    "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/": "Iptc4xmpCore",
    "http://iptc.org/std/Iptc4xmpExt/2008-02-29/": "Iptc4xmpExt",
    "http://ns.adobe.com/xap/1.0/": "xmp",
    "http://ns.adobe.com/tiff/1.0/": "tiff",
}

# (canonical prefix, local name) -> role
_FIELDS: dict[tuple[str, str], str] = {
    ("exif", "GPSLatitude"): "lat",
    ("exif", "GPSLongitude"): "lon",
    ("Iptc4xmpExt", "GPSLatitude"): "lat",
    ("Iptc4xmpExt", "GPSLongitude"): "lon",
    ("exif", "DateTimeOriginal"): "date0",
    ("photoshop", "DateCreated"): "date1",
    ("xmp", "CreateDate"): "date2",
    ("photoshop", "City"): "place",
    ("photoshop", "State"): "place",
    ("photoshop", "Country"): "place",
    ("Iptc4xmpCore", "Location"): "place",
    ("Iptc4xmpCore", "CountryCode"): "place",
    ("Iptc4xmpExt", "Sublocation"): "place",
    ("Iptc4xmpExt", "City"): "place",
    ("Iptc4xmpExt", "ProvinceState"): "place",
    ("Iptc4xmpExt", "CountryName"): "place",
    ("Iptc4xmpExt", "CountryCode"): "place",
    ("Iptc4xmpExt", "LocationName"): "place",
    ("Iptc4xmpExt", "WorldRegion"): "place",
    ("tiff", "Make"): "make",
    ("tiff", "Model"): "model",
    ("exifEX", "BodySerialNumber"): "serial",
    ("aux", "SerialNumber"): "serial",
    ("exifEX", "CameraOwnerName"): "owner",
    ("aux", "OwnerName"): "owner",
}
_LOCAL_NAMES = sorted({local for _, local in _FIELDS}, key=len, reverse=True)
_PROPERTY = re.compile(r":(" + "|".join(_LOCAL_NAMES) + r")(?=[\s=>/])")
_PREFIX = re.compile(r"(?<![\w.-])[A-Za-z_][\w.-]{0,63}$")
_XMLNS = re.compile(r"xmlns:([A-Za-z_][\w.-]{0,63})\s*=\s*([\"'])([^\"'<>]{0,512})\2")
_ASSIGN = re.compile(r"\s{0,16}=\s{0,16}[\"']")
_TAG = re.compile(r"<[^>]{0,4096}>")
_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_COORD = re.compile(
    r"\s*([+-]?\d{1,3}(?:\.\d+)?)(?:\s*,\s*(\d{1,2}(?:\.\d+)?))?(?:\s*,\s*(\d{1,2}(?:\.\d+)?))?"
    r"\s*([NSEWnsew])?\s*$"
)


@dataclass(slots=True)
class XmpInfo:
    coordinates: list[tuple[float, float]] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    taken_at: dt.datetime | None = None
    make: str | None = None
    model: str | None = None
    serial: str | None = None
    owner: str | None = None


def _entity(m: re.Match[str]) -> str:
    name = m.group(1)
    if name in _ENTITIES:
        return _ENTITIES[name]
    code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
    return chr(code) if 0 < code <= 0x10FFFF else ""


def _clean(value: str) -> str:
    return " ".join(_ENTITY.sub(_entity, _TAG.sub(" ", value)).split())


def parse_coordinate(value: str, positive: str, negative: str, limit: float) -> float | None:
    """XMP GPS text: "DDD,MM,SSk", "DDD,MM.mmk" or decimal degrees (optionally with k)."""
    m = _COORD.match(value)
    if m is None:
        return None
    deg, minutes, seconds, ref = m.groups()
    if ref and ref.upper() not in (positive, negative):
        return None
    magnitude = abs(float(deg)) + float(minutes or 0) / 60 + float(seconds or 0) / 3600
    sign = -1.0 if deg.startswith("-") or (ref and ref.upper() == negative) else 1.0
    result = sign * magnitude
    if not math.isfinite(result) or abs(result) > limit:
        return None
    return round(result, 8)


def _decode(data: bytes) -> str:
    head = data[:MAX_TEXT]
    if head[:2] in (b"\xfe\xff", b"\xff\xfe"):
        return head.decode("utf-16", "replace")
    return head.decode("utf-8", "replace")


def _element(text: str, name_end: int, qualified: str) -> str | None:
    gt = text.find(">", name_end, name_end + 4096)
    if gt < 0 or text[gt - 1] == "/":
        return None
    close = text.find("</" + qualified, gt, gt + MAX_VALUE)
    return _clean(text[gt + 1 : close]) if close >= 0 else None


def _attribute(text: str, name_end: int) -> str | None:
    m = _ASSIGN.match(text, name_end)
    if m is None:
        return None
    quote_at = m.end() - 1
    end = text.find(text[quote_at], quote_at + 1, quote_at + 1 + MAX_VALUE)
    return _clean(text[quote_at + 1 : end]) if end >= 0 else None


def _properties(text: str) -> list[tuple[str, str]]:
    """(role, value) for every property we know, in document order."""
    prefixes = {m.group(1): _NAMESPACES.get(m.group(3)) for m in _XMLNS.finditer(text)}
    found: list[tuple[str, str]] = []
    for hits, m in enumerate(_PROPERTY.finditer(text)):
        if hits >= MAX_HITS:
            break
        colon = m.start()
        named = _PREFIX.search(text, max(0, colon - 64), colon)
        if named is None:
            continue
        prefix = named.group(0)
        role = _FIELDS.get((prefixes.get(prefix, prefix) or "", m.group(1)))
        before = text[named.start() - 1] if named.start() else ""
        if role is None:
            continue
        if before == "<":
            value = _element(text, m.end(), prefix + m.group(0))
        elif before.isspace():
            value = _attribute(text, m.end())
        else:
            continue  # a closing tag, or part of a longer name
        if value:
            found.append((role, value))
    return found


def _coordinates(props: list[tuple[str, str]]) -> list[tuple[float, float]]:
    """Latitudes and longitudes paired in document order; invalid and (0, 0) pairs dropped."""
    lats = [v for role, v in props if role == "lat"]
    lons = [v for role, v in props if role == "lon"]
    found: list[tuple[float, float]] = []
    for lat_text, lon_text in zip(lats, lons, strict=False):
        lat = parse_coordinate(lat_text, "N", "S", 90.0)
        lon = parse_coordinate(lon_text, "E", "W", 180.0)
        if lat is None or lon is None or (lat, lon) == (0.0, 0.0) or (lat, lon) in found:
            continue
        found.append((lat, lon))
    return found


def _fill(info: XmpInfo, props: list[tuple[str, str]]) -> None:
    info.coordinates = _coordinates(props)
    dates: dict[str, str] = {}
    for role, value in props:
        if role == "place" and value[:256] not in info.places:
            info.places.append(value[:256])
        elif role.startswith("date"):
            dates.setdefault(role, value)
        elif role in ("make", "model", "serial", "owner") and getattr(info, role) is None:
            setattr(info, role, value[:256])
    for role in sorted(dates):
        info.taken_at = _parse_date(dates[role])
        if info.taken_at is not None:
            break


def _parse_date(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return parse_datetime(value)


def parse(data: bytes) -> XmpInfo:
    """Everything location-related one XMP packet says. Never raises on bad input."""
    info = XmpInfo()
    _fill(info, _properties(_decode(data)))
    return info
