"""Check a capture against a watchlist: read, dissect, match, aggregate, in constant memory.

Every bounded structure has its limit here: distinct hits, clients kept per hit, addresses
tied to watched names by DNS answers, distinct query names counted. When a limit is reached
the count of what was left out is reported instead of growing without end.
"""

from __future__ import annotations

import datetime as dt
import math
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from courseline.digital.network.capture import read_capture
from courseline.digital.network.dissect import LINK_NAMES, Dissector, Handler
from courseline.digital.network.dns import TYPE_A, TYPE_AAAA, TYPE_CNAME, DnsMessage
from courseline.digital.network.explain import not_checked
from courseline.digital.network.model import (
    CaptureError,
    CaptureSummary,
    Category,
    Hit,
    NetworkReport,
    SeenAs,
)
from courseline.digital.network.watchlist import WatchEntry, Watchlist

__all__ = ["MAX_CLIENTS", "MAX_DISTINCT_NAMES", "MAX_HITS", "MAX_RESOLVED", "check_capture"]

MAX_HITS = 10_000
MAX_CLIENTS = 16
MAX_RESOLVED = 4_096
MAX_DISTINCT_NAMES = 100_000


@dataclass(slots=True)
class _Tally:
    first: float = math.inf
    last: float = -math.inf
    count: int = 0
    clients: list[bytes] = field(default_factory=list)
    more_clients: int = 0
    via: str | None = None

    def add(self, client: bytes, ts: float) -> None:
        self.count += 1
        if ts == ts:  # NaN: a packet without a timestamp
            self.first = min(self.first, ts)
            self.last = max(self.last, ts)
        if client not in self.clients:
            if len(self.clients) < MAX_CLIENTS:
                self.clients.append(client)
            else:
                self.more_clients += 1  # an upper bound: repeat outsiders are counted again


def _watch_key(packed: bytes) -> int:
    return packed[-2] << 8 | packed[-1]


class _Aggregator:
    """The dissector's sink: matches names and addresses and keeps bounded tallies."""

    def __init__(self, watchlist: Watchlist) -> None:
        self.watchlist = watchlist
        self.v4_watch = bytearray(65536)
        self.v6_watch = bytearray(65536)
        for packed in watchlist.ips:
            self._watch(packed)
        self.hits: dict[tuple[WatchEntry, str, SeenAs], _Tally] = {}
        self.hits_dropped = 0
        self.resolved: dict[bytes, tuple[WatchEntry, str]] = {}
        self.resolved_dropped = 0
        self.names: dict[str, int] = {}
        self.names_capped = False
        self.dns_queries = 0
        self.dns_responses = 0

    def _watch(self, packed: bytes) -> None:
        table = self.v4_watch if len(packed) == 4 else self.v6_watch
        table[_watch_key(packed)] = 1

    def _record(
        self, entry: WatchEntry, value: str, how: SeenAs, client: bytes, ts: float
    ) -> _Tally | None:
        key = (entry, value, how)
        tally = self.hits.get(key)
        if tally is None:
            if len(self.hits) >= MAX_HITS:
                self.hits_dropped += 1
                return None
            tally = self.hits[key] = _Tally()
        tally.add(client, ts)
        return tally

    def _name(self, name: str, how: SeenAs, client: bytes, ts: float) -> WatchEntry | None:
        entry = self.watchlist.match_domain(name)
        if entry is not None:
            self._record(entry, name, how, client, ts)
        return entry

    def dns(self, message: DnsMessage, src: bytes, dst: bytes, ts: float) -> None:
        if not message.response:
            self.dns_queries += 1
            for name in message.names:
                self._count_name(name)
                self._name(name, SeenAs.DNS_QUERY, src, ts)
            return
        self.dns_responses += 1
        seen = dict.fromkeys(message.names)
        for owner, rtype, data in message.answers:
            seen[owner] = None
            if rtype == TYPE_CNAME and isinstance(data, str):
                seen[data] = None
        matched: tuple[WatchEntry, str] | None = None
        for name in seen:
            entry = self._name(name, SeenAs.DNS_ANSWER, dst, ts)
            if entry is not None and (
                matched is None
                or (entry.category is Category.C2 and matched[0].category is not Category.C2)
            ):
                matched = (entry, name)
        if matched is not None:
            for _owner, rtype, data in message.answers:
                if rtype in (TYPE_A, TYPE_AAAA) and isinstance(data, bytes):
                    self._tie(data, matched)

    def _tie(self, packed: bytes, matched: tuple[WatchEntry, str]) -> None:
        if packed in self.resolved or self.watchlist.match_ip(packed) is not None:
            return
        if len(self.resolved) >= MAX_RESOLVED:
            self.resolved_dropped += 1
            return
        self.resolved[packed] = matched
        self._watch(packed)

    def _count_name(self, name: str) -> None:
        count = self.names.get(name)
        if count is not None:
            self.names[name] = count + 1
        elif len(self.names) < MAX_DISTINCT_NAMES:
            self.names[name] = 1
        else:
            self.names_capped = True

    def tls_sni(self, name: str, src: bytes, ts: float) -> None:
        self._name(name, SeenAs.TLS_SNI, src, ts)

    def http_host(self, name: str, src: bytes, ts: float) -> None:
        self._name(name, SeenAs.HTTP_HOST, src, ts)

    def dest_ip(self, dst: bytes, src: bytes, ts: float) -> None:
        entry = self.watchlist.match_ip(dst)
        via = None
        if entry is None:
            tied = self.resolved.get(dst)
            if tied is None:
                return
            entry, via = tied
        tally = self._record(entry, _address(dst), SeenAs.DEST_IP, src, ts)
        if tally is not None and via is not None:
            tally.via = via


