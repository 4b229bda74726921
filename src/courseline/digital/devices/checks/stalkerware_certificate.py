"""Stalkerware by signing certificate: catches renamed builds that a name check misses."""

from __future__ import annotations

from courseline.digital.devices.checks.base import DeviceCheck, android
from courseline.digital.devices.checks.indicator_checks import (
    by_certificate,
    run_kind,
    stalkerware_finding,
)
from courseline.digital.devices.model import Acquisition, Capability
from courseline.digital.findings import Finding
from courseline.digital.indicators import AppKind, IndicatorSet

ID = "stalkerware-certificate"


def run(acquisition: Acquisition, indicators: IndicatorSet) -> list[Finding]:
    return run_kind(
        acquisition,
        indicators,
        [by_certificate],
        AppKind.STALKERWARE,
        lambda app, match, key, value: stalkerware_finding(
            ID,
            "is signed with the developer certificate of an app",
            app,
            match,
            key,
            value,
            indicators,
        ),
    )


CHECK = DeviceCheck(ID, "Stalkerware by signing certificate", android(Capability.CERTIFICATES), run)
