from __future__ import annotations

from courseline.digital.devices.checks.notification_listener import run
from courseline.digital.devices.model import DeviceSettings
from tests.digital.devices import fixtures as fx


def test_a_non_system_notification_listener_is_reported() -> None:
    settings = DeviceSettings(notification_listeners=("com.spy.helper/.Listener",))
    (finding,) = run(
        fx.acquisition([fx.user_app("com.spy.helper")], settings=settings), fx.indicators()
    )
    assert "notifications" in finding.title


def test_a_system_listener_is_not_reported() -> None:
    settings = DeviceSettings(notification_listeners=("android/.Listener",))
    apps = [fx.user_app("android", system=True)]
    assert run(fx.acquisition(apps, settings=settings), fx.indicators()) == []
