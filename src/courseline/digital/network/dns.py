"""A bounded DNS message reader (RFC 1035 §4): question names and A/AAAA/CNAME answers.

Every length is checked against the message; compression pointers must point backwards, so a
pointer loop cannot exist, and the number of jumps and the name length are capped as well.
Anything malformed ends the parse: the reader returns ``None`` or what it had read so far; it
never raises.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

__all__ = ["DnsMessage", "parse_dns", "read_name"]

TYPE_A, TYPE_CNAME, TYPE_AAAA = 1, 5, 28
MAX_QUESTIONS = 8
MAX_ANSWERS = 64
MAX_JUMPS = 32
MAX_NAME = 255

_HEADER = struct.Struct(">HHHHHH")
_RR_FIXED = struct.Struct(">HHIH")
# Bytes that may appear in a printed label as they are; anything else is written as \DDD.
_PLAIN = bytes(range(0x61, 0x7B)) + bytes(range(0x41, 0x5B)) + b"0123456789-_*"


@dataclass(frozen=True, slots=True)
class DnsMessage:
    """``names`` are the question names; ``answers`` are (owner, type, data) with data the
    packed address for A/AAAA and the target name (as text) for CNAME."""

    response: bool
    names: tuple[str, ...]
    answers: tuple[tuple[str, int, bytes | str], ...]


def _label_text(raw: bytes) -> str:
    if not raw.translate(None, _PLAIN):
        return raw.decode("ascii")
    return "".join(chr(b) if b in _PLAIN else f"\\{b:03d}" for b in raw)


def read_name(msg: bytes, offset: int) -> tuple[str, int] | None:
    """The name at ``offset`` (lower-case, no trailing dot; "" for the root) and the offset just
    after it in the message, or ``None`` if it is malformed."""
    labels: list[str] = []
    length = jumps = 0
    after = -1
    pos = offset
    size = len(msg)
    while pos < size:
        n = msg[pos]
        if n >= 0xC0:  # a compression pointer: must point backwards
            target = ((n & 0x3F) << 8) | msg[pos + 1] if pos + 1 < size else size
            jumps += 1
            if target >= pos or jumps > MAX_JUMPS:
                return None
            after = pos + 2 if after < 0 else after
            pos = target
            continue
        if n == 0:
            return ".".join(labels).lower(), after if after >= 0 else pos + 1
        end = pos + 1 + n
        length += n + 1
        if n & 0xC0 or end > size or length > MAX_NAME:
            return None  # extended label types (01, 10) are unused in practice
        labels.append(_label_text(msg[pos + 1 : end]))
        pos = end
    return None


def _answers(msg: bytes, pos: int, count: int) -> list[tuple[str, int, bytes | str]]:
    found: list[tuple[str, int, bytes | str]] = []
    for _ in range(min(count, MAX_ANSWERS)):
        owner = read_name(msg, pos)
        if owner is None or owner[1] + 10 > len(msg):
            break
        rtype, rclass, _ttl, rdlength = _RR_FIXED.unpack_from(msg, owner[1])
        data_at = owner[1] + 10
        pos = data_at + rdlength
        if pos > len(msg):
            break
        if rclass != 1:
            continue
        if (rtype == TYPE_A and rdlength == 4) or (rtype == TYPE_AAAA and rdlength == 16):
            found.append((owner[0], rtype, msg[data_at:pos]))
        elif rtype == TYPE_CNAME:
            target = read_name(msg, data_at)
            if target is not None:
                found.append((owner[0], rtype, target[0]))
    return found


def parse_dns(msg: bytes) -> DnsMessage | None:
    """Question names and, in responses, A/AAAA/CNAME answers; ``None`` if the header or every
    question is unreadable, or the message is not a standard query (opcode 0)."""
    if len(msg) < _HEADER.size:
        return None
    _id, flags, qdcount, ancount, _ns, _ar = _HEADER.unpack_from(msg, 0)
    if (flags >> 11) & 0xF != 0 or qdcount == 0:
        return None
    names: list[str] = []
    pos = _HEADER.size
    for _ in range(min(qdcount, MAX_QUESTIONS)):
        name = read_name(msg, pos)
        if name is None or name[1] + 4 > len(msg):
            break
        names.append(name[0])
        pos = name[1] + 4
    if not names:
        return None
    response = bool(flags & 0x8000)
    answers: list[tuple[str, int, bytes | str]] = []
    if response and len(names) == qdcount and ancount:
        answers = _answers(msg, pos, ancount)
    return DnsMessage(response=response, names=tuple(names), answers=tuple(answers))
