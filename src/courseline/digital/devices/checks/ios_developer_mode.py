"""iPhone Developer Mode turned on."""

from __future__ import annotations

from courseline.digital.devices.checks.base import SAFETY_FIRST, DeviceCheck
from courseline.digital.devices.model import Acquisition, Capability, Platform
from courseline.digital.findings import Confidence, Finding, Severity
from courseline.digital.indicators import IndicatorSet

ID = "ios-developer-mode"


def run(acquisition: Acquisition, indicators: IndicatorSet) -> list[Finding]:
    if acquisition.settings.developer_mode is not True:
        return []
    return [
        Finding(
            check=ID,
            severity=Severity.MEDIUM,
            confidence=Confidence.HIGH,
            title="Developer Mode is on",
            meaning=(
                "Developer Mode lets apps that did not come from the App Store be installed "
                "and run, which is one way monitoring software gets onto an iPhone."
            ),
            not_meaning="App developers and some hobbyists turn it on for their own use.",
            next_step="Ask whether the person turned it on. " + SAFETY_FIRST,
            evidence={"setting": "DeveloperModeStatus", "value": True},
        )
    ]


CHECK = DeviceCheck(
    ID, "iPhone Developer Mode", {Platform.IOS: frozenset({Capability.DEVELOPER_MODE})}, run
)
