"""Admins manage accounts of their own organisation and export its audit log."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.urls import reverse

from courseline.web.accounts.models import User
from courseline.web.audit.models import AuditEvent
from tests.conftest import sign_in


def test_an_admin_creates_a_caseworker_who_gets_a_password_link(
    world: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    sign_in(client, world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("manage:user_create"),
            {
                "full_name": "Casey New",
                "email": "Casey@North.example.org",
                "role": "caseworker",
                "team": world.team.pk,
                "is_active": "on",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="casey@north.example.org")
    assert user.organisation == world.org
    assert len(mail.outbox) == 1 and "/account/password-reset/" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="account.created", object_id=user.pk).exists()


def test_a_caseworker_needs_a_team(world: Any, client: Any) -> None:
    sign_in(client, world.admin)
    response = client.post(
        reverse("manage:user_create"),
        {"full_name": "No Team", "email": "nt@north.example.org", "role": "caseworker"},
    )
    assert response.status_code == 200
    assert 'href="#id_team"' in response.content.decode()
    assert not User.objects.filter(email="nt@north.example.org").exists()


def test_an_admin_cannot_edit_users_of_another_organisation(world: Any, client: Any) -> None:
    sign_in(client, world.admin)
    url = reverse("manage:user_edit", kwargs={"user_id": world.outsider.pk})
    assert client.get(url).status_code == 404


def test_deactivating_a_user_ends_their_sessions(world: Any, client: Any) -> None:
    from django.test import Client

    bob_client = Client()
    sign_in(bob_client, world.bob)
    sign_in(client, world.admin)
    url = reverse("manage:user_edit", kwargs={"user_id": world.bob.pk})
    data = {
        "full_name": "Bob",
        "email": world.bob.email,
        "role": "caseworker",
        "team": world.team.pk,
    }
    assert client.post(url, data).status_code == 302
    assert not User.objects.get(pk=world.bob.pk).is_active
    change = AuditEvent.objects.get(action="account.updated", object_id=world.bob.pk)
    assert change.detail["is_active"] is False and "is_active" in change.detail["changed"]
    assert bob_client.get(reverse("cases:dashboard")).status_code == 302


def test_the_audit_export_holds_only_the_admins_organisation(world: Any, client: Any) -> None:
    sign_in(client, world.admin)
    response = client.get(reverse("manage:audit_export"))
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert world.case.reference in body
    assert world.other_case.reference not in body
    assert AuditEvent.objects.filter(action="audit.exported").exists()


def test_an_admin_sees_no_case_content(world: Any, client: Any) -> None:
    sign_in(client, world.admin)
    html = client.get(reverse("manage:user_list")).content.decode()
    assert "Test case summary" not in html
    url = reverse("cases:detail", kwargs={"reference": world.case.reference})
    assert client.get(url).status_code == 403


def test_an_admin_adds_a_team_once(world: Any, client: Any) -> None:
    from courseline.web.accounts.models import Team

    sign_in(client, world.admin)
    url = reverse("manage:team_create")
    assert client.post(url, {"name": "West team"}).status_code == 302
    assert Team.objects.filter(organisation=world.org, name="West team").exists()
    again = client.post(url, {"name": "west TEAM"})
    assert 'href="#id_name"' in again.content.decode()
    assert Team.objects.filter(organisation=world.org).count() == 2
    assert AuditEvent.objects.filter(action="team.created").count() == 1
