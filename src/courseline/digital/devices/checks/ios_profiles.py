"""iPhone configuration profiles and device management (MDM)."""

from __future__ import annotations

from courseline.digital.devices.checks.base import SAFETY_FIRST, DeviceCheck
from courseline.digital.devices.model import Acquisition, Capability, Platform
from courseline.digital.findings import Confidence, Finding, JsonValue, Severity
from courseline.digital.indicators import IndicatorSet

ID = "ios-profiles"


def run(acquisition: Acquisition, indicators: IndicatorSet) -> list[Finding]:
    findings = []
    for profile in acquisition.profiles:
        evidence: dict[str, JsonValue] = {"profile": profile.identifier}
        if profile.name:
            evidence["name"] = profile.name
        if profile.organization:
            evidence["organization"] = profile.organization
        if profile.payload_types:
            evidence["payload_types"] = list(profile.payload_types)
        if profile.installed_at:
            evidence["installed_at"] = profile.installed_at.isoformat()
        label = profile.name or profile.identifier
        findings.append(
            Finding(
                check=ID,
                severity=Severity.HIGH if profile.is_mdm else Severity.MEDIUM,
                confidence=Confidence.HIGH,
                title=(
                    f"The iPhone is managed by an organisation (MDM): {label}"
                    if profile.is_mdm
                    else f"Configuration profile installed: {label}"
                ),
                meaning=(
                    "Device management lets whoever runs it install apps, change settings, "
                    "route internet traffic and see details of the phone."
                    if profile.is_mdm
                    else "A configuration profile changes how the phone works, for example a "
                    "VPN or certificate that can let someone see internet traffic, or "
                    "restrictions."
                ),
                not_meaning=(
                    "Work and school phones, and some VPN or carrier apps, install profiles "
                    "for ordinary reasons."
                ),
                next_step=(
                    "Look at it together in Settings > General > VPN & Device Management and "
                    "ask whether the person knows where it came from. " + SAFETY_FIRST
                ),
                evidence=evidence,
            )
        )
    return findings


CHECK = DeviceCheck(
    ID,
    "Configuration profiles and device management",
    {Platform.IOS: frozenset({Capability.PROFILES})},
    run,
)
