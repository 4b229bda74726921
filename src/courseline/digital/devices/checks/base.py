"""What a device check is, and the words every check shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from courseline.digital.devices.model import Acquisition, Capability, InstalledApp, Platform
from courseline.digital.findings import Finding, JsonValue
from courseline.digital.indicators import IndicatorSet

RunFunction = Callable[[Acquisition, IndicatorSet], list[Finding]]


@dataclass(frozen=True)
class DeviceCheck:
    """One check: an id, a title, what it needs per platform, and the function that runs it.

    A platform missing from ``requires`` means the check does not apply there. When the source
    lacks a required capability the runner lists the check under "not checked" instead.
    """

    id: str
    title: str
    requires: Mapping[Platform, frozenset[Capability]]
    run: RunFunction


SAFETY_FIRST = (
    "Do not remove the app or change the setting yet. First talk through safety with the "
    "person: if someone is monitoring the phone, removing or disabling this can alert them and "
    "may make things more dangerous, and the app and its settings may be needed as evidence. "
    "Record what was found (take photos of the screens), agree a safety plan with the "
    "caseworker, and only then decide together whether, when and how to remove it."
)
NOT_PROOF = (
    "It does not prove who installed it or that anyone is watching right now, and a check that "
    "finds nothing does not prove the phone is clean."
)


def app_evidence(app: InstalledApp, **extra: JsonValue) -> dict[str, JsonValue]:
    """The facts about an installed app that a finding carries (always with ``package``)."""
    evidence: dict[str, JsonValue] = {"package": app.package}
    if app.name:
        evidence["name"] = app.name
    if app.installer is not None:
        evidence["installer"] = app.installer or None
    if app.first_install_time:
        evidence["first_install_time"] = app.first_install_time.isoformat()
    if app.last_update_time:
        evidence["last_update_time"] = app.last_update_time.isoformat()
    if app.system is not None:
        evidence["system"] = app.system
    if app.enabled is not None:
        evidence["enabled"] = app.enabled
    evidence.update(extra)
    return evidence


def reference_time(acquisition: Acquisition) -> dt.datetime | None:
    """When the device was read, or failing that the latest install/update time seen."""
    if acquisition.device.acquired_at:
        return acquisition.device.acquired_at
    times = [t for a in acquisition.apps for t in (a.first_install_time, a.last_update_time) if t]
    return max(times) if times else None


def apps_by_package(acquisition: Acquisition) -> dict[str, InstalledApp]:
    return {app.package: app for app in acquisition.apps}


def android(*capabilities: Capability) -> dict[Platform, frozenset[Capability]]:
    return {Platform.ANDROID: frozenset(capabilities)}
