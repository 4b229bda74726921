"""Findings and JSON: severities by category and app kind, honest texts, stable schema."""

from __future__ import annotations

from pathlib import Path

from courseline.digital.findings import Confidence, Severity
from courseline.digital.network import Watchlist, check_capture, report_json, to_findings
from tests.digital.network import fixtures as fx


def _report(tmp_path: Path, *frames: bytes, app_kind: str = "stalkerware") -> object:
    path = tmp_path / "c.pcap"
    path.write_bytes(fx.pcap([(fx.T0, f) for f in frames]))
    watchlist = Watchlist.from_dicts(
        **fx.WATCH, set_name="test-set", app_kind=app_kind, version="t1"
    )
    return check_capture(path, watchlist)


def test_stalkerware_c2_is_critical_and_vendor_sites_low_and_never_an_infection(
    tmp_path: Path,
) -> None:
    report = _report(
        tmp_path, fx.dns_query_frame("i.spyic.com"), fx.dns_query_frame("spyic-shop.net")
    )
    c2, vendor = to_findings(report)  # type: ignore[arg-type]
    assert (c2.check, c2.severity, c2.confidence) == (
        "network.c2-contact",
        Severity.CRITICAL,
        Confidence.HIGH,
    )
    assert (vendor.check, vendor.severity) == ("network.vendor-site", Severity.LOW)
    assert "not a sign of infection" in vendor.not_meaning and "infect" not in vendor.meaning
    assert "not proof" in c2.not_meaning and "safety" in c2.next_step
    assert c2.indicator is not None and c2.indicator.to_json() == {
        "set": "test-set",
        "name": "Spyic",
        "version": "t1",
    }
    assert c2.evidence["value"] == "i.spyic.com" and c2.evidence["count"] == 1


def test_watchware_c2_is_high_and_an_address_match_is_medium_confidence(tmp_path: Path) -> None:
    frame = fx.ethernet(fx.ipv4(fx.CLIENT, "203.0.113.9", 17, fx.udp(1, 9, b"x")))
    (finding,) = to_findings(_report(tmp_path, frame, app_kind="watchware"))  # type: ignore[arg-type]
    assert finding.severity is Severity.HIGH and finding.confidence is Confidence.MEDIUM


def test_the_json_document_has_a_schema_version_and_a_no_hit_explanation(tmp_path: Path) -> None:
    document = report_json(_report(tmp_path, fx.dns_query_frame("www.gov.uk")))  # type: ignore[arg-type]
    assert document["schema"] == 1 and document["hits"] == [] and document["findings"] == []
    assert set(document) >= {"capture", "indicator_version", "summary", "not_checked", "no_c2_hit"}
    assert "does not show the device is free" in document["no_c2_hit"]["not_meaning"]  # type: ignore[index]
    assert "dns_query_names" not in document
