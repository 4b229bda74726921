"""The DNS reader: names, compression, answers, and hostile messages."""

from __future__ import annotations

import struct

from courseline.digital.network.dns import parse_dns, read_name
from tests.digital.network import fixtures as fx

HEADER = struct.pack(">HHHHHH", 1, 0x0100, 1, 0, 0, 0)


def test_it_reads_a_query_name_in_lower_case_without_the_trailing_dot() -> None:
    message = parse_dns(fx.dns_query("WWW.Example.COM"))
    assert message is not None and not message.response
    assert message.names == ("www.example.com",)


def test_it_follows_compression_pointers_in_answers() -> None:
    answer = fx.dns_response(
        "a.test", [("a.test", 1, bytes([1, 2, 3, 4])), ("a.test", 28, bytes(16))]
    )
    message = parse_dns(answer)
    assert message is not None and message.response
    assert message.answers == (("a.test", 1, bytes([1, 2, 3, 4])), ("a.test", 28, bytes(16)))


def test_a_pointer_loop_is_refused() -> None:
    looping = HEADER + b"\xc0\x0c" + b"\0\x01\0\x01"  # points at itself
    assert read_name(looping, 12) is None
    assert parse_dns(looping) is None


def test_a_forward_pointer_is_refused() -> None:
    assert read_name(HEADER + b"\xc0\x20" + bytes(40), 12) is None


def test_a_label_running_past_the_message_is_refused() -> None:
    assert read_name(HEADER + b"\x3fabc", 12) is None


def test_a_name_longer_than_255_bytes_is_refused() -> None:
    long_name = (b"\x3f" + b"a" * 63) * 5 + b"\0"
    assert read_name(HEADER + long_name, 12) is None


def test_odd_bytes_in_a_label_are_escaped_not_printed() -> None:
    name = read_name(HEADER + b"\x05a\x1b[2J\x03com\0", 12)
    assert name == ("a\\027\\0912j.com", 23)  # "[" too: no terminal or markup codes


def test_non_query_opcodes_and_empty_questions_are_ignored() -> None:
    assert parse_dns(struct.pack(">HHHHHH", 1, 0x2800, 1, 0, 0, 0) + fx.dns_name("x.test")) is None
    assert parse_dns(struct.pack(">HHHHHH", 1, 0x0100, 0, 0, 0, 0)) is None
    assert parse_dns(b"\0\0") is None


def test_answers_cut_short_keep_what_was_read() -> None:
    answer = fx.dns_response("a.test", [("a.test", 1, bytes(4)), ("a.test", 1, bytes(4))])
    message = parse_dns(answer[:-3])
    assert message is not None and len(message.answers) == 1
