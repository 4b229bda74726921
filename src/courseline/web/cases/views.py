"""Case pages. Each view: parse input, fetch through access.py, call one action, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from courseline.web.accounts.access import AuthedRequest, role_required
from courseline.web.accounts.models import Role
from courseline.web.audit.log import record
from courseline.web.audit.models import AuditEvent
from courseline.web.cases import actions
from courseline.web.cases.access import (
    assignable_in_team,
    can_manage_case,
    cases_visible_to,
    get_case_for_user,
    get_note_for_case,
    get_person_for_case,
    portal_cases_for,
)
from courseline.web.cases.forms import (
    AssignForm,
    CaseFilterForm,
    CaseForm,
    NoteCorrectionForm,
    NoteForm,
    PersonForm,
    PortalLinkForm,
    ReasonForm,
    ReviewForm,
)
from courseline.web.cases.models import (
    Case,
    CaseStatus,
    PersonRole,
    PersonVersion,
    review_date_default,
)
from courseline.web.evidence.models import EvidenceItem
from courseline.web.risk.models import Assessment
from courseline.web.toolkit.models import DeviceCheck, PhotoCheck

CASE_STAFF = (Role.SUPERVISOR, Role.CASEWORKER)
PAGE_SIZE = 25


@require_http_methods(["GET"])
def home(request: AuthedRequest) -> HttpResponse:
    """Where a signed-in user lands: their role's start page."""
    role = request.user.role
    if role == Role.ADMIN:
        return redirect("manage:user_list")
    if role == Role.VICTIM:
        return redirect("portal")
    if role in CASE_STAFF:
        return redirect("cases:dashboard")
    raise PermissionDenied


def _count_of(model: Any) -> Any:
    rows = model.objects.filter(case=OuterRef("pk")).values("case").annotate(n=Count("pk"))
    return Coalesce(Subquery(rows.values("n"), output_field=IntegerField()), 0)


def _module_counts(case: Case) -> dict[str, int]:
    """How many evidence items and digital checks the case has, in one query."""
    counts: dict[str, int] = (
        Case.objects.filter(pk=case.pk)
        .annotate(
            evidence_count=_count_of(EvidenceItem),
            photo_check_count=_count_of(PhotoCheck),
            device_check_count=_count_of(DeviceCheck),
        )
        .values("evidence_count", "photo_check_count", "device_check_count")
        .get()
    )
    return counts


@role_required(*CASE_STAFF)
@require_http_methods(["GET"])
def dashboard(request: AuthedRequest) -> HttpResponse:
    visible = cases_visible_to(request.user).filter(status=CaseStatus.OPEN)
    today = timezone.localdate()
    overdue = list(
        visible.filter(next_review__lt=today)
        .select_related("assigned_to")
        .order_by("next_review")[:50]
    )
    latest_risk_due = (
        Assessment.objects.filter(case=OuterRef("pk"))
        .order_by("-created_at", "-id")
        .values("next_review_due")[:1]
    )
    risk_overdue = list(
        visible.annotate(risk_due=Subquery(latest_risk_due))
        .filter(risk_due__lt=today)
        .select_related("assigned_to")
        .order_by("risk_due")[:50]
    )
    counts = visible.aggregate(
        open=Count("id"),
        mine=Count("id", filter=Q(assigned_to=request.user)),
        overdue=Count("id", filter=Q(next_review__lt=today)),
        due_soon=Count(
            "id", filter=Q(next_review__gte=today, next_review__lte=today + dt.timedelta(days=7))
        ),
    )
    record("dashboard.viewed", request=request, detail={"overdue_shown": len(overdue)})
    context = {"overdue": overdue, "risk_overdue": risk_overdue, "counts": counts}
    return render(request, "cases/dashboard.html", context)


