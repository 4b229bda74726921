"""What the check finds in traffic: DNS (UDP and TCP), TLS SNI, HTTP Host, destination IPs, over
every supported link and network layer."""

from __future__ import annotations

import struct
from pathlib import Path

from courseline.digital.network import Category
from tests.digital.network import fixtures as fx

A, CNAME, AAAA = 1, 5, 28


def _one(tmp_path: Path, frame: bytes, link: int = 1) -> set[tuple[str, str, str]]:
    return fx.seen(fx.check(tmp_path, fx.pcap([(fx.T0, frame)], link=link)))


def test_a_dns_answer_ties_the_resolved_address_back_to_the_c2_name(tmp_path: Path) -> None:
    answer = fx.dns_response(
        "x.spyic.com",
        [
            ("x.spyic.com", CNAME, fx.dns_name("edge.cdn.test")),
            ("edge.cdn.test", A, bytes([198, 51, 100, 7])),
        ],
    )
    frames = [
        (fx.T0, fx.dns_query_frame("x.spyic.com")),
        (fx.T0 + 1, fx.ethernet(fx.ipv4(fx.RESOLVER, fx.CLIENT, 17, fx.udp(53, 40001, answer)))),
        (fx.T0 + 2, fx.ethernet(fx.ipv4(fx.CLIENT, "198.51.100.7", 6, fx.tcp(50000, 443, b"")))),
        (fx.T0 + 3, fx.ethernet(fx.ipv4(fx.CLIENT, "198.51.100.7", 6, fx.tcp(50000, 443, b"x")))),
    ]
    report = fx.check(tmp_path, fx.pcap(frames))
    assert fx.seen(report) == {
        ("Spyic", "dns-query", "x.spyic.com"),
        ("Spyic", "dns-answer", "x.spyic.com"),
        ("Spyic", "dest-ip", "198.51.100.7"),
    }
    by_kind = {h.seen_as.value: h for h in report.hits}
    assert by_kind["dns-answer"].clients == (fx.CLIENT,)  # the client is who got the answer
    assert by_kind["dest-ip"].via == "x.spyic.com" and by_kind["dest-ip"].count == 2
    assert report.summary.dns_queries == 1 and report.summary.dns_responses == 1


def test_a_cname_target_on_the_watchlist_is_found_in_an_answer(tmp_path: Path) -> None:
    answer = fx.dns_response(
        "innocent.test",
        [
            ("innocent.test", CNAME, fx.dns_name("up.spyic.com")),
            ("up.spyic.com", AAAA, fx.packed(fx.SERVER6)),
        ],
    )
    frame = fx.ethernet(fx.ipv4(fx.RESOLVER, fx.CLIENT, 17, fx.udp(53, 40001, answer)))
    later = fx.ethernet(fx.ipv6(fx.CLIENT6, fx.SERVER6, 6, fx.tcp(1, 443, b"z")))
    report = fx.check(tmp_path, fx.pcap([(fx.T0, frame), (fx.T0 + 1, later)]))
    assert fx.seen(report) == {
        ("Spyic", "dns-answer", "up.spyic.com"),
        ("Spyic", "dest-ip", fx.SERVER6),
    }


def test_dns_over_tcp_is_read_when_the_message_is_in_one_segment(tmp_path: Path) -> None:
    message = fx.dns_query("t.spyic.com")
    framed = struct.pack(">H", len(message)) + message
    frame = fx.ethernet(fx.ipv4(fx.CLIENT, fx.RESOLVER, 6, fx.tcp(40000, 53, framed)))
    assert _one(tmp_path, frame) == {("Spyic", "dns-query", "t.spyic.com")}


def test_dns_over_tcp_split_across_segments_is_reported_as_not_read(tmp_path: Path) -> None:
    message = fx.dns_query("t.spyic.com")
    framed = struct.pack(">H", len(message)) + message
    frame = fx.ethernet(fx.ipv4(fx.CLIENT, fx.RESOLVER, 6, fx.tcp(40000, 53, framed[:20])))
    report = fx.check(tmp_path, fx.pcap([(fx.T0, frame)]))
    assert not report.hits
    assert any("DNS-over-TCP" in n for n in report.not_checked)


