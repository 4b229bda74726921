"""The names and addresses a capture is checked against, built from an indicator set.

C2 (command-and-control) domains and IPs are where an installed monitoring app sends what it
collects; vendor websites and download hosts are where such apps are sold or fetched. They are
kept apart: contacting a vendor site is not a sign of infection (someone may simply have read
about the product). Domains match themselves and their subdomains, on label boundaries:
``example.com`` matches ``a.example.com`` but never ``evilexample.com``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from courseline.digital.network.model import Category

if TYPE_CHECKING:
    from courseline.digital.indicators import App, IndicatorSet

__all__ = ["WatchEntry", "Watchlist", "normalise_domain"]

_CACHE_LIMIT = 50_000
_K = TypeVar("_K", str, bytes)
_DOMAIN_BYTES = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-._")


@dataclass(frozen=True, slots=True)
class WatchEntry:
    """One watched domain or address: the app it belongs to and the kind of indicator."""

    app: str
    app_kind: str
    indicator_set: str
    category: Category
    indicator: str


def normalise_domain(value: str) -> str | None:
    """A bare lower-case host name from an indicator entry (which may be a URL, carry a port, a
    leading ``*.`` or a trailing dot), or ``None`` if nothing usable is left."""
    host = value.strip().lower()
    if "://" in host:
        host = host.split("://", 1)[1]
    host = host.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    host = host.rsplit("@", 1)[-1]
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    host = host.removeprefix("*.").strip(".")
    if not host or len(host) > 253 or not set(host) <= _DOMAIN_BYTES or ".." in host:
        return None
    return host


def _packed_ip(value: str) -> bytes | None:
    try:
        return ipaddress.ip_address(value.strip()).packed
    except ValueError:
        return None


class Watchlist:
    """Domain and IP indicators with their app and category; lookups are case-insensitive."""

    __slots__ = ("_cache", "_domains", "_ips", "version")

    def __init__(
        self,
        domains: Mapping[str, WatchEntry],
        ips: Mapping[bytes, WatchEntry],
        *,
        version: str = "custom",
    ) -> None:
        self._domains = dict(domains)
        self._ips = dict(ips)
        self._cache: dict[str, WatchEntry | None] = {}
        self.version = version

    @classmethod
    def from_dicts(
        cls,
        *,
        c2_domains: Mapping[str, str] | None = None,
        vendor_domains: Mapping[str, str] | None = None,
        c2_ips: Mapping[str, str] | None = None,
        set_name: str = "custom",
        app_kind: str = "stalkerware",
        version: str = "custom",
    ) -> Watchlist:
        """From plain ``{indicator: app name}`` mappings (tests, ad-hoc lists)."""
        builder = _Builder()
        for mapping, category in ((c2_domains, Category.C2), (vendor_domains, Category.VENDOR)):
            for domain, app in (mapping or {}).items():
                builder.domain(domain, WatchEntry(app, app_kind, set_name, category, domain))
        for ip, app in (c2_ips or {}).items():
            builder.ip(ip, WatchEntry(app, app_kind, set_name, Category.C2, ip))
        return cls(builder.domains, builder.ips, version=version)

    @classmethod
    def from_indicators(cls, indicators: IndicatorSet) -> Watchlist:
        """C2 domains and IPs of every app as C2; its websites and download hosts as vendor."""
        builder = _Builder()
        for app in indicators.apps:
            kind = str(app.kind)

            def entry(
                value: str, category: Category, app: App = app, kind: str = kind
            ) -> WatchEntry:
                return WatchEntry(app.name, kind, app.source, category, value)

            for domain in app.c2_domains:
                builder.domain(domain, entry(domain, Category.C2))
            for ip in app.c2_ips:
                builder.ip(ip, entry(ip, Category.C2))
            for site in _chain(app.websites, app.distribution):
                builder.domain(site, entry(site, Category.VENDOR))
        return cls(builder.domains, builder.ips, version=indicators.version)

    def __len__(self) -> int:
        return len(self._domains) + len(self._ips)

    @property
    def ips(self) -> Mapping[bytes, WatchEntry]:
        return self._ips

    def match_domain(self, name: str) -> WatchEntry | None:
        """The entry for ``name`` or its nearest watched parent domain."""
        key = name.lower().rstrip(".")
        cached = self._cache.get(key, False)
        if cached is not False:
            return cached  # type: ignore[return-value]
        found: WatchEntry | None = None
        candidate = key
        while candidate:
            found = self._domains.get(candidate)
            if found is not None:
                break
            candidate = candidate.partition(".")[2]
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = found
        return found

    def match_ip(self, packed: bytes) -> WatchEntry | None:
        """The entry for a 4- or 16-byte address."""
        return self._ips.get(packed)


def _chain(*groups: Iterable[str]) -> Iterable[str]:
    for group in groups:
        yield from group


class _Builder:
    """Collects entries; a C2 entry replaces a vendor one, otherwise the first app listed wins."""

    def __init__(self) -> None:
        self.domains: dict[str, WatchEntry] = {}
        self.ips: dict[bytes, WatchEntry] = {}

    def domain(self, value: str, entry: WatchEntry) -> None:
        packed = _packed_ip(value)
        if packed is not None:
            self._put(self.ips, packed, entry)
            return
        host = normalise_domain(value)
        if host is not None:
            self._put(self.domains, host, entry)

    def ip(self, value: str, entry: WatchEntry) -> None:
        packed = _packed_ip(value)
        if packed is not None:
            self._put(self.ips, packed, entry)

    @staticmethod
    def _put(table: dict[_K, WatchEntry], key: _K, entry: WatchEntry) -> None:
        present = table.get(key)
        if present is None or (
            present.category is Category.VENDOR and entry.category is Category.C2
        ):
            table[key] = entry
