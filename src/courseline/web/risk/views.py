"""Risk pages: screen a case, record a judgement, compare, refer, and plan for safety."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from courseline.risk.annotations import MULLEN_TYPES, TIMELINE_STAGES
from courseline.risk.instruments import (
    REFERRAL_KIND_LABELS,
    ReferralKind,
    all_instruments,
    compare,
    load_instrument,
    score,
    suggest_answers,
)
from courseline.web.accounts.access import AuthedRequest, role_required
from courseline.web.accounts.models import Role
from courseline.web.audit.log import record
from courseline.web.cases.access import get_case_for_user
from courseline.web.cases.models import Case
from courseline.web.incidents.access import incident_numbers, incidents_of
from courseline.web.risk import actions
from courseline.web.risk.access import get_assessment, get_instrument, get_referral, get_safety_plan
from courseline.web.risk.forms import (
    AssessmentForm,
    ReferralForm,
    ReferralStatusForm,
    SafetyPlanForm,
    item_field,
)
from courseline.web.risk.models import Assessment, Referral, ReviewReason, SafetyPlan

CASE_STAFF = (Role.SUPERVISOR, Role.CASEWORKER)


@role_required(*CASE_STAFF)
@require_http_methods(["GET"])
def overview(request: AuthedRequest, reference: str) -> HttpResponse:
    case = get_case_for_user(request.user, reference)
    assessments = list(Assessment.objects.filter(case=case).select_related("created_by"))
    record("risk.viewed", request=request, case=case, detail={"assessments": len(assessments)})
    context = {
        "case": case,
        "assessments": assessments,
        "latest": assessments[0] if assessments else None,
        "instruments": [i for i in all_instruments() if i.audience == "professional"],
        "referrals": Referral.objects.filter(case=case),
        "plans": SafetyPlan.objects.filter(case=case).select_related("latest"),
    }
    return render(request, "risk/overview.html", context)


def _previous(case: Case, instrument_key: str) -> Assessment | None:
    return (
        Assessment.objects.filter(case=case, instrument_key=instrument_key)
        .order_by("-created_at", "-id")
        .first()
    )


def _posted_answers(request: AuthedRequest, instrument: Any) -> dict[str, str]:
    """The answers given so far (a score can be shown before the form is complete)."""
    answers = {}
    for item in instrument.items:
        value = request.POST.get(item_field(item.key), "")
        if value in {answer.value for answer in item.answers}:
            answers[item.key] = value
    return answers


def _follow_ups(result: Any) -> list[dict[str, Any]]:
    """What a yes opens: further items of this checklist, or another instrument to use."""
    if result is None:
        return []
    opened = []
    for follow_up in result.open_follow_ups:
        instruments = [load_instrument(key) for key in follow_up.instruments]
        opened.append(
            {"note": follow_up.note, "items": follow_up.items, "instruments": instruments}
        )
    return opened


def _assessment_input(form: AssessmentForm) -> actions.AssessmentInput:
    data = form.cleaned_data
    return actions.AssessmentInput(
        answers=form.answers(),
        notes=form.notes(),
        judgement=data["judgement"],
        judgement_reasons=data["judgement_reasons"],
        override_reason=data["override_reason"],
        next_review_due=data["next_review_due"],
        reason=data["reason"],
        mullen_type=data["mullen_type"],
        timeline_stage=data["timeline_stage"],
    )


@role_required(*CASE_STAFF)
@require_http_methods(["GET", "POST"])
def assess(request: AuthedRequest, reference: str, instrument_key: str) -> HttpResponse:
    case = get_case_for_user(request.user, reference)
    if not case.is_open:
        raise PermissionDenied
    instrument = get_instrument(instrument_key)
    previous = _previous(case, instrument.key)
    initial = {
        "next_review_due": timezone.localdate() + dt.timedelta(days=28),
        "reason": ReviewReason.SCHEDULED if previous else ReviewReason.FIRST,
    }
    form = AssessmentForm(request.POST or None, instrument=instrument, initial=initial)
    incidents = list(incidents_of(case))
    records = [i.current.to_record() for i in incidents]
    suggestions = suggest_answers(instrument, records, today=timezone.localdate())
    result = None
    if request.method == "POST":
        result = score(instrument, _posted_answers(request, instrument))
        if request.POST.get("action") != "save":
            form.errors.clear()  # only the score was asked for
        elif form.is_valid():
            if actions.needs_override(result, form.cleaned_data["judgement"]) and not (
                form.cleaned_data["override_reason"].strip()
            ):
                form.add_error(
                    "override_reason",
                    "Give the reason for judging the risk lower than the answers show",
                )
            else:
                assessment = actions.do_record_assessment(
                    request, request.user, case, instrument, _assessment_input(form), previous
                )
                messages.success(request, "Assessment saved")
                return redirect(
                    "risk:detail", reference=case.reference, assessment_id=assessment.pk
                )
    record("risk.form_viewed", request=request, case=case, detail={"instrument": instrument.key})
    numbers = incident_numbers(incidents)
    context = {
        "case": case,
        "instrument": instrument,
        "form": form,
        "suggestions": suggestions,
        "numbers": numbers,
        "result": result,
        "implied": actions.implied_level(result) if result else None,
        "previous": previous,
        "sources": {i.key: instrument.resolve_sources(i.citations) for i in instrument.items},
        "follow_ups": _follow_ups(result),
    }
    return render(request, "risk/assess.html", context)


@role_required(*CASE_STAFF)
@require_http_methods(["GET"])
def detail(request: AuthedRequest, reference: str, assessment_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, reference)
    assessment = get_assessment(case, assessment_id)
    instrument = load_instrument(assessment.instrument_key)
    result = score(instrument, assessment.answers)
    comparison = None
    if assessment.previous_id:
        previous = Assessment.objects.filter(pk=assessment.previous_id, case=case).first()
        if previous is not None:
            comparison = compare(score(instrument, previous.answers), result)
    texts = {item.key: item.text for item in instrument.items}
    record("risk.assessment_viewed", request=request, case=case, obj=assessment)
    context = {
        "case": case,
        "assessment": assessment,
        "result": result,
        "comparison": comparison,
        "texts": texts,
        "rows": [
            (item, assessment.answers.get(item.key, ""), assessment.notes.get(item.key, ""))
            for item in instrument.items
        ],
        "referral_kinds": [(k.value, label) for k, label in REFERRAL_KIND_LABELS.items()],
        "mullen": next((a for a in MULLEN_TYPES if a.key == assessment.mullen_type), None),
        "stage": next((a for a in TIMELINE_STAGES if a.key == assessment.timeline_stage), None),
    }
    return render(request, "risk/detail.html", context)


@role_required(*CASE_STAFF)
@require_http_methods(["GET", "POST"])
def referral_new(
    request: AuthedRequest, reference: str, assessment_id: int, kind: str
) -> HttpResponse:
    case = get_case_for_user(request.user, reference)
    if not case.is_open:
        raise PermissionDenied
    assessment = get_assessment(case, assessment_id)
    try:
        referral_kind = ReferralKind(kind)
    except ValueError:
        raise Http404("Unknown referral kind") from None
    instrument = load_instrument(assessment.instrument_key)
    prompts = [
        p.text
        for p in score(instrument, assessment.answers).referral_prompts
        if referral_kind in p.kinds
    ]
    form = ReferralForm(request.POST or None, initial={"summary": " ".join(prompts)})
    if request.method == "POST" and form.is_valid():
        referral = actions.do_create_referral(
            request,
            request.user,
            case,
            assessment,
            referral_kind.value,
            REFERRAL_KIND_LABELS[referral_kind],
            form.cleaned_data["recipient"],
            form.cleaned_data["summary"],
            " ".join(prompts),
        )
        messages.success(
            request, "Referral saved as a draft: print it or send it, then record that"
        )
        return redirect("risk:referral", reference=case.reference, referral_id=referral.pk)
    preview = actions.referral_content(case, assessment, request.user, " ".join(prompts))
    record("referral.prefill_viewed", request=request, case=case, obj=assessment)
    context = {"case": case, "assessment": assessment, "form": form, "preview": preview,
               "kind_label": REFERRAL_KIND_LABELS[referral_kind]}  # fmt: skip
    return render(request, "risk/referral_new.html", context)


@role_required(*CASE_STAFF)
@require_http_methods(["GET", "POST"])
def referral(request: AuthedRequest, reference: str, referral_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, reference)
    item = get_referral(case, referral_id)
    form = ReferralStatusForm(
        request.POST or None, initial={"status": item.status, "on": timezone.localdate()}
    )
    if request.method == "POST" and not case.is_open:
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        actions.do_update_referral(
            request, request.user, item, form.cleaned_data["status"], form.cleaned_data["on"],
            form.cleaned_data["note"],
        )  # fmt: skip
        messages.success(request, "Referral status updated")
        return redirect("risk:referral", reference=case.reference, referral_id=item.pk)
    record("referral.viewed", request=request, case=case, obj=item)
    context = {
        "case": case,
        "referral": item,
        "c": item.content,
        "events": item.events.select_related("actor"),
        "form": form,
    }
    return render(request, "risk/referral.html", context)


@role_required(*CASE_STAFF)
@require_POST
def plan_new(request: AuthedRequest, reference: str, assessment_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, reference)
    if not case.is_open:
        raise PermissionDenied
    assessment = get_assessment(case, assessment_id)
    items = actions.plan_items_from(load_instrument(assessment.instrument_key), assessment)
    plan = actions.do_create_safety_plan(request, request.user, case, assessment, items)
    messages.success(
        request, "Safety plan drafted from the assessment: go through it with the client"
    )
    return redirect("risk:plan", reference=case.reference, plan_id=plan.pk)


@role_required(*CASE_STAFF)
@require_http_methods(["GET", "POST"])
def plan(request: AuthedRequest, reference: str, plan_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, reference)
    safety_plan: SafetyPlan = get_safety_plan(case, plan_id)
    items = safety_plan.latest.items if safety_plan.latest else []
    form = SafetyPlanForm(request.POST or None, items=items)
    if request.method == "POST":
        if not case.is_open:
            raise PermissionDenied
        if form.is_valid():
            actions.do_update_safety_plan(request, request.user, safety_plan, form.updated_items())
            messages.success(request, "Safety plan saved as a new version")
            return redirect("risk:plan", reference=case.reference, plan_id=safety_plan.pk)
    record("safety_plan.viewed", request=request, case=case, obj=safety_plan)
    versions = safety_plan.versions.select_related("author").order_by("-version")
    context = {"case": case, "plan": safety_plan, "form": form, "versions": versions}
    return render(request, "risk/plan.html", context)
