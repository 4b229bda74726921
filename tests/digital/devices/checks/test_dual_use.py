from __future__ import annotations

from courseline.digital.devices.checks.dual_use import run
from courseline.digital.devices.model import Capability, Platform
from courseline.digital.findings import Severity
from tests.digital.devices import fixtures as fx


def test_a_dual_use_app_is_medium_and_not_called_spyware() -> None:
    (finding,) = run(fx.acquisition([fx.user_app("com.familyfinder")]), fx.indicators())
    assert finding.severity is Severity.MEDIUM
    assert "not spyware" in finding.not_meaning
    assert "spyware" not in finding.title.lower()


def test_a_dual_use_iphone_app_is_found_by_bundle() -> None:
    acquisition = fx.acquisition(
        [fx.user_app("com.familyfinder.ios")],
        platform=Platform.IOS,
        capabilities=[Capability.IOS_APPS],
    )
    assert len(run(acquisition, fx.indicators())) == 1


def test_shared_packages_go_to_the_stalkerware_check_not_here() -> None:
    apps = [fx.user_app("com.shared.pkg"), fx.user_app("com.whatsapp")]
    assert run(fx.acquisition(apps), fx.indicators()) == []
