"""Installing apps from unknown sources allowed (the whole phone, or for particular apps)."""

from __future__ import annotations

from courseline.digital.devices.checks.base import SAFETY_FIRST, DeviceCheck, android
from courseline.digital.devices.checks.sideloaded import ALTERNATIVE, STORES
from courseline.digital.devices.checks.special_access import AccessText, findings_for
from courseline.digital.devices.model import Acquisition, Capability
from courseline.digital.findings import Confidence, Finding, Severity
from courseline.digital.indicators import IndicatorSet

ID = "unknown-sources"
PER_APP = AccessText(
    check=ID,
    access="permission to install other apps",
    meaning=(
        "This app is allowed to install apps that do not come from an app store. Browsers and "
        "file managers given this permission are how stalkerware files usually get installed."
    ),
    not_meaning=(
        "People allow this on purpose to install apps they want, and it does not show that "
        "anything harmful was installed."
    ),
    severity=Severity.LOW,
)


def run(acquisition: Acquisition, indicators: IndicatorSet) -> list[Finding]:
    settings = acquisition.settings
    findings: list[Finding] = []
    if settings.install_non_market_apps:
        findings.append(
            Finding(
                check=ID,
                severity=Severity.MEDIUM,
                confidence=Confidence.HIGH,
                title="Installing apps from unknown sources is allowed",
                meaning=(
                    "The phone accepts apps from outside the app store. This is turned on to "
                    "install stalkerware, and is often left on afterwards."
                ),
                not_meaning="Some people turn this on themselves to install apps they want.",
                next_step="Ask whether the person turned this on. " + SAFETY_FIRST,
                evidence={"setting": "install_non_market_apps", "value": "1"},
            )
        )
    holders = [p for p in settings.install_unknown_packages or () if p not in STORES | ALTERNATIVE]
    return findings + findings_for(acquisition, holders, PER_APP)


CHECK = DeviceCheck(
    ID, "Installing apps from unknown sources", android(Capability.UNKNOWN_SOURCES), run
)
