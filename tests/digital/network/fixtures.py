"""Packet and capture builders for the network tests: small, synthetic, generated in code.

Layouts follow the public specifications: the libpcap file format (pcap-savefile(5)), pcapng
(draft-ietf-opsawg-pcapng), Ethernet II / IEEE 802.1Q, Linux cooked capture v1/v2
(tcpdump.org linktypes LINKTYPE_LINUX_SLL / SLL2), IPv4 (RFC 791), IPv6 (RFC 8200), UDP
(RFC 768), TCP (RFC 9293), DNS (RFC 1035), TLS 1.3 ClientHello (RFC 8446) with SNI (RFC 6066).
"""

from __future__ import annotations

import ipaddress
import struct
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from courseline.digital.network import NetworkReport, Watchlist, check_capture

CLIENT = "192.168.1.23"
RESOLVER = "192.168.1.1"
SERVER = "93.184.216.34"
CLIENT6 = "2001:db8::23"
SERVER6 = "2001:db8:ffff::34"
T0 = 1_764_300_000  # 2025-11-28T03:20:00Z


def packed(address: str) -> bytes:
    return ipaddress.ip_address(address).packed


# Application layer ---------------------------------------------------------------------------


def dns_name(name: str) -> bytes:
    if not name:
        return b"\0"
    return b"".join(bytes([len(x)]) + x.encode() for x in name.split(".")) + b"\0"


def dns_query(name: str, qid: int = 1, qtype: int = 1) -> bytes:
    return (
        struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
        + dns_name(name)
        + struct.pack(">HH", qtype, 1)
    )


def dns_response(name: str, answers: Sequence[tuple[str, int, bytes]], qid: int = 1) -> bytes:
    """A response to ``name``; each answer is (owner, type, rdata). Owners equal to the
    question name are written as a compression pointer to it (offset 12)."""
    body = dns_name(name) + struct.pack(">HH", 1, 1)
    for owner, rtype, rdata in answers:
        owner_bytes = b"\xc0\x0c" if owner == name else dns_name(owner)
        body += owner_bytes + struct.pack(">HHIH", rtype, 1, 60, len(rdata)) + rdata
    return struct.pack(">HHHHHH", qid, 0x8180, 1, len(answers), 0, 0) + body


