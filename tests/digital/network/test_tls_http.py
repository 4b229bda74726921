"""The TLS ClientHello and HTTP request readers."""

from __future__ import annotations

from courseline.digital.network.http import request_host
from courseline.digital.network.tls import HelloResult, client_hello_sni
from tests.digital.network import fixtures as fx


def test_it_reads_the_server_name_of_a_client_hello() -> None:
    assert client_hello_sni(fx.client_hello("Mail.Example.com.")) == "mail.example.com"


def test_a_client_hello_without_server_name_says_so() -> None:
    assert client_hello_sni(fx.client_hello(None)) is HelloResult.NO_SNI


def test_a_client_hello_cut_by_the_segment_is_incomplete() -> None:
    hello = fx.client_hello("x.example.com", pad_to=3000)
    assert client_hello_sni(hello) == "x.example.com"
    assert client_hello_sni(hello[:60]) is HelloResult.INCOMPLETE


def test_other_tls_records_are_not_hellos() -> None:
    assert client_hello_sni(b"\x17\x03\x03\x00\x10" + bytes(16)) is HelloResult.NOT_HELLO
    assert client_hello_sni(b"\x16\x03\x03\x00\x04\x02\x00\x00\x00") is HelloResult.NOT_HELLO


def test_a_server_name_with_odd_bytes_is_not_reported() -> None:
    hello = fx.client_hello("evil\x1b.example.com")
    assert client_hello_sni(hello) is HelloResult.NO_SNI


def test_it_reads_the_http_host_in_any_case_and_without_port() -> None:
    assert (
        request_host(b"GET / HTTP/1.1\r\nhOsT:  Up.Example.com:8080 \r\n\r\n") == "up.example.com"
    )
    assert request_host(b"POST /x HTTP/1.1\r\nHost: [2001:db8::1]:80\r\n\r\n") == "2001:db8::1"
    assert request_host(b"CONNECT c2.example.com:443 HTTP/1.1\r\n\r\n") == "c2.example.com"


def test_it_ignores_what_is_not_a_request_or_names_no_host() -> None:
    assert request_host(b"HTTP/1.1 200 OK\r\nHost: a.test\r\n\r\n") is None
    assert request_host(b"GET / HTTP/1.1\r\nAccept: */*\r\n\r\nHost: a.test\r\n") is None
    assert request_host(b"GET / HTTP/1.1") is None
    assert request_host(b"GET / HTTP/1.1\r\nHost: a b\x1b\r\n\r\n") is None
