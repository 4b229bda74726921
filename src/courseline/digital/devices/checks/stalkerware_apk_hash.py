"""Stalkerware by APK fingerprint: the app file is a known stalkerware sample."""

from __future__ import annotations

from courseline.digital.devices.checks.base import DeviceCheck, android
from courseline.digital.devices.checks.indicator_checks import (
    by_apk_hash,
    run_kind,
    stalkerware_finding,
)
from courseline.digital.devices.model import Acquisition, Capability
from courseline.digital.findings import Finding
from courseline.digital.indicators import AppKind, IndicatorSet

ID = "stalkerware-apk-hash"


def run(acquisition: Acquisition, indicators: IndicatorSet) -> list[Finding]:
    return run_kind(
        acquisition,
        indicators,
        [by_apk_hash],
        AppKind.STALKERWARE,
        lambda app, match, key, value: stalkerware_finding(
            ID, "is byte-for-byte a known sample of an app", app, match, key, value, indicators
        ),
    )


CHECK = DeviceCheck(ID, "Stalkerware by app file fingerprint", android(Capability.APK_HASHES), run)
