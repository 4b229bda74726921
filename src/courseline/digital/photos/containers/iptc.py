"""IPTC-IIM place names, and the Photoshop image-resource blocks (IRB) that carry them in JPEG
APP13 and TIFF tag 0x8649.

Place datasets (record 2): 92 sub-location, 90 city, 95 province/state, 101 country name,
100 country code. They are names, not coordinates, but they still say where a photo was taken.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

_IRB_SIGNATURES = (b"8BIM", b"MeSa", b"PHUT", b"AgHg", b"DCSR")
IRB_IPTC, IRB_EXIF, IRB_XMP = 0x0404, 0x0422, 0x0424
MAX_BLOCKS = 4096
_PLACE_ORDER = (92, 90, 95, 101, 100)
_UTF8_MARK = b"\x1b%G"


@dataclass(slots=True)
class Resources:
    """The resources of one IRB stream that can reveal a location."""

    iptc: bytes | None = None
    exif: bytes | None = None
    xmp: bytes | None = None


def read_irb(data: bytes) -> Resources:
    """Walk Photoshop image-resource blocks: signature, id, padded Pascal name, size, data."""
    found = Resources()
    pos, end = 0, len(data)
    for _ in range(MAX_BLOCKS):
        if pos + 12 > end or data[pos : pos + 4] not in _IRB_SIGNATURES:
            break
        ident = struct.unpack_from(">H", data, pos + 4)[0]
        name_len = data[pos + 6]
        pos += 6 + (name_len + 2) // 2 * 2  # the Pascal name, length byte included, padded even
        if pos + 4 > end:
            break
        size = struct.unpack_from(">I", data, pos)[0]
        pos += 4
        if pos + size > end:
            break
        block = data[pos : pos + size]
        if ident == IRB_IPTC and found.iptc is None:
            found.iptc = block
        elif ident == IRB_EXIF and found.exif is None:
            found.exif = block
        elif ident == IRB_XMP and found.xmp is None:
            found.xmp = block
        pos += size + (size & 1)
    return found


def _datasets(data: bytes) -> dict[tuple[int, int], list[bytes]]:
    """IIM datasets: tag marker 0x1C, record, dataset, length (extended lengths supported)."""
    out: dict[tuple[int, int], list[bytes]] = {}
    pos, end = 0, len(data)
    for _ in range(MAX_BLOCKS * 4):
        if pos + 5 > end or data[pos] != 0x1C:
            break
        record, dataset, length = (
            data[pos + 1],
            data[pos + 2],
            struct.unpack_from(">H", data, pos + 3)[0],
        )
        pos += 5
        if length & 0x8000:  # extended: the low bits give how many bytes hold the length
            width = length & 0x7FFF
            if not 1 <= width <= 4 or pos + width > end:
                break
            length = int.from_bytes(data[pos : pos + width], "big")
            pos += width
        if pos + length > end:
            break
        out.setdefault((record, dataset), []).append(data[pos : pos + length])
        pos += length
    return out


def _decode(raw: bytes, utf8: bool) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8" if utf8 else "latin-1", "replace")


def place_text(data: bytes) -> str | None:
    """The place names in an IPTC-IIM stream, most specific first, joined by ", "."""
    sets = _datasets(data)
    utf8 = _UTF8_MARK in b"".join(sets.get((1, 90), []))
    names: list[str] = []
    for dataset in _PLACE_ORDER:
        for raw in sets.get((2, dataset), []):
            text = " ".join(_decode(raw.split(b"\0", 1)[0], utf8).split())
            if text and text not in names:
                names.append(text)
    return ", ".join(names) or None
