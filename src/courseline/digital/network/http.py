"""The ``Host`` of a plain-HTTP request at the start of a TCP payload (RFC 9112 §3.2)."""

from __future__ import annotations

__all__ = ["METHODS", "request_host"]

METHODS = (b"GET ", b"POST ", b"HEAD ", b"PUT ", b"DELETE ", b"OPTIONS ", b"CONNECT ", b"PATCH ")
FIRST_BYTES = frozenset(m[0] for m in METHODS)
MAX_HEAD = 8192
_HOST_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._")


def _hostname(raw: bytes) -> str | None:
    raw = raw.strip()
    if raw.startswith(b"["):  # an IPv6 literal, [addr]:port
        close = raw.find(b"]")
        return raw[1:close].decode("ascii", "replace").lower() if close > 1 else None
    host = raw.rsplit(b":", 1)[0] if raw.count(b":") == 1 else raw
    if not host or len(host) > 255 or not all(b in _HOST_BYTES for b in host):
        return None
    return host.decode("ascii").lower().rstrip(".")


def request_host(data: bytes) -> str | None:
    """The host a request at the start of ``data`` is for (``Host`` header, or the target of
    CONNECT), or ``None`` when ``data`` does not start with a request line or names no host."""
    if not data.startswith(METHODS):
        return None
    head = data[:MAX_HEAD]
    line_end = head.find(b"\r\n")
    if line_end < 0:
        return None
    if head.startswith(b"CONNECT "):
        target = head[8:line_end].split(b" ", 1)[0]
        return _hostname(target)
    headers_end = head.find(b"\r\n\r\n")
    block = head[line_end : headers_end if headers_end >= 0 else len(head)]
    for line in block.split(b"\r\n"):
        if line[:5].lower() == b"host:":
            return _hostname(line[5:])
    return None
