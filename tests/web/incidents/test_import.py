"""Importing a diary: column mapping, preview, every bad row reported, all or nothing."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courseline.web.audit.models import AuditEvent
from courseline.web.incidents.models import Incident
from tests.conftest import sign_in

GOOD_CSV = (
    "Date,Time,What happened,Type,Who,Feared violence\n"
    "03/03/2026,18:30,Waited outside my work,loitering,Sam Suspect,yes\n"
    "about 05/03/2026,,Texted me 30 times,contacting,,no\n"
    "7th March 2026,9.15pm,Left flowers on my doorstep,giving_leaving_items,S.S.,unsure\n"
)


def upload(client: Any, world: Any, name: str, content: bytes) -> Any:
    url = reverse("incidents:import", kwargs={"reference": world.case.reference})
    return client.post(url, {"diary": SimpleUploadedFile(name, content)})


def mapping(**overrides: str) -> dict[str, str]:
    base = {"date": "0", "time": "1", "description": "2", "behaviours": "3",
            "perpetrator": "4", "fear": "5"}  # fmt: skip
    return {**base, **overrides}


def map_url(world: Any) -> str:
    return reverse("incidents:import_map", kwargs={"reference": world.case.reference})


def test_a_good_csv_is_previewed_then_imported_in_one_go(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    assert upload(client, world, "diary.csv", GOOD_CSV.encode()).status_code == 302
    page = client.get(map_url(world)).content.decode()
    assert "3 rows found" in page and "Waited outside my work" in page
    before = Incident.objects.count()
    preview = client.post(map_url(world), {**mapping(), "action": "check"}).content.decode()
    assert "Every row is valid: 3 incidents ready" in preview
    assert Incident.objects.count() == before
    done = client.post(map_url(world), {**mapping(), "action": "confirm"})
    assert done.status_code == 302
    assert Incident.objects.count() == before + 3
    imported = Incident.objects.filter(imported=True).select_related("latest")
    assert {i.latest.perpetrator_id for i in imported} == {world.suspect.pk, None}
    assert {i.latest.precision for i in imported} == {"exact", "approximate"}
    assert AuditEvent.objects.filter(action="incident.imported").count() == 1


def test_every_bad_row_is_reported_by_number_and_nothing_is_written(
    world: Any, client: Any
) -> None:
    bad = (
        "Date,Time,What happened,Type,Who,Feared violence\n"
        "31/02/2026,10:00,Impossible date,following,,no\n"
        "01/03/2026,10:00,,following,,no\n"
        "02/03/2026,10:00,Unknown behaviour,dancing,,no\n"
        "03/03/2026,10:00,Unknown person,following,Mystery Man,no\n"
        "04/03/2026,25:00,Bad time,following,,maybe\n"
        "05/03/2026,10:00,This one is fine,following,,no\n"
    )
    sign_in(client, world.alice)
    upload(client, world, "diary.csv", bad.encode())
    before = Incident.objects.count()
    html = client.post(map_url(world), {**mapping(), "action": "confirm"}).content.decode()
    assert "5 rows cannot be imported" in html
    for row in (2, 3, 4, 5, 6):
        assert f"Row {row}:" in html
    assert "Row 7:" not in html
    assert "dancing" in html and "Mystery Man" in html
    assert Incident.objects.count() == before


def test_an_xlsx_diary_is_read(world: Any, client: Any) -> None:
    import datetime as dt

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["When", "Details"])
    sheet.append([dt.datetime(2026, 3, 3, 18, 30), "He rang my mobile 12 times"])  # noqa: DTZ001
    buffer = io.BytesIO()
    book.save(buffer)
    sign_in(client, world.alice)
    assert upload(client, world, "diary.xlsx", buffer.getvalue()).status_code == 302
    html = client.post(
        map_url(world), {"date": "0", "description": "1", "action": "check"}
    ).content.decode()
    assert "1 incident ready" in html


def test_hostile_or_broken_files_get_a_clear_error(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    cases = [
        ("diary.xlsx", bomb.getvalue(), "far more data"),
        ("diary.xlsx", b"PK\x03\x04 not really a zip", "damaged"),
        ("diary.pdf", b"%PDF-1.4", "Choose a CSV or an Excel"),
        ("diary.csv", b"", "empty"),
        ("diary.csv", b"Date,What\n", "no entries"),
    ]
    for name, content, message in cases:
        response = upload(client, world, name, content)
        assert response.status_code == 200, name
        assert message in response.content.decode(), name
    assert client.get(map_url(world)).status_code == 302  # nothing stored for the next step


def test_an_uploaded_diary_is_staged_with_the_case_and_gone_after_import(
    world: Any, client: Any
) -> None:
    from courseline.web.incidents.models import StagedImport

    sign_in(client, world.alice)
    upload(client, world, "diary.csv", GOOD_CSV.encode())
    staged = StagedImport.objects.get(case=world.case)
    assert "Waited outside my work" in str(staged.rows)
    assert "diary-import" not in str(dict(client.session))
    client.post(map_url(world), {**mapping(), "action": "confirm"})
    assert not StagedImport.objects.exists()


def test_another_caseworker_never_sees_someone_elses_staged_file(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    upload(client, world, "diary.csv", GOOD_CSV.encode())
    client.logout()
    sign_in(client, world.supervisor)
    assert client.get(map_url(world)).status_code == 302
