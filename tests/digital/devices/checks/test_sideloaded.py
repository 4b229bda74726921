from __future__ import annotations

import datetime as dt

from courseline.digital.devices.checks.sideloaded import run
from courseline.digital.findings import Severity
from tests.digital.devices import fixtures as fx

OLD = fx.NOW - dt.timedelta(days=200)
RECENT = fx.NOW - dt.timedelta(days=3)


def test_a_recent_install_from_a_downloaded_file_is_high() -> None:
    app = fx.user_app(
        "com.x",
        installer="com.google.android.packageinstaller",
        first_install_time=RECENT,
        last_update_time=RECENT,
    )
    (finding,) = run(fx.acquisition([app]), fx.indicators())
    assert finding.severity is Severity.HIGH and finding.evidence["recent"] is True
    assert "downloaded app file" in finding.meaning


def test_an_old_install_with_no_installer_is_medium_and_an_alternative_store_low() -> None:
    apps = [
        fx.user_app("com.old", installer="", first_install_time=OLD, last_update_time=OLD),
        fx.user_app("org.fdroid.app", installer="org.fdroid.fdroid"),
    ]
    findings = run(fx.acquisition(apps), fx.indicators())
    assert [(f.evidence["package"], f.severity) for f in findings] == [
        ("com.old", Severity.MEDIUM),
        ("org.fdroid.app", Severity.LOW),
    ]


def test_store_installs_system_apps_and_unknown_installers_are_not_reported() -> None:
    apps = [
        fx.user_app("com.whatsapp", installer="com.android.vending"),
        fx.user_app("com.samsung.x", installer="com.sec.android.app.samsungapps"),
        fx.user_app("com.android.settings", installer="", system=True),
        fx.user_app("com.unknown", installer=None),
        fx.user_app("com.maybe", installer="", system=None),
    ]
    assert run(fx.acquisition(apps), fx.indicators()) == []
