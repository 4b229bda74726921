"""run_checks: what runs, what is listed as not checked, failure isolation and the JSON shape."""

from __future__ import annotations

import json
from pathlib import Path

from courseline.digital.devices import CHECKS, Capability, Consent, Platform, run_checks
from courseline.digital.devices.checks.base import DeviceCheck, android
from courseline.digital.devices.sources.androidqf import read_androidqf
from courseline.digital.devices.sources.package_list import parse_package_list
from courseline.digital.findings import Severity
from tests.digital.devices import fixtures as fx


def test_every_registered_check_has_a_unique_id_and_its_own_test_module() -> None:
    ids = [check.id for check in CHECKS]
    assert len(ids) == len(set(ids))
    here = Path(__file__).parent / "checks"
    for check in CHECKS:
        module = check.run.__module__.rsplit(".", 1)[-1]
        assert (here / f"test_{module}.py").is_file(), module


def test_a_package_list_says_what_it_cannot_show() -> None:
    report = run_checks(parse_package_list("com.spyone.agent\ncom.other\n"), fx.indicators())
    assert [f.check for f in report.findings] == ["stalkerware-package"]
    not_checked = {n.check: n.reason for n in report.not_checked}
    assert "accessibility-service" in not_checked
    assert "plain package list" in not_checked["stalkerware-certificate"]
    assert "ios-profiles" not in not_checked  # an iOS check does not apply to Android


def test_a_full_acquisition_runs_everything_and_sorts_by_severity(tmp_path: Path) -> None:
    acquisition = read_androidqf(fx.write_folder(tmp_path / "aqf", fx.androidqf_files()))
    report = run_checks(acquisition, fx.indicators())
    checks = {f.check for f in report.findings}
    assert {
        "stalkerware-package",
        "stalkerware-certificate",
        "stalkerware-apk-hash",
        "accessibility-service",
        "notification-listener",
        "device-admin",
        "usage-access",
        "display-over-apps",
        "sideloaded-app",
        "hidden-from-launcher",
        "package-verifier-off",
        "developer-options",
    } <= checks
    assert report.not_checked == ()
    ranks = [f.severity.rank for f in report.findings]
    assert ranks == sorted(ranks, reverse=True)
    assert report.findings[0].severity is Severity.CRITICAL


def test_a_failing_check_is_reported_not_raised() -> None:
    def broken(acquisition: object, indicators: object) -> list:  # type: ignore[type-arg]
        raise RuntimeError("bug")

    check = DeviceCheck("broken", "A broken check", android(Capability.PACKAGES), broken)
    report = run_checks(fx.acquisition([fx.user_app("com.a")]), fx.indicators(), [check])
    assert report.findings == ()
    assert report.not_checked[0].check == "broken"
    assert "RuntimeError" in report.not_checked[0].reason


def test_the_json_has_exactly_the_agreed_shape() -> None:
    acquisition = parse_package_list("package:com.spyone.agent installer=null uid:10001\n")
    consent = Consent(owner="Vic", consultant="Alice")
    report = run_checks(acquisition, fx.indicators()).with_consent(consent)
    data = json.loads(json.dumps(report.to_json()))
    assert set(data) == {"device", "findings", "not_checked"}
    finding = data["findings"][0]
    assert set(finding) == {
        "check",
        "severity",
        "confidence",
        "title",
        "meaning",
        "not_meaning",
        "next_step",
        "evidence",
        "indicator",
    }
    assert finding["evidence"]["package"] == "com.spyone.agent"
    assert finding["indicator"] == {"set": "test", "name": "SpyOne", "version": "2026-01-01-abc"}
    assert data["device"]["consent"]["owner"] == "Vic"
    assert data["device"]["indicator_version"] == "2026-01-01+test"
    assert set(data["not_checked"][0]) == {"check", "title", "reason"}


def test_the_serial_is_only_shown_hashed(tmp_path: Path) -> None:
    acquisition = read_androidqf(fx.write_folder(tmp_path / "aqf", fx.androidqf_files()))
    text = json.dumps(run_checks(acquisition, fx.indicators()).to_json())
    assert "TESTSERIAL123" not in text
    assert acquisition.device.serial_sha256 in text


def test_every_next_step_puts_safety_planning_before_removal(tmp_path: Path) -> None:
    acquisition = read_androidqf(fx.write_folder(tmp_path / "aqf", fx.androidqf_files()))
    for finding in run_checks(acquisition, fx.indicators()).findings:
        text = finding.next_step.lower()
        assert "safety" in text
        if "remov" in text:  # removal is never the first advice
            assert "do not remove" in text or text.index("safety") < text.index("remov")


def test_ios_checks_apply_to_ios_only() -> None:
    acquisition = fx.acquisition(
        [fx.user_app("com.kidwatch.ios")],
        platform=Platform.IOS,
        capabilities=[Capability.IOS_APPS],
        source="ios-backup",
    )
    report = run_checks(acquisition, fx.indicators())
    assert [f.check for f in report.findings] == ["watchware"]
    assert {n.check for n in report.not_checked} == {"ios-profiles", "ios-developer-mode"}
