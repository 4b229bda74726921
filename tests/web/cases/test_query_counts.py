"""The case list and case detail run a fixed number of queries, however much data there is."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courseline.web.cases import actions
from courseline.web.cases.models import PersonRole
from tests.conftest import sign_in


def _grow(world: Any, cases: int, notes: int) -> None:
    for _ in range(cases):
        actions.do_open_case(
            None, world.alice, team=world.team, summary="more", assigned_to=world.alice,
            next_review=None,
        )  # fmt: skip
    for number in range(notes):
        note = actions.do_add_note(None, world.alice, world.case, f"note {number}")
        if number % 3 == 0:
            actions.do_correct_note(None, world.alice, note, f"note {number} fixed", "typo")
    for number in range(3):
        details = actions.PersonDetails(f"Third {number}", "a\nb", "unknown", "", "")
        actions.do_add_person(None, world.alice, world.case, PersonRole.THIRD_PARTY, details)


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_case_detail_queries_do_not_grow_with_notes(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    url = reverse("cases:detail", kwargs={"reference": world.case.reference})
    small = _queries(client, url)
    _grow(world, cases=0, notes=30)
    assert _queries(client, url) == small
    assert small <= 20


def test_case_list_queries_do_not_grow_with_cases(world: Any, client: Any) -> None:
    sign_in(client, world.supervisor)
    url = reverse("cases:list") + "?scope=team&status=all"
    small = _queries(client, url)
    _grow(world, cases=40, notes=0)
    assert _queries(client, url) == small
    assert small <= 20


def test_dashboard_queries_do_not_grow_with_cases(world: Any, client: Any) -> None:
    sign_in(client, world.supervisor)
    url = reverse("cases:dashboard")
    small = _queries(client, url)
    _grow(world, cases=30, notes=0)
    assert _queries(client, url) == small
