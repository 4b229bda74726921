from __future__ import annotations

from courseline.digital.devices.checks.device_admin import run
from courseline.digital.devices.model import DeviceSettings
from courseline.digital.findings import Severity
from tests.digital.devices import fixtures as fx


def test_admins_and_owners_are_reported_once_each() -> None:
    settings = DeviceSettings(
        device_admins=("com.spy.helper/.Admin", "com.mdm.agent/.Admin"),
        device_owner="com.mdm.agent",
        profile_owners=(),
    )
    apps = [fx.user_app("com.spy.helper"), fx.user_app("com.mdm.agent")]
    findings = run(fx.acquisition(apps, settings=settings), fx.indicators())
    assert [(f.evidence["package"], f.severity) for f in findings] == [
        ("com.mdm.agent", Severity.HIGH),
        ("com.spy.helper", Severity.MEDIUM),
    ]


def test_system_admins_are_not_reported() -> None:
    settings = DeviceSettings(device_admins=("com.google.android.gms/.Admin",))
    apps = [fx.user_app("com.google.android.gms", system=True)]
    assert run(fx.acquisition(apps, settings=settings), fx.indicators()) == []
