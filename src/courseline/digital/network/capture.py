"""Streaming readers for classic pcap and pcapng captures, in constant memory.

The file is read with ``readinto`` into one reusable buffer (4 MiB) and never loaded whole, so
captures of any size (over 4 GiB too) are read with the same memory. Each packet is handed to
a handler as ``(buffer, start, end, timestamp)`` without being copied; a handler must not keep
the buffer. Formats:

* classic pcap (the libpcap file format): both byte orders, microsecond and nanosecond
  timestamps; the link type is in the file header;
* pcapng (IETF draft-ietf-opsawg-pcapng): Section Header Blocks in either byte order (a file
  may hold several sections), Interface Description Blocks with their link type and the
  ``if_tsresol``/``if_tsoffset`` options, Enhanced, Simple and (obsolete) Packet Blocks; every
  other block is skipped by its length.

A damaged structure (unknown magic, a header cut short, an impossible length, a block whose
two length fields disagree) raises ``CaptureError``. A file that ends inside its last packet
is not an error: reading stops there and ``ReadResult.truncated`` is set, with a warning.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from courseline.digital.network.dissect import Handler
from courseline.digital.network.model import CaptureError

__all__ = ["CHUNK", "MAX_BLOCK", "MAX_CAPLEN", "UNKNOWN_TIME", "ReadResult", "read_capture"]

CHUNK = 4 << 20
MAX_CAPLEN = 262_144  # the largest snapshot length capture tools write
MAX_BLOCK = 1 << 20  # pcapng blocks that are read into memory (headers, packets)
UNKNOWN_TIME = float("nan")

HandlerFor = Callable[[int], Handler]


class Readable(Protocol):
    """What the reader needs from a file: ``open(path, "rb", buffering=0)`` fits."""

    def readinto(self, buffer: memoryview, /) -> int | None: ...


Progress = Callable[[int], None]

_PCAP_MAGIC = {
    b"\xd4\xc3\xb2\xa1": ("<", 1e-6),
    b"\xa1\xb2\xc3\xd4": (">", 1e-6),
    b"\x4d\x3c\xb2\xa1": ("<", 1e-9),
    b"\xa1\xb2\x3c\x4d": (">", 1e-9),
}
_SHB = 0x0A0D0D0A
_SHB_MAGIC = b"\x0a\x0d\x0d\x0a"
_BOM = {b"\x4d\x3c\x2b\x1a": "<", b"\x1a\x2b\x3c\x4d": ">"}
_IDB, _OPB, _SPB, _EPB = 1, 2, 3, 6
_OPT_TSRESOL, _OPT_TSOFFSET = 9, 14
_KNOWN_OTHER = {
    b"\x1f\x8b": "it is gzip-compressed: decompress it first",
    b"PK": "it is a zip archive: extract the capture first",
    b"\xfd7": "it is xz-compressed: decompress it first",
    b"\x28\xb5": "it is zstd-compressed: decompress it first",
}


@dataclass(slots=True)
class ReadResult:
    """What the reader saw. Timestamps are seconds since 1970 (UTC), of the first and last
    packets in file order; ``None`` when no packet carried one."""

    format: str = ""
    link_types: list[int] = field(default_factory=list)
    packets: int = 0
    file_bytes: int = 0
    first_ts: float | None = None
    last_ts: float | None = None
    truncated: bool = False
    warnings: list[str] = field(default_factory=list)


class _Chunks:
    """The reusable read buffer: ``buf[0:filled]`` holds file bytes from offset ``base``."""

    __slots__ = ("base", "buf", "eof", "filled", "progress", "stream", "view")

    def __init__(self, stream: Readable, progress: Progress | None) -> None:
        self.stream = stream
        self.buf = bytearray(CHUNK)
        self.view = memoryview(self.buf)
        self.filled = 0
        self.base = 0
        self.eof = False
        self.progress = progress

    def refill(self, pos: int) -> int:
        """Keep ``buf[pos:filled]`` (moved to the front), read more after it; returns 0, the
        new position of what was at ``pos``."""
        rest = self.filled - pos
        if rest:
            self.buf[:rest] = bytes(self.view[pos : self.filled])
        self.base += pos
        self.filled = rest
        while self.filled < CHUNK and not self.eof:
            count = self.stream.readinto(self.view[self.filled :])
            if not count:
                self.eof = True
            else:
                self.filled += count
        if self.progress is not None:
            self.progress(self.base + self.filled)
        return 0

    def skip(self, pos: int, length: int) -> int | None:
        """Position after skipping ``length`` bytes from ``pos``; ``None`` at end of file."""
        if pos + length <= self.filled:
            return pos + length
        remaining = length - (self.filled - pos)
        self.base += self.filled
        self.filled = 0
        while remaining > 0:
            count = self.stream.readinto(self.view[: min(CHUNK, remaining)])
            if not count:
                self.eof = True
                return None
            remaining -= count
            self.base += count
        return self.refill(0)

    @property
    def offset_end(self) -> int:
        return self.base + self.filled


def read_capture(
    stream: Readable, handler_for: HandlerFor, progress: Progress | None = None
) -> ReadResult:
    """Read every packet of a pcap or pcapng ``stream``, calling the handler for its link type.

    Raises ``CaptureError`` if the stream is not a capture or its structure is damaged.
    """
    chunks = _Chunks(stream, progress)
    chunks.refill(0)
    head = bytes(chunks.buf[: min(4, chunks.filled)])
    result = ReadResult()
    if head in _PCAP_MAGIC:
        _read_pcap(chunks, result, handler_for)
    elif head == _SHB_MAGIC:
        _PcapngReader(chunks, result, handler_for).run()
    elif not head:
        raise CaptureError("the file is empty")
    else:
        hint = next((why for magic, why in _KNOWN_OTHER.items() if head.startswith(magic)), None)
        raise CaptureError(
            "this is not a pcap or pcapng capture"
            + (f": {hint}" if hint else f" (it starts with bytes {head.hex(' ')})")
        )
    result.file_bytes = chunks.offset_end
    return result


def _truncated(result: ReadResult, what: str) -> None:
    result.truncated = True
    result.warnings.append(
        f"the capture ends in the middle of {what}: it was cut short (copy interrupted or "
        f"capture stopped abruptly); results cover the {result.packets} packets before that"
    )


def _too_long(number: int, offset: int, length: int, limit: int, what: str) -> CaptureError:
    return CaptureError(
        f"{what} {number} at byte {offset} claims {length} bytes (more than {limit}): the file "
        "is damaged or not a capture"
    )


def _pcap_header(chunks: _Chunks, result: ReadResult) -> tuple[str, float, int]:
    if chunks.filled < 24:
        raise CaptureError("the pcap file header is cut short (under 24 bytes)")
    endian, scale = _PCAP_MAGIC[bytes(chunks.buf[:4])]
    major, _minor, _zone, _sigfigs, _snaplen, network = struct.unpack_from(
        endian + "HHiIII", chunks.buf, 4
    )
    if major != 2:
        raise CaptureError(f"unsupported pcap version {major} (expected 2)")
    result.format = "pcap"
    result.link_types.append(network & 0xFFFF)
    return endian, scale, network & 0xFFFF


def _read_pcap(chunks: _Chunks, result: ReadResult, handler_for: HandlerFor) -> None:
    endian, scale, link = _pcap_header(chunks, result)
    handler = handler_for(link)
    record = struct.Struct(endian + "IIII").unpack_from
    buf = chunks.buf
    pos, filled, packets = 24, chunks.filled, 0
    ts = first = None
    while True:
        if pos + 16 > filled:
            pos = chunks.refill(pos)
            filled = chunks.filled
            if filled < 16:
                break
        seconds, fraction, caplen, _length = record(buf, pos)
        if caplen > MAX_CAPLEN:
            raise _too_long(packets + 1, chunks.base + pos, caplen, MAX_CAPLEN, "packet")
        end = pos + 16 + caplen
        if end > filled:
            pos = chunks.refill(pos)
            filled = chunks.filled
            end = 16 + caplen
            if end > filled:
                break
        ts = seconds + fraction * scale
        first = ts if first is None else first
        handler(buf, pos + 16, end, ts)
        packets += 1
        pos = end
    result.packets = packets
    result.first_ts, result.last_ts = first, ts
    if filled:  # bytes left over that do not make a whole packet
        _truncated(result, "a packet header" if filled < 16 else "a packet")


@dataclass(slots=True)
class _Interface:
    handler: Handler
    tick: float  # seconds per timestamp unit
    offset: float  # seconds added to every timestamp


class _PcapngReader:
    """pcapng, block by block. Enhanced Packet Blocks take the fast path in ``run``."""

    def __init__(self, chunks: _Chunks, result: ReadResult, handler_for: HandlerFor) -> None:
        self.chunks = chunks
        self.result = result
        self.handler_for = handler_for
        self.endian = "<"
        self.interfaces: list[_Interface] = []
        self.first: float | None = None
        self.last: float | None = None
        self.blocks = 0
        result.format = "pcapng"

    def run(self) -> None:
        """The loop: an Enhanced Packet Block wholly in the buffer is handled inline (the
        common case); anything else goes through ``_block``."""
        chunks, result = self.chunks, self.result
        buf = chunks.buf
        pos: int | None = 0
        header, epb = self._structs()
        while pos is not None:
            if pos + 12 > chunks.filled:
                pos = self._refill(pos)
                continue
            kind, length = header(buf, pos)
            if kind != _EPB or not 32 <= length <= MAX_BLOCK or pos + length > chunks.filled:
                pos = self._block(pos)
                header, epb = self._structs()
                continue
            self.blocks += 1
            self._check_trailer(pos, length)
            iface, high, low, caplen, _orig = epb(buf, pos + 8)
            if caplen > length - 32:
                raise self._bad(pos, f"packet length {caplen} overruns its block")
            found = self._interface(iface, pos)
            ts = (high << 32 | low) * found.tick + found.offset
            found.handler(buf, pos + 28, pos + 28 + caplen, ts)
            self.first = ts if self.first is None else self.first
            self.last = ts
            result.packets += 1
            pos += length
        result.first_ts, result.last_ts = self.first, self.last

    def _structs(self) -> tuple[Callable[..., tuple[int, int]], Callable[..., tuple[int, ...]]]:
        return (
            struct.Struct(self.endian + "II").unpack_from,
            struct.Struct(self.endian + "IIIII").unpack_from,
        )

    def _refill(self, pos: int) -> int | None:
        """More bytes for a block header; ``None`` at the end of the file."""
        chunks = self.chunks
        pos = chunks.refill(pos)
        if chunks.filled >= 12:
            return pos
        if not self.blocks:
            raise CaptureError("the pcapng section header is cut short")
        if chunks.filled:
            _truncated(self.result, "a block header")
        return None

    def _block(self, pos: int) -> int | None:
        """Any block, at ``pos`` with its header in the buffer; the position after it, or
        ``None`` if the file ends inside it."""
        chunks = self.chunks
        kind, length = (int(v) for v in struct.unpack_from(self.endian + "II", chunks.buf, pos))
        self.blocks += 1
        if kind == _SHB:
            return self._section(pos)
        if length < 12 or length & 3:
            raise self._bad(pos, f"it has an impossible length ({length})")
        if kind not in (_EPB, _SPB, _OPB, _IDB):
            skipped = chunks.skip(pos, length)
            if skipped is None:
                _truncated(self.result, "a block")
            return skipped
        if length > MAX_BLOCK:
            raise _too_long(self.blocks, chunks.base + pos, length, MAX_BLOCK, "block")
        if pos + length > chunks.filled:
            pos = chunks.refill(pos)
            if length > chunks.filled:
                _truncated(self.result, "a packet" if kind != _IDB else "an interface block")
                return None
        self._check_trailer(pos, length)
        self._other(kind, pos, length)
        return pos + length

    def _bad(self, pos: int, why: str) -> CaptureError:
        offset = self.chunks.base + pos
        return CaptureError(f"block {self.blocks} at byte {offset}: {why}; the file is damaged")

    def _check_trailer(self, pos: int, length: int) -> None:
        (trailer,) = struct.unpack_from(self.endian + "I", self.chunks.buf, pos + length - 4)
        if trailer != length:
            raise self._bad(pos, f"its two length fields disagree ({length} and {trailer})")

    def _interface(self, number: int, pos: int) -> _Interface:
        if number >= len(self.interfaces):
            raise self._bad(pos, f"a packet names interface {number}, which was not described")
        return self.interfaces[number]

    def _section(self, pos: int) -> int:
        chunks = self.chunks
        if pos + 28 > chunks.filled:
            pos = chunks.refill(pos)
            if chunks.filled < 28:
                raise CaptureError("a pcapng section header is cut short")
        endian = _BOM.get(bytes(chunks.buf[pos + 8 : pos + 12]))
        if endian is None:
            raise self._bad(pos, "the section header has no valid byte-order magic")
        self.endian = endian
        length = int(struct.unpack_from(endian + "I", chunks.buf, pos + 4)[0])
        (major,) = struct.unpack_from(endian + "H", chunks.buf, pos + 12)
        if major != 1:
            raise self._bad(pos, f"unsupported pcapng version {major}")
        if length < 28 or length & 3 or length > MAX_BLOCK:
            raise self._bad(pos, f"the section header has an impossible length ({length})")
        if pos + length > chunks.filled:
            pos = chunks.refill(pos)
            if length > chunks.filled:
                raise CaptureError("a pcapng section header is cut short")
        self._check_trailer(pos, length)
        self.interfaces = []  # interface numbers restart in each section
        return pos + length

    def _other(self, kind: int, pos: int, length: int) -> None:
        buf, endian = self.chunks.buf, self.endian
        if kind == _IDB:
            if length < 20:
                raise self._bad(pos, "an interface description block is too short")
            (link,) = struct.unpack_from(endian + "H", buf, pos + 8)
            tick, offset = self._time_options(pos + 16, pos + length - 4)
            self.interfaces.append(_Interface(self.handler_for(link), tick, offset))
            if link not in self.result.link_types:
                self.result.link_types.append(link)
        elif kind == _SPB:
            (original,) = struct.unpack_from(endian + "I", buf, pos + 8)
            caplen = min(original, length - 16)
            found = self._interface(0, pos)
            # A simple packet block has no timestamp: the last one seen stands in (NaN if none).
            ts = self.last if self.last is not None else UNKNOWN_TIME
            found.handler(buf, pos + 12, pos + 12 + caplen, ts)
            self.result.packets += 1
        elif kind in (_OPB, _EPB):
            if length < 32:
                raise self._bad(pos, "a packet block is too short")
            layout = "HHIIII" if kind == _OPB else "IIIII"
            iface, *_rest, high, low, caplen, _orig = struct.unpack_from(
                endian + layout, buf, pos + 8
            )
            if caplen > length - 32:
                raise self._bad(pos, f"packet length {caplen} overruns its block")
            found = self._interface(iface, pos)
            ts = (high << 32 | low) * found.tick + found.offset
            found.handler(buf, pos + 28, pos + 28 + caplen, ts)
            self.first = ts if self.first is None else self.first
            self.last = ts
            self.result.packets += 1

    def _time_options(self, pos: int, end: int) -> tuple[float, float]:
        """Seconds per tick and the offset from the interface options (default microseconds)."""
        buf, endian = self.chunks.buf, self.endian
        tick, offset = 1e-6, 0.0
        while pos + 4 <= end:
            code, size = struct.unpack_from(endian + "HH", buf, pos)
            if code == 0:
                break
            value = pos + 4
            if value + size > end:
                raise self._bad(pos, "an interface option overruns its block")
            if code == _OPT_TSRESOL and size == 1:
                exponent = buf[value] & 0x7F
                binary = bool(buf[value] & 0x80)
                if (binary and exponent > 63) or (not binary and exponent > 19):
                    raise self._bad(pos, f"impossible timestamp resolution byte {buf[value]}")
                tick = 2.0**-exponent if binary else 10.0**-exponent
            elif code == _OPT_TSOFFSET and size == 8:
                (offset_seconds,) = struct.unpack_from(endian + "q", buf, value)
                offset = float(offset_seconds)
            pos = value + ((size + 3) & ~3)
        return tick, offset
