"""Non-system apps with an accessibility service turned on (can read and act on the screen)."""

from __future__ import annotations

from courseline.digital.devices.checks.base import DeviceCheck, android
from courseline.digital.devices.checks.special_access import AccessText, findings_for
from courseline.digital.devices.model import Acquisition, Capability
from courseline.digital.findings import Finding, Severity
from courseline.digital.indicators import IndicatorSet

ID = "accessibility-service"
TEXT = AccessText(
    check=ID,
    access="an accessibility service turned on",
    meaning=(
        "An accessibility service can read everything shown on the screen, including messages "
        "as they are typed and read, and can press buttons for the user. Monitoring apps "
        "commonly ask for it."
    ),
    not_meaning=(
        "Many helpful apps use it too (screen readers, password managers, launchers, "
        "automation tools), so this alone does not mean the app is spying."
    ),
    severity=Severity.HIGH,
)


def run(acquisition: Acquisition, indicators: IndicatorSet) -> list[Finding]:
    return findings_for(acquisition, acquisition.settings.accessibility_services or (), TEXT)


CHECK = DeviceCheck(ID, "Apps using accessibility services", android(Capability.ACCESSIBILITY), run)
