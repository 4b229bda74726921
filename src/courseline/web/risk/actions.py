"""Every change to risk records: one transaction, one audit record (two for an override)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from courseline.law.model import BEHAVIOUR_LABELS, Behaviour
from courseline.risk.instruments import Instrument, ScoreResult, safety_plan_items, score
from courseline.web.accounts.models import User
from courseline.web.audit.log import record
from courseline.web.cases.models import Case, PersonRole
from courseline.web.core.versions import next_version
from courseline.web.incidents.access import incidents_of
from courseline.web.risk.models import (
    JUDGEMENT_RANK,
    Assessment,
    Judgement,
    Referral,
    ReferralEvent,
    ReferralStatus,
    SafetyPlan,
    SafetyPlanVersion,
)


class RiskActionError(Exception):
    """A change that is not allowed; the message says why."""


def implied_level(result: ScoreResult) -> Judgement:
    """The level the answers alone point to. A professional may raise it; lowering it from
    a referral threshold or a critical item needs a recorded reason."""
    if result.referral_prompts or result.critical_present:
        return Judgement.HIGH
    if result.raises_concern:
        return Judgement.MEDIUM
    return Judgement.STANDARD


@dataclass(frozen=True)
class AssessmentInput:
    answers: dict[str, str]
    notes: dict[str, str]
    judgement: str
    judgement_reasons: str
    override_reason: str
    next_review_due: dt.date
    reason: str
    mullen_type: str = ""
    timeline_stage: str = ""


def needs_override(result: ScoreResult, judgement: str) -> bool:
    return JUDGEMENT_RANK[Judgement(judgement)] < JUDGEMENT_RANK[implied_level(result)]


def do_record_assessment(
    request: HttpRequest | None,
    actor: User,
    case: Case,
    instrument: Instrument,
    data: AssessmentInput,
    previous: Assessment | None,
) -> Assessment:
    result = score(instrument, data.answers)
    level = implied_level(result)
    override = needs_override(result, data.judgement)
    if override and not data.override_reason.strip():
        raise RiskActionError("Give the reason for judging the risk lower than the answers show")
    with transaction.atomic():
        assessment = Assessment.objects.create(
            case=case,
            instrument_key=instrument.key,
            instrument_title=instrument.title,
            instrument_version=instrument.version,
            reason=data.reason,
            previous=previous,
            answers=data.answers,
            notes={k: v for k, v in data.notes.items() if v.strip()},
            score=result.score,
            max_score=result.max_score,
            band_key=result.band.key,
            band_label=result.band.label,
            critical_present=list(result.critical_present),
            factors_present=list(result.factors_present),
            implied_level=level,
            judgement=data.judgement,
            judgement_reasons=data.judgement_reasons,
            override_reason=data.override_reason if override else "",
            next_review_due=data.next_review_due,
            mullen_type=data.mullen_type,
            timeline_stage=data.timeline_stage,
            created_by=actor,
        )
        detail = {"instrument": instrument.key, "score": result.score, "judgement": data.judgement}
        record("risk.assessed", request=request, actor=actor, case=case, obj=assessment,
               detail=detail)  # fmt: skip
        if override:
            record(
                "risk.override",
                request=request,
                actor=actor,
                case=case,
                obj=assessment,
                detail={"implied": level, "judgement": data.judgement},
            )
    return assessment


def referral_content(
    case: Case, assessment: Assessment | None, actor: User, prompt: str
) -> dict[str, Any]:
    """Everything a referral form asks for, taken from the case and the assessment."""
    people = list(case.people.select_related("latest"))
    victim = next((p for p in people if p.role == PersonRole.VICTIM and p.latest), None)
    incidents = list(incidents_of(case))
    behaviours = Counter(key for i in incidents for key in i.current.behaviours)
    starts = sorted(i.current.event_start for i in incidents)
    content: dict[str, Any] = {
        "case_reference": case.reference,
        "organisation": case.organisation.name,
        "referrer": {"name": actor.full_name, "email": actor.email},
        "victim": {
            "name": victim.latest.name if victim and victim.latest else "",
            "safe_to_contact": victim.latest.get_safe_to_contact_display()
            if victim and victim.latest
            else "",
            "safe_contact_method": victim.latest.safe_contact_method
            if victim and victim.latest
            else "",
        },
        "perpetrators": [
            {"name": p.latest.name, "aliases": p.latest.alias_list}
            for p in people
            if p.role == PersonRole.PERPETRATOR and p.latest
        ],
        "incidents": {
            "count": len(incidents),
            "first": timezone.localtime(starts[0]).date().isoformat() if starts else "",
            "last": timezone.localtime(starts[-1]).date().isoformat() if starts else "",
            "behaviours": [
                {"label": BEHAVIOUR_LABELS[Behaviour(k)], "count": n}
                for k, n in behaviours.most_common()
            ],
        },
        "reason": prompt,
    }
    if assessment is not None:
        content["risk"] = {
            "instrument": assessment.instrument_title,
            "date": timezone.localtime(assessment.created_at).date().isoformat(),
            "score": f"{assessment.score} of {assessment.max_score}",
            "band": assessment.band_label,
            "judgement": assessment.get_judgement_display(),
            "reasons": assessment.judgement_reasons,
            "factors": assessment.factors_present,
            "critical": assessment.critical_present,
        }
    return content


def do_create_referral(
    request: HttpRequest | None,
    actor: User,
    case: Case,
    assessment: Assessment | None,
    kind: str,
    kind_label: str,
    recipient: str,
    summary: str,
    prompt: str,
) -> Referral:
    content = referral_content(case, assessment, actor, prompt)
    content["summary"] = summary
    with transaction.atomic():
        referral = Referral.objects.create(
            case=case, assessment=assessment, kind=kind, kind_label=kind_label,
            recipient=recipient, content=content, created_by=actor,
        )  # fmt: skip
        ReferralEvent.objects.create(referral=referral, status=ReferralStatus.DRAFT, actor=actor)
        record("referral.created", request=request, actor=actor, case=case, obj=referral,
               detail={"kind": kind})  # fmt: skip
    return referral


def do_update_referral(
    request: HttpRequest | None,
    actor: User,
    referral: Referral,
    status: str,
    on: dt.date,
    note: str,
) -> Referral:
    with transaction.atomic():
        locked = Referral.objects.select_for_update().select_related("case").get(pk=referral.pk)
        locked.status = status
        locked.save(update_fields=["status"])
        ReferralEvent.objects.create(referral=locked, status=status, on=on, note=note, actor=actor)
        record("referral.updated", request=request, actor=actor, case=locked.case, obj=locked,
               detail={"status": status})  # fmt: skip
    return locked


def plan_items_from(instrument: Instrument, assessment: Assessment) -> list[dict[str, Any]]:
    result = score(instrument, assessment.answers)
    return [
        {
            "key": action.key,
            "text": action.text,
            "done": False,
            "from_items": list(action.from_items),
        }
        for action in safety_plan_items(instrument, result)
    ]


def do_create_safety_plan(
    request: HttpRequest | None,
    actor: User,
    case: Case,
    assessment: Assessment,
    items: list[dict[str, Any]],
) -> SafetyPlan:
    with transaction.atomic():
        plan = SafetyPlan.objects.create(case=case, assessment=assessment, created_by=actor)
        version = SafetyPlanVersion.objects.create(plan=plan, version=1, items=items, author=actor)
        plan.latest = version
        plan.save(update_fields=["latest"])
        record("safety_plan.created", request=request, actor=actor, case=case, obj=plan)
    return plan


def do_update_safety_plan(
    request: HttpRequest | None, actor: User, plan: SafetyPlan, items: list[dict[str, Any]]
) -> SafetyPlanVersion:
    """A change is a new version; earlier versions are kept."""
    with transaction.atomic():
        locked = SafetyPlan.objects.select_for_update().select_related("case").get(pk=plan.pk)
        number = next_version(locked.versions.all())
        version = SafetyPlanVersion.objects.create(
            plan=locked, version=number, items=items, author=actor
        )
        locked.latest = version
        locked.save(update_fields=["latest"])
        record("safety_plan.updated", request=request, actor=actor, case=locked.case, obj=locked,
               detail={"version": number})  # fmt: skip
    return version
