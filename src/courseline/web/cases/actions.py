"""Every change to a case: one transaction, one audit record, history kept."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from courseline.web.accounts.models import Team, User
from courseline.web.audit.log import record
from courseline.web.cases.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    Note,
    NoteVersion,
    Person,
    PersonRole,
    PersonVersion,
    ReferenceCounter,
    format_reference,
)
from courseline.web.core.versions import next_version


class CaseActionError(Exception):
    """A change that is not allowed in the case's current state; the message says why."""


def _next_reference(year: int) -> str:
    counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return format_reference(year, counter.last)


def do_open_case(
    request: HttpRequest | None,
    actor: User,
    *,
    team: Team,
    summary: str,
    assigned_to: User | None,
    next_review: dt.date | None,
    jurisdiction: str = "england-wales",
) -> Case:
    now = timezone.now()
    with transaction.atomic():
        case = Case.objects.create(
            organisation_id=actor.organisation_id,
            team=team,
            reference=_next_reference(timezone.localdate(now).year),
            summary=summary,
            jurisdiction=jurisdiction,
            assigned_to=assigned_to,
            created_by=actor,
            created_at=now,
            next_review=next_review,
        )
        CaseEvent.objects.create(case=case, kind=CaseEventKind.OPENED, actor=actor, at=now)
        if assigned_to is not None:
            CaseEvent.objects.create(
                case=case, kind=CaseEventKind.ASSIGNED, actor=actor, at=now, assigned_to=assigned_to
            )
        record("case.opened", request=request, actor=actor, case=case, obj=case)
    return case


def do_add_note(request: HttpRequest | None, actor: User, case: Case, body: str) -> Note:
    with transaction.atomic():
        note = Note.objects.create(case=case, created_by=actor)
        version = NoteVersion.objects.create(note=note, version=1, body=body, author=actor)
        note.latest = version
        note.save(update_fields=["latest"])
        record("note.added", request=request, actor=actor, case=case, obj=note)
    return note


def do_correct_note(
    request: HttpRequest | None, actor: User, note: Note, body: str, reason: str
) -> NoteVersion:
    """A correction is a new version; earlier versions stay and remain visible."""
    with transaction.atomic():
        locked = Note.objects.select_for_update().select_related("case").get(pk=note.pk)
        number = next_version(locked.versions.all())
        version = NoteVersion.objects.create(
            note=locked, version=number, body=body, correction_reason=reason, author=actor
        )
        locked.latest = version
        locked.save(update_fields=["latest"])
        record(
            "note.corrected",
            request=request,
            actor=actor,
            case=locked.case,
            obj=locked,
            detail={"version": number},
        )
    return version


@dataclass(frozen=True)
class PersonDetails:
    name: str
    aliases: str
    safe_to_contact: str
    safe_contact_method: str
    details: str


def do_add_person(
    request: HttpRequest | None, actor: User, case: Case, role: str, details: PersonDetails
) -> Person:
    with transaction.atomic():
        person = Person.objects.create(case=case, role=role)
        version = PersonVersion.objects.create(
            person=person, version=1, author=actor, **details.__dict__
        )
        person.latest = version
        person.save(update_fields=["latest"])
        record(
            "person.added",
            request=request,
            actor=actor,
            case=case,
            obj=person,
            detail={"role": role},
        )
    return person


def do_update_person(
    request: HttpRequest | None, actor: User, person: Person, details: PersonDetails
) -> PersonVersion:
    with transaction.atomic():
        locked = Person.objects.select_for_update().select_related("case").get(pk=person.pk)
        number = next_version(locked.versions.all())
        version = PersonVersion.objects.create(
            person=locked, version=number, author=actor, **details.__dict__
        )
        locked.latest = version
        locked.save(update_fields=["latest"])
        record(
            "person.updated",
            request=request,
            actor=actor,
            case=locked.case,
            obj=locked,
            detail={"version": number},
        )
    return version


def do_link_portal_account(
    request: HttpRequest | None, actor: User, person: Person, account: User | None
) -> Person:
    """Give (or take away) a victim's own sign-in access to the portal of this case."""
    if person.role != PersonRole.VICTIM:
        raise CaseActionError("Only the victim on a case can have a portal account linked")
    with transaction.atomic():
        from courseline.web.incidents.actions import revoke_pending_invites

        locked = Person.objects.select_for_update().select_related("case").get(pk=person.pk)
        previous = locked.portal_user_id
        locked.portal_user = account
        locked.save(update_fields=["portal_user"])
        revoke_pending_invites([locked])  # whoever holds an old link must not get in
        record(
            "person.portal_linked" if account else "person.portal_unlinked",
            request=request,
            actor=actor,
            case=locked.case,
            obj=locked,
            detail={"from_user_id": previous, "to_user_id": account.pk if account else None},
        )
    return locked


