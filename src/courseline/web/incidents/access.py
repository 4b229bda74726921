"""Fetching incidents with object-level access. Staff access follows the case (cases.access);
a victim sees only the incidents they entered themselves, on a case linked to their account."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.http import Http404

from courseline.web.accounts.models import User
from courseline.web.cases.access import portal_cases_for
from courseline.web.cases.models import Case
from courseline.web.incidents.models import Incident


def incidents_of(case: Case) -> QuerySet[Incident]:
    return (
        Incident.objects.filter(case=case)
        .exclude(latest=None)
        .select_related("latest", "latest__perpetrator__latest", "latest__author", "created_by")
    )


def incident_numbers(incidents: Iterable[Incident]) -> dict[str, int]:
    """Each incident's position on the timeline, oldest first (#1, #2...), by id as text."""
    ordered = sorted(incidents, key=lambda incident: incident.current.event_start)
    return {str(incident.pk): number for number, incident in enumerate(ordered, start=1)}


def get_incident_for_case(case: Case, incident_id: int) -> Incident:
    incident = incidents_of(case).filter(pk=incident_id).first()
    if incident is None:
        raise Http404("No such incident")
    return incident


def get_portal_case(user: User, reference: str) -> Case:
    case = portal_cases_for(user).filter(reference=reference).select_related("organisation").first()
    if case is None:
        raise Http404("No such case")
    return case


def own_portal_incidents(user: User, case: Case) -> QuerySet[Incident]:
    return incidents_of(case).filter(entered_by_victim=True, created_by=user)


def get_own_portal_incident(user: User, case: Case, incident_id: int) -> Incident:
    incident = own_portal_incidents(user, case).filter(pk=incident_id).first()
    if incident is None:
        raise Http404("No such incident")
    return incident
