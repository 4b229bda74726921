from __future__ import annotations

from courseline.digital.devices.checks.overlay import run
from courseline.digital.devices.model import DeviceSettings
from courseline.digital.findings import Severity
from tests.digital.devices import fixtures as fx


def test_draw_over_apps_is_a_low_weak_sign() -> None:
    settings = DeviceSettings(overlay_packages=("com.spy.helper",))
    (finding,) = run(
        fx.acquisition([fx.user_app("com.spy.helper")], settings=settings), fx.indicators()
    )
    assert finding.severity is Severity.LOW


def test_a_system_overlay_app_is_ignored() -> None:
    settings = DeviceSettings(overlay_packages=("com.android.systemui",))
    apps = [fx.user_app("com.android.systemui", system=True)]
    assert run(fx.acquisition(apps, settings=settings), fx.indicators()) == []
