"""The victim's portal: their own diary only, invitations by one-time link, revocation."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.urls import reverse

from courseline.web.accounts.models import User
from courseline.web.audit.models import AuditEvent
from courseline.web.cases.models import Person
from courseline.web.incidents import actions
from courseline.web.incidents.models import Incident
from tests.conftest import PASSWORD, sign_in

ENTRY = {
    "precision": "approximate",
    "date": "02/03/2026",
    "place": "home",
    "description": "His car was parked across the road all evening.",
    "fear_of_violence": "yes",
    "impacts": ["security"],
}


def test_a_victim_logs_from_the_portal_and_staff_see_it_marked(world: Any, client: Any) -> None:
    sign_in(client, world.vic)
    url = reverse("portal_log", kwargs={"reference": world.case.reference})
    page = client.get(url).content.decode()
    assert "govuk-exit-this-page__button" in page
    assert client.post(url, ENTRY).status_code == 302
    incident = Incident.objects.latest("id")
    assert incident.entered_by_victim and incident.created_by == world.vic
    assert incident.latest.behaviours == []  # suggestions only: a caseworker confirms
    client.logout()
    sign_in(client, world.alice)
    timeline = client.get(
        reverse("incidents:timeline", kwargs={"reference": world.case.reference})
    ).content.decode()
    assert "His car was parked" in timeline and "By the victim" in timeline


def test_the_victim_reads_back_only_their_own_entries(world: Any, client: Any) -> None:
    from django.utils import timezone

    staff_entry = actions.do_log_incident(
        None, world.alice, world.case,
        actions.IncidentData(event_start=timezone.now(), precision="exact",
                             description="Caseworker's own record"),
    )  # fmt: skip
    sign_in(client, world.vic)
    home = client.get(reverse("portal_case", kwargs={"reference": world.case.reference}))
    html = home.content.decode()
    assert "followed me from the bus stop" in html
    assert "Caseworker's own record" not in html
    staff_url = reverse(
        "portal_incident",
        kwargs={"reference": world.case.reference, "incident_id": staff_entry.pk},
    )
    assert client.get(staff_url).status_code == 404
    other = reverse("portal_case", kwargs={"reference": world.other_case.reference})
    assert client.get(other).status_code == 404
    own = reverse(
        "portal_incident",
        kwargs={"reference": world.case.reference, "incident_id": world.incident.pk},
    )
    own_html = client.get(own).content.decode()
    assert "followed me" in own_html and "Sam Suspect" not in own_html


def test_an_invitation_link_creates_the_account_once(world: Any, client: Any) -> None:
    Person.objects.filter(pk=world.person.pk).update(portal_user=None)
    sign_in(client, world.alice)
    url = reverse(
        "person_invite", kwargs={"reference": world.case.reference, "person_id": world.person.pk}
    )
    html = client.post(url).content.decode()
    link = re.search(r"https?://[^/]+(/portal/join/[^/<\s]+/)", html)
    assert link is not None
    visitor = Client()
    data = {"full_name": "Vic New", "email": "vic.new@example.org",
            "password1": PASSWORD, "password2": PASSWORD}  # fmt: skip
    assert visitor.post(link.group(1), data).status_code == 302
    account = User.objects.get(email="vic.new@example.org")
    assert account.role == "victim" and account.organisation == world.org
    assert Person.objects.get(pk=world.person.pk).portal_user == account
    again = Client().post(link.group(1), {**data, "email": "someone@example.org"})
    assert again.status_code == 404
    assert not User.objects.filter(email="someone@example.org").exists()
    assert AuditEvent.objects.filter(action="portal.invite_accepted").exists()


def test_revoking_ends_the_victims_access_at_once(world: Any, client: Any) -> None:
    vic_client = Client()
    sign_in(vic_client, world.vic)
    portal = reverse("portal_case", kwargs={"reference": world.case.reference})
    assert vic_client.get(portal).status_code == 200
    sign_in(client, world.alice)
    url = reverse(
        "person_revoke", kwargs={"reference": world.case.reference, "person_id": world.person.pk}
    )
    assert client.post(url).status_code == 302
    assert Person.objects.get(pk=world.person.pk).portal_user is None
    assert vic_client.get(portal).status_code == 302  # signed out everywhere
    world.vic.refresh_from_db()
    sign_in(vic_client, world.vic)
    assert vic_client.get(portal).status_code == 404


def _invite_link(client: Any, world: Any) -> str:
    url = reverse(
        "person_invite", kwargs={"reference": world.case.reference, "person_id": world.person.pk}
    )
    html = client.post(url).content.decode()
    found = re.search(r"https?://[^/]+(/portal/join/[^/<\s]+/)", html)
    assert found is not None
    return found.group(1)


JOIN = {"full_name": "X", "email": "x@example.org", "password1": PASSWORD, "password2": PASSWORD}


def test_changing_the_linked_account_cancels_an_outstanding_invitation(
    world: Any, client: Any
) -> None:
    Person.objects.filter(pk=world.person.pk).update(portal_user=None)
    sign_in(client, world.alice)
    link = _invite_link(client, world)
    unlink = reverse(
        "cases:person_portal",
        kwargs={"reference": world.case.reference, "person_id": world.person.pk},
    )
    client.post(unlink, {"email": ""})
    assert Client().post(link, JOIN).status_code == 404
    assert not User.objects.filter(email="x@example.org").exists()


def test_closing_the_case_cancels_an_outstanding_invitation(world: Any, client: Any) -> None:
    from courseline.web.cases import actions as case_actions

    Person.objects.filter(pk=world.person.pk).update(portal_user=None)
    sign_in(client, world.alice)
    link = _invite_link(client, world)
    case_actions.do_close_case(None, world.alice, world.case, "ended")
    assert Client().post(link, JOIN).status_code == 404


def test_an_invitation_cannot_replace_an_account_already_linked(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    link = _invite_link(client, world)  # the victim is still linked to Vic's account
    assert Client().post(link, JOIN).status_code == 404
    assert Person.objects.get(pk=world.person.pk).portal_user == world.vic


def test_access_can_be_removed_from_a_closed_case(world: Any, client: Any) -> None:
    from courseline.web.cases import actions as case_actions

    case_actions.do_close_case(None, world.alice, world.case, "ended")
    sign_in(client, world.alice)
    url = reverse(
        "person_revoke", kwargs={"reference": world.case.reference, "person_id": world.person.pk}
    )
    assert client.post(url).status_code == 302
    assert Person.objects.get(pk=world.person.pk).portal_user is None


def test_the_audit_trail_keeps_no_address_of_a_victim(world: Any, client: Any) -> None:
    sign_in(client, world.vic)
    client.get(reverse("portal_case", kwargs={"reference": world.case.reference}))
    event = AuditEvent.objects.filter(action="portal.log_viewed").latest("id")
    assert event.actor_id == world.vic.pk
    assert event.actor_email == "" and event.ip == ""
