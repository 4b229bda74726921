"""The result of a device check: findings, what could not be checked, and the JSON shape.

``DeviceReport.to_json()`` gives exactly ``{"device": {...}, "findings": [...],
"not_checked": [...]}``; the device part carries the source, identity (serial only as a
SHA-256), the indicator version and the consent record when there is one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from courseline.digital.devices.consent import Consent
from courseline.digital.devices.model import Acquisition
from courseline.digital.findings import Finding, JsonValue

LIMITS = (
    "A check can only find what its indicators and rules know about: finding nothing does not "
    "prove that a phone is free of monitoring. Accounts (for example a shared Google or Apple "
    "account, or a synced backup) can be used to watch someone without any app on the phone."
)


@dataclass(frozen=True, slots=True)
class NotChecked:
    check: str
    title: str
    reason: str

    def to_json(self) -> dict[str, JsonValue]:
        return {"check": self.check, "title": self.title, "reason": self.reason}


@dataclass(frozen=True)
class DeviceReport:
    acquisition: Acquisition
    findings: tuple[Finding, ...]
    not_checked: tuple[NotChecked, ...]
    indicator_version: str
    consent: Consent | None = None

    def with_consent(self, consent: Consent | None) -> DeviceReport:
        return replace(self, consent=consent)

    def device_json(self) -> dict[str, JsonValue]:
        device = self.acquisition.device
        return {
            "platform": device.platform.value,
            "source": device.source,
            "manufacturer": device.manufacturer,
            "model": device.model,
            "os_version": device.os_version,
            "build": device.build,
            "serial_sha256": device.serial_sha256,
            "acquired_at": device.acquired_at.isoformat() if device.acquired_at else None,
            "apps": len(self.acquisition.apps),
            "indicator_version": self.indicator_version,
            "consent": dict(self.consent.to_json()) if self.consent else None,
            "notes": list(self.acquisition.notes),
            "limits": LIMITS,
        }

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "device": self.device_json(),
            "findings": [f.to_json() for f in self.findings],
            "not_checked": [n.to_json() for n in self.not_checked],
        }
