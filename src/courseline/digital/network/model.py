"""Typed results of a network capture check: what was seen, where, when, and what was not read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "CaptureError",
    "CaptureSummary",
    "Category",
    "Hit",
    "NetworkReport",
    "SeenAs",
]


class CaptureError(Exception):
    """The capture cannot be read: not pcap/pcapng, a broken header or an impossible length."""


class Category(StrEnum):
    """C2: the address an installed monitoring app talks to. VENDOR: the seller's own websites."""

    C2 = "c2"
    VENDOR = "vendor"


class SeenAs(StrEnum):
    """Where in the traffic a watched name or address appeared."""

    DNS_QUERY = "dns-query"
    DNS_ANSWER = "dns-answer"
    TLS_SNI = "tls-sni"
    HTTP_HOST = "http-host"
    DEST_IP = "dest-ip"


@dataclass(frozen=True, slots=True)
class Hit:
    """One watched name or address seen one way, aggregated over the whole capture.

    ``count`` is the number of packets (DNS messages, TLS ClientHellos, HTTP requests or, for
    ``dest-ip``, packets sent to the address). ``clients`` holds the first few distinct client
    addresses; ``more_clients`` says how many others were seen. ``via`` names the watched domain
    a DNS answer resolved to this address, when the address is not itself an indicator.
    """

    app: str
    app_kind: str
    indicator_set: str
    category: Category
    indicator: str
    value: str
    seen_as: SeenAs
    first_seen: dt.datetime | None
    last_seen: dt.datetime | None
    count: int
    clients: tuple[str, ...]
    more_clients: int
    via: str | None = None


@dataclass(frozen=True, slots=True)
class CaptureSummary:
    """What was read. ``truncated`` means the file ended inside a packet (see ``warnings``)."""

    format: str
    link_types: tuple[int, ...]
    file_bytes: int
    packets: int
    first_packet: dt.datetime | None
    last_packet: dt.datetime | None
    dns_queries: int
    dns_responses: int
    distinct_domains: int
    distinct_domains_capped: bool
    tls_client_hellos: int
    tls_without_sni: int
    tls_incomplete: int
    http_requests: int
    unsupported_packets: int
    truncated: bool
    warnings: tuple[str, ...]

    @property
    def duration_seconds(self) -> float | None:
        if self.first_packet is None or self.last_packet is None:
            return None
        return (self.last_packet - self.first_packet).total_seconds()


@dataclass(frozen=True, slots=True)
class NetworkReport:
    """The outcome of ``check_capture``: hits (C2 first), the summary and honest limits.

    ``query_names`` is filled only when asked for: every DNS query name with its count, up to a
    bound (see ``CaptureSummary.distinct_domains_capped``).
    """

    path: str
    indicator_version: str
    summary: CaptureSummary
    hits: tuple[Hit, ...]
    hits_dropped: int
    not_checked: tuple[str, ...]
    query_names: tuple[tuple[str, int], ...] | None

    @property
    def c2_hits(self) -> tuple[Hit, ...]:
        return tuple(h for h in self.hits if h.category is Category.C2)

    @property
    def vendor_hits(self) -> tuple[Hit, ...]:
        return tuple(h for h in self.hits if h.category is Category.VENDOR)
