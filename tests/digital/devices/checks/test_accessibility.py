from __future__ import annotations

from courseline.digital.devices.checks.accessibility import run
from courseline.digital.devices.model import DeviceSettings
from courseline.digital.findings import Severity
from tests.digital.devices import fixtures as fx


def test_a_non_system_app_with_an_accessibility_service_is_high() -> None:
    settings = DeviceSettings(accessibility_services=("com.spy.helper/.Watch", "com.spy.helper/.B"))
    acquisition = fx.acquisition([fx.user_app("com.spy.helper")], settings=settings)
    (finding,) = run(acquisition, fx.indicators())
    assert finding.severity is Severity.HIGH
    assert finding.evidence["package"] == "com.spy.helper"
    assert finding.evidence["components"] == ["com.spy.helper/.B", "com.spy.helper/.Watch"]


def test_system_apps_and_empty_settings_give_nothing() -> None:
    settings = DeviceSettings(accessibility_services=("com.google.android.marvin.talkback/.T",))
    apps = [fx.user_app("com.google.android.marvin.talkback", system=True)]
    assert run(fx.acquisition(apps, settings=settings), fx.indicators()) == []
    assert (
        run(
            fx.acquisition(apps, settings=DeviceSettings(accessibility_services=())),
            fx.indicators(),
        )
        == []
    )
