from __future__ import annotations

from courseline.digital.devices.checks.ios_profiles import run
from courseline.digital.devices.model import Capability, ConfigurationProfile, Platform
from courseline.digital.findings import Severity
from tests.digital.devices import fixtures as fx


def ios(*profiles: ConfigurationProfile):  # type: ignore[no-untyped-def]
    return fx.acquisition(
        platform=Platform.IOS, capabilities=[Capability.PROFILES], profiles=profiles
    )


def test_mdm_is_high_and_other_profiles_medium() -> None:
    findings = run(
        ios(ConfigurationProfile("org.vpn", name="VPN"), ConfigurationProfile("m", is_mdm=True)),
        fx.indicators(),
    )
    assert [f.severity for f in findings] == [Severity.MEDIUM, Severity.HIGH]
    assert findings[0].evidence["profile"] == "org.vpn"


def test_no_profiles_gives_nothing() -> None:
    assert run(ios(), fx.indicators()) == []
