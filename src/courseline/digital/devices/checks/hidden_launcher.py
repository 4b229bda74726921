"""Installed (non-system) apps with no icon in the app drawer."""

from __future__ import annotations

from courseline.digital.devices.checks.base import SAFETY_FIRST, DeviceCheck, android, app_evidence
from courseline.digital.devices.checks.sideloaded import ALTERNATIVE, STORES
from courseline.digital.devices.model import Acquisition, Capability
from courseline.digital.findings import Confidence, Finding, Severity
from courseline.digital.indicators import IndicatorSet

ID = "hidden-from-launcher"


def run(acquisition: Acquisition, indicators: IndicatorSet) -> list[Finding]:
    findings = []
    for app in acquisition.apps:
        if app.system is not False or app.hidden_from_launcher is not True:
            continue
        off_store = app.installer is not None and app.installer not in STORES | ALTERNATIVE
        findings.append(
            Finding(
                check=ID,
                severity=Severity.MEDIUM if off_store else Severity.LOW,
                confidence=Confidence.LOW,
                title=f"{app.package} has no icon in the app list",
                meaning=(
                    "This installed app cannot be opened from the home screen or app drawer. "
                    "Stalkerware hides its icon so the person does not notice it."
                    + (" It also did not come from an app store." if off_store else "")
                ),
                not_meaning=(
                    "Keyboards, widgets, plug-ins, and companion apps of other apps often have "
                    "no icon for ordinary reasons."
                ),
                next_step="Look the app up in Settings > Apps with the person. " + SAFETY_FIRST,
                evidence=app_evidence(app),
            )
        )
    return findings


CHECK = DeviceCheck(
    ID,
    "Apps hidden from the app drawer",
    android(Capability.LAUNCHER, Capability.SYSTEM_FLAG),
    run,
)
