"""Device and network checks on a case: consent recorded, report kept, file not kept."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from courseline.digital.devices.consent import Consent
from courseline.digital.indicators import AppKind, load
from courseline.web.audit.models import AuditEvent
from courseline.web.risk.models import SafetyPlan
from courseline.web.toolkit.devices import run_source
from courseline.web.toolkit.models import DeviceCheck
from tests.conftest import sign_in
from tests.digital.devices.fixtures import (
    VPN_PROFILE,
    FakeApp,
    bugreport_zip,
    ios_backup,
    pm_list,
    zip_bytes,
)
from tests.digital.network.fixtures import dns_query_frame, pcap

pytestmark = pytest.mark.django_db


def _stalkerware() -> Any:
    return next(a for a in load().apps if a.kind is AppKind.STALKERWARE and a.packages)


def _post(world: Any, client: Any, source: str, data: bytes, **extra: Any) -> Any:
    sign_in(client, world.alice)
    fields = {
        "source": source,
        "file": SimpleUploadedFile("upload.bin", data),
        "owner": "Vic Victim",
        "consent": "on",
        **extra,
    }
    return client.post(
        reverse("toolkit:devices", kwargs={"reference": world.case.reference}), fields
    )


def _checks() -> Any:
    return DeviceCheck.objects.exclude(source="packages", filename="packages.txt")


def _check() -> DeviceCheck:
    return _checks().get()  # type: ignore[no-any-return]


def test_a_package_list_with_stalkerware_gives_a_critical_finding(world: Any, client: Any) -> None:
    app = _stalkerware()
    listing = pm_list([FakeApp("com.whatsapp"), FakeApp(app.packages[0])])
    response = _post(world, client, "packages", listing.encode())
    check = _check()
    assert response.status_code == 302
    assert check.highest == "critical" and check.consent_owner == "Vic Victim"
    finding = next(f for f in check.report["findings"] if f["severity"] == "critical")
    assert finding["evidence"]["package"] == app.packages[0]
    assert AuditEvent.objects.filter(action="device.checked").exists()
    page = client.get(response.url).content.decode()
    assert "What it does not mean" in page and "Vic Victim" in page
    assert (
        "Plan for safety"
        in client.get(
            reverse("toolkit:devices", kwargs={"reference": world.case.reference})
        ).content.decode()
    )


def test_it_refuses_without_recorded_consent(world: Any, client: Any) -> None:
    response = _post(world, client, "packages", b"package:com.whatsapp\n", consent="")
    assert response.status_code == 200
    assert not _checks().exists()


@pytest.mark.parametrize(
    ("source", "data"),
    [
        ("bugreport", b"not a zip at all"),
        ("androidqf", b"PK\x03\x04truncated"),
        ("ios_backup", b"\x00\x01garbage"),
        ("network", b"garbage that is not a capture"),
        ("cli_report", b"{not json"),
    ],
)
def test_a_malformed_file_gives_a_clear_error_and_no_record(
    world: Any, client: Any, source: str, data: bytes
) -> None:
    response = _post(world, client, source, data)
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert not _checks().exists()


def test_a_bug_report_and_an_iphone_backup_are_checked(
    world: Any, client: Any, tmp_path: Path
) -> None:
    _post(world, client, "bugreport", bugreport_zip())
    folder = ios_backup(tmp_path / "UDID")
    files = {str(p.relative_to(tmp_path)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    _post(world, client, "ios_backup", zip_bytes(files))
    sources = sorted(_checks().values_list("source", flat=True))
    assert sources == ["bugreport", "ios_backup"]
    ios = _checks().get(source="ios_backup")
    assert ios.report["device"]["serial_sha256"] and "F2LXTESTSERIAL" not in json.dumps(ios.report)


def test_an_iphone_backup_zip_is_read_in_place_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = ios_backup(tmp_path / "UDID", profiles=[VPN_PROFILE])
    files = {str(p.relative_to(tmp_path)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    files["UDID/ff/" + "f" * 40] = b"a photo the check has no business reading" * 1000
    work = tmp_path / "work"
    work.mkdir()
    upload = work / "upload"
    upload.write_bytes(zip_bytes(files))
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def recording_open(self: zipfile.ZipFile, name: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(name.filename if isinstance(name, zipfile.ZipInfo) else name)
        return real_open(self, name, *args, **kwargs)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the backup was extracted")

    monkeypatch.setattr(zipfile.ZipFile, "open", recording_open)
    monkeypatch.setattr(zipfile.ZipFile, "extract", refuse)
    monkeypatch.setattr(zipfile.ZipFile, "extractall", refuse)
    monkeypatch.setattr("courseline.digital.photos.batch.extract_zip", refuse)
    report, _version = run_source(
        "ios_backup", upload, work, Consent(owner="Vic Victim"), tmp_path / "data"
    )
    assert report["device"]["source"] == "ios-backup" and report["device"]["apps"] == 3
    assert any(f["check"] == "ios-profiles" for f in report["findings"])
    needed = {"Info.plist", "Manifest.plist", "Manifest.db", f"00/{1:040x}"}
    assert sorted(opened) == sorted(f"UDID/{name}" for name in needed)
    assert [p.name for p in work.iterdir()] == ["upload"]


def test_a_network_capture_reports_contact_with_a_stalkerware_server(
    world: Any, client: Any
) -> None:
    app = next(a for a in load().apps if a.kind is AppKind.STALKERWARE and a.c2_domains)
    capture = pcap([(1_700_000_000.0, dns_query_frame(app.c2_domains[0]))])
    _post(world, client, "network", capture)
    check = _check()
    assert any(f["check"] == "network.c2-contact" for f in check.report["findings"])


def test_a_cli_report_is_imported_with_the_consent_recorded_here(world: Any, client: Any) -> None:
    report = {
        "device": {"platform": "android", "source": "adb", "indicator_version": "v1"},
        "findings": [
            {"check": "x", "severity": "high", "confidence": "high", "title": "T",
             "meaning": "M", "not_meaning": "N", "next_step": "S", "evidence": {}}
        ],
        "not_checked": [],
    }  # fmt: skip
    _post(world, client, "cli_report", json.dumps(report).encode())
    check = _check()
    assert check.report["device"]["imported_from"].startswith("courseline device check")
    bad = dict(report, findings=[{"severity": "apocalyptic"}])
    response = _post(world, client, "cli_report", json.dumps(bad).encode())
    assert "incomplete" in response.content.decode()


def test_the_report_prints_as_pdf_and_a_finding_goes_into_the_safety_plan(
    world: Any, client: Any
) -> None:
    app = _stalkerware()
    _post(world, client, "packages", pm_list([FakeApp(app.packages[0])]).encode())
    check = _check()
    kwargs = {"reference": world.case.reference, "check_id": check.pk}
    pdf = client.get(reverse("toolkit:device_check_pdf", kwargs=kwargs))
    text = "".join(p.extract_text() for p in PdfReader(__import__("io").BytesIO(pdf.content)).pages)
    assert "What was not checked" in text and "Vic Victim" in text
    index = next(i for i, f in enumerate(check.report["findings"]) if f["severity"] == "critical")
    response = client.post(reverse("toolkit:device_to_plan", kwargs=kwargs), {"finding": index})
    assert response.status_code == 302
    plan = SafetyPlan.objects.get(pk=world.plan.pk)
    assert plan.latest.items[-1]["key"] == f"device-check:{check.pk}:{index}"
    again = client.post(reverse("toolkit:device_to_plan", kwargs=kwargs), {"finding": index})
    assert again.status_code == 302
    assert SafetyPlan.objects.get(pk=world.plan.pk).latest.version == plan.latest.version