def test_the_tls_server_name_of_a_client_hello_on_any_port_is_found(tmp_path: Path) -> None:
    frame = fx.ethernet(
        fx.ipv4(fx.CLIENT, fx.SERVER, 6, fx.tcp(50000, 8443, fx.client_hello("API.Spyic.com")))
    )
    report = fx.check(tmp_path, fx.pcap([(fx.T0, frame)]))
    assert fx.seen(report) == {("Spyic", "tls-sni", "api.spyic.com")}
    assert report.hits[0].clients == (fx.CLIENT,)
    assert report.summary.tls_client_hellos == 1


def test_a_client_hello_continuing_in_the_next_segment_is_counted_as_incomplete(
    tmp_path: Path,
) -> None:
    hello = fx.client_hello(None, pad_to=3000)
    frame = fx.ethernet(fx.ipv4(fx.CLIENT, fx.SERVER, 6, fx.tcp(50000, 443, hello[:1400])))
    report = fx.check(tmp_path, fx.pcap([(fx.T0, frame)]))
    assert report.summary.tls_incomplete == 1 and not report.hits
    assert any("first segment" in n for n in report.not_checked)


def test_the_http_host_header_is_found_without_its_port(tmp_path: Path) -> None:
    payload = fx.http_request("upload.spyic.com:8080", method="POST")
    frame = fx.ethernet(fx.ipv4(fx.CLIENT, fx.SERVER, 6, fx.tcp(50000, 80, payload)))
    report = fx.check(tmp_path, fx.pcap([(fx.T0, frame)]))
    assert fx.seen(report) == {("Spyic", "http-host", "upload.spyic.com")}
    assert report.summary.http_requests == 1


def test_a_listed_c2_address_is_a_dest_ip_hit_for_ipv4_and_ipv6(tmp_path: Path) -> None:
    v4 = fx.ethernet(fx.ipv4(fx.CLIENT, "203.0.113.9", 17, fx.udp(1, 9999, b"hi")))
    v6 = fx.ethernet(fx.ipv6(fx.CLIENT6, "2001:db8:bad::1", 6, fx.tcp(1, 443, b"")))
    other = fx.ethernet(fx.ipv4(fx.CLIENT, "203.0.114.9", 17, fx.udp(1, 9999, b"hi")))
    report = fx.check(tmp_path, fx.pcap([(fx.T0, v4), (fx.T0, v6), (fx.T0, other)]))
    assert fx.seen(report) == {
        ("Spyic", "dest-ip", "203.0.113.9"),
        ("ExampleSpy", "dest-ip", "2001:db8:bad::1"),
    }
    assert all(h.category is Category.C2 and h.via is None for h in report.hits)


def test_it_reads_through_vlan_tags(tmp_path: Path) -> None:
    ip = fx.ipv4(fx.CLIENT, fx.RESOLVER, 17, fx.udp(4000, 53, fx.dns_query("v.spyic.com")))
    assert _one(tmp_path, fx.ethernet(ip, vlans=[10, 20])) == {
        ("Spyic", "dns-query", "v.spyic.com")
    }


def test_it_reads_linux_cooked_captures_v1_and_v2(tmp_path: Path) -> None:
    ip = fx.ipv4(fx.CLIENT, fx.RESOLVER, 17, fx.udp(4000, 53, fx.dns_query("s.spyic.com")))
    ip6 = fx.ipv6(fx.CLIENT6, fx.SERVER6, 17, fx.udp(4000, 53, fx.dns_query("s6.spyic.com")))
    assert _one(tmp_path, fx.sll(ip), link=113) == {("Spyic", "dns-query", "s.spyic.com")}
    assert _one(tmp_path, fx.sll2(ip6), link=276) == {("Spyic", "dns-query", "s6.spyic.com")}


