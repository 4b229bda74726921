"""Non-system apps allowed to draw over other apps."""

from __future__ import annotations

from courseline.digital.devices.checks.base import DeviceCheck, android
from courseline.digital.devices.checks.special_access import AccessText, findings_for
from courseline.digital.devices.model import Acquisition, Capability
from courseline.digital.findings import Confidence, Finding, Severity
from courseline.digital.indicators import IndicatorSet

ID = "display-over-apps"
TEXT = AccessText(
    check=ID,
    access="permission to display over other apps",
    meaning=(
        "The app can show its own windows on top of other apps. Some monitoring apps use this "
        "to keep running or to cover up warnings."
    ),
    not_meaning=(
        "Chat bubbles, screen filters, video players and many other apps use this "
        "permission for ordinary reasons; on its own it is a weak sign."
    ),
    severity=Severity.LOW,
    confidence=Confidence.LOW,
)


def run(acquisition: Acquisition, indicators: IndicatorSet) -> list[Finding]:
    return findings_for(acquisition, acquisition.settings.overlay_packages or (), TEXT)


CHECK = DeviceCheck(ID, "Apps that display over other apps", android(Capability.APP_OPS), run)
