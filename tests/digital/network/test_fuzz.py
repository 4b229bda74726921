"""Fuzzing: mutated packets, DNS messages, ClientHellos and whole captures never raise anything
but CaptureError (for a damaged file structure)."""

from __future__ import annotations

import contextlib
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courseline.digital.network import CaptureError
from courseline.digital.network.capture import read_capture
from courseline.digital.network.dissect import Dissector
from courseline.digital.network.dns import parse_dns
from courseline.digital.network.http import request_host
from courseline.digital.network.tls import client_hello_sni
from tests.digital.network import fixtures as fx

FUZZ = settings(deadline=2000, max_examples=200, suppress_health_check=[HealthCheck.too_slow])

DNS_SAMPLES = [
    fx.dns_query("a.b.example.com"),
    fx.dns_response("x.test", [("x.test", 5, fx.dns_name("y.test")), ("y.test", 1, bytes(4))]),
]
FRAMES = [
    fx.dns_query_frame("i.spyic.com"),
    fx.ethernet(fx.ipv4(fx.CLIENT, fx.SERVER, 6, fx.tcp(1, 443, fx.client_hello("a.test")))),
    fx.ethernet(fx.ipv4(fx.CLIENT, fx.SERVER, 6, fx.tcp(1, 80, fx.http_request("a.test")))),
    fx.ethernet(
        fx.ipv6(
            fx.CLIENT6,
            fx.SERVER6,
            17,
            fx.udp(1, 53, fx.dns_query("v6.test")),
            [(0, fx.hop_by_hop())],
        )
    ),  # fmt: skip
    fx.ethernet(
        fx.ipv4(fx.CLIENT, fx.RESOLVER, 17, fx.udp(1, 53, fx.dns_query("v.test"))), vlans=[5]
    ),
]


@st.composite
def mutated(draw: st.DrawFn, samples: list[bytes]) -> bytes:
    data = bytearray(draw(st.sampled_from(samples)))
    for _ in range(draw(st.integers(0, 8))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        data[at] = draw(st.sampled_from([0, 0xFF, 0xC0, 0x3F, 0x7F, draw(st.integers(0, 255))]))
    cut = draw(st.integers(0, len(data)))
    return bytes(data[:cut] if draw(st.booleans()) else data)


class _NullSink:
    def dns(self, *args: object) -> None: ...
    def tls_sni(self, *args: object) -> None: ...
    def http_host(self, *args: object) -> None: ...
    def dest_ip(self, *args: object) -> None: ...


@FUZZ
@given(mutated(DNS_SAMPLES) | st.binary(max_size=300))
def test_the_dns_reader_never_raises(data: bytes) -> None:
    parse_dns(data)


@FUZZ
@given(mutated([fx.client_hello("a.example.com"), fx.client_hello(None)]) | st.binary(max_size=300))
def test_the_tls_and_http_readers_never_raise(data: bytes) -> None:
    client_hello_sni(data)
    request_host(data)
    request_host(b"GET / HTTP/1.1\r\n" + data)


@FUZZ
@given(mutated(FRAMES), st.sampled_from([1, 101, 113, 276]))
def test_the_dissector_never_raises_on_any_link_type(frame: bytes, link: int) -> None:
    watch = bytearray(b"\x01" * 65536)  # every destination is looked up
    dissector = Dissector(_NullSink(), watch, watch)  # type: ignore[arg-type]
    handler = dissector.handler(link)
    assert handler is not None
    buf = bytearray(frame)  # no slack: a read past the packet end would raise
    handler(buf, 0, len(frame), 0.0)


CAPTURES = [
    fx.pcap([(fx.T0, f) for f in FRAMES]),
    fx.shb() + fx.idb(1, tsresol=9) + b"".join(fx.epb(0, 5, f) for f in FRAMES) + fx.spb(FRAMES[0]),
]


@FUZZ
@given(mutated(CAPTURES))
def test_whole_captures_only_ever_raise_capture_error(data: bytes) -> None:
    dissector = Dissector(_NullSink(), bytearray(65536), bytearray(65536))  # type: ignore[arg-type]
    with contextlib.suppress(CaptureError):
        read_capture(
            io.BytesIO(data), lambda link: dissector.handler(link) or dissector.unsupported_packet
        )
