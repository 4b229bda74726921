"""JPEG: walk the marker segments from SOI to SOS, reading each one by its length.

Collected: APP1 Exif (TIFF), APP1 XMP, APP1 extended XMP (reassembled by GUID), APP13 Photoshop
IRB (IPTC-IIM, and the EXIF/XMP copies Photoshop may keep there). Every other segment, however
large (ICC profiles, MPF previews), is skipped with a seek, so XMP written after big APP2 blocks
is still found, and the entropy-coded image data after SOS is never read.
"""

from __future__ import annotations

import struct
from typing import BinaryIO

from courseline.digital.photos.containers import (
    MAX_PAYLOAD,
    ContainerError,
    Payloads,
    Span,
    Window,
)
from courseline.digital.photos.containers.iptc import read_irb
from courseline.digital.photos.model import ErrorKind, SourceKind

MAX_SEGMENTS = 4096
MAX_FILL = 64
MAX_EXTENDED = 8

_APP1, _APP13, _SOS, _EOI = 0xE1, 0xED, 0xDA, 0xD9
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})
_EXIF = b"Exif\0"
_XMP = b"http://ns.adobe.com/xap/1.0/\0"
_XMP_EXTENDED = b"http://ns.adobe.com/xmp/extension/\0"
_PHOTOSHOP = b"Photoshop 3.0\0"

_Source = Window | Span


class _Extended:
    """Extended XMP chunks, keyed by the GUID in the main packet's xmpNote:HasExtendedXMP."""

    def __init__(self) -> None:
        self.parts: dict[bytes, dict[int, bytes]] = {}
        self.held = 0

    def add(self, payload: bytes) -> None:
        body = payload[len(_XMP_EXTENDED) :]
        if len(body) < 40:
            return
        guid = body[:32]
        total, offset = struct.unpack_from(">II", body, 32)
        chunk = body[40:]
        if offset + len(chunk) > total or self.held + len(chunk) > MAX_PAYLOAD:
            return
        if guid not in self.parts and len(self.parts) >= MAX_EXTENDED:
            return
        self.parts.setdefault(guid, {})[offset] = chunk
        self.held += len(chunk)

    def packets(self) -> list[bytes]:
        return [b"".join(c[k] for k in sorted(c)) for c in self.parts.values()]


def _take(marker: int, payload: bytes, out: Payloads, extended: _Extended, irb: bytearray) -> None:
    if marker == _APP1:
        if payload.startswith(_EXIF):
            out.exif.append((payload[6:], SourceKind.EXIF_GPS))
        elif payload.startswith(_XMP):
            out.xmp.append((payload[len(_XMP) :], SourceKind.XMP))
        elif payload.startswith(_XMP_EXTENDED):
            extended.add(payload)
    elif payload.startswith(_PHOTOSHOP) and len(irb) < MAX_PAYLOAD:
        irb += payload[len(_PHOTOSHOP) :]


def _finish(out: Payloads, extended: _Extended, irb: bytearray) -> None:
    for packet in extended.packets():
        out.xmp.append((packet, SourceKind.XMP))
    if irb:
        resources = read_irb(bytes(irb))
        if resources.iptc:
            out.iptc.append((resources.iptc, SourceKind.IPTC_PLACE))
        if resources.exif:
            out.exif.append((resources.exif, SourceKind.EXIF_GPS))
        if resources.xmp:
            out.xmp.append((resources.xmp, SourceKind.XMP))


def _marker(src: _Source, pos: int) -> tuple[int, int]:
    """The marker at ``pos`` (after any fill bytes) and the position just after it."""
    head = src.need(pos, 2, "a JPEG marker")
    if head[0] != 0xFF:
        raise ContainerError(ErrorKind.MALFORMED, f"no JPEG marker at byte {pos}")
    for _ in range(MAX_FILL):
        if head[1] != 0xFF:
            return head[1], pos + 2
        pos += 1
        head = src.need(pos, 2, "a JPEG marker")
    raise ContainerError(ErrorKind.MALFORMED, "too many JPEG fill bytes")


def _walk(src: _Source, out: Payloads, extended: _Extended, irb: bytearray) -> None:
    """Segment by segment from SOI to SOS. ``buf[j]`` is the byte at file offset ``pos``: the
    headers are read by indexing the cached block, and only a short or unusual header (fill
    bytes, a block boundary, the end of the file) takes the slower checked path."""
    pos = 2
    buf, j = src.view(pos, 4)
    for _ in range(MAX_SEGMENTS):
        if len(buf) - j < 4:
            buf, j = src.view(pos, 4)
        if len(buf) - j >= 4 and buf[j] == 0xFF and buf[j + 1] != 0xFF:
            marker = buf[j + 1]
            length = (buf[j + 2] << 8) | buf[j + 3]
            pos, j = pos + 2, j + 2
        else:
            marker, pos = _marker(src, pos)
            length = -1
            buf, j = b"", 0
        if marker in (_SOS, _EOI):
            return
        if marker in _STANDALONE:
            continue
        if length < 0:
            size_field = src.need(pos, 2, "a segment length")
            length = (size_field[0] << 8) | size_field[1]
        if length < 2:
            raise ContainerError(ErrorKind.MALFORMED, f"bad segment length at byte {pos}")
        if pos + length > src.size:
            raise ContainerError(ErrorKind.TRUNCATED, "file ends inside a JPEG segment")
        if marker in (_APP1, _APP13):
            _take(marker, src.read(pos + 2, length - 2), out, extended, irb)
        pos, j = pos + length, j + length
    raise ContainerError(ErrorKind.MALFORMED, "too many JPEG segments before the image data")


def _read(window: _Source, out: Payloads) -> None:
    if window.read(0, 2) != b"\xff\xd8":
        raise ContainerError(ErrorKind.NOT_AN_IMAGE, "no JPEG start-of-image marker")
    extended = _Extended()
    irb = bytearray()
    try:
        _walk(window, out, extended, irb)
    finally:
        _finish(out, extended, irb)


def read(f: BinaryIO, size: int, out: Payloads) -> None:
    """Collect the metadata segments of a JPEG into ``out`` (partial results kept on error)."""
    _read(Window(f, size), out)


def read_bytes(data: bytes, out: Payloads) -> None:
    """``read`` for a JPEG already in memory, such as an EXIF thumbnail."""
    _read(Span(data), out)
