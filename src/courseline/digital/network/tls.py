"""The server name (SNI) of a TLS ClientHello (RFC 8446 §4.1.2, RFC 6066 §3), bounds-checked.

Only the start of one TCP segment is read: when the ClientHello runs past the segment (large
post-quantum key shares make this common), the result says so instead of guessing.
"""

from __future__ import annotations

from enum import Enum

__all__ = ["HelloResult", "client_hello_sni"]

HANDSHAKE = 0x16
CLIENT_HELLO = 0x01
EXT_SERVER_NAME = 0x0000
MAX_HOSTNAME = 255
_HOST_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._")


class HelloResult(Enum):
    """Why no server name came back."""

    NOT_HELLO = "not a ClientHello"
    INCOMPLETE = "ClientHello continues in a later segment"
    NO_SNI = "ClientHello without a server name"


def _u16(data: bytes, at: int) -> int:
    return (data[at] << 8) | data[at + 1]


def _extensions_start(data: bytes, body: int, end: int) -> int | None:
    """Offset of the extensions length field, after version, random, session id, ciphers and
    compression methods; ``None`` if the fields overrun ``end``."""
    pos = body + 2 + 32
    if pos >= end:
        return None
    pos += 1 + data[pos]
    if pos + 2 > end:
        return None
    pos += 2 + _u16(data, pos)
    if pos >= end:
        return None
    pos += 1 + data[pos]
    return pos if pos + 2 <= end else None


def _server_name(data: bytes, pos: int, end: int) -> str | HelloResult:
    if pos + 2 > end:
        return HelloResult.INCOMPLETE
    list_end = min(pos + 2 + _u16(data, pos), end)
    pos += 2
    while pos + 3 <= list_end:
        kind, size = data[pos], _u16(data, pos + 1)
        pos += 3
        if pos + size > list_end:
            return HelloResult.INCOMPLETE
        if kind == 0:
            raw = data[pos : pos + size]
            if 0 < size <= MAX_HOSTNAME and all(b in _HOST_BYTES for b in raw):
                return raw.decode("ascii").lower().rstrip(".")
            return HelloResult.NO_SNI
        pos += size
    return HelloResult.NO_SNI


def client_hello_sni(data: bytes) -> str | HelloResult:
    """The host name from the ClientHello at the start of ``data`` (one TCP payload)."""
    if len(data) < 9 or data[0] != HANDSHAKE or data[1] != 3 or data[5] != CLIENT_HELLO:
        return HelloResult.NOT_HELLO
    record_end = 5 + _u16(data, 3)
    hello_end = 9 + ((data[6] << 16) | (data[7] << 8) | data[8])
    end = min(hello_end, record_end, len(data))
    truncated = end < hello_end  # continues in a later record or segment
    pos = _extensions_start(data, 9, end)
    if pos is None:
        return HelloResult.INCOMPLETE if truncated else HelloResult.NOT_HELLO
    ext_end = pos + 2 + _u16(data, pos)
    pos += 2
    while pos + 4 <= min(ext_end, end):
        ext_type, size = _u16(data, pos), _u16(data, pos + 2)
        pos += 4
        if ext_type == EXT_SERVER_NAME:
            found = _server_name(data, pos, min(pos + size, end))
            if found is HelloResult.INCOMPLETE and not truncated:
                return HelloResult.NO_SNI
            return found
        pos += size
    return HelloResult.INCOMPLETE if truncated and ext_end > end else HelloResult.NO_SNI
