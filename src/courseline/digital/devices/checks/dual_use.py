"""Dual-use apps: legitimate tools (family locators, anti-theft, trackers) that can be misused."""

from __future__ import annotations

from courseline.digital.devices.checks.base import SAFETY_FIRST, DeviceCheck, app_evidence
from courseline.digital.devices.checks.indicator_checks import by_ios_bundle, by_package, run_kind
from courseline.digital.devices.model import Acquisition, Capability, InstalledApp, Platform
from courseline.digital.findings import Confidence, Finding, Severity
from courseline.digital.indicators import App, AppKind, IndicatorSet

ID = "dual-use"


def run(acquisition: Acquisition, indicators: IndicatorSet) -> list[Finding]:
    matcher = by_ios_bundle if acquisition.device.platform is Platform.IOS else by_package

    def build(app: InstalledApp, match: App, key: str, value: str) -> Finding:
        return Finding(
            check=ID,
            severity=Severity.MEDIUM,
            confidence=Confidence.MEDIUM,
            title=f"App that can be used to track someone: {match.name} ({app.package})",
            meaning=(
                "This app has ordinary uses (finding a lost phone, family location sharing, "
                "child safety, call recording) but can also be used to follow or monitor "
                "someone if another person controls it or its account."
            ),
            not_meaning=(
                "It is not spyware, and most people who have it use it for its ordinary "
                "purpose. The list it comes from is several years old."
            ),
            next_step=(
                "Ask whether the person uses this app, whose account it is signed in to and who "
                "can see what it shares. If someone else controls it, "
                + SAFETY_FIRST[0].lower()
                + SAFETY_FIRST[1:]
            ),
            evidence=app_evidence(app, **{key: value}),
            indicator=indicators.ref(match),
        )

    return run_kind(acquisition, indicators, [matcher], AppKind.DUAL_USE, build)


CHECK = DeviceCheck(
    ID,
    "Dual-use apps (locators, trackers, remote control)",
    {
        Platform.ANDROID: frozenset({Capability.PACKAGES}),
        Platform.IOS: frozenset({Capability.IOS_APPS}),
    },
    run,
)
