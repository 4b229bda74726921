from __future__ import annotations

from courseline.digital.devices.checks.developer_options import run
from courseline.digital.devices.model import DeviceSettings
from courseline.digital.findings import Severity
from tests.digital.devices import fixtures as fx

ON = DeviceSettings(adb_enabled=True, development_settings_enabled=True)


def test_usb_debugging_from_a_file_source_is_medium() -> None:
    findings = run(fx.acquisition(settings=ON), fx.indicators())
    assert [(f.title, f.severity) for f in findings] == [
        ("USB debugging is on", Severity.MEDIUM),
        ("Developer options are turned on", Severity.LOW),
    ]


def test_usb_debugging_during_a_live_check_is_only_information() -> None:
    findings = run(fx.acquisition(settings=ON, source="adb"), fx.indicators())
    assert findings[0].severity is Severity.INFO
    assert "has to be on for this live check" in findings[0].meaning


def test_nothing_on_gives_nothing() -> None:
    off = DeviceSettings(adb_enabled=False, development_settings_enabled=False)
    assert run(fx.acquisition(settings=off), fx.indicators()) == []
