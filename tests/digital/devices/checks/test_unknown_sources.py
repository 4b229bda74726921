from __future__ import annotations

from courseline.digital.devices.checks.unknown_sources import run
from courseline.digital.devices.model import DeviceSettings
from tests.digital.devices import fixtures as fx


def test_the_legacy_setting_and_per_app_permission_are_reported() -> None:
    settings = DeviceSettings(
        install_non_market_apps=True,
        install_unknown_packages=("com.android.chrome", "com.android.vending"),
    )
    apps = [fx.user_app("com.android.chrome")]
    findings = run(fx.acquisition(apps, settings=settings), fx.indicators())
    assert [f.title for f in findings] == [
        "Installing apps from unknown sources is allowed",
        "com.android.chrome has permission to install other apps",
    ]


def test_off_gives_nothing() -> None:
    settings = DeviceSettings(install_non_market_apps=False, install_unknown_packages=())
    assert run(fx.acquisition(settings=settings), fx.indicators()) == []