def test_it_reads_raw_ipv4_and_ipv6_link_types(tmp_path: Path) -> None:
    ip = fx.ipv4(fx.CLIENT, fx.RESOLVER, 17, fx.udp(4000, 53, fx.dns_query("r.spyic.com")))
    ip6 = fx.ipv6(fx.CLIENT6, fx.SERVER6, 17, fx.udp(4000, 53, fx.dns_query("r6.spyic.com")))
    assert _one(tmp_path, ip, link=101) == {("Spyic", "dns-query", "r.spyic.com")}
    assert _one(tmp_path, ip, link=228) == {("Spyic", "dns-query", "r.spyic.com")}
    assert _one(tmp_path, ip6, link=229) == {("Spyic", "dns-query", "r6.spyic.com")}


def test_it_reads_ipv4_with_options(tmp_path: Path) -> None:
    ip = fx.ipv4(
        fx.CLIENT,
        fx.RESOLVER,
        17,
        fx.udp(4000, 53, fx.dns_query("o.spyic.com")),
        options=b"\x01" * 8,
    )
    assert _one(tmp_path, fx.ethernet(ip)) == {("Spyic", "dns-query", "o.spyic.com")}


def test_non_first_ipv4_fragments_are_skipped(tmp_path: Path) -> None:
    udp = fx.udp(4000, 53, fx.dns_query("f.spyic.com"))
    first = fx.ipv4(fx.CLIENT, fx.RESOLVER, 17, udp, more_fragments=True)
    later = fx.ipv4(fx.CLIENT, fx.RESOLVER, 17, udp, fragment=3)
    assert _one(tmp_path, fx.ethernet(first)) == {("Spyic", "dns-query", "f.spyic.com")}
    assert _one(tmp_path, fx.ethernet(later)) == set()


def test_ipv6_extension_headers_are_skipped_and_later_fragments_ignored(tmp_path: Path) -> None:
    udp = fx.udp(4000, 53, fx.dns_query("e.spyic.com"))
    chained = fx.ipv6(
        fx.CLIENT6, fx.SERVER6, 17, udp, [(0, fx.hop_by_hop()), (44, fx.fragment_header(0, True))]
    )
    later = fx.ipv6(fx.CLIENT6, fx.SERVER6, 17, udp, [(44, fx.fragment_header(5, False))])
    assert _one(tmp_path, fx.ethernet(chained)) == {("Spyic", "dns-query", "e.spyic.com")}
    assert _one(tmp_path, fx.ethernet(later)) == set()


def test_ordinary_traffic_gives_no_hits(tmp_path: Path) -> None:
    frames = [
        (fx.T0, fx.dns_query_frame("www.gov.uk")),
        (fx.T0, fx.bulk_frame()),
        (
            fx.T0,
            fx.ethernet(
                fx.ipv4(fx.CLIENT, fx.SERVER, 6, fx.tcp(1, 443, fx.client_hello("bbc.co.uk")))
            ),
        ),
        (
            fx.T0,
            fx.ethernet(fx.ipv4(fx.CLIENT, fx.SERVER, 6, fx.tcp(1, 80, fx.http_request("gov.uk")))),
        ),
    ]
    report = fx.check(tmp_path, fx.pcap(frames))
    assert report.hits == () and report.summary.distinct_domains == 1


def test_many_clients_are_bounded_and_counted(tmp_path: Path) -> None:
    frames = [
        (fx.T0, fx.dns_query_frame("i.spyic.com", client=f"10.0.0.{i}")) for i in range(1, 30)
    ]
    (hit,) = fx.check(tmp_path, fx.pcap(frames)).hits
    assert hit.count == 29 and len(hit.clients) == 16 and hit.more_clients == 13


def test_dns_query_names_are_listed_with_counts_when_asked(tmp_path: Path) -> None:
    frames = [(fx.T0, fx.dns_query_frame(n)) for n in ["b.test", "a.test", "b.test", "i.spyic.com"]]
    report = fx.check(tmp_path, fx.pcap(frames), list_queries=True)
    assert report.query_names == (("a.test", 1), ("b.test", 2), ("i.spyic.com", 1))
    assert fx.check(tmp_path, fx.pcap(frames)).query_names is None
