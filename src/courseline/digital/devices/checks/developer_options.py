"""Developer options or USB debugging turned on."""

from __future__ import annotations

from courseline.digital.devices.checks.base import SAFETY_FIRST, DeviceCheck, android
from courseline.digital.devices.model import Acquisition, Capability
from courseline.digital.findings import Confidence, Finding, Severity
from courseline.digital.indicators import IndicatorSet

ID = "developer-options"


def run(acquisition: Acquisition, indicators: IndicatorSet) -> list[Finding]:
    settings = acquisition.settings
    findings: list[Finding] = []
    live = acquisition.device.source == "adb"
    if settings.adb_enabled:
        findings.append(
            Finding(
                check=ID,
                severity=Severity.INFO if live else Severity.MEDIUM,
                confidence=Confidence.HIGH,
                title="USB debugging is on",
                meaning=(
                    "USB debugging lets a computer install apps and change settings on the "
                    "phone. It is also one way stalkerware gets installed."
                    + (
                        " It has to be on for this live check, so ask whether it was on before "
                        "the check started."
                        if live
                        else ""
                    )
                ),
                not_meaning="It does not show that anything was installed this way.",
                next_step=(
                    "If it was on before the check and the person did not turn it on, record "
                    "that. " + SAFETY_FIRST
                ),
                evidence={"setting": "global adb_enabled", "value": "1"},
            )
        )
    if settings.development_settings_enabled:
        findings.append(
            Finding(
                check=ID,
                severity=Severity.LOW,
                confidence=Confidence.HIGH,
                title="Developer options are turned on",
                meaning=(
                    "The hidden developer menu has been unlocked on this phone. Someone "
                    "installing monitoring software often needs it."
                ),
                not_meaning=(
                    "Many people unlock it for harmless reasons (and it is needed for a live "
                    "check like this one)."
                ),
                next_step="Ask whether the person unlocked it. " + SAFETY_FIRST,
                evidence={"setting": "global development_settings_enabled", "value": "1"},
            )
        )
    return findings


CHECK = DeviceCheck(ID, "Developer options and USB debugging", android(Capability.DEVELOPER), run)