def _address(packed: bytes) -> str:
    family = socket.AF_INET if len(packed) == 4 else socket.AF_INET6
    return socket.inet_ntop(family, packed)


def _utc(ts: float | None) -> dt.datetime | None:
    if ts is None or not math.isfinite(ts):
        return None
    try:
        return dt.datetime.fromtimestamp(ts, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


_KIND_ORDER = {"stalkerware": 0, "watchware": 1, "dual-use": 2}
_HOW_ORDER = {how: rank for rank, how in enumerate(SeenAs)}


def _hits(aggregator: _Aggregator) -> tuple[Hit, ...]:
    hits = [
        Hit(
            app=entry.app,
            app_kind=entry.app_kind,
            indicator_set=entry.indicator_set,
            category=entry.category,
            indicator=entry.indicator,
            value=value,
            seen_as=how,
            first_seen=_utc(tally.first),
            last_seen=_utc(tally.last),
            count=tally.count,
            clients=tuple(_address(c) for c in tally.clients),
            more_clients=tally.more_clients,
            via=tally.via,
        )
        for (entry, value, how), tally in aggregator.hits.items()
    ]
    hits.sort(
        key=lambda h: (
            h.category is not Category.C2,
            _KIND_ORDER.get(h.app_kind, 9),
            h.app,
            _HOW_ORDER[h.seen_as],
            -h.count,
            h.value,
        )
    )
    return tuple(hits)


def check_capture(
    path: str | Path,
    watchlist: Watchlist,
    *,
    list_queries: bool = False,
    progress: Callable[[int], None] | None = None,
) -> NetworkReport:
    """Read the pcap/pcapng file at ``path`` once and match it against ``watchlist``.

    ``progress`` is called with the number of bytes read so far, once per 4 MiB. Raises
    ``CaptureError`` when the file cannot be opened or is not a readable capture; a capture cut
    short inside its last packet is reported (``summary.truncated``), not raised.
    """
    aggregator = _Aggregator(watchlist)
    dissector = Dissector(aggregator, aggregator.v4_watch, aggregator.v6_watch)
    unsupported: list[int] = []

    def handler_for(link: int) -> Handler:
        found = dissector.handler(link)
        if found is None:
            unsupported.append(link)
            return dissector.unsupported_packet
        return found

    try:
        with open(path, "rb", buffering=0) as stream:
            read = read_capture(stream, handler_for, progress)
    except CaptureError:
        raise
    except IsADirectoryError:
        raise CaptureError(f"{path} is a folder, not a capture file") from None
    except FileNotFoundError:
        raise CaptureError(f"{path} does not exist") from None
    except OSError as exc:
        raise CaptureError(f"{path} cannot be read: {exc.strerror or exc}") from None
    warnings = list(read.warnings)
    if unsupported:
        names = ", ".join(str(link) for link in sorted(set(unsupported)))
        warnings.append(
            f"{dissector.unsupported} packets use link types this check does not read ({names}); "
            f"supported: {', '.join(LINK_NAMES.values())}"
        )
    if aggregator.resolved_dropped:
        warnings.append(
            f"{aggregator.resolved_dropped} addresses resolved from watched names were not "
            f"followed (limit {MAX_RESOLVED})"
        )
    summary = CaptureSummary(
        format=read.format,
        link_types=tuple(read.link_types),
        file_bytes=read.file_bytes,
        packets=read.packets,
        first_packet=_utc(read.first_ts),
        last_packet=_utc(read.last_ts),
        dns_queries=aggregator.dns_queries,
        dns_responses=aggregator.dns_responses,
        distinct_domains=len(aggregator.names),
        distinct_domains_capped=aggregator.names_capped,
        tls_client_hellos=dissector.tls_hellos,
        tls_without_sni=dissector.tls_without_sni,
        tls_incomplete=dissector.tls_incomplete,
        http_requests=dissector.http_requests,
        unsupported_packets=dissector.unsupported,
        truncated=read.truncated,
        warnings=tuple(warnings),
    )
    query_names = tuple(sorted(aggregator.names.items())) if list_queries else None
    return NetworkReport(
        path=str(path),
        indicator_version=watchlist.version,
        summary=summary,
        hits=_hits(aggregator),
        hits_dropped=aggregator.hits_dropped,
        not_checked=not_checked(summary, dissector.dns_tcp_segmented),
        query_names=query_names,
    )
