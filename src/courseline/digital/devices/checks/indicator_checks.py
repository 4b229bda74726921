"""Shared logic of the checks that match installed apps against the indicator store."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from courseline.digital.devices.checks.base import NOT_PROOF, SAFETY_FIRST, app_evidence
from courseline.digital.devices.model import Acquisition, InstalledApp
from courseline.digital.findings import Confidence, Finding, JsonValue, Severity
from courseline.digital.indicators import App, AppKind, IndicatorSet, normalise_certificate

# Sources whose stalkerware listings are old (ISDi's list dates mostly from a 2018 crawl):
# their matches are reported one step lower and with medium confidence.
LEGACY_SOURCES = frozenset({"isdi"})

Matcher = Callable[[InstalledApp, IndicatorSet], Iterable[tuple[App, str, str]]]


def by_package(app: InstalledApp, indicators: IndicatorSet) -> Iterable[tuple[App, str, str]]:
    match = indicators.app_for_package(app.package)
    return [(match, "package", app.package)] if match else []


def by_certificate(app: InstalledApp, indicators: IndicatorSet) -> Iterable[tuple[App, str, str]]:
    for cert in app.cert_sha1:
        match = indicators.app_for_certificate(cert)
        if match:
            yield match, "certificate_sha1", normalise_certificate(cert)


def by_apk_hash(app: InstalledApp, indicators: IndicatorSet) -> Iterable[tuple[App, str, str]]:
    for digest in app.apk_sha256:
        match = indicators.app_for_apk_sha256(digest)
        if match:
            yield match, "apk_sha256", digest.strip().lower()


def by_ios_bundle(app: InstalledApp, indicators: IndicatorSet) -> Iterable[tuple[App, str, str]]:
    match = indicators.app_for_ios_bundle(app.package)
    return [(match, "bundle_id", app.package)] if match else []


def stalkerware_finding(
    check: str, how: str, app: InstalledApp, match: App, key: str, value: str, ind: IndicatorSet
) -> Finding:
    current = match.source not in LEGACY_SOURCES
    evidence: dict[str, JsonValue] = app_evidence(app, **{key: value})
    return Finding(
        check=check,
        severity=Severity.CRITICAL if current else Severity.HIGH,
        confidence=Confidence.HIGH if current else Confidence.MEDIUM,
        title=f"Stalkerware found: {match.name} ({app.package})",
        meaning=(
            f"The app {app.package} {how} that researchers list for {match.name}, an app made "
            "to secretly monitor a phone: it can typically pass on messages, calls, photos and "
            "location to someone else. "
            + (
                ""
                if current
                else "The listing is older (ISDi's app list), so it is less "
                "certain than a current indicator."
            )
        ).strip(),
        not_meaning=NOT_PROOF
        + " A matching name alone can very rarely be a different, harmless app.",
        next_step=SAFETY_FIRST
        + " Consider asking a specialist service to look at the phone before anything changes.",
        evidence=evidence,
        indicator=ind.ref(match),
    )


def run_kind(
    acquisition: Acquisition,
    indicators: IndicatorSet,
    matchers: Iterable[Matcher],
    kind: AppKind,
    build: Callable[[InstalledApp, App, str, str], Finding],
) -> list[Finding]:
    """One finding per installed app that matches an app of ``kind`` (first matcher wins)."""
    findings: list[Finding] = []
    matchers = tuple(matchers)
    for app in acquisition.apps:
        for matcher in matchers:
            hit = next(((m, k, v) for m, k, v in matcher(app, indicators) if m.kind is kind), None)
            if hit:
                findings.append(build(app, *hit))
                break
    return findings
