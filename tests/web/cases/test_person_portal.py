"""Linking the victim on a case to their own portal account."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from courseline.web.accounts.models import Role, User
from courseline.web.audit.models import AuditEvent
from courseline.web.cases import actions
from courseline.web.cases.models import Person, PersonRole
from tests.conftest import sign_in


def portal_url(world: Any, person: Any) -> str:
    return reverse(
        "cases:person_portal",
        kwargs={"reference": world.case.reference, "person_id": person.pk},
    )


def test_a_caseworker_links_and_unlinks_the_victims_account(world: Any, client: Any) -> None:
    new_account = User.objects.create_user(
        email="vic2@north.example.org",
        full_name="Vic Two",
        role=Role.VICTIM,
        organisation=world.org,
    )
    sign_in(client, world.alice)
    response = client.post(portal_url(world, world.person), {"email": "VIC2@north.example.org"})
    assert response.status_code == 302
    assert Person.objects.get(pk=world.person.pk).portal_user == new_account
    assert AuditEvent.objects.filter(action="person.portal_linked").exists()
    client.post(portal_url(world, world.person), {"email": ""})
    assert Person.objects.get(pk=world.person.pk).portal_user is None


def test_only_victim_accounts_of_the_same_organisation_can_be_linked(
    world: Any, client: Any
) -> None:
    outsider_victim = User.objects.create_user(
        email="v@south.example.org", full_name="V", role=Role.VICTIM, organisation=world.other_org
    )
    sign_in(client, world.alice)
    for email in (world.bob.email, outsider_victim.email, "nobody@north.example.org"):
        response = client.post(portal_url(world, world.person), {"email": email})
        assert response.status_code == 200
        assert 'href="#id_email"' in response.content.decode()
    assert Person.objects.get(pk=world.person.pk).portal_user == world.vic


def test_a_perpetrator_never_gets_a_portal_link(world: Any, client: Any) -> None:
    details = actions.PersonDetails("Sam", "", "no", "", "")
    suspect = actions.do_add_person(None, world.alice, world.case, PersonRole.PERPETRATOR, details)
    sign_in(client, world.alice)
    assert client.get(portal_url(world, suspect)).status_code == 404
    assert client.post(portal_url(world, suspect), {"email": world.vic.email}).status_code == 404
    assert Person.objects.get(pk=suspect.pk).portal_user is None


def test_an_account_linked_to_another_case_cannot_be_moved(world: Any, client: Any) -> None:
    from courseline.web.cases import actions as case_actions

    other = case_actions.do_open_case(
        None, world.bob, team=world.team, summary="Bob's case", assigned_to=world.bob,
        next_review=None,
    )  # fmt: skip
    victim = case_actions.do_add_person(
        None, world.bob, other, PersonRole.VICTIM,
        case_actions.PersonDetails("Someone", "", "yes", "", ""),
    )  # fmt: skip
    sign_in(client, world.bob)
    url = reverse(
        "cases:person_portal", kwargs={"reference": other.reference, "person_id": victim.pk}
    )
    response = client.post(url, {"email": world.vic.email})
    assert "This address cannot be linked" in response.content.decode()
    assert Person.objects.get(pk=victim.pk).portal_user is None
