from __future__ import annotations

from courseline.digital.devices.checks.hidden_launcher import run
from courseline.digital.findings import Severity
from tests.digital.devices import fixtures as fx


def test_a_hidden_sideloaded_app_is_medium_and_a_hidden_store_app_low() -> None:
    apps = [
        fx.user_app("com.hidden.side", installer="", hidden_from_launcher=True),
        fx.user_app("com.keyboard", hidden_from_launcher=True),
    ]
    findings = run(fx.acquisition(apps), fx.indicators())
    assert [(f.evidence["package"], f.severity) for f in findings] == [
        ("com.hidden.side", Severity.MEDIUM),
        ("com.keyboard", Severity.LOW),
    ]


def test_visible_unknown_and_system_apps_are_not_reported() -> None:
    apps = [
        fx.user_app("com.visible", hidden_from_launcher=False),
        fx.user_app("com.unknown", hidden_from_launcher=None),
        fx.user_app("com.android.phone", system=True, hidden_from_launcher=True),
    ]
    assert run(fx.acquisition(apps), fx.indicators()) == []
