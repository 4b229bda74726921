"""Which cases a user may see or change. Every case view fetches through these helpers.

Rules (never across organisations):
- caseworker: the cases assigned to them;
- supervisor: every case of their team;
- admin: no case content;
- victim: no staff pages; in the portal, only cases where they are the linked victim.
A case the user may not see is a 404, indistinguishable from a case that does not exist.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from courseline.web.accounts.models import Role, Team, User
from courseline.web.cases.models import Case, Note, Person, PersonRole


def cases_visible_to(user: User) -> QuerySet[Case]:
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    base = Case.objects.filter(organisation_id=user.organisation_id)
    if user.role == Role.SUPERVISOR and user.team_id is not None:
        return base.filter(team_id=user.team_id)
    if user.role == Role.CASEWORKER:
        return base.filter(assigned_to=user)
    return Case.objects.none()


def portal_cases_for(user: User) -> QuerySet[Case]:
    if not user.is_authenticated or not user.is_active or user.role != Role.VICTIM:
        return Case.objects.none()
    return Case.objects.filter(
        organisation_id=user.organisation_id,
        people__portal_user=user,
        people__role=PersonRole.VICTIM,
    ).distinct()


def get_case_for_user(user: User, reference: str) -> Case:
    case = cases_visible_to(user).select_related("team", "assigned_to").filter(reference=reference)
    found = case.first()
    if found is None:
        raise Http404("No such case")
    return found


def can_manage_case(user: User, case: Case) -> bool:
    """Assign, transfer and read the audit trail: the team's supervisor."""
    return (
        user.role == Role.SUPERVISOR
        and user.organisation_id == case.organisation_id
        and user.team_id == case.team_id
    )


def get_note_for_case(case: Case, note_id: int) -> Note:
    note = Note.objects.filter(case=case, pk=note_id).select_related("latest").first()
    if note is None:
        raise Http404("No such note")
    return note


def get_person_for_case(case: Case, person_id: int) -> Person:
    person = Person.objects.filter(case=case, pk=person_id).select_related("latest").first()
    if person is None:
        raise Http404("No such person")
    return person


def assignable_in_team(team: Team) -> QuerySet[User]:
    """Who a case of ``team`` may be assigned to: its active caseworkers and supervisors."""
    return User.objects.filter(
        organisation_id=team.organisation_id,
        team=team,
        role__in=[Role.CASEWORKER, Role.SUPERVISOR],
        is_active=True,
    ).order_by("full_name")
