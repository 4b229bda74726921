"""WebP: walk the RIFF chunks, collecting ``EXIF`` (TIFF) and ``XMP `` and seeking over the rest."""

from __future__ import annotations

import struct
from typing import BinaryIO

from courseline.digital.photos.containers import MAX_PAYLOAD, ContainerError, Payloads, Window
from courseline.digital.photos.model import ErrorKind, SourceKind

MAX_CHUNKS = 100_000


def read(f: BinaryIO, size: int, out: Payloads) -> None:
    """Collect the metadata chunks of a WebP into ``out`` (partial results kept on error)."""
    window = Window(f, size)
    head = window.read(0, 12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WEBP":
        raise ContainerError(ErrorKind.NOT_AN_IMAGE, "no RIFF WEBP header")
    declared = 8 + struct.unpack_from("<I", head, 4)[0]
    end = min(declared, size)
    pos = 12
    for _ in range(MAX_CHUNKS):
        if pos + 8 > end:
            if declared > size:
                raise ContainerError(ErrorKind.TRUNCATED, "file is shorter than its RIFF size")
            if pos == 12:
                raise ContainerError(ErrorKind.MALFORMED, "WebP file without any chunk")
            return
        kind, length = struct.unpack("<4sI", window.need(pos, 8, "a RIFF chunk header"))
        if pos + 8 + length > end:
            raise ContainerError(ErrorKind.TRUNCATED, "file ends inside a RIFF chunk")
        if kind in (b"EXIF", b"XMP "):
            if length > MAX_PAYLOAD:
                raise ContainerError(ErrorKind.TOO_LARGE, "metadata chunk larger than 16 MiB")
            data = window.read(pos + 8, length)
            if kind == b"XMP ":
                out.xmp.append((data, SourceKind.XMP))
            else:
                tiff = data[6:] if data.startswith(b"Exif\0") else data
                out.exif.append((tiff, SourceKind.EXIF_GPS))
        pos += 8 + length + (length & 1)
    raise ContainerError(ErrorKind.MALFORMED, "too many RIFF chunks")
