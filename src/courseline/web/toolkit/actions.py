"""Every toolkit write: one transaction, one audit record."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from courseline.digital.devices.consent import Consent
from courseline.digital.photos.model import PhotoScan
from courseline.digital.photos.report import build_report
from courseline.web.accounts.models import User
from courseline.web.audit.log import record
from courseline.web.cases.models import Case
from courseline.web.risk.actions import do_update_safety_plan
from courseline.web.risk.models import SafetyPlan
from courseline.web.toolkit.devices import TOOL
from courseline.web.toolkit.models import DeviceCheck, PhotoCheck


class ToolkitActionError(Exception):
    """A change that is not allowed; the message says why."""


def do_record_photo_check(
    request: HttpRequest,
    user: User,
    case: Case,
    scans: Sequence[PhotoScan],
    refused: list[dict[str, str]],
    *,
    cleaned_profile: str = "",
) -> PhotoCheck:
    """Keep the report of a photo check on the case (never the photos)."""
    report: dict[str, Any] = build_report(scans)
    summary = report["summary"]
    with transaction.atomic():
        check = PhotoCheck.objects.create(
            case=case,
            created_by=user,
            cleaned_profile=cleaned_profile,
            report=report,
            refused=refused,
        )
        record(
            "photos.checked",
            request=request,
            case=case,
            obj=check,
            detail={
                "files": summary["files"],
                "with_location": summary["with_location"],
                "places": summary["places"],
                "refused_uploads": len(refused),
                "cleaned_profile": cleaned_profile or None,
            },
        )
    return check


def do_record_device_check(
    request: HttpRequest | None,
    user: User,
    case: Case,
    *,
    source: str,
    filename: str,
    consent: Consent,
    report: dict[str, Any],
    indicator_version: str,
) -> DeviceCheck:
    with transaction.atomic():
        check = DeviceCheck.objects.create(
            case=case, created_by=user, source=source, filename=filename[:200],
            consent_owner=consent.owner, consent_statement=consent.statement,
            consent_at=consent.recorded_at, tool_version=TOOL,
            indicator_version=indicator_version[:80], report=report,
        )  # fmt: skip
        record(
            "device.checked", request=request, case=case, obj=check,
            detail={"source": source, "findings": check.findings, "highest": check.highest},
        )  # fmt: skip
    return check


def do_add_finding_to_plan(
    request: HttpRequest, user: User, check: DeviceCheck, index: int
) -> SafetyPlan:
    """Add one finding's safe next step to the case's most recent safety plan (a new version)."""
    findings = check.report.get("findings", [])
    if not 0 <= index < len(findings):
        raise ToolkitActionError("no such finding")
    plan = SafetyPlan.objects.filter(case=check.case).order_by("-created_at", "-id").first()
    if plan is None or plan.latest is None:
        raise ToolkitActionError(
            "this case has no safety plan yet: draft one from a risk assessment first"
        )
    finding = findings[index]
    key = f"device-check:{check.pk}:{index}"
    items = list(plan.latest.items)
    if any(item.get("key") == key for item in items):
        raise ToolkitActionError("this finding is already in the safety plan")
    items.append(
        {
            "key": key,
            "text": f"{finding['title']}: {finding['next_step']}",
            "done": False,
            "from_items": [],
        }
    )
    do_update_safety_plan(request, user, plan, items)
    return plan
