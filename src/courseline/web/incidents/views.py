"""Incident log pages: log, timeline, detail, edit, import, export, and the victim's portal."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from courseline.law import diary
from courseline.law.analysis import analyse
from courseline.law.conduct import suggest
from courseline.law.jurisdictions import JURISDICTION_KEYS, all_jurisdictions, load_jurisdiction
from courseline.law.model import BEHAVIOUR_LABELS, Behaviour
from courseline.web.accounts.access import AuthedRequest, role_required
from courseline.web.accounts.models import Role
from courseline.web.audit.log import record
from courseline.web.cases.access import get_case_for_user, get_person_for_case
from courseline.web.cases.models import Case, Person, PersonRole
from courseline.web.core.exports import spreadsheet_safe
from courseline.web.incidents import actions
from courseline.web.incidents.access import (
    get_incident_for_case,
    get_own_portal_incident,
    get_portal_case,
    incident_numbers,
    incidents_of,
    own_portal_incidents,
)
from courseline.web.incidents.forms import (
    ImportUploadForm,
    IncidentForm,
    JoinForm,
    VictimIncidentForm,
    initial_from_version,
)
from courseline.web.incidents.models import PortalInvite

CASE_STAFF = (Role.SUPERVISOR, Role.CASEWORKER)


def _open_case(request: AuthedRequest, reference: str) -> Case:
    case = get_case_for_user(request.user, reference)
    if not case.is_open:
        raise PermissionDenied
    return case


def _suggestions(text: str) -> list[dict[str, Any]]:
    return [
        {"key": s.behaviour.value, "label": BEHAVIOUR_LABELS[s.behaviour], "triggers": s.triggers}
        for s in suggest(text)
    ]


@role_required(*CASE_STAFF)
@require_http_methods(["GET", "POST"])
def incident_log(request: AuthedRequest, reference: str) -> HttpResponse:
    case = _open_case(request, reference)
    form = IncidentForm(request.POST or None, case=case)
    suggestions: list[dict[str, Any]] = []
    if request.method == "POST":
        suggestions = _suggestions(request.POST.get("description", ""))
        if request.POST.get("action") != "suggest" and form.is_valid():
            incident = actions.do_log_incident(request, request.user, case, form.incident_data())
            messages.success(request, "Incident logged")
            return redirect("incidents:detail", reference=case.reference, incident_id=incident.pk)
        if request.POST.get("action") == "suggest":
            form.errors.clear()
    context = {
        "case": case,
        "form": form,
        "suggestions": suggestions,
        "suggested_keys": [s["key"] for s in suggestions],
        "editing": False,
    }
    return render(request, "incidents/incident_form.html", context)


@role_required(*CASE_STAFF)
@require_http_methods(["GET", "POST"])
def incident_edit(request: AuthedRequest, reference: str, incident_id: int) -> HttpResponse:
    case = _open_case(request, reference)
    incident = get_incident_for_case(case, incident_id)
    form = IncidentForm(
        request.POST or None,
        initial=initial_from_version(incident.current),
        case=case,
        editing=True,
    )
    suggestions = _suggestions(
        request.POST.get("description", "")
        if request.method == "POST"
        else incident.current.description
    )
    if request.method == "POST" and request.POST.get("action") != "suggest" and form.is_valid():
        actions.do_edit_incident(
            request, request.user, incident, form.incident_data(), form.cleaned_data["edit_reason"]
        )
        messages.success(request, "Changes saved as a new version; the earlier one is kept")
        return redirect("incidents:detail", reference=case.reference, incident_id=incident.pk)
    if request.method == "POST" and request.POST.get("action") == "suggest":
        form.errors.clear()
    record("incident.viewed", request=request, case=case, obj=incident)
    context = {
        "case": case,
        "form": form,
        "suggestions": suggestions,
        "suggested_keys": [s["key"] for s in suggestions],
        "editing": True,
        "incident": incident,
    }
    return render(request, "incidents/incident_form.html", context)


@role_required(*CASE_STAFF)
@require_http_methods(["GET"])
def incident_detail(request: AuthedRequest, reference: str, incident_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, reference)
    incident = get_incident_for_case(case, incident_id)
    versions = incident.versions.select_related("author", "perpetrator__latest").order_by(
        "-version"
    )
    record("incident.viewed", request=request, case=case, obj=incident)
    context = {"case": case, "incident": incident, "v": incident.current, "versions": versions}
    return render(request, "incidents/incident_detail.html", context)


def _filtered(case: Case, params: Any) -> tuple[list[Any], dict[str, str]]:
    incidents = sorted(incidents_of(case), key=lambda i: i.current.event_start)
    chosen = {
        "behaviour": params.get("behaviour", ""),
        "channel": params.get("channel", ""),
        "perpetrator": params.get("perpetrator", ""),
    }
    if chosen["behaviour"]:
        incidents = [i for i in incidents if chosen["behaviour"] in i.current.behaviours]
    if chosen["channel"]:
        incidents = [i for i in incidents if i.current.channel == chosen["channel"]]
    if chosen["perpetrator"] == "unknown":
        incidents = [i for i in incidents if i.current.perpetrator_id is None]
    elif chosen["perpetrator"]:
        incidents = [i for i in incidents if str(i.current.perpetrator_id) == chosen["perpetrator"]]
    return incidents, chosen


@role_required(*CASE_STAFF)
@require_http_methods(["GET"])
def timeline(request: AuthedRequest, reference: str) -> HttpResponse:
    case = get_case_for_user(request.user, reference)
    everything = list(incidents_of(case))
    incidents, chosen = _filtered(case, request.GET)
    per_behaviour = Counter(key for i in incidents for key in i.current.behaviours)
    per_month = Counter(
        timezone.localtime(i.current.event_start).strftime("%Y-%m") for i in incidents
    )
    record("incident.timeline_viewed", request=request, case=case, detail={"shown": len(incidents)})
    context = {
        "case": case,
        "incidents": incidents,
        "chosen": chosen,
        "behaviour_counts": [
            (BEHAVIOUR_LABELS[Behaviour(k)], k, n) for k, n in per_behaviour.most_common()
        ],
        "month_counts": sorted(per_month.items()),
        "max_month": max(per_month.values(), default=0),
        "behaviour_choices": list(BEHAVIOUR_LABELS.items()),
        "channels": sorted({i.current.channel for i in everything if i.current.channel}),
        "perpetrators": Person.objects.filter(
            case=case, role=PersonRole.PERPETRATOR
        ).select_related("latest"),
        "total": len(everything),
    }
    return render(request, "incidents/timeline.html", context)


@role_required(*CASE_STAFF)
@require_http_methods(["GET"])
def conduct(request: AuthedRequest, reference: str) -> HttpResponse:
    """The course-of-conduct analysis of the case's log, as decision support."""
    case = get_case_for_user(request.user, reference)
    key = request.GET.get("jurisdiction") or case.jurisdiction
    if key not in JURISDICTION_KEYS:
        raise Http404("Unknown jurisdiction")
    incidents = list(incidents_of(case))
    records = [incident.current.to_record() for incident in incidents]
    result = analyse(records, load_jurisdiction(key), today=timezone.localdate())
    names = {
        str(person.pk): person.latest.name
        for person in Person.objects.filter(case=case).select_related("latest")
        if person.latest
    }
    numbers = incident_numbers(incidents)
    groups = [
        (names.get(group.perpetrator or "", group.label), group) for group in result.perpetrators
    ]
    record("incident.conduct_viewed", request=request, case=case, detail={"jurisdiction": key})
    context = {
        "case": case,
        "analysis": result,
        "groups": groups,
        "numbers": numbers,
        "jurisdictions": [(j.key, j.name) for j in all_jurisdictions()],
        "chosen": key,
    }
    return render(request, "incidents/conduct.html", context)


