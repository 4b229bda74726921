"""Watchware: openly sold monitoring apps (parental control, employee monitoring)."""

from __future__ import annotations

from courseline.digital.devices.checks.base import (
    NOT_PROOF,
    SAFETY_FIRST,
    DeviceCheck,
    app_evidence,
)
from courseline.digital.devices.checks.indicator_checks import (
    by_certificate,
    by_ios_bundle,
    by_package,
    run_kind,
)
from courseline.digital.devices.model import Acquisition, Capability, InstalledApp, Platform
from courseline.digital.findings import Confidence, Finding, Severity
from courseline.digital.indicators import App, AppKind, IndicatorSet

ID = "watchware"


def run(acquisition: Acquisition, indicators: IndicatorSet) -> list[Finding]:
    matchers = (
        [by_ios_bundle]
        if acquisition.device.platform is Platform.IOS
        else [by_package, by_certificate]
    )

    def build(app: InstalledApp, match: App, key: str, value: str) -> Finding:
        return Finding(
            check=ID,
            severity=Severity.HIGH,
            confidence=Confidence.HIGH,
            title=f"Monitoring app found: {match.name} ({app.package})",
            meaning=(
                f"{match.name} is sold openly for watching another phone (for example as "
                "parental control). Set up on an adult's phone by someone else, it can share "
                "their location, messages or activity with that person."
            ),
            not_meaning=(
                "It is not hidden spyware, and the person may have installed it themselves or "
                "agreed to it (for example a family safety app). " + NOT_PROOF
            ),
            next_step=(
                "Ask the person, gently, whether they know this app and who set it up. "
                + SAFETY_FIRST
            ),
            evidence=app_evidence(app, **{key: value}),
            indicator=indicators.ref(match),
        )

    return run_kind(acquisition, indicators, matchers, AppKind.WATCHWARE, build)


CHECK = DeviceCheck(
    ID,
    "Monitoring apps (watchware)",
    {
        Platform.ANDROID: frozenset({Capability.PACKAGES}),
        Platform.IOS: frozenset({Capability.IOS_APPS}),
    },
    run,
)
