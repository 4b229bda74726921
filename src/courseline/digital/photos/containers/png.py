"""PNG: walk the chunks to IEND, seeking over image data.

Collected: ``eXIf`` (TIFF), XMP in ``iTXt``/``tEXt``/``zTXt`` with keyword ``XML:com.adobe.xmp``,
and ImageMagick's hex-encoded ``Raw profile type exif|xmp|iptc|8bim`` text chunks (reported as
``png-text``). Only a text chunk's keyword is read before deciding to read the rest; compressed
text is inflated with a hard output limit.
"""

from __future__ import annotations

import struct
import zlib
from typing import BinaryIO

from courseline.digital.photos.containers import MAX_PAYLOAD, ContainerError, Payloads, Window
from courseline.digital.photos.containers.iptc import read_irb
from courseline.digital.photos.model import ErrorKind, SourceKind

SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_CHUNKS = 100_000
# The text chunks, and the keywords of those holding metadata (the cleaner drops these).
TEXT_CHUNKS = frozenset({b"tEXt", b"zTXt", b"iTXt"})
XMP_KEY = b"XML:com.adobe.xmp"
RAW_PREFIX = b"Raw profile type "
_KEYS_PEEK = 80  # a PNG keyword is 1-79 bytes plus its NUL


def inflate(data: bytes) -> bytes:
    """zlib-decompress at most ``MAX_PAYLOAD`` bytes; more is refused as TOO_LARGE."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, MAX_PAYLOAD + 1)
    except zlib.error as exc:
        raise ContainerError(ErrorKind.MALFORMED, f"bad compressed text: {exc}") from None
    if len(out) > MAX_PAYLOAD:
        raise ContainerError(ErrorKind.TOO_LARGE, "compressed text expands past 16 MiB")
    return out


def _text(kind: bytes, data: bytes) -> tuple[bytes, bytes] | None:
    """(keyword, text bytes) of a tEXt/zTXt/iTXt chunk, or None if it is malformed."""
    keyword, sep, rest = data.partition(b"\0")
    if not sep:
        return None
    if kind == b"tEXt":
        return keyword, rest
    if kind == b"zTXt":
        return (keyword, inflate(rest[1:])) if rest[:1] == b"\0" else None
    if len(rest) < 2:
        return None
    compressed = rest[0]
    _language, _, rest = rest[2:].partition(b"\0")
    _translated, _, text = rest.partition(b"\0")
    return keyword, inflate(text) if compressed else text


def raw_profile(text: bytes) -> bytes | None:
    """Decode ImageMagick's "\\nname\\n   length\\nhex…" text into bytes."""
    parts = text.split(None, 2)
    if len(parts) < 3 or not parts[1].isdigit():
        return None
    try:
        data = bytes.fromhex(parts[2].decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        return None
    return data[: int(parts[1])]


def _raw(kind: str, data: bytes, out: Payloads) -> None:
    if kind == "exif":
        tiff = data[6:] if data.startswith(b"Exif\0") else data
        out.exif.append((tiff, SourceKind.PNG_TEXT))
    elif kind == "xmp":
        out.xmp.append((data, SourceKind.PNG_TEXT))
    elif kind in ("iptc", "8bim"):
        irb = data[14:] if data.startswith(b"Photoshop 3.0\0") else data
        iim = read_irb(irb).iptc if irb[:4] == b"8BIM" else irb
        if iim:
            out.iptc.append((iim, SourceKind.PNG_TEXT))


def _interesting(keyword: bytes) -> bool:
    return keyword == XMP_KEY or keyword.startswith(RAW_PREFIX)


def _chunk(window: Window, kind: bytes, start: int, length: int, out: Payloads) -> None:
    if kind == b"eXIf":
        if length > MAX_PAYLOAD:
            raise ContainerError(ErrorKind.TOO_LARGE, "eXIf chunk larger than 16 MiB")
        data = window.read(start, length)
        out.exif.append((data[6:] if data.startswith(b"Exif\0") else data, SourceKind.EXIF_GPS))
        return
    if kind not in TEXT_CHUNKS or not _interesting(window.read(start, _KEYS_PEEK).split(b"\0")[0]):
        return
    if length > MAX_PAYLOAD:
        raise ContainerError(ErrorKind.TOO_LARGE, "metadata text chunk larger than 16 MiB")
    parsed = _text(kind, window.read(start, length))
    if parsed is None:
        return
    keyword, text = parsed
    if keyword == XMP_KEY:
        out.xmp.append((text, SourceKind.XMP))
        return
    profile = raw_profile(text)
    if profile:
        _raw(keyword[len(RAW_PREFIX) :].decode("latin-1").strip().lower(), profile, out)


def read(f: BinaryIO, size: int, out: Payloads) -> None:
    """Collect the metadata chunks of a PNG into ``out`` (partial results kept on error)."""
    window = Window(f, size)
    if window.read(0, 8) != SIGNATURE:
        raise ContainerError(ErrorKind.NOT_AN_IMAGE, "no PNG signature")
    pos = 8
    for _ in range(MAX_CHUNKS):
        length, kind = struct.unpack(">I4s", window.need(pos, 8, "a PNG chunk header"))
        if length > 0x7FFFFFFF:
            raise ContainerError(ErrorKind.MALFORMED, f"bad PNG chunk length at byte {pos}")
        if pos + 12 + length > size:
            raise ContainerError(ErrorKind.TRUNCATED, "file ends inside a PNG chunk")
        if kind == b"IEND":
            return
        _chunk(window, kind, pos + 8, length, out)
        pos += 12 + length
    raise ContainerError(ErrorKind.MALFORMED, "too many PNG chunks")
