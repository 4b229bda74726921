"""Digital-safety toolkit pages: check photos on a case, and the public photo check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from courseline.digital.devices.consent import Consent
from courseline.digital.devices.report import LIMITS
from courseline.digital.photos.clean import Profile
from courseline.digital.photos.mapimage import render_map_svg
from courseline.digital.photos.memory import clean_bytes, scan_bytes
from courseline.digital.photos.places import Place, cluster_places
from courseline.digital.photos.report import build_report
from courseline.reports.pdf import html_to_pdf
from courseline.web.accounts.access import AuthedRequest, role_required
from courseline.web.accounts.models import Role
from courseline.web.audit.log import record
from courseline.web.cases.access import get_case_for_user
from courseline.web.cases.models import Case
from courseline.web.core.uploads import max_request_bytes, use_memory_only
from courseline.web.help.views import PDF_STYLE
from courseline.web.risk.models import SafetyPlan
from courseline.web.toolkit import actions
from courseline.web.toolkit.access import get_device_check, get_photo_check
from courseline.web.toolkit.devices import CheckFailed, run_source
from courseline.web.toolkit.forms import (
    DeviceCheckForm,
    FindingToPlanForm,
    PhotoCheckForm,
    PublicPhotoForm,
)
from courseline.web.toolkit.models import DeviceCheck, PhotoCheck
from courseline.web.toolkit.photos import (
    clean_batch,
    safe_filename,
    save_upload,
    scan_batch,
    unpack,
    workspace,
)

CASE_STAFF = (Role.SUPERVISOR, Role.CASEWORKER)
PUBLIC_PHOTO_MAX_BYTES = 30 * 1024 * 1024
"""The public page holds one file in memory; a little more than the largest phone photo."""


def _toolkit_limit() -> int:
    return int(settings.TOOLKIT_MAX_BYTES)


def _places(report: dict[str, Any]) -> list[Place]:
    return [
        Place(
            lat=p["lat"],
            lon=p["lon"],
            count=p["photos"],
            paths=tuple(p["paths"]),
            nearest_town=p["nearest_town"],
            likely=p["likely"],
            reason=p["reason"],
        )
        for p in report.get("places", [])
    ]


def _report_context(report: dict[str, Any]) -> dict[str, Any]:
    places = _places(report)
    files = report.get("files", [])
    return {
        "report": report,
        "places": places,
        "map_svg": render_map_svg(places) if places else "",
        "revealing": [f for f in files if f["sources"]],
        "silent": [f for f in files if not f["sources"] and not f["error"]],
        "failed": [f for f in files if f["error"]],
    }


def _open_for_upload(request: AuthedRequest, reference: str) -> Case:
    """The case, checked before the request body is read: these pages accept uploads of up to
    ``TOOLKIT_MAX_BYTES``, and someone who may not add to the case must not get that far."""
    case = get_case_for_user(request.user, reference)
    if request.method == "POST" and not case.is_open:
        raise PermissionDenied
    return case


# The upload pages are csrf_exempt so that Django's CSRF check (which reads the whole body) does
# not run before the sign-in, role and case checks; csrf_protect runs right after them.
@max_request_bytes(_toolkit_limit)
@role_required(*CASE_STAFF)
@csrf_exempt
@require_http_methods(["GET", "POST"])
def photos(request: AuthedRequest, reference: str) -> HttpResponseBase:
    """Check a batch of photos (or a camera-roll zip); optionally hand back cleaned copies."""
    return _photos(request, _open_for_upload(request, reference))


@csrf_protect
def _photos(request: AuthedRequest, case: Case) -> HttpResponseBase:
    form = PhotoCheckForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        profile = Profile(form.cleaned_data["profile"])
        make_copies = request.POST.get("action") == "clean"
        with workspace() as folder:
            batch = unpack(form.cleaned_data["photos"], folder)
            scans = scan_batch(batch)
            check = actions.do_record_photo_check(
                request,
                request.user,
                case,
                scans,
                batch.refused,
                cleaned_profile=profile.value if make_copies else "",
            )
            if make_copies and batch.files:
                cleaned = clean_batch(batch, folder, profile)
                stamp = timezone.localtime(check.created_at).strftime("%Y%m%d-%H%M")
                return FileResponse(
                    cleaned.archive,
                    as_attachment=True,
                    filename=f"{case.reference}-cleaned-photos-{stamp}.zip",
                    content_type="application/zip",
                )
        return redirect("toolkit:photo_check", reference=case.reference, check_id=check.pk)
    checks = PhotoCheck.objects.filter(case=case).select_related("created_by")
    record("photos.viewed", request=request, case=case, detail={"checks": len(checks)})
    context = {"case": case, "form": form, "checks": checks, "limit": _toolkit_limit()}
    return render(request, "toolkit/photos.html", context)


@role_required(*CASE_STAFF)
@require_GET
def photo_check(request: AuthedRequest, reference: str, check_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, reference)
    check = get_photo_check(case, check_id)
    record("photos.check_viewed", request=request, case=case, obj=check)
    context = {"case": case, "check": check, **_report_context(check.report)}
    return render(request, "toolkit/photo_check.html", context)


@max_request_bytes(PUBLIC_PHOTO_MAX_BYTES + 64 * 1024)
@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def public_photo(request: HttpRequest) -> HttpResponse:
    """Anyone can check one photo, and download a cleaned copy. The file is held in memory
    for this request only: never written to disk, never logged, never kept."""
    use_memory_only(request, PUBLIC_PHOTO_MAX_BYTES + 64 * 1024)
    form = PublicPhotoForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "limit": PUBLIC_PHOTO_MAX_BYTES}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["photo"]
        name = safe_filename(upload.name or "", "photo")
        data = upload.read()
        upload.close()
        if request.POST.get("action") == "clean":
            cleaned = clean_bytes(data, profile=Profile(form.cleaned_data["profile"]))
            if cleaned.data is not None:
                response = HttpResponse(cleaned.data, content_type="application/octet-stream")
                stem, dot, suffix = name.rpartition(".")
                download = f"{stem}-cleaned.{suffix}" if dot and stem else f"{name}-cleaned"
                response["Content-Disposition"] = (
                    content_disposition_header(as_attachment=True, filename=download)
                    or "attachment"
                )
                return response
            context["refused"] = cleaned.refused
        scan = scan_bytes(data, display_path=name)
        del data
        report = build_report([scan], cluster_places([scan]))
        context.update(_report_context(report))
        context["scan"] = report["files"][0]
    return render(request, "toolkit/public_photo.html", context)


# --- device and network checks ------------------------------------------------------------------
SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")


def _by_severity(findings: list[dict[str, Any]]) -> list[tuple[str, list[tuple[int, Any]]]]:
    numbered = list(enumerate(findings))
    return [
        (level, [(i, f) for i, f in numbered if f.get("severity") == level])
        for level in SEVERITY_ORDER
        if any(f.get("severity") == level for f in findings)
    ]


@max_request_bytes(_toolkit_limit)
@role_required(*CASE_STAFF)
@csrf_exempt  # csrf_protect follows the case check (see photos)
@require_http_methods(["GET", "POST"])
def devices(request: AuthedRequest, reference: str) -> HttpResponse:
    """Check an Android or iPhone acquisition, or a network capture, with consent recorded."""
    return _devices(request, _open_for_upload(request, reference))


@csrf_protect
def _devices(request: AuthedRequest, case: Case) -> HttpResponse:
    form = DeviceCheckForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        consent = Consent(form.cleaned_data["owner"], consultant=request.user.full_name)
        source = form.cleaned_data["source"]
        with workspace() as folder:
            try:
                report, version = run_source(
                    source, save_upload(upload, folder / "upload"), folder, consent,
                    Path(settings.DATA_DIR),
                )  # fmt: skip
            except CheckFailed as exc:
                form.add_error("file", exc.message)
            else:
                check = actions.do_record_device_check(
                    request, request.user, case, source=source,
                    filename=safe_filename(upload.name or "", "upload"), consent=consent,
                    report=report, indicator_version=version,
                )  # fmt: skip
                return redirect("toolkit:device_check", reference=case.reference, check_id=check.pk)
    checks = DeviceCheck.objects.filter(case=case).select_related("created_by")
    record("device.checks_viewed", request=request, case=case, detail={"checks": len(checks)})
    context = {"case": case, "form": form, "checks": checks, "limit": _toolkit_limit()}
    return render(request, "toolkit/devices.html", context)


def _device_context(case: Any, check: DeviceCheck) -> dict[str, Any]:
    report = check.report
    return {
        "case": case,
        "check": check,
        "device": report.get("device", {}),
        "by_severity": _by_severity(report.get("findings", [])),
        "not_checked": report.get("not_checked", []),
        "limits": LIMITS,
    }


@role_required(*CASE_STAFF)
@require_GET
def device_check(request: AuthedRequest, reference: str, check_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, reference)
    check = get_device_check(case, check_id)
    record("device.check_viewed", request=request, case=case, obj=check)
    context = _device_context(case, check)
    context["has_plan"] = SafetyPlan.objects.filter(case=case).exists()
    return render(request, "toolkit/device_check.html", context)


@role_required(*CASE_STAFF)
@require_GET
def device_check_pdf(request: AuthedRequest, reference: str, check_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, reference)
    check = get_device_check(case, check_id)
    record("device.check_printed", request=request, case=case, obj=check)
    html = render_to_string("toolkit/device_check_print.html", _device_context(case, check))
    response = HttpResponse(html_to_pdf(html, stylesheet=PDF_STYLE), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{case.reference}-device-check-{check.pk}.pdf"'
    )
    return response


@role_required(*CASE_STAFF)
@require_POST
def device_finding_to_plan(request: AuthedRequest, reference: str, check_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, reference)
    if not case.is_open:
        raise PermissionDenied
    check = get_device_check(case, check_id)
    form = FindingToPlanForm(request.POST)
    if form.is_valid():
        try:
            plan = actions.do_add_finding_to_plan(
                request, request.user, check, form.cleaned_data["finding"]
            )
        except actions.ToolkitActionError as exc:
            messages.error(request, str(exc).capitalize())
        else:
            messages.success(request, "Added to the safety plan as a new step")
            return redirect("risk:plan", reference=case.reference, plan_id=plan.pk)
    return redirect("toolkit:device_check", reference=case.reference, check_id=check.pk)
