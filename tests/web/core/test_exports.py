"""CSV exports people open in spreadsheets: no cell may start a formula."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from courseline.evidence.bundle import csv_safe
from courseline.web.core.exports import spreadsheet_safe
from courseline.web.incidents import actions
from tests.conftest import sign_in

FULL_WIDTH_FORMULA = '\uff1dHYPERLINK("http://evil.example")'  # starts with a full-width =


@pytest.mark.parametrize("cell", ["=1+1", "\n=1", "\uff0b1", "\uff0d1", "\uff201", "-1", "\t1"])
def test_it_guards_the_same_starts_as_the_evidence_manifest(cell: str) -> None:
    assert spreadsheet_safe(cell) == csv_safe(cell) == "'" + cell


def test_it_leaves_plain_text_and_other_values_alone() -> None:
    assert spreadsheet_safe("plain") == "plain"
    assert spreadsheet_safe(3) == 3 and spreadsheet_safe(None) is None


@pytest.mark.django_db
def test_the_incident_csv_escapes_a_full_width_equals_sign(world: Any, client: Any) -> None:
    actions.do_log_incident(
        None, world.alice, world.case,
        actions.IncidentData(
            event_start=timezone.now(), precision="exact", description=FULL_WIDTH_FORMULA
        ),
    )  # fmt: skip
    sign_in(client, world.alice)
    response = client.get(
        reverse("incidents:export", kwargs={"reference": world.case.reference, "fmt": "csv"})
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[-1]["What happened"] == "'" + FULL_WIDTH_FORMULA


@pytest.mark.django_db
def test_the_audit_csv_escapes_a_full_width_equals_sign(world: Any, client: Any) -> None:
    from courseline.web.accounts.models import User
    from courseline.web.audit.log import record

    email = "\uff1dcmd|'/c calc'!A1@northshire.example.org"  # an address an admin could type
    User.objects.filter(pk=world.bob.pk).update(email=email)
    record("case.list_viewed", actor=User.objects.get(pk=world.bob.pk))
    sign_in(client, world.admin)
    response = client.get(reverse("manage:audit_export"))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert "'" + email in [row["actor_email"] for row in rows]
