"""What a network check result means and does not mean, as findings and as JSON.

The texts are ours. A C2 hit is strong evidence worth acting on carefully, never a certainty;
a vendor-site hit is context, never an infection; no hit is never a clean bill of health.
"""

from __future__ import annotations

from courseline.digital.findings import Confidence, Finding, IndicatorRef, JsonValue, Severity
from courseline.digital.network.model import (
    CaptureSummary,
    Category,
    Hit,
    NetworkReport,
    SeenAs,
)

__all__ = ["JSON_SCHEMA_VERSION", "NO_HIT", "not_checked", "report_json", "to_findings"]

JSON_SCHEMA_VERSION = 1
CHECK_C2 = "network.c2-contact"
CHECK_VENDOR = "network.vendor-site"

_ALWAYS_NOT_CHECKED = (
    "Encrypted DNS (DNS over HTTPS, DNS over TLS, DNS over QUIC, Android 'Private DNS'): names "
    "looked up that way never appear in the capture.",
    "QUIC and HTTP/3 (UDP): their server name travels in an encrypted Initial packet, which is "
    "not decrypted here.",
    "TLS server names are read from the first TCP segment of a ClientHello only; a ClientHello "
    "split across segments or records is counted but not read, and with Encrypted Client Hello "
    "(ECH) only the outer, public name is visible.",
    "Traffic inside a VPN, Tor or a proxy, and traffic sent over mobile data or another network "
    "while the capture ran: only what passed the capture point is seen.",
    "IP fragments after the first one, and DNS over TCP split across segments, are not "
    "reassembled.",
    "Local name lookups (mDNS, LLMNR) and plain TCP/UDP traffic to unlisted addresses.",
)

NO_HIT = (
    "No traffic to a listed monitoring-app server was seen in this capture.",
    "This does not show the device is free of monitoring software. The app may have sent "
    "nothing while the capture ran, may use servers not yet in the indicator list, or its "
    "traffic may be hidden by encrypted DNS, a VPN, or mobile data.",
)

_HOW_TEXT = {
    SeenAs.DNS_QUERY: "a DNS lookup of",
    SeenAs.DNS_ANSWER: "a DNS answer naming",
    SeenAs.TLS_SNI: "an encrypted (TLS) connection to",
    SeenAs.HTTP_HOST: "a plain web (HTTP) request to",
    SeenAs.DEST_IP: "packets sent to",
}


def not_checked(summary: CaptureSummary, dns_tcp_segmented: int) -> tuple[str, ...]:
    """The fixed limits of the check plus what this capture left unread."""
    items = list(_ALWAYS_NOT_CHECKED)
    if summary.tls_incomplete:
        items.append(
            f"{summary.tls_incomplete} TLS ClientHello(s) in this capture continued beyond their "
            "first segment; their server names were not read."
        )
    if dns_tcp_segmented:
        items.append(
            f"{dns_tcp_segmented} DNS-over-TCP message(s) were split across segments and not read."
        )
    if summary.unsupported_packets:
        items.append(
            f"{summary.unsupported_packets} packet(s) on unsupported link types were not read."
        )
    if summary.truncated:
        items.append("The end of the capture was cut off; anything after that point is missing.")
    return tuple(items)


def _c2_texts(hit: Hit) -> tuple[str, str, str]:
    seen = f"{_HOW_TEXT[hit.seen_as]} {hit.value}"
    via = f" (an address the DNS answer for {hit.via} pointed to)" if hit.via else ""
    meaning = (
        f"The capture shows {seen}{via}, which the indicator set lists as a server the "
        f"{hit.app_kind} app {hit.app} uses to receive what it collects. If the capture came "
        "from the person's device, this is a strong sign that this app, or something sharing "
        "its servers, is installed and active on it."
    )
    not_meaning = (
        "It does not show who installed the app or what it sent, and it is not proof on its "
        "own: a link, a security tool or a researcher can also look a name up, shared hosting "
        "can put unrelated sites on one address, and indicator lists contain mistakes. It says "
        "nothing about traffic outside this capture."
    )
    next_step = (
        "Plan for safety with the person before removing anything: removing the app or "
        "changing settings can alert whoever installed it. Keep the capture and this report "
        "as evidence, then check the device itself, with consent."
    )
    return meaning, not_meaning, next_step


