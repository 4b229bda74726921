from __future__ import annotations

from courseline.digital.devices.checks.package_verifier import run
from courseline.digital.devices.model import DeviceSettings
from tests.digital.devices import fixtures as fx


def test_verifier_off_is_reported() -> None:
    acquisition = fx.acquisition(settings=DeviceSettings(package_verifier_enabled=False))
    (finding,) = run(acquisition, fx.indicators())
    assert finding.check == "package-verifier-off"


def test_verifier_on_or_unknown_gives_nothing() -> None:
    for value in (True, None):
        acquisition = fx.acquisition(settings=DeviceSettings(package_verifier_enabled=value))
        assert run(acquisition, fx.indicators()) == []
