"""Against the shipped snapshot: every stalkerware package, certificate and APK hash is found,
and vendor websites never produce an infection finding."""

from __future__ import annotations

from courseline.digital.devices import Capability, InstalledApp, run_checks
from courseline.digital.devices.checks import stalkerware_certificate, watchware
from courseline.digital.devices.sources.package_list import parse_package_list
from courseline.digital.findings import Severity
from courseline.digital.indicators import AppKind, load_packaged
from tests.digital.devices import fixtures as fx


def test_every_stalkerware_package_in_the_snapshot_is_detected_from_a_package_list() -> None:
    indicators = load_packaged()
    packages = {p for a in indicators.apps if a.kind is AppKind.STALKERWARE for p in a.packages}
    assert len(packages) >= 613
    listing = "".join(f"package:{p} installer=null uid:10001\n" for p in sorted(packages))
    report = run_checks(parse_package_list(listing), indicators)
    found = {f.evidence["package"] for f in report.findings if f.check == "stalkerware-package"}
    assert found == packages


def test_every_certificate_in_the_snapshot_is_detected() -> None:
    indicators = load_packaged()
    by_kind = {
        kind: {c for a in indicators.apps if a.kind is kind for c in a.certificates}
        for kind in AppKind
    }
    assert len(by_kind[AppKind.STALKERWARE]) >= 471 and by_kind[AppKind.WATCHWARE]
    certs = by_kind[AppKind.STALKERWARE] | by_kind[AppKind.WATCHWARE]
    apps = [
        InstalledApp(package=f"org.sample.app{i}", cert_sha1=(c,), system=False)
        for i, c in enumerate(sorted(certs))
    ]
    acquisition = fx.acquisition(apps, capabilities=[Capability.PACKAGES, Capability.CERTIFICATES])
    stalker = stalkerware_certificate.run(acquisition, indicators)
    watch = watchware.run(acquisition, indicators)
    found = {f.evidence["certificate_sha1"] for f in stalker + watch}
    assert found == certs
    # A certificate shared by stalkerware and watchware is reported once, as stalkerware.
    assert {f.evidence["certificate_sha1"] for f in stalker} == by_kind[AppKind.STALKERWARE]


def test_every_apk_hash_in_the_snapshot_is_detected() -> None:
    indicators = load_packaged()
    hashes = {h for a in indicators.apps for h in a.sha256}
    assert len(hashes) == 3228
    apps = [
        InstalledApp(package=f"org.sample.app{i}", apk_sha256=(h,), system=False)
        for i, h in enumerate(sorted(hashes))
    ]
    acquisition = fx.acquisition(apps, capabilities=[Capability.APK_HASHES])
    report = run_checks(acquisition, indicators)
    found = {f.evidence["apk_sha256"] for f in report.findings if f.check == "stalkerware-apk-hash"}
    assert found == hashes


def test_vendor_websites_never_raise_an_infection_finding() -> None:
    indicators = load_packaged()
    installed = {p for a in indicators.apps for p in a.packages}
    sites = {
        s
        for a in indicators.apps
        for s in (*a.websites, *a.distribution, *a.c2_domains)
        if s not in installed
    }
    # Sites as package names (and as reversed "com.vendor" ids) on a fully-capable acquisition.
    names = sites | {".".join(reversed(s.split("."))) for s in sites}
    names -= installed
    apps = [InstalledApp(package=n, system=False, installer="com.android.vending") for n in names]
    report = run_checks(fx.acquisition(apps), indicators)
    assert not [f for f in report.findings if f.severity >= Severity.HIGH]
    assert not [f for f in report.findings if f.check.startswith("stalkerware")]
