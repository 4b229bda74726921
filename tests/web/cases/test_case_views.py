"""Opening, reading and changing cases through the web pages."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse

from courseline.web.audit.models import AuditEvent
from courseline.web.cases.models import Case, CaseEvent, CaseStatus, NoteVersion, PersonVersion
from tests.conftest import sign_in


def detail_url(case: Any) -> str:
    return reverse("cases:detail", kwargs={"reference": case.reference})


def test_it_opens_a_case_with_a_new_reference_assigned_to_the_caseworker(
    world: Any, client: Any
) -> None:
    sign_in(client, world.alice)
    response = client.post(
        reverse("cases:create"), {"summary": "Messages and following", "jurisdiction": "scotland"}
    )
    assert response.status_code == 302
    case = Case.objects.latest("id")
    assert re.fullmatch(r"CL-\d{4}-\d{6}", case.reference)
    assert case.reference != world.case.reference
    assert case.assigned_to == world.alice
    assert case.team == world.team
    assert case.jurisdiction == "scotland"
    assert case.next_review is not None
    assert AuditEvent.objects.filter(action="case.opened", case_id=case.pk).exists()


def test_a_blank_summary_is_refused_naming_the_field_and_saves_nothing(
    world: Any, client: Any
) -> None:
    sign_in(client, world.alice)
    before = Case.objects.count()
    response = client.post(reverse("cases:create"), {"summary": "", "next_review": "31/02/2030"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'href="#id_summary"' in html
    assert 'href="#id_next_review"' in html
    assert "Enter a real date" in html
    assert Case.objects.count() == before


def test_the_reference_never_changes(world: Any) -> None:
    import pytest

    case = Case.objects.get(pk=world.case.pk)
    case.reference = "CL-2000-000001"
    with pytest.raises(ValueError, match="never changes"):
        case.save()


def test_a_correction_keeps_the_original_note_and_shows_the_history(
    world: Any, client: Any
) -> None:
    sign_in(client, world.alice)
    url = reverse(
        "cases:note_correct", kwargs={"reference": world.case.reference, "note_id": world.note.pk}
    )
    response = client.post(url, {"body": "First note, corrected", "reason": "wrong date"})
    assert response.status_code == 302
    bodies = list(NoteVersion.objects.filter(note=world.note).values_list("body", flat=True))
    assert bodies == ["First note", "First note, corrected"]
    history = client.get(
        reverse(
            "cases:note_history",
            kwargs={"reference": world.case.reference, "note_id": world.note.pk},
        )
    ).content.decode()
    assert "First note" in history
    assert "wrong date" in history
    detail = client.get(detail_url(world.case)).content.decode()
    assert "First note, corrected" in detail
    assert "Corrected" in detail


def test_a_correction_needs_a_reason(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    url = reverse(
        "cases:note_correct", kwargs={"reference": world.case.reference, "note_id": world.note.pk}
    )
    response = client.post(url, {"body": "changed", "reason": ""})
    assert response.status_code == 200
    assert 'href="#id_reason"' in response.content.decode()
    assert NoteVersion.objects.filter(note=world.note).count() == 1


def test_editing_a_person_adds_a_version(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    url = reverse(
        "cases:person_edit",
        kwargs={"reference": world.case.reference, "person_id": world.person.pk},
    )
    data = {"name": "Vic Victim", "aliases": "V.", "safe_to_contact": "no", "details": ""}
    assert client.post(url, data).status_code == 302
    versions = PersonVersion.objects.filter(person=world.person).order_by("version")
    assert [v.safe_to_contact for v in versions] == ["yes", "no"]
    assert "V." in client.get(url).content.decode()


def test_a_supervisor_transfers_a_case_and_the_old_caseworker_loses_it(
    world: Any, client: Any
) -> None:
    sign_in(client, world.supervisor)
    url = reverse("cases:assign", kwargs={"reference": world.case.reference})
    response = client.post(url, {"assigned_to": world.bob.pk, "reason": "leave cover"})
    assert response.status_code == 302
    assert Case.objects.get(pk=world.case.pk).assigned_to == world.bob
    assert CaseEvent.objects.filter(case=world.case, kind="assigned", reason="leave cover").exists()
    client.logout()
    sign_in(client, world.alice)
    assert client.get(detail_url(world.case)).status_code == 404


def test_a_supervisor_cannot_assign_to_someone_outside_the_team(world: Any, client: Any) -> None:
    sign_in(client, world.supervisor)
    url = reverse("cases:assign", kwargs={"reference": world.case.reference})
    response = client.post(url, {"assigned_to": world.outsider.pk})
    assert response.status_code == 200
    assert 'href="#id_assigned_to"' in response.content.decode()
    assert Case.objects.get(pk=world.case.pk).assigned_to == world.alice


def test_closing_needs_a_reason_and_a_closed_case_is_read_only(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    close = reverse("cases:close", kwargs={"reference": world.case.reference})
    refused = client.post(close, {"reason": ""})
    assert "Enter the reason" in refused.content.decode()
    assert client.post(close, {"reason": "support ended"}).status_code == 302
    case = Case.objects.get(pk=world.case.pk)
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None
    add_note = reverse("cases:note_add", kwargs={"reference": world.case.reference})
    client.post(add_note, {"body": "late note"})
    assert not NoteVersion.objects.filter(body="late note").exists()
    reopen = reverse("cases:reopen", kwargs={"reference": world.case.reference})
    assert client.post(reopen, {"reason": "new incidents"}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.closed_at is None
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds[-2:] == ["closed", "reopened"]


def test_overdue_reviews_show_on_the_dashboard(world: Any, client: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    Case.objects.filter(pk=world.case.pk).update(
        next_review=timezone.localdate() - dt.timedelta(days=2)
    )
    sign_in(client, world.supervisor)
    html = client.get(reverse("cases:dashboard")).content.decode()
    assert world.case.reference in html
    assert world.other_case.reference not in html


def test_the_case_list_filters_and_paginates(world: Any, client: Any) -> None:
    from courseline.web.cases import actions

    for _ in range(30):
        actions.do_open_case(
            None, world.alice, team=world.team, summary="s", assigned_to=world.bob,
            next_review=None,
        )  # fmt: skip
    sign_in(client, world.supervisor)
    first = client.get(reverse("cases:list") + "?scope=team").content.decode()
    assert "31 cases" in first
    assert "Page 1 of 2" in first
    mine = client.get(reverse("cases:list") + "?scope=mine").content.decode()
    assert "No cases match" in mine
    found = client.get(reverse("cases:list") + f"?scope=team&q={world.case.reference}")
    assert "1 case" in found.content.decode()


def test_bob_only_sees_his_own_cases_in_the_list(world: Any, client: Any) -> None:
    sign_in(client, world.bob)
    html = client.get(reverse("cases:list") + "?scope=team&status=all").content.decode()
    assert world.case.reference not in html
