"""Logging, reading and changing incidents as a caseworker."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from courseline.web.audit.models import AuditEvent
from courseline.web.incidents.models import Incident, IncidentVersion
from tests.conftest import sign_in

FORM = {
    "precision": "exact",
    "date": "03/03/2026",
    "time": "18:30",
    "place": "work",
    "location": "Outside the office, Mill Lane",
    "channel": "",
    "description": "He was waiting outside my work again and followed me to the car park.",
    "behaviours": ["loitering", "following"],
    "fear_of_violence": "yes",
    "impacts": ["changed_routine", "work"],
}


def log_url(world: Any) -> str:
    return reverse("incidents:log", kwargs={"reference": world.case.reference})


def test_a_caseworker_logs_an_incident_with_confirmed_behaviours(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    response = client.post(log_url(world), {**FORM, "perpetrator": world.suspect.pk})
    assert response.status_code == 302
    version = IncidentVersion.objects.latest("id")
    assert version.behaviours == ["loitering", "following"]
    assert "following" in version.suggested_behaviours
    assert version.perpetrator_id == world.suspect.pk
    assert version.fear_of_violence == "yes"
    assert version.impacts == ["changed_routine", "work"]
    assert version.event_start.hour == 18
    assert AuditEvent.objects.filter(action="incident.logged", case_id=world.case.pk).exists()


def test_asking_for_suggestions_saves_nothing_and_ticks_nothing(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    before = Incident.objects.count()
    data = {**FORM, "behaviours": [], "action": "suggest"}
    response = client.post(log_url(world), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Suggested from the description" in html
    assert "followed" in html
    assert Incident.objects.count() == before
    assert 'value="following" checked' not in html


def test_a_bad_date_is_refused_naming_the_field(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    response = client.post(log_url(world), {**FORM, "date": "31/02/2026"})
    assert 'href="#id_date"' in response.content.decode()
    exact_without_time = client.post(log_url(world), {**FORM, "time": ""})
    assert 'href="#id_time"' in exact_without_time.content.decode()
    ranged = client.post(log_url(world), {**FORM, "precision": "range", "end_date": "01/03/2026"})
    assert "The latest date must be after the first date" in ranged.content.decode()


def test_a_perpetrator_from_another_case_is_refused(world: Any, client: Any) -> None:
    from courseline.web.cases import actions

    other = actions.do_add_person(
        None, world.outsider, world.other_case, "perpetrator",
        actions.PersonDetails("Other", "", "no", "", ""),
    )  # fmt: skip
    sign_in(client, world.alice)
    response = client.post(log_url(world), {**FORM, "perpetrator": other.pk})
    assert 'href="#id_perpetrator"' in response.content.decode()


def test_an_edit_keeps_the_old_text_and_needs_a_reason(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    url = reverse(
        "incidents:edit",
        kwargs={"reference": world.case.reference, "incident_id": world.incident.pk},
    )
    refused = client.post(url, {**FORM, "description": "changed"})
    assert 'href="#id_edit_reason"' in refused.content.decode()
    response = client.post(url, {**FORM, "description": "Corrected account", "edit_reason": "typo"})
    assert response.status_code == 302
    texts = list(
        IncidentVersion.objects.filter(incident=world.incident)
        .order_by("version")
        .values_list("description", flat=True)
    )
    assert texts == ["He followed me from the bus stop to my door.", "Corrected account"]
    detail = client.get(
        reverse(
            "incidents:detail",
            kwargs={"reference": world.case.reference, "incident_id": world.incident.pk},
        )
    ).content.decode()
    assert "He followed me from the bus stop" in detail and "Corrected account" in detail
    assert "Entered by the victim" in detail


def test_the_timeline_filters_and_counts(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    client.post(log_url(world), {**FORM, "perpetrator": world.suspect.pk})
    client.post(
        log_url(world),
        {**FORM, "date": "10/04/2026", "behaviours": ["contacting"], "channel": "WhatsApp",
         "description": "Forty messages on WhatsApp overnight."},
    )  # fmt: skip
    url = reverse("incidents:timeline", kwargs={"reference": world.case.reference})
    html = client.get(url).content.decode()
    assert "3 of 3 incidents shown" in html
    assert "2026-03" in html and "2026-04" in html
    by_channel = client.get(url, {"channel": "WhatsApp"}).content.decode()
    assert "1 of 3 incident" in by_channel and "Forty messages" in by_channel
    by_behaviour = client.get(url, {"behaviour": "following"}).content.decode()
    assert "1 of 3" in by_behaviour
    by_person = client.get(url, {"perpetrator": str(world.suspect.pk)}).content.decode()
    assert "1 of 3" in by_person
    unknown = client.get(url, {"perpetrator": "unknown"}).content.decode()
    assert "2 of 3" in unknown


def test_a_closed_case_takes_no_new_incidents(world: Any, client: Any) -> None:
    from courseline.web.cases import actions

    actions.do_close_case(None, world.alice, world.case, "ended")
    sign_in(client, world.alice)
    assert client.post(log_url(world), FORM).status_code == 403
