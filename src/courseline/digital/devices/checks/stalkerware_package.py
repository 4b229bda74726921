"""Stalkerware by package name: an installed app's id is on a stalkerware list."""

from __future__ import annotations

from courseline.digital.devices.checks.base import DeviceCheck, android
from courseline.digital.devices.checks.indicator_checks import (
    by_package,
    run_kind,
    stalkerware_finding,
)
from courseline.digital.devices.model import Acquisition, Capability
from courseline.digital.findings import Finding
from courseline.digital.indicators import AppKind, IndicatorSet

ID = "stalkerware-package"


def run(acquisition: Acquisition, indicators: IndicatorSet) -> list[Finding]:
    return run_kind(
        acquisition,
        indicators,
        [by_package],
        AppKind.STALKERWARE,
        lambda app, match, key, value: stalkerware_finding(
            ID, "has the package name of an app", app, match, key, value, indicators
        ),
    )


CHECK = DeviceCheck(ID, "Stalkerware by package name", android(Capability.PACKAGES), run)
