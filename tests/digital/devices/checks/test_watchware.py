from __future__ import annotations

from courseline.digital.devices.checks.watchware import run
from courseline.digital.devices.model import Capability, Platform
from courseline.digital.findings import Severity
from tests.digital.devices import fixtures as fx


def test_watchware_is_found_by_package_and_by_certificate() -> None:
    apps = [fx.user_app("com.kidwatch.child"), fx.user_app("com.renamed", cert_sha1=("BB" * 20,))]
    findings = run(fx.acquisition(apps), fx.indicators())
    assert [f.evidence["package"] for f in findings] == ["com.kidwatch.child", "com.renamed"]
    assert all(
        f.severity is Severity.HIGH and "not hidden spyware" in f.not_meaning for f in findings
    )


def test_watchware_is_found_on_an_iphone_by_bundle_id_ignoring_case() -> None:
    acquisition = fx.acquisition(
        [fx.user_app("COM.KIDWATCH.IOS")], platform=Platform.IOS, capabilities=[Capability.IOS_APPS]
    )
    (finding,) = run(acquisition, fx.indicators())
    assert finding.evidence["bundle_id"] == "COM.KIDWATCH.IOS"


def test_stalkerware_and_dual_use_are_not_reported_as_watchware() -> None:
    apps = [fx.user_app("com.spyone.agent"), fx.user_app("com.familyfinder")]
    assert run(fx.acquisition(apps), fx.indicators()) == []