# --- Export ---------------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    ("date", "Date"), ("end", "Latest date"), ("precision", "Precision"),
    ("description", "What happened"), ("behaviours", "Behaviours"), ("location", "Where"),
    ("place", "Kind of place"), ("channel", "Channel"), ("perpetrator", "Who did it"),
    ("fear", "Feared violence"), ("impacts", "Effect on daily life"),
    ("police_reference", "Police reference"), ("witnesses", "Witnesses"),
    ("entered_by", "Entered by"), ("entered_at", "Entered at"), ("version", "Version"),
]  # fmt: skip


def _export_row(incident: Any) -> dict[str, Any]:
    v = incident.current
    return {
        "date": timezone.localtime(v.event_start).strftime("%d/%m/%Y %H:%M"),
        "end": timezone.localtime(v.event_end).strftime("%d/%m/%Y %H:%M") if v.event_end else "",
        "precision": v.precision,
        "description": v.description,
        "behaviours": ", ".join(v.behaviours),
        "location": v.location,
        "place": v.place,
        "channel": v.channel,
        "perpetrator": v.perpetrator.latest.name if v.perpetrator and v.perpetrator.latest else "",
        "fear": v.fear_of_violence,
        "impacts": ", ".join(v.impacts + ([v.impact_notes] if v.impact_notes else [])),
        "police_reference": v.police_reference,
        "witnesses": v.witnesses,
        "entered_by": "victim" if incident.entered_by_victim else "caseworker",
        "entered_at": timezone.localtime(incident.created_at).isoformat(timespec="seconds"),
        "version": v.version,
    }