def _vendor_texts(hit: Hit) -> tuple[str, str, str]:
    meaning = (
        f"The capture shows {_HOW_TEXT[hit.seen_as]} {hit.value}, a website where the "
        f"{hit.app_kind} app {hit.app} is sold, explained or downloaded."
    )
    not_meaning = (
        "This is not a sign of infection. Anyone using the network, including the person "
        "themselves or someone helping them, may have read about the product. It does not show "
        "that the app was bought or installed."
    )
    next_step = (
        "Treat it as context only. If it fits other concerns (for example someone else having "
        "had the device), check the device with the person's consent."
    )
    return meaning, not_meaning, next_step


def _severity(hit: Hit) -> Severity:
    if hit.category is Category.VENDOR:
        return Severity.LOW if hit.app_kind == "stalkerware" else Severity.INFO
    return Severity.CRITICAL if hit.app_kind == "stalkerware" else Severity.HIGH


def _confidence(hit: Hit) -> Confidence:
    if hit.category is Category.C2 and hit.seen_as is SeenAs.DEST_IP:
        return Confidence.MEDIUM  # addresses are shared and reassigned
    return Confidence.HIGH


def hit_json(hit: Hit) -> dict[str, JsonValue]:
    return {
        "app": hit.app,
        "app_kind": hit.app_kind,
        "indicator_set": hit.indicator_set,
        "category": hit.category.value,
        "indicator": hit.indicator,
        "value": hit.value,
        "seen_as": hit.seen_as.value,
        "first_seen": hit.first_seen.isoformat() if hit.first_seen else None,
        "last_seen": hit.last_seen.isoformat() if hit.last_seen else None,
        "count": hit.count,
        "clients": list(hit.clients),
        "more_clients": hit.more_clients,
        "via": hit.via,
    }


def to_findings(report: NetworkReport) -> list[Finding]:
    """One finding per hit: C2 contact (critical/high) or vendor site (low/info)."""
    findings = []
    for hit in report.hits:
        c2 = hit.category is Category.C2
        meaning, not_meaning, next_step = (_c2_texts if c2 else _vendor_texts)(hit)
        what = "a server used by" if c2 else "the website of"
        findings.append(
            Finding(
                check=CHECK_C2 if c2 else CHECK_VENDOR,
                severity=_severity(hit),
                confidence=_confidence(hit),
                title=f"Network traffic to {what} {hit.app} ({hit.seen_as.value}: {hit.value})",
                meaning=meaning,
                not_meaning=not_meaning,
                next_step=next_step,
                evidence=hit_json(hit),
                indicator=IndicatorRef(
                    set=hit.indicator_set, name=hit.app, version=report.indicator_version
                ),
            )
        )
    return findings


def _summary_json(summary: CaptureSummary) -> dict[str, JsonValue]:
    return {
        "format": summary.format,
        "link_types": list(summary.link_types),
        "file_bytes": summary.file_bytes,
        "packets": summary.packets,
        "first_packet": summary.first_packet.isoformat() if summary.first_packet else None,
        "last_packet": summary.last_packet.isoformat() if summary.last_packet else None,
        "duration_seconds": summary.duration_seconds,
        "dns_queries": summary.dns_queries,
        "dns_responses": summary.dns_responses,
        "distinct_domains": summary.distinct_domains,
        "distinct_domains_capped": summary.distinct_domains_capped,
        "tls_client_hellos": summary.tls_client_hellos,
        "tls_without_sni": summary.tls_without_sni,
        "tls_incomplete": summary.tls_incomplete,
        "http_requests": summary.http_requests,
        "unsupported_packets": summary.unsupported_packets,
        "truncated": summary.truncated,
        "warnings": list(summary.warnings),
    }


def report_json(report: NetworkReport) -> dict[str, JsonValue]:
    """The documented JSON document (``schema`` 1) for a report."""
    c2 = bool(report.c2_hits)
    document: dict[str, JsonValue] = {
        "schema": JSON_SCHEMA_VERSION,
        "capture": report.path,
        "indicator_version": report.indicator_version,
        "summary": _summary_json(report.summary),
        "hits": [hit_json(h) for h in report.hits],
        "hits_dropped": report.hits_dropped,
        "findings": [f.to_json() for f in to_findings(report)],
        "no_c2_hit": None if c2 else {"meaning": NO_HIT[0], "not_meaning": NO_HIT[1]},
        "not_checked": list(report.not_checked),
    }
    if report.query_names is not None:
        document["dns_query_names"] = [{"name": n, "count": c} for n, c in report.query_names]
    return document