def client_hello(sni: str | None, pad_to: int = 0) -> bytes:
    """A TLS 1.3-style ClientHello record; ``pad_to`` adds a padding extension so the record is
    at least that long (to make one that spans segments)."""
    extensions = b""
    if sni is not None:
        entry = b"\0" + struct.pack(">H", len(sni)) + sni.encode()
        server_name = struct.pack(">H", len(entry)) + entry
        extensions += struct.pack(">HH", 0, len(server_name)) + server_name
    extensions += struct.pack(">HH", 43, 3) + b"\x02\x03\x04"  # supported_versions: TLS 1.3
    body = (
        b"\x03\x03"
        + bytes(range(32))
        + b"\x20"
        + bytes(32)
        + struct.pack(">H", 4)
        + b"\x13\x01\x13\x02"
        + b"\x01\x00"
    )
    if pad_to:
        padding = max(0, pad_to - len(body) - len(extensions) - 15)
        extensions += struct.pack(">HH", 21, padding) + bytes(padding)
    body += struct.pack(">H", len(extensions)) + extensions
    handshake = b"\x01" + struct.pack(">I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack(">H", len(handshake)) + handshake


def http_request(host: str, method: str = "GET", path: str = "/") -> bytes:
    return f"{method} {path} HTTP/1.1\r\nUser-Agent: t\r\nHost: {host}\r\n\r\n".encode()


# Transport and network layers ----------------------------------------------------------------


def udp(sport: int, dport: int, payload: bytes) -> bytes:
    return struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp(sport: int, dport: int, payload: bytes, options: bytes = b"") -> bytes:
    offset = (20 + len(options)) // 4
    header = struct.pack(">HHIIBBHHH", sport, dport, 1, 1, offset << 4, 0x18, 65535, 0, 0)
    return header + options + payload


def ipv4(
    src: str,
    dst: str,
    proto: int,
    payload: bytes,
    *,
    options: bytes = b"",
    fragment: int = 0,
    more_fragments: bool = False,
) -> bytes:
    ihl = (20 + len(options)) // 4
    flags = (0x2000 if more_fragments else 0) | fragment
    header = struct.pack(
        ">BBHHHBBH4s4s",
        0x40 | ihl,
        0,
        ihl * 4 + len(payload),
        7,
        flags,
        64,
        proto,
        0,
        packed(src),
        packed(dst),
    )
    return header + options + payload


def ipv6(
    src: str, dst: str, proto: int, payload: bytes, extensions: Iterable[tuple[int, bytes]] = ()
) -> bytes:
    """``extensions``: (header type, header bytes without its next-header byte) in order."""
    chain = list(extensions)
    body = b""
    next_types = [t for t, _ in chain[1:]] + [proto]
    for (_, raw), following in zip(chain, next_types[: len(chain)], strict=True):
        body += bytes([following]) + raw
    first = chain[0][0] if chain else proto
    payload = body + payload
    return (
        struct.pack(">IHBB", 0x60000000, len(payload), first, 64)
        + packed(src)
        + packed(dst)
        + payload
    )


def hop_by_hop() -> bytes:
    """A hop-by-hop options header (8 bytes, length field 0) minus its next-header byte."""
    return b"\x00" + b"\x01\x04\x00\x00\x00\x00"


def fragment_header(offset: int, more: bool) -> bytes:
    return b"\x00" + struct.pack(">HI", (offset << 3) | int(more), 99)


# Link layers ---------------------------------------------------------------------------------


def ethernet(ip_packet: bytes, *, vlans: Sequence[int] = (), ethertype: int | None = None) -> bytes:
    if ethertype is None:
        ethertype = 0x0800 if ip_packet[0] >> 4 == 4 else 0x86DD
    tags = b"".join(struct.pack(">HH", 0x8100, vid) for vid in vlans)
    return (
        b"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb"
        + tags
        + struct.pack(">H", ethertype)
        + ip_packet
        + (b"\0" * 6 if len(ip_packet) < 46 else b"")
    )


def sll(ip_packet: bytes) -> bytes:
    ethertype = 0x0800 if ip_packet[0] >> 4 == 4 else 0x86DD
    return struct.pack(">HHH8sH", 0, 1, 6, b"\x00\x11\x22\x33\x44\x55\0\0", ethertype) + ip_packet


def sll2(ip_packet: bytes) -> bytes:
    ethertype = 0x0800 if ip_packet[0] >> 4 == 4 else 0x86DD
    return struct.pack(">HHIHBB8s", ethertype, 0, 2, 1, 4, 6, bytes(8)) + ip_packet


def dns_query_frame(name: str, qid: int = 1, client: str = CLIENT) -> bytes:
    return ethernet(ipv4(client, RESOLVER, 17, udp(40000 + qid % 1000, 53, dns_query(name, qid))))


def bulk_frame(size: int = 1400) -> bytes:
    return ethernet(ipv4(CLIENT, SERVER, 6, tcp(50000, 443, bytes(range(7, 256)) * (size // 249))))


# Capture files -------------------------------------------------------------------------------

Packet = tuple[float, bytes]


def pcap(
    packets: Iterable[Packet], *, link: int = 1, endian: str = "<", nano: bool = False
) -> bytes:
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    scale = 1_000_000_000 if nano else 1_000_000
    out = [struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0, 262144, link)]
    for ts, frame in packets:
        seconds = int(ts)
        fraction = round((ts - seconds) * scale)
        out.append(struct.pack(endian + "IIII", seconds, fraction, len(frame), len(frame)) + frame)
    return b"".join(out)


def _block(endian: str, kind: int, body: bytes) -> bytes:
    body += b"\0" * (-len(body) % 4)
    length = 12 + len(body)
    return struct.pack(endian + "II", kind, length) + body + struct.pack(endian + "I", length)


def _option(endian: str, code: int, value: bytes) -> bytes:
    return struct.pack(endian + "HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def shb(endian: str = "<") -> bytes:
    return _block(endian, 0x0A0D0D0A, struct.pack(endian + "IHHq", 0x1A2B3C4D, 1, 0, -1))


def idb(link: int, endian: str = "<", tsresol: int | None = None, tsoffset: int = 0) -> bytes:
    options = b""
    if tsresol is not None:
        options += _option(endian, 9, bytes([tsresol]))
    if tsoffset:
        options += _option(endian, 14, struct.pack(endian + "q", tsoffset))
    if options:
        options += struct.pack(endian + "HH", 0, 0)
    return _block(endian, 1, struct.pack(endian + "HHI", link, 0, 262144) + options)


def epb(interface: int, ticks: int, frame: bytes, endian: str = "<") -> bytes:
    header = struct.pack(
        endian + "IIIII", interface, ticks >> 32, ticks & 0xFFFFFFFF, len(frame), len(frame)
    )
    return _block(endian, 6, header + frame)


def spb(frame: bytes, endian: str = "<") -> bytes:
    return _block(endian, 3, struct.pack(endian + "I", len(frame)) + frame)


def opaque_block(kind: int, size: int, endian: str = "<") -> bytes:
    return _block(endian, kind, bytes(size))


# Running a check -----------------------------------------------------------------------------

WATCH = dict(
    c2_domains={"spyic.com": "Spyic", "example.com": "ExampleSpy"},
    vendor_domains={"spyic-shop.net": "Spyic", "https://dl.example.org/get.apk": "ExampleSpy"},
    c2_ips={"203.0.113.9": "Spyic", "2001:db8:bad::1": "ExampleSpy"},
)


def watchlist() -> Watchlist:
    return Watchlist.from_dicts(**WATCH, set_name="test-set", version="t1")


def check(tmp_path: Path, data: bytes, name: str = "c.pcap", **kwargs: Any) -> NetworkReport:
    path = tmp_path / name
    path.write_bytes(data)
    return check_capture(path, watchlist(), **kwargs)


def seen(report: NetworkReport) -> set[tuple[str, str, str]]:
    """(app, seen_as, value) of every hit."""
    return {(h.app, h.seen_as.value, h.value) for h in report.hits}