@role_required(*CASE_STAFF)
@require_http_methods(["GET"])
def case_list(request: AuthedRequest) -> HttpResponse:
    filters = CaseFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    cases = cases_visible_to(request.user).select_related("assigned_to", "team")
    default_scope = "team" if request.user.role == Role.SUPERVISOR else "mine"
    scope = data.get("scope") or default_scope
    if scope == "mine":
        cases = cases.filter(assigned_to=request.user)
    status = data.get("status") or "open"
    if status != "all":
        cases = cases.filter(status=status)
    if data.get("overdue"):
        cases = cases.filter(status=CaseStatus.OPEN, next_review__lt=timezone.localdate())
    if data.get("q"):
        cases = cases.filter(reference__icontains=data["q"].strip())
    page = Paginator(cases.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    record("case.list_viewed", request=request, detail={"page": page.number})
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "scope": scope,
        "status": status,
        "querystring": query.urlencode(),
    }
    return render(request, "cases/case_list.html", context)


@role_required(*CASE_STAFF)
@require_http_methods(["GET", "POST"])
def case_create(request: AuthedRequest) -> HttpResponse:
    user = request.user
    team = user.team
    if team is None:
        raise PermissionDenied
    is_supervisor = user.role == Role.SUPERVISOR
    form = CaseForm(
        request.POST or None, assignable=assignable_in_team(team), allow_assign=is_supervisor
    )
    if request.method == "POST" and form.is_valid():
        assigned = form.cleaned_data.get("assigned_to") if is_supervisor else user
        case = actions.do_open_case(
            request,
            user,
            team=team,
            summary=form.cleaned_data["summary"],
            jurisdiction=form.cleaned_data["jurisdiction"],
            assigned_to=assigned,
            next_review=form.cleaned_data["next_review"] or review_date_default(),
        )
        messages.success(request, f"Case {case.reference} opened")
        return redirect("cases:detail", reference=case.reference)
    return render(request, "cases/case_form.html", {"form": form})


@role_required(*CASE_STAFF)
@require_http_methods(["GET"])
def case_detail(request: AuthedRequest, reference: str) -> HttpResponse:
    case = get_case_for_user(request.user, reference)
    people = list(case.people.select_related("latest", "portal_user").order_by("created_at", "id"))
    notes = list(
        case.notes.select_related("latest", "latest__author", "created_by")
        .annotate(n_versions=Count("versions"))
        .order_by("-created_at", "-id")
    )
    events = list(case.events.select_related("actor", "assigned_to").order_by("at", "id"))
    record("case.viewed", request=request, case=case, obj=case)
    context = {
        "case": case,
        "people": people,
        "notes": notes,
        "events": events,
        "can_manage": can_manage_case(request.user, case),
        "incident_count": case.incidents.exclude(latest=None).count(),
        **_module_counts(case),
        **_risk_summary(case),
        "note_form": NoteForm(),
    }
    return render(request, "cases/case_detail.html", context)


def _risk_summary(case: Case) -> dict[str, object]:
    """The latest risk assessment, and how many incidents were logged after it."""
    latest = Assessment.objects.filter(case=case).order_by("-created_at", "-id").first()
    since = case.incidents.filter(created_at__gt=latest.created_at).count() if latest else 0
    return {"latest_assessment": latest, "incidents_since_assessment": since}


def _simple_form(  # noqa: PLR0913
    request: AuthedRequest,
    case: object,
    form: object,
    heading: str,
    submit: str,
    intro: str = "",
    *,
    warning: bool = False,
) -> HttpResponse:
    context = {
        "case": case,
        "form": form,
        "heading": heading,
        "submit": submit,
        "intro": intro,
        "warning": warning,
    }
    return render(request, "cases/simple_form.html", context)


def _writable_case(request: AuthedRequest, reference: str):  # type: ignore[no-untyped-def]
    case = get_case_for_user(request.user, reference)
    if not case.is_open:
        messages.error(request, "This case is closed. Reopen it to make changes")
        return case, redirect("cases:detail", reference=case.reference)
    return case, None


@role_required(*CASE_STAFF)
@require_http_methods(["GET", "POST"])
def note_add(request: AuthedRequest, reference: str) -> HttpResponse:
    case, refused = _writable_case(request, reference)
    if refused:
        return refused
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.do_add_note(request, request.user, case, form.cleaned_data["body"])
        messages.success(request, "Note added")
        return redirect("cases:detail", reference=case.reference)
    return _simple_form(request, case, form, "Add a note", "Save note")


