"""Apps installed from outside an app store, especially recently."""

from __future__ import annotations

import datetime as dt

from courseline.digital.devices.checks.base import (
    SAFETY_FIRST,
    DeviceCheck,
    android,
    app_evidence,
    reference_time,
)
from courseline.digital.devices.model import Acquisition, Capability, InstalledApp
from courseline.digital.findings import Confidence, Finding, Severity
from courseline.digital.indicators import IndicatorSet

ID = "sideloaded-app"
RECENT = dt.timedelta(days=30)
# Installers that are app stores with their own review of apps.
STORES = frozenset(
    {
        "com.android.vending",  # Google Play
        "com.google.android.feedback",  # Google Play (older Android)
        "com.sec.android.app.samsungapps",  # Samsung Galaxy Store
        "com.huawei.appmarket",  # Huawei AppGallery
        "com.amazon.venezia",  # Amazon Appstore
        "com.xiaomi.market",  # Xiaomi GetApps
        "com.xiaomi.mipicks",
        "com.heytap.market",  # OPPO / OnePlus / realme
        "com.oppo.market",
        "com.bbk.appstore",  # vivo
    }
)
# Other app sources that are not a sign of a manual install on their own.
ALTERNATIVE = frozenset(
    {
        "org.fdroid.fdroid",  # F-Droid
        "com.aurora.store",  # Aurora Store (Google Play front end)
        "com.sec.android.easyMover",  # Samsung Smart Switch (copied from an old phone)
    }
)


def _how(installer: str) -> str:
    if installer == "":
        return (
            "no installing app was recorded, which happens when an app is installed from a "
            "computer over USB debugging"
        )
    if installer in ("com.google.android.packageinstaller", "com.android.packageinstaller"):
        return "it was installed from a downloaded app file (APK), not from a store"
    if installer == "com.android.shell":
        return "it was installed from a computer over USB debugging"
    return f"it was installed by {installer}, which is not an app store"


def _finding(app: InstalledApp, installer: str, recent: bool) -> Finding:
    alternative = installer in ALTERNATIVE
    severity = Severity.LOW if alternative else Severity.HIGH if recent else Severity.MEDIUM
    when = " recently" if recent else ""
    return Finding(
        check=ID,
        severity=severity,
        confidence=Confidence.MEDIUM,
        title=f"{app.package} was{when} installed from outside an app store",
        meaning=(
            "The app did not come from an app store: "
            + (
                f"it came from {installer}, an alternative app source."
                if alternative
                else _how(installer) + "."
            )
            + " Stalkerware is almost always installed this way, by someone who had the phone "
            "in their hands."
            + (" It was installed or updated in the last 30 days." if recent else "")
        ),
        not_meaning=(
            "Many people install apps this way on purpose, and some phone makers' own apps "
            "show no store. It does not say what the app does."
        ),
        next_step=(
            "Ask whether the person installed this app and knows what it is. " + SAFETY_FIRST
        ),
        evidence=app_evidence(app, recent=recent),
    )


def run(acquisition: Acquisition, indicators: IndicatorSet) -> list[Finding]:
    now = reference_time(acquisition)
    findings = []
    for app in acquisition.apps:
        installer = app.installer
        if app.system is not False or installer is None or installer in STORES:
            continue
        times = [t for t in (app.first_install_time, app.last_update_time) if t]
        recent = bool(now and times and now - max(times) <= RECENT)
        findings.append(_finding(app, installer, recent))
    return findings


CHECK = DeviceCheck(
    ID,
    "Apps installed from outside an app store",
    android(Capability.PACKAGES, Capability.INSTALLER, Capability.SYSTEM_FLAG),
    run,
)
