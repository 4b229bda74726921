from __future__ import annotations

from courseline.digital.devices.checks.root import run
from courseline.digital.devices.model import Capability, Platform
from courseline.digital.findings import Confidence
from tests.digital.devices import fixtures as fx


def test_a_root_manager_and_su_file_are_strong_signs() -> None:
    acquisition = fx.acquisition(
        [fx.user_app("com.topjohnwu.magisk")], root_files=["/system/xbin/su"]
    )
    (finding,) = run(acquisition, fx.indicators())
    assert finding.confidence is Confidence.HIGH
    assert finding.evidence["package"] == "com.topjohnwu.magisk"
    assert finding.evidence["files"] == ["/system/xbin/su"]


def test_an_unlocked_bootloader_is_a_weaker_sign() -> None:
    acquisition = fx.acquisition(properties={"ro.boot.verifiedbootstate": "orange"})
    (finding,) = run(acquisition, fx.indicators())
    assert finding.confidence is Confidence.MEDIUM
    assert "weakened" in finding.title


def test_a_jailbreak_store_on_an_iphone_is_found() -> None:
    acquisition = fx.acquisition(
        [fx.user_app("org.coolstar.SileoStore")],
        platform=Platform.IOS,
        capabilities=[Capability.IOS_APPS],
    )
    assert "jailbroken" in run(acquisition, fx.indicators())[0].title


def test_a_normal_phone_shows_no_signs() -> None:
    acquisition = fx.acquisition([fx.user_app("com.whatsapp")], properties=fx.PROPS)
    assert run(acquisition, fx.indicators()) == []