@role_required(*CASE_STAFF)
@require_http_methods(["GET", "POST"])
def note_correct(request: AuthedRequest, reference: str, note_id: int) -> HttpResponse:
    case, refused = _writable_case(request, reference)
    if refused:
        return refused
    note = get_note_for_case(case, note_id)
    initial = {"body": note.latest.body if note.latest else ""}
    form = NoteCorrectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        actions.do_correct_note(
            request, request.user, note, form.cleaned_data["body"], form.cleaned_data["reason"]
        )
        messages.success(request, "Correction saved; the earlier version is kept in the history")
        return redirect("cases:detail", reference=case.reference)
    record("note.viewed", request=request, case=case, obj=note)
    context = {
        "case": case,
        "note": note,
        "form": form,
        "heading": "Correct a note",
        "submit": "Save correction",
    }
    return render(request, "cases/note_correct.html", context)


@role_required(*CASE_STAFF)
@require_http_methods(["GET"])
def note_history(request: AuthedRequest, reference: str, note_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, reference)
    note = get_note_for_case(case, note_id)
    versions = note.versions.select_related("author").order_by("-version")
    record("note.history_viewed", request=request, case=case, obj=note)
    return render(
        request, "cases/note_history.html", {"case": case, "note": note, "versions": versions}
    )


def _person_details(form: PersonForm) -> actions.PersonDetails:
    data = form.cleaned_data
    return actions.PersonDetails(
        name=data["name"],
        aliases=data["aliases"],
        safe_to_contact=data["safe_to_contact"],
        safe_contact_method=data["safe_contact_method"],
        details=data["details"],
    )


@role_required(*CASE_STAFF)
@require_http_methods(["GET", "POST"])
def person_add(request: AuthedRequest, reference: str) -> HttpResponse:
    case, refused = _writable_case(request, reference)
    if refused:
        return refused
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.do_add_person(
            request, request.user, case, form.cleaned_data["role"], _person_details(form)
        )
        messages.success(request, "Person added")
        return redirect("cases:detail", reference=case.reference)
    context = {"case": case, "form": form, "heading": "Add a person", "submit": "Save"}
    return render(request, "cases/person_form.html", context)


@role_required(*CASE_STAFF)
@require_http_methods(["GET", "POST"])
def person_edit(request: AuthedRequest, reference: str, person_id: int) -> HttpResponse:
    case, refused = _writable_case(request, reference)
    if refused:
        return refused
    person = get_person_for_case(case, person_id)
    current = person.latest
    initial = {
        field: getattr(current, field)
        for field in ("name", "aliases", "safe_to_contact", "safe_contact_method", "details")
    }
    form = PersonForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        actions.do_update_person(request, request.user, person, _person_details(form))
        messages.success(request, "Details updated; the earlier version is kept")
        return redirect("cases:detail", reference=case.reference)
    versions = PersonVersion.objects.filter(person=person).select_related("author")
    record("person.viewed", request=request, case=case, obj=person)
    context = {
        "case": case,
        "person": person,
        "form": form,
        "versions": versions.order_by("-version"),
        "heading": f"Change details: {person.get_role_display().lower()}",
        "submit": "Save as a new version",
    }
    return render(request, "cases/person_form.html", context)


@role_required(*CASE_STAFF)
@require_http_methods(["GET", "POST"])
def person_portal(request: AuthedRequest, reference: str, person_id: int) -> HttpResponse:
    case, refused = _writable_case(request, reference)
    if refused:
        return refused
    person = get_person_for_case(case, person_id)
    if person.role != PersonRole.VICTIM:
        raise Http404("Only the victim on a case has a portal account")
    current = person.portal_user.email if person.portal_user else ""
    form = PortalLinkForm(
        request.POST or None, initial={"email": current}, organisation_id=case.organisation_id
    )
    if request.method == "POST" and form.is_valid():
        actions.do_link_portal_account(request, request.user, person, form.account)
        messages.success(
            request, "Portal account linked" if form.account else "Portal account link removed"
        )
        return redirect("cases:detail", reference=case.reference)
    record("person.portal_viewed", request=request, case=case, obj=person)
    return _simple_form(
        request, case, form, "Victim's portal account", "Save",
        intro="The victim can then sign in to their own space for this case. They never see "
        "case notes or other people's details.",
    )  # fmt: skip