def do_assign_case(
    request: HttpRequest | None, actor: User, case: Case, assignee: User, reason: str
) -> Case:
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        previous = case.assigned_to_id
        case.assigned_to = assignee
        case.save(update_fields=["assigned_to"])
        CaseEvent.objects.create(
            case=case, kind=CaseEventKind.ASSIGNED, actor=actor, assigned_to=assignee, reason=reason
        )
        record(
            "case.assigned",
            request=request,
            actor=actor,
            case=case,
            obj=case,
            detail={"from_user_id": previous, "to_user_id": assignee.pk},
        )
    return case


def do_set_review_date(
    request: HttpRequest | None, actor: User, case: Case, review: dt.date
) -> Case:
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        case.next_review = review
        case.save(update_fields=["next_review"])
        CaseEvent.objects.create(
            case=case, kind=CaseEventKind.REVIEW_SET, actor=actor, review_date=review
        )
        record("case.review_set", request=request, actor=actor, case=case, obj=case)
    return case


def do_close_case(request: HttpRequest | None, actor: User, case: Case, reason: str) -> Case:
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.status == CaseStatus.CLOSED:
            raise CaseActionError("This case is already closed")
        case.status = CaseStatus.CLOSED
        case.closed_at = timezone.now()
        case.save(update_fields=["status", "closed_at"])
        CaseEvent.objects.create(case=case, kind=CaseEventKind.CLOSED, actor=actor, reason=reason)
        from courseline.web.incidents.actions import revoke_pending_invites

        revoke_pending_invites(Person.objects.filter(case=case))
        record("case.closed", request=request, actor=actor, case=case, obj=case)
    return case


def do_reopen_case(request: HttpRequest | None, actor: User, case: Case, reason: str) -> Case:
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.status == CaseStatus.OPEN:
            raise CaseActionError("This case is already open")
        case.status = CaseStatus.OPEN
        case.closed_at = None
        case.save(update_fields=["status", "closed_at"])
        CaseEvent.objects.create(case=case, kind=CaseEventKind.REOPENED, actor=actor, reason=reason)
        record("case.reopened", request=request, actor=actor, case=case, obj=case)
    return case


@dataclass(frozen=True)
class PurgeResult:
    reference: str
    rows_deleted: int


def cases_due_for_purge(now: dt.datetime, retention_days: int) -> list[Case]:
    cutoff = now - dt.timedelta(days=retention_days)
    return list(
        Case.objects.filter(status=CaseStatus.CLOSED, closed_at__lt=cutoff).order_by("closed_at")
    )


def _anonymise_unlinked_victims(user_ids: set[int], organisation_id: int) -> int:
    """Victim accounts left with no case keep no name or address: the account row stays
    (the audit trail refers to it) but becomes an anonymous, disabled shell."""
    from django.contrib.auth.hashers import make_password

    from courseline.web.accounts.models import Role
    from courseline.web.accounts.models import User as UserModel

    orphans = UserModel.objects.filter(pk__in=user_ids, role=Role.VICTIM).exclude(
        portal_people__isnull=False
    )
    count = 0
    for account in orphans:
        UserModel.objects.filter(pk=account.pk).update(
            email=f"purged-{account.pk}@purged.invalid",
            full_name="Purged account",
            password=make_password(None),
            is_active=False,
            session_generation=account.session_generation + 1,
        )
        record("account.purged", organisation_id=organisation_id, obj=account)
        count += 1
    return count


def do_purge_case(case: Case, *, retention_days: int) -> PurgeResult:
    """Delete a closed case and everything hanging off it; keep one audit record of the purge.

    Earlier audit records of the case stay (they hold identifiers only, and the chain
    must not break); nothing else about the case survives.
    """
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.status != CaseStatus.CLOSED:
            raise CaseActionError("Only closed cases are purged")
        reference, case_id, org_id = locked.reference, locked.pk, locked.organisation_id
        portal_accounts = set(
            Person.objects.filter(case_id=case_id)
            .exclude(portal_user=None)
            .values_list("portal_user_id", flat=True)
        )
        # Break the note/person → latest-version links first so the cascade has no cycle.
        Note.objects.filter(case_id=case_id).update(latest=None)
        Person.objects.filter(case_id=case_id).update(latest=None)
        from courseline.web.evidence.storage import delete_objects, stored_objects_of_case

        stored = stored_objects_of_case(case_id)
        deleted, _ = Case.objects.filter(pk=case_id).delete()
        # The encrypted files go once the rows are gone for good (not if the purge rolls back).
        transaction.on_commit(lambda: delete_objects(stored))
        deleted += _anonymise_unlinked_victims(portal_accounts, org_id)
        record(
            "case.purged",
            organisation_id=org_id,
            detail={
                "case_id": case_id,
                "reference": reference,
                "rows_deleted": deleted,
                "retention_days": retention_days,
            },
        )
    return PurgeResult(reference, deleted)
