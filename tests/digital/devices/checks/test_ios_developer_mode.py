from __future__ import annotations

from courseline.digital.devices.checks.ios_developer_mode import run
from courseline.digital.devices.model import Capability, DeviceSettings, Platform
from tests.digital.devices import fixtures as fx


def ios(value: bool | None):  # type: ignore[no-untyped-def]
    return fx.acquisition(
        platform=Platform.IOS,
        capabilities=[Capability.DEVELOPER_MODE],
        settings=DeviceSettings(developer_mode=value),
    )


def test_developer_mode_on_is_reported() -> None:
    assert len(run(ios(True), fx.indicators())) == 1


def test_developer_mode_off_or_unknown_gives_nothing() -> None:
    assert run(ios(False), fx.indicators()) == run(ios(None), fx.indicators()) == []
