from __future__ import annotations

from courseline.digital.devices.checks.stalkerware_certificate import run
from courseline.digital.findings import Severity
from tests.digital.devices import fixtures as fx


def test_a_renamed_app_signed_with_a_listed_certificate_is_found() -> None:
    app = fx.user_app("com.totally.innocent", cert_sha1=("aa:" * 19 + "aa",))
    (finding,) = run(fx.acquisition([app]), fx.indicators())
    assert finding.severity is Severity.CRITICAL
    assert finding.evidence["certificate_sha1"] == "AA" * 20
    assert finding.evidence["package"] == "com.totally.innocent"


def test_other_certificates_are_not_found() -> None:
    apps = [
        fx.user_app("com.a", cert_sha1=("CC" * 20,)),
        fx.user_app("com.b", cert_sha1=("BB" * 20,)),
    ]
    assert run(fx.acquisition(apps), fx.indicators()) == []
