"""Every change to the incident log: one transaction, one audit record, history kept."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from courseline.law.conduct import suggest
from courseline.web.accounts.models import Role, User
from courseline.web.audit.log import record
from courseline.web.cases.models import Case, Person, PersonRole
from courseline.web.core.versions import next_version
from courseline.web.incidents.models import (
    STAGED_IMPORT_HOURS,
    Incident,
    IncidentVersion,
    PortalInvite,
    StagedImport,
)


class IncidentActionError(Exception):
    """A change that is not allowed; the message says why."""


@dataclass
class IncidentData:
    """Everything recorded about one incident (one version of it)."""

    event_start: object
    precision: str
    description: str
    event_end: object = None
    place: str = "unknown"
    location: str = ""
    channel: str = ""
    account_used: str = ""
    behaviours: list[str] = field(default_factory=list)
    perpetrator: Person | None = None
    third_parties: str = ""
    witnesses: str = ""
    police_reported: bool = False
    police_officer: str = ""
    police_collar_number: str = ""
    police_reference: str = ""
    fear_of_violence: str = "unsure"
    impacts: list[str] = field(default_factory=list)
    impact_notes: str = ""


def suggested_keys(text: str) -> list[str]:
    return [s.behaviour.value for s in suggest(text)]


def _new_version(
    incident: Incident, number: int, author: User, data: IncidentData, reason: str = ""
) -> IncidentVersion:
    version = IncidentVersion.objects.create(
        incident=incident,
        version=number,
        author=author,
        edit_reason=reason,
        suggested_behaviours=suggested_keys(data.description),
        **asdict(data) | {"perpetrator": data.perpetrator},
    )
    incident.latest = version
    incident.save(update_fields=["latest"])
    return version


def _check_perpetrator(case: Case, data: IncidentData) -> None:
    if data.perpetrator is not None and data.perpetrator.case_id != case.pk:
        raise IncidentActionError("The perpetrator must be one of the people on this case")


def do_log_incident(
    request: HttpRequest | None,
    actor: User,
    case: Case,
    data: IncidentData,
    *,
    entered_by_victim: bool = False,
) -> Incident:
    _check_perpetrator(case, data)
    with transaction.atomic():
        incident = Incident.objects.create(
            case=case, created_by=actor, entered_by_victim=entered_by_victim
        )
        _new_version(incident, 1, actor, data)
        record(
            "incident.logged",
            request=request,
            actor=actor,
            case=case,
            obj=incident,
            detail={"by_victim": entered_by_victim},
        )
    return incident


def do_edit_incident(
    request: HttpRequest | None, actor: User, incident: Incident, data: IncidentData, reason: str
) -> IncidentVersion:
    """An edit is a new version; the earlier ones stay and remain visible."""
    with transaction.atomic():
        locked = Incident.objects.select_for_update().select_related("case").get(pk=incident.pk)
        _check_perpetrator(locked.case, data)
        number = next_version(locked.versions.all())
        version = _new_version(locked, number, actor, data, reason)
        record(
            "incident.edited",
            request=request,
            actor=actor,
            case=locked.case,
            obj=locked,
            detail={"version": number},
        )
    return version


def do_stage_import(actor: User, case: Case, filename: str, table: Any) -> StagedImport:
    """Keep an uploaded diary until it is confirmed (one staged file per user and case).
    Staging holds nothing new about the case, so it is audited only when imported."""
    cutoff = timezone.now() - dt.timedelta(hours=STAGED_IMPORT_HOURS)
    with transaction.atomic():
        StagedImport.objects.filter(created_at__lt=cutoff).delete()
        StagedImport.objects.filter(case=case, created_by=actor).delete()
        return StagedImport.objects.create(
            case=case,
            created_by=actor,
            filename=filename[:200],
            headers=list(table.headers),
            rows=[list(row) for row in table.rows],
        )


def staged_import_for(actor: User, case: Case) -> StagedImport | None:
    cutoff = timezone.now() - dt.timedelta(hours=STAGED_IMPORT_HOURS)
    return (
        StagedImport.objects.filter(case=case, created_by=actor, created_at__gte=cutoff)
        .order_by("-created_at")
        .first()
    )


def do_import_incidents(
    request: HttpRequest | None,
    actor: User,
    case: Case,
    items: Sequence[IncidentData],
    staged: StagedImport | None = None,
) -> int:
    """All rows or none: one transaction, one audit record for the whole import."""
    for data in items:
        _check_perpetrator(case, data)
    with transaction.atomic():
        for data in items:
            incident = Incident.objects.create(case=case, created_by=actor, imported=True)
            _new_version(incident, 1, actor, data)
        if staged is not None:
            staged.delete()
        record(
            "incident.imported",
            request=request,
            actor=actor,
            case=case,
            detail={"count": len(items)},
        )
    return len(items)


# --- The victim's portal ------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def do_invite_victim(request: HttpRequest | None, actor: User, person: Person) -> str:
    """Create a one-time invitation link token (only its hash is stored)."""
    if person.role != PersonRole.VICTIM:
        raise IncidentActionError("Only the victim on a case can be invited to the portal")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        Person.objects.select_for_update().get(pk=person.pk)
        revoke_pending_invites([person])
        invite = PortalInvite.objects.create(
            person=person, token_hash=token_hash(token), created_by=actor
        )
        record(
            "portal.invited",
            request=request,
            actor=actor,
            case=person.case,
            obj=invite,
        )
    return token


def revoke_pending_invites(persons: Any) -> int:
    """Cancel every unused invitation for these people (call inside the caller's transaction)."""
    return PortalInvite.objects.filter(person__in=persons, used_at=None, revoked_at=None).update(
        revoked_at=timezone.now()
    )


def do_accept_invite(
    request: HttpRequest | None, invite: PortalInvite, email: str, name: str, password: str
) -> User:
    """Create the victim's account from a live invitation, for an open case whose victim
    has no portal account yet; anything else is refused (the link may be in the wrong hands)."""
    refused = IncidentActionError("This invitation has expired or has already been used")
    with transaction.atomic():
        locked = PortalInvite.objects.select_for_update().get(pk=invite.pk)
        person = Person.objects.select_for_update().select_related("case").get(pk=locked.person_id)
        case = person.case
        if (
            not locked.usable
            or not case.is_open
            or person.role != PersonRole.VICTIM
            or person.portal_user_id is not None
        ):
            raise refused
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email=email,
                    password=password,
                    full_name=name,
                    role=Role.VICTIM,
                    organisation_id=case.organisation_id,
                )
        except IntegrityError:
            raise refused from None
        locked.used_at = timezone.now()
        locked.save(update_fields=["used_at"])
        person.portal_user = user
        person.save(update_fields=["portal_user"])
        record("portal.invite_accepted", request=request, actor=user, case=case, obj=locked)
    return user


def do_revoke_portal(request: HttpRequest | None, actor: User, person: Person) -> None:
    """Take away portal access for this case: unlink, cancel invitations, end sessions."""
    with transaction.atomic():
        locked = Person.objects.select_for_update().select_related("case").get(pk=person.pk)
        account_id = locked.portal_user_id
        locked.portal_user = None
        locked.save(update_fields=["portal_user"])
        revoke_pending_invites([locked])
        if account_id is not None:
            User.objects.filter(pk=account_id).update(
                session_generation=F("session_generation") + 1
            )
        record(
            "portal.revoked",
            request=request,
            actor=actor,
            case=locked.case,
            obj=locked,
            detail={"user_id": account_id},
        )