@role_required(Role.SUPERVISOR)
@require_http_methods(["GET", "POST"])
def case_assign(request: AuthedRequest, reference: str) -> HttpResponse:
    case, refused = _writable_case(request, reference)
    if refused:
        return refused
    if not can_manage_case(request.user, case):
        raise PermissionDenied
    form = AssignForm(request.POST or None, assignable=assignable_in_team(case.team))
    if request.method == "POST" and form.is_valid():
        assignee = form.cleaned_data["assigned_to"]
        actions.do_assign_case(request, request.user, case, assignee, form.cleaned_data["reason"])
        messages.success(request, f"Case assigned to {assignee.full_name}")
        return redirect("cases:detail", reference=case.reference)
    return _simple_form(
        request, case, form, "Assign or transfer the case", "Assign",
        intro="The new caseworker sees the case straight away; the previous one no longer does.",
    )  # fmt: skip


@role_required(*CASE_STAFF)
@require_http_methods(["GET", "POST"])
def case_review(request: AuthedRequest, reference: str) -> HttpResponse:
    case, refused = _writable_case(request, reference)
    if refused:
        return refused
    form = ReviewForm(request.POST or None, initial={"next_review": case.next_review})
    if request.method == "POST" and form.is_valid():
        actions.do_set_review_date(request, request.user, case, form.cleaned_data["next_review"])
        messages.success(request, "Next review date saved")
        return redirect("cases:detail", reference=case.reference)
    return _simple_form(request, case, form, "Set the next review date", "Save review date")


def _status_change(request: AuthedRequest, reference: str, *, closing: bool) -> HttpResponse:
    case = get_case_for_user(request.user, reference)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action = actions.do_close_case if closing else actions.do_reopen_case
        try:
            action(request, request.user, case, form.cleaned_data["reason"])
        except actions.CaseActionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Case closed" if closing else "Case reopened")
        return redirect("cases:detail", reference=case.reference)
    if closing:
        intro = (
            "Before closing, record a closing risk review (Risk, reason 'Review at closure'). "
            "Closed cases are kept for the retention period and then deleted for good. "
            "The reason is kept in the case history."
        )
        return _simple_form(
            request, case, form, "Close the case", "Close case", intro, warning=True
        )
    return _simple_form(request, case, form, "Reopen the case", "Reopen case")


@role_required(*CASE_STAFF)
@require_http_methods(["GET", "POST"])
def case_close(request: AuthedRequest, reference: str) -> HttpResponse:
    return _status_change(request, reference, closing=True)


@role_required(*CASE_STAFF)
@require_http_methods(["GET", "POST"])
def case_reopen(request: AuthedRequest, reference: str) -> HttpResponse:
    return _status_change(request, reference, closing=False)


@role_required(Role.SUPERVISOR)
@require_http_methods(["GET"])
def case_audit(request: AuthedRequest, reference: str) -> HttpResponse:
    case = get_case_for_user(request.user, reference)
    if not can_manage_case(request.user, case):
        raise PermissionDenied
    record("case.audit_viewed", request=request, case=case, obj=case)
    events = Paginator(AuditEvent.objects.filter(case_id=case.pk).order_by("-id"), 100).get_page(
        request.GET.get("page")
    )
    return render(request, "cases/case_audit.html", {"case": case, "page": events})


@role_required(Role.VICTIM)
@require_http_methods(["GET"])
def portal(request: AuthedRequest) -> HttpResponse:
    """The victim's own start page (their diary arrives with the incident log)."""
    cases = list(portal_cases_for(request.user).select_related("assigned_to", "organisation"))
    record("portal.viewed", request=request, detail={"cases": len(cases)})
    return render(request, "cases/portal.html", {"cases": cases})
