"""Container readers: each turns one file format into raw metadata payloads, reading only what
it needs (seek past pixel and media data; never the whole file).

A reader raises ``ContainerError`` with a typed ``ErrorKind`` when the file cannot be read; the
payloads found before the failure stay in the ``Payloads`` it was filling, so a truncated file
that still carries a location is reported with both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO

from courseline.digital.photos.model import ErrorKind, SourceKind

if TYPE_CHECKING:
    from courseline.digital.photos.containers.tiff import TiffInfo

BLOCK = 64 * 1024
"""Size of a ``Window``'s first read: one system call usually covers all of a photo's headers."""
SMALL_BLOCK = 4 * 1024
"""Smallest later read (after a seek past data that is skipped, such as a large ICC profile)."""

MAX_PAYLOAD = 16 * 1024 * 1024
"""Largest single metadata payload (EXIF, XMP, text chunk, decompressed text) we will hold."""


class ContainerError(Exception):
    """A file could not be read as its container format; ``kind`` says why."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(slots=True)
class Payloads:
    """Raw metadata blocks found in one file, each tagged with the source kind it stands for.

    ``exif`` holds TIFF streams (from the TIFF header on); ``xmp`` XMP packets; ``iptc`` IPTC-IIM
    datasets. ``parsed_exif`` holds EXIF already decoded in place (raw TIFF files, which are not
    loaded into memory). The tag is the kind a location found in that block is reported as.
    """

    format: str
    exif: list[tuple[bytes, SourceKind]] = field(default_factory=list)
    xmp: list[tuple[bytes, SourceKind]] = field(default_factory=list)
    iptc: list[tuple[bytes, SourceKind]] = field(default_factory=list)
    parsed_exif: list[tuple[TiffInfo, SourceKind]] = field(default_factory=list)


class Window:
    """Random access to a file through one cached block: ``read(offset, n)`` costs a system call
    only when the range is outside the block last read. The first read is ``BLOCK`` bytes, later
    ones at least ``SMALL_BLOCK``, so skipped data is mostly not read at all."""

    __slots__ = ("_f", "size", "_buf", "_start")

    def __init__(self, f: BinaryIO, size: int) -> None:
        self._f = f
        self.size = size
        self._buf = b""
        self._start = 0

    def read(self, offset: int, n: int) -> bytes:
        """Up to ``n`` bytes at ``offset`` (fewer only at the end of the file)."""
        if offset < 0 or n <= 0 or offset >= self.size:
            return b""
        start = self._start
        end = offset + n
        if offset >= start and end <= start + len(self._buf):
            return self._buf[offset - start : end - start]
        want = min(max(n, SMALL_BLOCK if self._buf else BLOCK), self.size - offset)
        self._f.seek(offset)
        chunks = []
        got = 0
        while got < want:
            chunk = self._f.read(want - got)
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        self._buf = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        self._start = offset
        return self._buf[:n]

    def view(self, offset: int, n: int) -> tuple[bytes, int]:
        """The cached block holding ``offset`` (read first, like ``read``, if ``n`` bytes from
        there are not cached) and where ``offset`` is in it. Lets a parser walk small headers
        by indexing; a block that ends early means the file does."""
        start = self._start
        if offset < start or offset + n > start + len(self._buf):
            if not self.read(offset, n):
                return b"", 0
            start = self._start
        return self._buf, offset - start

    def need(self, offset: int, n: int, what: str) -> bytes:
        """Exactly ``n`` bytes at ``offset``, or ``ContainerError(TRUNCATED)``."""
        data = self.read(offset, n)
        if len(data) < n:
            raise ContainerError(ErrorKind.TRUNCATED, f"file ends inside {what}")
        return data


class Span:
    """``Window``'s interface over bytes already in memory (an embedded thumbnail, say)."""

    __slots__ = ("_data", "size")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self.size = len(data)

    def read(self, offset: int, n: int) -> bytes:
        """Up to ``n`` bytes at ``offset`` (fewer only at the end of the data)."""
        if offset < 0 or n <= 0:
            return b""
        return self._data[offset : offset + n]

    def view(self, offset: int, n: int) -> tuple[bytes, int]:
        """All the data and where ``offset`` is in it (see ``Window.view``)."""
        if offset < 0 or offset >= self.size:
            return b"", 0
        return self._data, offset

    def need(self, offset: int, n: int, what: str) -> bytes:
        """Exactly ``n`` bytes at ``offset``, or ``ContainerError(TRUNCATED)``."""
        data = self.read(offset, n)
        if len(data) < n:
            raise ContainerError(ErrorKind.TRUNCATED, f"file ends inside {what}")
        return data
