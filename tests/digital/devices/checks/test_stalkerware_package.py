from __future__ import annotations

from courseline.digital.devices.checks.stalkerware_package import run
from courseline.digital.findings import Confidence, Severity
from tests.digital.devices import fixtures as fx


def test_a_listed_package_is_critical_with_its_indicator() -> None:
    (finding,) = run(fx.acquisition([fx.user_app("com.spyone.agent")]), fx.indicators())
    assert finding.severity is Severity.CRITICAL and finding.confidence is Confidence.HIGH
    assert finding.evidence["package"] == "com.spyone.agent"
    assert finding.indicator and finding.indicator.name == "SpyOne"


def test_a_package_shared_with_a_dual_use_app_counts_as_stalkerware() -> None:
    (finding,) = run(fx.acquisition([fx.user_app("com.shared.pkg")]), fx.indicators())
    assert finding.indicator and finding.indicator.name == "SpyOne"


def test_other_packages_and_other_kinds_are_not_stalkerware() -> None:
    apps = [
        fx.user_app(p)
        for p in (
            "com.whatsapp",
            "com.kidwatch.child",
            "com.familyfinder",
            "COM.SPYONE.AGENT",
            "com.spyone.agent.extra",
        )
    ]
    assert run(fx.acquisition(apps), fx.indicators()) == []
