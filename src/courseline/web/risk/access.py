"""Risk records are reached through their case (cases.access decides who sees the case)."""

from __future__ import annotations

from django.http import Http404

from courseline.risk.instruments import Instrument, UnknownInstrumentError, load_instrument
from courseline.web.cases.models import Case
from courseline.web.risk.models import Assessment, Referral, SafetyPlan


def get_instrument(key: str) -> Instrument:
    try:
        instrument = load_instrument(key)
    except UnknownInstrumentError:
        raise Http404("No such instrument") from None
    if instrument.audience != "professional":
        raise Http404("Not a professional instrument")
    return instrument


def get_assessment(case: Case, assessment_id: int) -> Assessment:
    found = (
        Assessment.objects.filter(case=case, pk=assessment_id).select_related("created_by").first()
    )
    if found is None:
        raise Http404("No such assessment")
    return found


def get_referral(case: Case, referral_id: int) -> Referral:
    found = Referral.objects.filter(case=case, pk=referral_id).select_related("created_by").first()
    if found is None:
        raise Http404("No such referral")
    return found


def get_safety_plan(case: Case, plan_id: int) -> SafetyPlan:
    found = SafetyPlan.objects.filter(case=case, pk=plan_id).select_related("latest").first()
    if found is None:
        raise Http404("No such safety plan")
    return found
