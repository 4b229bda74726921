"""Non-system apps allowed to read every notification (message previews, codes)."""

from __future__ import annotations

from courseline.digital.devices.checks.base import DeviceCheck, android
from courseline.digital.devices.checks.special_access import AccessText, findings_for
from courseline.digital.devices.model import Acquisition, Capability
from courseline.digital.findings import Finding, Severity
from courseline.digital.indicators import IndicatorSet

ID = "notification-listener"
TEXT = AccessText(
    check=ID,
    access="access to all notifications",
    meaning=(
        "The app can read every notification as it arrives: message previews, who is calling, "
        "and one-time login codes. Monitoring apps use this to copy messages."
    ),
    not_meaning=(
        "Smartwatch, fitness-band and car apps, and some launchers, need this access for "
        "ordinary reasons."
    ),
    severity=Severity.HIGH,
)


def run(acquisition: Acquisition, indicators: IndicatorSet) -> list[Finding]:
    return findings_for(acquisition, acquisition.settings.notification_listeners or (), TEXT)


CHECK = DeviceCheck(
    ID,
    "Apps that can read notifications",
    android(Capability.NOTIFICATION_LISTENERS),
    run,
)
