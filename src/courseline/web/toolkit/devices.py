"""Running a device or network check on an uploaded file (web side).

The upload is kept in a private temporary folder for the length of the request and deleted
afterwards; only the report is stored. Every source yields the same report shape:
``{"device": {...}, "findings": [Finding JSON], "not_checked": [{"check", "title", "reason"}]}``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from courseline import __version__
from courseline.digital.devices.checks import run_checks
from courseline.digital.devices.consent import Consent
from courseline.digital.devices.model import SourceError
from courseline.digital.devices.sources.androidqf import read_androidqf
from courseline.digital.devices.sources.bugreport import read_bugreport
from courseline.digital.devices.sources.ios_backup import read_ios_backup_zip
from courseline.digital.devices.sources.package_list import read_package_list
from courseline.digital.findings import Severity
from courseline.digital.indicators import IndicatorError, load
from courseline.digital.network import CaptureError, check_capture, default_watchlist
from courseline.digital.network.explain import report_json

FINDING_KEYS = ("check", "severity", "confidence", "title", "meaning", "not_meaning", "next_step")
MAX_CLI_REPORT_BYTES = 20 * 1024 * 1024


class CheckFailed(Exception):
    """The file could not be checked; ``message`` says why in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _network(upload: Path, data_dir: Path) -> dict[str, Any]:
    try:
        watchlist = default_watchlist(data_dir=data_dir)
        report = check_capture(upload, watchlist)
    except (CaptureError, IndicatorError) as exc:
        raise CheckFailed(str(exc)) from None
    document = report_json(report)
    summary = document["summary"]
    assert isinstance(summary, dict)
    return {
        "device": {
            "platform": "network",
            "source": "network capture",
            "summary": summary,
            "indicator_version": report.indicator_version,
        },
        "findings": document["findings"],
        "not_checked": [
            {"check": "network", "title": "Not checked", "reason": text}
            for text in report.not_checked
        ],
    }


def _cli_report(upload: Path) -> dict[str, Any]:
    if upload.stat().st_size > MAX_CLI_REPORT_BYTES:
        raise CheckFailed("the report file is too large")
    try:
        document = json.loads(upload.read_bytes())
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise CheckFailed("the file is not a JSON report from `courseline device check`") from None
    if not isinstance(document, dict) or not isinstance(document.get("findings"), list):
        raise CheckFailed("the JSON has no findings list: it is not a device-check report")
    device = document.get("device")
    not_checked = document.get("not_checked", [])
    if not isinstance(device, dict) or not isinstance(not_checked, list):
        raise CheckFailed("the JSON report is incomplete (device or not_checked missing)")
    findings = []
    for finding in document["findings"]:
        if not isinstance(finding, dict) or not all(
            isinstance(finding.get(key), str) for key in FINDING_KEYS
        ):
            raise CheckFailed("a finding in the report is incomplete")
        if finding["severity"] not in {s.value for s in Severity}:
            raise CheckFailed(f"unknown severity {finding['severity'][:20]!r} in the report")
        findings.append(finding)
    return {
        "device": {**device, "imported_from": "courseline device check JSON report"},
        "findings": findings,
        "not_checked": [n for n in not_checked if isinstance(n, dict)],
    }


def run_source(
    source: str, upload: Path, workdir: Path, consent: Consent, data_dir: Path
) -> tuple[dict[str, Any], str]:
    """(report, indicator version) for one uploaded file.

    ``workdir`` is the request's private folder; no source needs scratch space in it now (an
    iPhone backup zip is read in place), but callers still pass it.
    """
    if source == "network":
        report = _network(upload, data_dir)
        report["device"]["consent"] = dict(consent.to_json())
        return report, str(report["device"]["indicator_version"])
    if source == "cli_report":
        report = _cli_report(upload)
        report["device"]["consent_at_import"] = dict(consent.to_json())
        return report, str(report["device"].get("indicator_version", "unknown"))[:80]
    readers = {
        "packages": read_package_list,
        "androidqf": read_androidqf,
        "bugreport": read_bugreport,
        # Read inside the zip: only the few files the check needs, and nothing written to disk.
        "ios_backup": read_ios_backup_zip,
    }
    try:
        indicators = load(data_dir=data_dir)
        acquisition = readers[source](upload)
    except (SourceError, IndicatorError) as exc:
        raise CheckFailed(str(exc)) from None
    result = run_checks(acquisition, indicators).with_consent(consent)
    return result.to_json(), indicators.version


TOOL = f"Courseline {__version__}"
