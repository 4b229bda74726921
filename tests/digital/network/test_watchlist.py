"""Matching names and addresses against indicators: label boundaries, categories, precedence."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from courseline.digital.network import Category, Watchlist
from courseline.digital.network.watchlist import normalise_domain


def _list() -> Watchlist:
    return Watchlist.from_dicts(
        c2_domains={"example.com": "Spy", "Mixed.Case.Test.": "Spy"},
        vendor_domains={"buy-spy.test": "Spy", "example.com": "Spy"},
        c2_ips={"203.0.113.9": "Spy", "not an ip": "Spy"},
    )


@pytest.mark.parametrize(
    "name",
    ["example.com", "a.example.com", "x.y.EXAMPLE.com.", "mixed.case.test", "A.Mixed.Case.Test"],
)
def test_names_and_their_subdomains_match(name: str) -> None:
    entry = _list().match_domain(name)
    assert entry is not None and entry.category is Category.C2


@pytest.mark.parametrize(
    "name", ["evilexample.com", "example.com.evil.test", "com", "", "example.co"]
)
def test_lookalikes_and_parents_do_not_match(name: str) -> None:
    assert _list().match_domain(name) is None


def test_vendor_sites_are_a_separate_category_and_c2_wins_a_tie() -> None:
    watchlist = _list()
    vendor = watchlist.match_domain("www.buy-spy.test")
    assert vendor is not None and vendor.category is Category.VENDOR
    c2 = watchlist.match_domain("example.com")
    assert c2 is not None and c2.category is Category.C2


def test_addresses_match_exactly_and_invalid_ones_are_skipped() -> None:
    import ipaddress

    watchlist = _list()
    assert watchlist.match_ip(ipaddress.ip_address("203.0.113.9").packed) is not None
    assert watchlist.match_ip(ipaddress.ip_address("203.0.113.10").packed) is None
    assert len(watchlist) == 4  # example.com, mixed.case.test, buy-spy.test, one address


@pytest.mark.parametrize(
    ("raw", "host"),
    [
        ("https://dl.Example.org:8443/get.apk?x=1", "dl.example.org"),
        ("*.wild.test", "wild.test"),
        ("plain.test.", "plain.test"),
        ("user@host.test/path", "host.test"),
        ("bad host.test", None),
        ("", None),
        ("a..b", None),
    ],
)
def test_indicator_entries_are_normalised_to_host_names(raw: str, host: str | None) -> None:
    assert normalise_domain(raw) == host


@dataclass(frozen=True)
class _App:
    name: str
    kind: str
    source: str
    websites: tuple[str, ...] = ()
    distribution: tuple[str, ...] = ()
    c2_domains: tuple[str, ...] = ()
    c2_ips: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Set:
    version: str
    apps: tuple[_App, ...]


def test_it_builds_from_an_indicator_set_keeping_app_kind_and_source() -> None:
    indicators = _Set(
        "v9",
        (
            _App(
                "Alpha",
                "stalkerware",
                "echap",
                websites=("alpha.test",),
                c2_domains=("c2.alpha.test",),
                c2_ips=("198.51.100.1",),
            ),
            _App("Beta", "watchware", "echap", distribution=("http://get.beta.test/b.apk",)),
        ),
    )
    watchlist = Watchlist.from_indicators(indicators)  # type: ignore[arg-type]  # duck-typed
    assert watchlist.version == "v9"
    c2 = watchlist.match_domain("x.c2.alpha.test")
    assert c2 is not None and (c2.app, c2.app_kind, c2.indicator_set, c2.category) == (
        "Alpha",
        "stalkerware",
        "echap",
        Category.C2,
    )
    site = watchlist.match_domain("www.alpha.test")
    assert site is not None and site.category is Category.VENDOR
    download = watchlist.match_domain("get.beta.test")
    assert download is not None and download.app_kind == "watchware"


def test_the_packaged_indicator_set_gives_c2_and_vendor_entries() -> None:
    from courseline.digital.indicators import load
    from courseline.digital.network import default_watchlist

    indicators = load()
    watchlist = default_watchlist()
    assert watchlist.version == indicators.version
    app = next(a for a in indicators.apps if a.c2_domains and a.websites)
    c2 = watchlist.match_domain("sub." + app.c2_domains[0])
    assert c2 is not None and c2.category is Category.C2
    vendor_only = [
        w
        for a in indicators.apps
        for w in a.websites
        if (m := watchlist.match_domain(w)) is not None and m.category is Category.VENDOR
    ]
    assert vendor_only  # websites exist and stay in the lower category
