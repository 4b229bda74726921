"""Play Protect app verification turned off."""

from __future__ import annotations

from courseline.digital.devices.checks.base import SAFETY_FIRST, DeviceCheck, android
from courseline.digital.devices.model import Acquisition, Capability
from courseline.digital.findings import Confidence, Finding, Severity
from courseline.digital.indicators import IndicatorSet

ID = "package-verifier-off"


def run(acquisition: Acquisition, indicators: IndicatorSet) -> list[Finding]:
    if acquisition.settings.package_verifier_enabled is not False:
        return []
    return [
        Finding(
            check=ID,
            severity=Severity.HIGH,
            confidence=Confidence.MEDIUM,
            title="Play Protect app scanning is turned off",
            meaning=(
                "The phone's built-in check of installed apps is off. Instructions for "
                "installing stalkerware usually tell the installer to turn it off first, so "
                "that the app is not flagged."
            ),
            not_meaning=(
                "Some people turn it off themselves, and some phones without Google services "
                "never had it. It does not show that anything harmful is installed."
            ),
            next_step=(
                "Note it in the record. Turning it back on can make the phone warn about an "
                "installed monitoring app, which the person monitoring may notice: "
                + SAFETY_FIRST[0].lower()
                + SAFETY_FIRST[1:]
            ),
            evidence={"setting": "global package_verifier_enable", "value": "0"},
        )
    ]


CHECK = DeviceCheck(ID, "Play Protect app verification", android(Capability.VERIFIER), run)
