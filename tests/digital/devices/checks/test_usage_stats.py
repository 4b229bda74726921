from __future__ import annotations

from courseline.digital.devices.checks.usage_stats import run
from courseline.digital.devices.model import DeviceSettings
from tests.digital.devices import fixtures as fx


def test_usage_access_for_a_user_app_is_reported() -> None:
    settings = DeviceSettings(usage_stats_packages=("com.spy.helper",))
    (finding,) = run(
        fx.acquisition([fx.user_app("com.spy.helper")], settings=settings), fx.indicators()
    )
    assert finding.check == "usage-access"


def test_no_usage_access_gives_nothing() -> None:
    settings = DeviceSettings(usage_stats_packages=())
    assert run(fx.acquisition([fx.user_app("com.a")], settings=settings), fx.indicators()) == []
