"""Non-system apps with usage access (can see which apps are used, and when)."""

from __future__ import annotations

from courseline.digital.devices.checks.base import DeviceCheck, android
from courseline.digital.devices.checks.special_access import AccessText, findings_for
from courseline.digital.devices.model import Acquisition, Capability
from courseline.digital.findings import Finding, Severity
from courseline.digital.indicators import IndicatorSet

ID = "usage-access"
TEXT = AccessText(
    check=ID,
    access="usage access",
    meaning=(
        "With usage access an app can see which apps are opened, when and for how long. "
        "Monitoring apps use it to report someone's activity."
    ),
    not_meaning=(
        "Battery savers, screen-time and digital well-being apps and some launchers use it "
        "for ordinary reasons."
    ),
    severity=Severity.MEDIUM,
)


def run(acquisition: Acquisition, indicators: IndicatorSet) -> list[Finding]:
    return findings_for(acquisition, acquisition.settings.usage_stats_packages or (), TEXT)


CHECK = DeviceCheck(ID, "Apps with usage access", android(Capability.APP_OPS), run)
