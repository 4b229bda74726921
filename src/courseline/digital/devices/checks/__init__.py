"""Device checks: an explicit registry and a runner that isolates failures.

Add a check: one module exposing ``CHECK = DeviceCheck(...)``, one line in ``CHECKS`` below,
and a test module ``tests/digital/devices/checks/test_<module>.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

from courseline.digital.devices.checks import (
    accessibility,
    developer_options,
    device_admin,
    dual_use,
    hidden_launcher,
    ios_developer_mode,
    ios_profiles,
    notification_listener,
    overlay,
    package_verifier,
    root,
    sideloaded,
    stalkerware_apk_hash,
    stalkerware_certificate,
    stalkerware_package,
    unknown_sources,
    usage_stats,
    watchware,
)
from courseline.digital.devices.checks.base import DeviceCheck
from courseline.digital.devices.model import CAPABILITY_TEXT, Acquisition
from courseline.digital.devices.report import DeviceReport, NotChecked
from courseline.digital.findings import Finding, sort_findings
from courseline.digital.indicators import IndicatorSet

CHECKS: tuple[DeviceCheck, ...] = (
    stalkerware_package.CHECK,
    stalkerware_certificate.CHECK,
    stalkerware_apk_hash.CHECK,
    watchware.CHECK,
    dual_use.CHECK,
    accessibility.CHECK,
    notification_listener.CHECK,
    device_admin.CHECK,
    usage_stats.CHECK,
    overlay.CHECK,
    sideloaded.CHECK,
    hidden_launcher.CHECK,
    package_verifier.CHECK,
    developer_options.CHECK,
    unknown_sources.CHECK,
    root.CHECK,
    ios_profiles.CHECK,
    ios_developer_mode.CHECK,
)

SOURCE_TEXT = {
    "package-list": "a plain package list",
    "androidqf": "this AndroidQF acquisition",
    "bugreport": "this bug report",
    "adb": "this live USB check",
    "ios-backup": "this iPhone backup",
    "ios-usb": "this live iPhone check",
}


def run_checks(
    acquisition: Acquisition,
    indicators: IndicatorSet,
    checks: Sequence[DeviceCheck] = CHECKS,
) -> DeviceReport:
    """Run every applicable check; a check that cannot run, or fails, is listed as not checked."""
    findings: list[Finding] = []
    not_checked: list[NotChecked] = []
    platform = acquisition.device.platform
    source = SOURCE_TEXT.get(acquisition.device.source, acquisition.device.source)
    for check in checks:
        needs = check.requires.get(platform)
        if needs is None:
            continue
        missing = sorted(needs - acquisition.capabilities)
        if missing:
            shows = "; ".join(CAPABILITY_TEXT[m] for m in missing)
            reason = f"not possible from {source}: it does not show {shows}"
            not_checked.append(NotChecked(check.id, check.title, reason))
            continue
        try:
            findings.extend(check.run(acquisition, indicators))
        except Exception as problem:  # noqa: BLE001 - one broken check must not sink the report
            reason = f"the check could not be completed ({type(problem).__name__})"
            not_checked.append(NotChecked(check.id, check.title, reason))
    return DeviceReport(
        acquisition=acquisition,
        findings=tuple(sort_findings(findings)),
        not_checked=tuple(not_checked),
        indicator_version=indicators.version,
    )


__all__ = ["CHECKS", "DeviceCheck", "run_checks"]