@role_required(*CASE_STAFF)
@require_http_methods(["GET"])
def export(request: AuthedRequest, reference: str, fmt: str) -> HttpResponse:
    case = get_case_for_user(request.user, reference)
    incidents = sorted(incidents_of(case), key=lambda i: i.current.event_start)
    rows = [_export_row(i) for i in incidents]
    record(
        "incident.exported", request=request, case=case, detail={"format": fmt, "rows": len(rows)}
    )
    filename = f"{case.reference}-incidents"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([label for _, label in EXPORT_COLUMNS])
        for row in rows:
            writer.writerow([spreadsheet_safe(row[key]) for key, _ in EXPORT_COLUMNS])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    if fmt == "json":
        body = json.dumps({"case": case.reference, "incidents": rows}, ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.json"'
        return response
    if fmt == "html":
        context = {"case": case, "incidents": incidents, "generated": timezone.now()}
        return render(request, "incidents/chronology.html", context)
    raise Http404("Unknown format")


# --- Import ---------------------------------------------------------------------------------------


def _mapping_form(
    headers: list[str], data: Any, initial: dict[diary.DiaryField, int]
) -> forms.Form:
    choices = [("", "Not in this file")] + [(str(i), h) for i, h in enumerate(headers)]
    fields = {
        fld.value: forms.ChoiceField(
            label=diary.FIELD_LABELS[fld],
            choices=choices,
            required=fld in diary.REQUIRED_FIELDS,
            initial=str(initial[fld]) if fld in initial else "",
            error_messages={"required": f"Choose the column for '{diary.FIELD_LABELS[fld]}'"},
        )  # fmt: skip
        for fld in diary.DiaryField
    }
    form_class = type("DiaryMappingForm", (forms.Form,), fields)
    return form_class(data)


def _match_people(case: Case) -> dict[str, Person]:
    names: dict[str, Person] = {}
    for person in Person.objects.filter(case=case, role=PersonRole.PERPETRATOR).select_related(
        "latest"
    ):
        if person.latest:
            for name in [person.latest.name, *person.latest.alias_list]:
                names[name.strip().lower()] = person
    return names


def _to_incident_data(
    parsed: diary.ParseResult, people: dict[str, Person]
) -> tuple[list[actions.IncidentData], list[diary.RowError]]:
    items, errors = [], list(parsed.errors)
    for row in parsed.rows:
        who = row.perpetrator.strip().lower()
        person = people.get(who)
        if who and who not in ("unknown", "not known") and person is None:
            errors.append(
                diary.RowError(
                    row.row,
                    f"{row.perpetrator!r} is not one of the people on this case "
                    "(add them to the case first, or leave the cell empty)",
                )
            )
            continue
        items.append(
            actions.IncidentData(
                event_start=row.start,
                event_end=row.end,
                precision=row.precision.value,
                description=row.description,
                place=row.place.value,
                location=row.location,
                channel=row.channel,
                behaviours=sorted(b.value for b in row.behaviours),
                perpetrator=person,
                witnesses=row.witnesses,
                police_reported=bool(row.police_reference),
                police_reference=row.police_reference,
                fear_of_violence=row.fear.value,
                impacts=sorted(i.value for i in row.impacts),
                impact_notes=row.impact_notes,
            )  # fmt: skip
        )
    return items, sorted(errors, key=lambda e: e.row)


@role_required(*CASE_STAFF)
@require_http_methods(["GET", "POST"])
def import_upload(request: AuthedRequest, reference: str) -> HttpResponse:
    case = _open_case(request, reference)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["diary"]
        if upload.size > diary.MAX_FILE_BYTES:
            form.add_error("diary", "The file is too large")
        else:
            try:
                table = diary.read_table(upload.read(), upload.name)
            except diary.DiaryError as exc:
                form.add_error("diary", str(exc))
            else:
                actions.do_stage_import(request.user, case, upload.name, table)
                return redirect("incidents:import_map", reference=case.reference)
    return render(request, "incidents/import_upload.html", {"case": case, "form": form})


@role_required(*CASE_STAFF)
@require_http_methods(["GET", "POST"])
def import_map(request: AuthedRequest, reference: str) -> HttpResponse:
    case = _open_case(request, reference)
    staged = actions.staged_import_for(request.user, case)
    if staged is None:
        messages.error(request, "Choose the diary file first")
        return redirect("incidents:import", reference=case.reference)
    table = diary.Table(tuple(staged.headers), tuple(tuple(r) for r in staged.rows))
    form = _mapping_form(staged.headers, request.POST or None, diary.guess_mapping(table.headers))
    context: dict[str, Any] = {
        "case": case, "form": form, "filename": staged.filename, "headers": table.headers,
        "sample": table.rows[:5], "row_count": len(table.rows),
    }  # fmt: skip
    if request.method == "POST" and form.is_valid():
        mapping = {
            diary.DiaryField(name): int(value) for name, value in form.cleaned_data.items() if value
        }
        items, errors = _to_incident_data(diary.parse_rows(table, mapping), _match_people(case))
        if errors:
            context["row_errors"] = errors
        elif request.POST.get("action") == "confirm":
            count = actions.do_import_incidents(request, request.user, case, items, staged)
            messages.success(request, f"{count} incidents imported")
            return redirect("incidents:timeline", reference=case.reference)
        else:
            context["preview"] = items
    return render(request, "incidents/import_map.html", context)


# --- Portal invitations (staff side) -----------------------------------------------------------


@role_required(*CASE_STAFF)
@require_POST
def person_invite(request: AuthedRequest, reference: str, person_id: int) -> HttpResponse:
    case = _open_case(request, reference)
    person = get_person_for_case(case, person_id)
    if person.role != PersonRole.VICTIM:
        raise Http404("Only the victim on a case can be invited")
    token = actions.do_invite_victim(request, request.user, person)
    link = request.build_absolute_uri(reverse("portal_join", kwargs={"token": token}))
    context = {"case": case, "person": person, "link": link}
    return render(request, "incidents/invite_created.html", context)


@role_required(*CASE_STAFF)
@require_POST
def person_revoke(request: AuthedRequest, reference: str, person_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, reference)  # closed cases too: access must end
    person = get_person_for_case(case, person_id)
    actions.do_revoke_portal(request, request.user, person)
    messages.success(request, "Portal access removed and any invitation cancelled")
    return redirect("cases:detail", reference=case.reference)


# --- The victim's portal ---------------------------------------------------------------------


@role_required(Role.VICTIM)
@require_http_methods(["GET"])
def portal_case(request: AuthedRequest, reference: str) -> HttpResponse:
    case = get_portal_case(request.user, reference)
    incidents = sorted(
        own_portal_incidents(request.user, case), key=lambda i: i.current.event_start, reverse=True
    )
    record("portal.log_viewed", request=request, case=case, detail={"shown": len(incidents)})
    return render(request, "incidents/portal_case.html", {"case": case, "incidents": incidents})


@role_required(Role.VICTIM)
@require_http_methods(["GET", "POST"])
def portal_log(request: AuthedRequest, reference: str) -> HttpResponse:
    case = get_portal_case(request.user, reference)
    if not case.is_open:
        raise PermissionDenied
    form = VictimIncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.do_log_incident(
            request, request.user, case, form.incident_data(), entered_by_victim=True
        )
        messages.success(request, "Saved. Your support worker can see this entry")
        return redirect("portal_case", reference=case.reference)
    return render(request, "incidents/portal_log.html", {"case": case, "form": form})


@role_required(Role.VICTIM)
@require_http_methods(["GET"])
def portal_incident(request: AuthedRequest, reference: str, incident_id: int) -> HttpResponse:
    case = get_portal_case(request.user, reference)
    incident = get_own_portal_incident(request.user, case, incident_id)
    record("portal.incident_viewed", request=request, case=case, obj=incident)
    context = {"case": case, "incident": incident, "v": incident.current}
    return render(request, "incidents/portal_incident.html", context)


@login_not_required
@require_http_methods(["GET", "POST"])
def portal_join(request: HttpRequest, token: str) -> HttpResponse:
    invite = (
        PortalInvite.objects.filter(token_hash=actions.token_hash(token))
        .select_related("person__case__organisation")
        .first()
    )
    if invite is None or not invite.usable or request.user.is_authenticated:
        return render(request, "incidents/join_invalid.html", status=404)
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_accept_invite(
                request, invite, data["email"], data["full_name"], data["password1"]
            )
        except actions.IncidentActionError:
            return render(request, "incidents/join_invalid.html", status=404)
        messages.success(request, "Your account is ready. Sign in with your email and password")
        return redirect("accounts:login")
    return render(request, "incidents/join.html", {"form": form})
