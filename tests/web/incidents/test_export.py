"""Exporting the incident log: CSV (re-importable, formula-safe), JSON and a printable page."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.urls import reverse

from courseline.web.audit.models import AuditEvent
from courseline.web.incidents import actions
from tests.conftest import sign_in


def export(client: Any, world: Any, fmt: str) -> Any:
    return client.get(
        reverse("incidents:export", kwargs={"reference": world.case.reference, "fmt": fmt})
    )


def test_csv_export_neutralises_formulas(world: Any, client: Any) -> None:
    from django.utils import timezone

    actions.do_log_incident(
        None, world.alice, world.case,
        actions.IncidentData(event_start=timezone.now(), precision="exact",
                             description="=HYPERLINK(\"http://evil.example\")"),
    )  # fmt: skip
    sign_in(client, world.alice)
    response = export(client, world, "csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 2
    assert rows[-1]["What happened"].startswith("'=")
    assert AuditEvent.objects.filter(action="incident.exported").exists()


def test_json_and_html_exports(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    data = json.loads(export(client, world, "json").content)
    assert data["case"] == world.case.reference
    assert data["incidents"][0]["entered_by"] == "victim"
    html = export(client, world, "html").content.decode()
    assert "Chronology of incidents" in html and "followed me from the bus stop" in html
    assert export(client, world, "pdf").status_code == 404
