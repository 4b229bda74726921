"""Shared logic of the checks for non-system apps holding powerful special access."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from courseline.digital.devices.checks.base import (
    SAFETY_FIRST,
    app_evidence,
    apps_by_package,
)
from courseline.digital.devices.model import Acquisition, InstalledApp, component_package
from courseline.digital.findings import Confidence, Finding, JsonValue, Severity


@dataclass(frozen=True)
class AccessText:
    check: str
    access: str  # e.g. "an accessibility service"
    meaning: str
    not_meaning: str
    severity: Severity
    confidence: Confidence = Confidence.MEDIUM


def findings_for(
    acquisition: Acquisition, holders: Iterable[str], text: AccessText
) -> list[Finding]:
    """One finding per non-system app in ``holders`` (packages or ``pkg/class`` components)."""
    apps = apps_by_package(acquisition)
    grouped: dict[str, list[str]] = {}
    for holder in holders:
        grouped.setdefault(component_package(holder), []).append(holder)
    findings: list[Finding] = []
    for package, entries in sorted(grouped.items()):
        app = apps.get(package) or InstalledApp(package=package)
        if app.system is True:
            continue
        components = sorted({e for e in entries if "/" in e})
        extra: dict[str, JsonValue] = {"components": list(components)} if components else {}
        findings.append(
            Finding(
                check=text.check,
                severity=text.severity,
                confidence=text.confidence,
                title=f"{package} has {text.access}",
                meaning=text.meaning,
                not_meaning=text.not_meaning,
                next_step=(
                    "Check whether the person recognises the app and chose to give it this "
                    "access. " + SAFETY_FIRST
                ),
                evidence=app_evidence(app, **extra),
            )
        )
    return findings
