"""From link-layer frames to the few things a check needs: DNS messages, TLS server names, HTTP
hosts and destination addresses.

This is the hot path: it runs once per packet on a shared read buffer (never a copy), reads
single bytes and small integers only, and leaves at the first sign that a packet is ordinary
bulk traffic. Only the rare packets that matter (port 53, a payload starting like a TLS
handshake or an HTTP request, a destination whose last two bytes match a watched address) are
copied out and parsed further. Link types: Ethernet (with 802.1Q/802.1ad tags), Linux cooked
capture v1 and v2, raw IPv4/IPv6. Non-first IPv4 and IPv6 fragments are skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from courseline.digital.network import http, tls
from courseline.digital.network.dns import DnsMessage, parse_dns

__all__ = ["LINK_NAMES", "Dissector", "Handler", "Sink"]

Handler = Callable[[bytearray, int, int, float], None]

LINK_ETHERNET, LINK_RAW, LINK_SLL, LINK_IPV4, LINK_IPV6, LINK_SLL2 = 1, 101, 113, 228, 229, 276
LINK_NAMES = {
    LINK_ETHERNET: "Ethernet",
    LINK_RAW: "raw IP",
    LINK_SLL: "Linux cooked (SLL)",
    LINK_IPV4: "raw IPv4",
    LINK_IPV6: "raw IPv6",
    LINK_SLL2: "Linux cooked v2 (SLL2)",
}
_VLAN_TYPES = frozenset({0x8100, 0x88A8, 0x9100})
_MAX_VLAN_TAGS = 4
_MAX_IPV6_HEADERS = 8
_MAX_TCP_DNS_MESSAGES = 4
_IPV6_SKIPPABLE = frozenset({0, 43, 60})  # hop-by-hop, routing, destination options
_IPV6_FRAGMENT, _IPV6_AH = 44, 51
_TCP, _UDP = 6, 17


class Sink(Protocol):
    """Receives what the dissector found. Addresses are packed 4- or 16-byte strings."""

    def dns(self, message: DnsMessage, src: bytes, dst: bytes, ts: float) -> None: ...
    def tls_sni(self, name: str, src: bytes, ts: float) -> None: ...
    def http_host(self, name: str, src: bytes, ts: float) -> None: ...
    def dest_ip(self, dst: bytes, src: bytes, ts: float) -> None: ...


class Dissector:
    """Per-packet dispatch. ``v4_watch``/``v6_watch`` are 65,536-entry tables indexed by the
    last two bytes of a destination address: non-zero means "may be watched, look it up"; the
    sink updates them as DNS answers tie new addresses to watched names."""

    def __init__(self, sink: Sink, v4_watch: bytearray, v6_watch: bytearray) -> None:
        self.sink = sink
        self.v4_watch = v4_watch
        self.v6_watch = v6_watch
        self.http_first = bytearray(256)
        for byte in http.FIRST_BYTES:
            self.http_first[byte] = 1
        self.tls_hellos = 0
        self.tls_without_sni = 0
        self.tls_incomplete = 0
        self.http_requests = 0
        self.dns_tcp_segmented = 0
        self.unsupported = 0

    def handler(self, link_type: int) -> Handler | None:
        """The per-packet function for a link type, ``None`` if it is not supported."""
        handlers: dict[int, Handler] = {
            LINK_ETHERNET: self.ethernet,
            LINK_RAW: self.raw_ip,
            LINK_IPV4: self.raw_ip,
            LINK_IPV6: self.raw_ip,
            LINK_SLL: self.sll,
            LINK_SLL2: self.sll2,
        }
        return handlers.get(link_type)

    def unsupported_packet(self, buf: bytearray, p: int, end: int, ts: float) -> None:
        self.unsupported += 1

    # Link layers -----------------------------------------------------------------------------

    def ethernet(self, buf: bytearray, p: int, end: int, ts: float) -> None:
        q = p + 14
        if q > end:
            return
        hi, lo = buf[q - 2], buf[q - 1]
        if hi == 0x08 and lo == 0x00:
            self.ipv4(buf, q, end, ts)
            return
        tags = 0
        while (hi << 8 | lo) in _VLAN_TYPES and tags < _MAX_VLAN_TAGS and q + 4 <= end:
            q += 4
            tags += 1
            hi, lo = buf[q - 2], buf[q - 1]
        self._ethertype(buf, q, end, ts, hi << 8 | lo)

    def _ethertype(self, buf: bytearray, q: int, end: int, ts: float, ethertype: int) -> None:
        if ethertype == 0x0800:
            self.ipv4(buf, q, end, ts)
        elif ethertype == 0x86DD:
            self.ipv6(buf, q, end, ts)

    def sll(self, buf: bytearray, p: int, end: int, ts: float) -> None:
        if p + 16 <= end:
            self._ethertype(buf, p + 16, end, ts, buf[p + 14] << 8 | buf[p + 15])

    def sll2(self, buf: bytearray, p: int, end: int, ts: float) -> None:
        if p + 20 <= end:
            self._ethertype(buf, p + 20, end, ts, buf[p] << 8 | buf[p + 1])

    def raw_ip(self, buf: bytearray, p: int, end: int, ts: float) -> None:
        if p < end:
            version = buf[p] >> 4
            if version == 4:
                self.ipv4(buf, p, end, ts)
            elif version == 6:
                self.ipv6(buf, p, end, ts)

    # Network layer ---------------------------------------------------------------------------

    def ipv4(self, buf: bytearray, q: int, end: int, ts: float) -> None:
        if q + 20 > end:
            return
        first = buf[q]
        ihl = (first & 0x0F) << 2
        if first >> 4 != 4 or ihl < 20:
            return
        total = buf[q + 2] << 8 | buf[q + 3]
        if total < ihl:
            return
        if q + total < end:
            end = q + total  # drop link-layer padding
        if buf[q + 6] & 0x1F or buf[q + 7]:
            return  # a non-first fragment: no transport header
        if self.v4_watch[buf[q + 18] << 8 | buf[q + 19]]:
            self.sink.dest_ip(bytes(buf[q + 16 : q + 20]), bytes(buf[q + 12 : q + 16]), ts)
        proto = buf[q + 9]
        t = q + ihl
        if proto == _TCP:
            self.tcp(buf, t, end, ts, q, 4)
        elif proto == _UDP:
            self.udp(buf, t, end, ts, q, 4)

    def ipv6(self, buf: bytearray, q: int, end: int, ts: float) -> None:
        if q + 40 > end or buf[q] >> 4 != 6:
            return
        length = buf[q + 4] << 8 | buf[q + 5]
        if length and q + 40 + length < end:
            end = q + 40 + length
        if self.v6_watch[buf[q + 38] << 8 | buf[q + 39]]:
            self.sink.dest_ip(bytes(buf[q + 24 : q + 40]), bytes(buf[q + 8 : q + 24]), ts)
        found = _ipv6_transport(buf, q + 40, end, buf[q + 6])
        if found is None:
            return
        proto, t = found
        if proto == _TCP:
            self.tcp(buf, t, end, ts, q, 6)
        elif proto == _UDP:
            self.udp(buf, t, end, ts, q, 6)

    # Transport and application layers --------------------------------------------------------

    def tcp(self, buf: bytearray, t: int, end: int, ts: float, q: int, version: int) -> None:
        if t + 20 > end:
            return
        d = t + ((buf[t + 12] >> 4) << 2)
        if d >= end:
            return  # no payload
        if (buf[t] == 0 and buf[t + 1] == 53) or (buf[t + 2] == 0 and buf[t + 3] == 53):
            self._tcp_dns(bytes(buf[d:end]), ts, q, buf, version)
            return
        first = buf[d]
        if first == tls.HANDSHAKE:
            if d + 6 <= end and buf[d + 1] == 3 and buf[d + 5] == tls.CLIENT_HELLO:
                self._client_hello(bytes(buf[d:end]), ts, buf, q, version)
        elif self.http_first[first]:
            payload = bytes(buf[d : min(end, d + http.MAX_HEAD)])
            host = http.request_host(payload)
            if host is not None:
                self.http_requests += 1
                self.sink.http_host(host, _src(buf, q, version), ts)

    def _client_hello(
        self, payload: bytes, ts: float, buf: bytearray, q: int, version: int
    ) -> None:
        self.tls_hellos += 1
        found = tls.client_hello_sni(payload)
        if isinstance(found, str):
            self.sink.tls_sni(found, _src(buf, q, version), ts)
        elif found is tls.HelloResult.INCOMPLETE:
            self.tls_incomplete += 1
        elif found is tls.HelloResult.NO_SNI:
            self.tls_without_sni += 1
        else:
            self.tls_hellos -= 1

    def _tcp_dns(self, payload: bytes, ts: float, q: int, buf: bytearray, version: int) -> None:
        pos = 0
        for _ in range(_MAX_TCP_DNS_MESSAGES):
            if pos + 2 > len(payload):
                return
            size = payload[pos] << 8 | payload[pos + 1]
            if pos + 2 + size > len(payload):
                self.dns_tcp_segmented += 1
                return
            self._dns(payload[pos + 2 : pos + 2 + size], ts, buf, q, version)
            pos += 2 + size

    def udp(self, buf: bytearray, t: int, end: int, ts: float, q: int, version: int) -> None:
        if t + 8 > end:
            return
        if (buf[t] == 0 and buf[t + 1] == 53) or (buf[t + 2] == 0 and buf[t + 3] == 53):
            length = buf[t + 4] << 8 | buf[t + 5]
            if length >= 8 and t + length < end:
                end = t + length
            self._dns(bytes(buf[t + 8 : end]), ts, buf, q, version)

    def _dns(self, message: bytes, ts: float, buf: bytearray, q: int, version: int) -> None:
        parsed = parse_dns(message)
        if parsed is not None:
            self.sink.dns(parsed, _src(buf, q, version), _dst(buf, q, version), ts)


def _ipv6_transport(buf: bytearray, t: int, end: int, proto: int) -> tuple[int, int] | None:
    """(protocol, offset) after the IPv6 extension headers; ``None`` for a non-first fragment
    or a chain that overruns the packet."""
    for _ in range(_MAX_IPV6_HEADERS):
        if t + 8 > end:
            return None
        if proto in _IPV6_SKIPPABLE:
            size = (buf[t + 1] + 1) << 3
        elif proto == _IPV6_FRAGMENT:
            if (buf[t + 2] << 8 | buf[t + 3]) & 0xFFF8:
                return None
            size = 8
        elif proto == _IPV6_AH:
            size = (buf[t + 1] + 2) << 2
        else:
            break
        proto = buf[t]
        t += size
    return proto, t


def _src(buf: bytearray, q: int, version: int) -> bytes:
    return bytes(buf[q + 12 : q + 16]) if version == 4 else bytes(buf[q + 8 : q + 24])


def _dst(buf: bytearray, q: int, version: int) -> bytes:
    return bytes(buf[q + 16 : q + 20]) if version == 4 else bytes(buf[q + 24 : q + 40])
