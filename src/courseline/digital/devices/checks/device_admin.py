"""Non-system apps that are device administrators, or device or profile owners."""

from __future__ import annotations

from courseline.digital.devices.checks.base import DeviceCheck, android
from courseline.digital.devices.checks.special_access import AccessText, findings_for
from courseline.digital.devices.model import Acquisition, Capability
from courseline.digital.findings import Confidence, Finding, Severity
from courseline.digital.indicators import IndicatorSet

ID = "device-admin"
ADMIN = AccessText(
    check=ID,
    access="device administrator rights",
    meaning=(
        "A device administrator app can lock or wipe the phone, enforce screen-lock rules and "
        "make itself hard to uninstall. Stalkerware uses this to stop being removed."
    ),
    not_meaning=(
        "Work e-mail, Find My Device and some security apps are legitimate device administrators."
    ),
    severity=Severity.MEDIUM,
)
OWNER = AccessText(
    check=ID,
    access="control of the phone as its device or profile owner",
    meaning=(
        "A device or profile owner app manages the phone (or a work profile) like an employer "
        "would: it can install apps, change settings and see a lot of activity."
    ),
    not_meaning=(
        "On a work phone, or one with a work profile, this is usually the employer's "
        "management app."
    ),
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
)


def run(acquisition: Acquisition, indicators: IndicatorSet) -> list[Finding]:
    settings = acquisition.settings
    owners = [settings.device_owner] if settings.device_owner else []
    owners += list(settings.profile_owners or ())
    owner_findings = findings_for(acquisition, owners, OWNER)
    owned = {f.evidence["package"] for f in owner_findings}
    admins = [a for a in settings.device_admins or () if a.split("/", 1)[0] not in owned]
    return owner_findings + findings_for(acquisition, admins, ADMIN)


CHECK = DeviceCheck(
    ID, "Device administrator and owner apps", android(Capability.DEVICE_ADMIN), run
)
