"""Evidence pages: the exhibit list, adding evidence, one exhibit with its custody log,
downloads and shares (each with a reason), bundle export, and the statement draft."""

from __future__ import annotations

import base64
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from courseline.evidence.crypto import DecryptingReader, EvidenceError
from courseline.evidence.derive import LocationStatus
from courseline.reports.statement import WARNING, draft_statement
from courseline.web.accounts.access import AuthedRequest, role_required
from courseline.web.accounts.models import Role
from courseline.web.audit.log import record
from courseline.web.cases.access import get_case_for_user
from courseline.web.cases.models import Case
from courseline.web.core.uploads import max_request_bytes
from courseline.web.evidence import actions
from courseline.web.evidence.access import evidence_of, get_item
from courseline.web.evidence.export import (
    STRIPPED,
    export_case,
    failure_cause,
    impact_records,
    withheld_from_stripped,
)
from courseline.web.evidence.forms import (
    DownloadForm,
    EvidenceForm,
    ExportForm,
    LinkForm,
    PortalEvidenceForm,
    ShareForm,
    StatementForm,
)
from courseline.web.evidence.models import (
    BundleExport,
    CustodyAction,
    DerivedCopy,
    DerivedKind,
    EvidenceItem,
    EvidenceSource,
    StatementDraft,
)
from courseline.web.evidence.storage import keyring, vault, work_dir
from courseline.web.evidence.uploads import EncryptingUploadHandler, PendingEvidence
from courseline.web.incidents.access import (
    get_portal_case,
    incident_numbers,
    incidents_of,
    own_portal_incidents,
)

CASE_STAFF = (Role.SUPERVISOR, Role.CASEWORKER)


def _upload_limit() -> int:
    return int(settings.EVIDENCE_MAX_BYTES) + 1024 * 1024


def _incident_choices(case: Case) -> list[tuple[str, str]]:
    incidents = list(incidents_of(case))
    numbers = incident_numbers(incidents)
    ordered = sorted(incidents, key=lambda i: numbers[str(i.pk)])
    return [
        (
            str(i.pk),
            f"#{numbers[str(i.pk)]} {timezone.localtime(i.current.event_start):%d %b %Y}: "
            f"{i.current.description[:80]}",
        )
        for i in ordered
    ]


def _chosen_incidents(case: Case, ids: list[str]) -> list[Any]:
    wanted = {int(x) for x in ids}
    return [i for i in incidents_of(case) if i.pk in wanted]


def _open_case(request: AuthedRequest, reference: str) -> Case:
    case = get_case_for_user(request.user, reference)
    if not case.is_open:
        raise PermissionDenied
    return case


@role_required(*CASE_STAFF)
@require_http_methods(["GET"])
def evidence_list(request: AuthedRequest, reference: str) -> HttpResponse:
    case = get_case_for_user(request.user, reference)
    items = list(evidence_of(case).prefetch_related("incidents"))
    record("evidence.list_viewed", request=request, case=case, detail={"items": len(items)})
    context = {
        "case": case,
        "items": items,
        "exports": BundleExport.objects.filter(case=case).select_related("created_by")[:10],
        "has_statement": StatementDraft.objects.filter(case=case).exists(),
    }
    return render(request, "evidence/list.html", context)


def _receive(request: AuthedRequest, reference: str, *, portal: bool) -> HttpResponse:
    """Check the case, then set the encrypting upload handler, then check CSRF (which reads the
    body), then run the page; whatever happens, an upload that was not committed is removed."""
    # Before the body is read: reading it receives and encrypts up to EVIDENCE_MAX_BYTES into
    # the vault, which someone who may not add to this case must not be able to make us do.
    if portal:
        case = get_portal_case(request.user, reference)
    else:
        case = get_case_for_user(request.user, reference)
    if request.method == "POST" and not case.is_open:
        raise PermissionDenied
    handler = EncryptingUploadHandler(request, int(settings.EVIDENCE_MAX_BYTES))
    request.upload_handlers = [handler]
    try:
        return _receive_protected(request, case, portal=portal)
    finally:
        # Every part this request received and did not commit, including parts Django
        # dropped when it gave up on a malformed or oversized body.
        handler.abort_unsettled()


@csrf_protect
def _receive_protected(request: AuthedRequest, case: Case, *, portal: bool) -> HttpResponse:
    return (_portal_add if portal else _staff_add)(request, case)


def _staff_add(request: AuthedRequest, case: Case) -> HttpResponse:
    choices = _incident_choices(case)
    form = EvidenceForm(request.POST or None, request.FILES or None, incident_choices=choices)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        assert isinstance(upload, PendingEvidence)
        try:
            item = actions.do_add_evidence(
                request, request.user, case, upload,
                title=form.cleaned_data["title"], description=form.cleaned_data["description"],
                source=form.cleaned_data["source"], claimed_time=form.claimed(),
                incidents=_chosen_incidents(case, form.cleaned_data["incidents"]),
            )  # fmt: skip
        except actions.EvidenceActionError as exc:
            raise PermissionDenied(str(exc)) from None
        messages.success(request, f"Exhibit {item.exhibit_ref} added. SHA-256 {item.sha256}")
        return redirect("evidence:detail", reference=case.reference, item_id=item.pk)
    if request.method == "GET":
        # The page lists the start of every incident's description: a read of case content.
        record("evidence.add_viewed", request=request, case=case)
    context = {"case": case, "form": form, "limit": settings.EVIDENCE_MAX_BYTES}
    return render(request, "evidence/add.html", context)


@max_request_bytes(_upload_limit)
@role_required(*CASE_STAFF)
@csrf_exempt  # the upload handler must be set before the body is read; csrf_protect follows
@require_http_methods(["GET", "POST"])
def evidence_add(request: AuthedRequest, reference: str) -> HttpResponse:
    return _receive(request, reference, portal=False)


def _thumbnail_data_uri(item: EvidenceItem) -> str | None:
    thumb = next((d for d in item.derived.all() if d.kind == DerivedKind.THUMBNAIL), None)
    if thumb is None or thumb.size > 2 * 1024 * 1024:
        return None
    try:
        with vault().open(thumb.storage_name) as body:
            data = DecryptingReader(body, bytes(thumb.wrapped_key), keyring()).read()
    except (EvidenceError, OSError):
        return None
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


@role_required(*CASE_STAFF)
@require_http_methods(["GET"])
def evidence_detail(request: AuthedRequest, reference: str, item_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, reference)
    item = get_item(case, item_id)
    actions.do_record_custody(
        request, request.user, item, CustodyAction.VIEWED, "opened the exhibit page"
    )
    choices = _incident_choices(case)
    linked = [str(i.pk) for i in item.incidents.all()]
    context = {
        "case": case,
        "item": item,
        "thumbnail": _thumbnail_data_uri(item),
        "derived": list(item.derived.all()),
        "custody": list(item.custody.all()),
        "incidents": [label for value, label in choices if value in linked],
        "download_form": DownloadForm(),
        "share_form": ShareForm(),
        "link_form": LinkForm(initial={"incidents": linked}, incident_choices=choices),
        "has_stripped": item.location_status == LocationStatus.STRIPPED_COPY,
    }
    return render(request, "evidence/detail.html", context)


STORAGE_FAILED = (
    "A stored file could not be read, or the bundle could not be written. Nothing was exported. "
    "Try again, or tell your administrator."
)
INTEGRITY_FAILED = (
    "A stored file failed its integrity check: it could not be read, or it no longer decrypts "
    "to the bytes that were received. Nothing was sent, and nothing was logged as sent. Tell "
    "your administrator, who can restore it from a backup; keep any other copy you hold."
)

_FAILED = {"integrity": INTEGRITY_FAILED, "storage": STORAGE_FAILED}


@role_required(*CASE_STAFF)
@require_POST
def evidence_download(request: AuthedRequest, reference: str, item_id: int) -> HttpResponseBase:
    case = get_case_for_user(request.user, reference)
    item = get_item(case, item_id)
    form = DownloadForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why you are downloading it: the reason goes in the log")
        return redirect("evidence:detail", reference=case.reference, item_id=item.pk)
    which = form.cleaned_data["copy"]
    if which == "location_stripped":
        copy = item.derived.filter(kind=DerivedKind.LOCATION_STRIPPED).first()
        if copy is None:
            messages.error(request, "There is no copy without location for this exhibit")
            return redirect("evidence:detail", reference=case.reference, item_id=item.pk)
        stored: EvidenceItem | DerivedCopy = copy
    else:
        stored = item
    storage_name, wrapped = stored.storage_name, bytes(stored.wrapped_key)
    size, digest = stored.size, stored.sha256
    # Checked end to end before anything is logged or sent: a damaged stored file gives a clear
    # message, and the custody log never records a download that could not be served whole.
    if not actions.stored_body_intact(storage_name, wrapped, digest, size):
        actions.record_failure(request, request.user, case, item, "download", "integrity")
        messages.error(request, f"Not downloaded. {INTEGRITY_FAILED}")
        return redirect("evidence:detail", reference=case.reference, item_id=item.pk)
    actions.do_record_custody(
        request, request.user, item, CustodyAction.DOWNLOADED, form.cleaned_data["reason"],
        {"copy": which},
    )  # fmt: skip
    # A generator that opens the stored body only when the response is sent, and closes it
    # when the response is closed: nothing is left open if anything above fails.
    chunks = actions.plain_chunks(storage_name, wrapped)
    response = StreamingHttpResponse(chunks, content_type="application/octet-stream")
    response["Content-Length"] = str(size)
    stem = f"{item.exhibit_ref.replace('/', '-')}-{Path(item.original_filename).name}"
    if which == "location_stripped":
        stem = (
            f"{item.exhibit_ref.replace('/', '-')}-no-location-{Path(item.original_filename).name}"
        )
    response["Content-Disposition"] = _attachment(stem)
    return response


def _attachment(name: str) -> str:
    from django.utils.http import content_disposition_header

    return content_disposition_header(as_attachment=True, filename=name) or "attachment"


@role_required(*CASE_STAFF)
@require_POST
def evidence_share(request: AuthedRequest, reference: str, item_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, reference)
    item = get_item(case, item_id)
    form = ShareForm(request.POST)
    if form.is_valid():
        actions.do_record_custody(
            request, request.user, item, CustodyAction.SHARED, form.cleaned_data["reason"],
            {"recipient": form.cleaned_data["recipient"]},
        )  # fmt: skip
        messages.success(request, "The share is recorded in the custody log")
    else:
        messages.error(request, "Say who it was shared with and why")
    return redirect("evidence:detail", reference=case.reference, item_id=item.pk)


@role_required(*CASE_STAFF)
@require_POST
def evidence_link(request: AuthedRequest, reference: str, item_id: int) -> HttpResponse:
    case = _open_case(request, reference)
    item = get_item(case, item_id)
    form = LinkForm(request.POST, incident_choices=_incident_choices(case))
    if form.is_valid():
        chosen = _chosen_incidents(case, form.cleaned_data["incidents"])
        actions.do_link_incidents(request, request.user, item, chosen)
        messages.success(request, "Linked incidents saved")
    return redirect("evidence:detail", reference=case.reference, item_id=item.pk)


@role_required(*CASE_STAFF)
@require_http_methods(["GET", "POST"])
def bundle_export(request: AuthedRequest, reference: str) -> HttpResponseBase:
    case = get_case_for_user(request.user, reference)
    form = ExportForm(request.POST or None)
    items = list(evidence_of(case))
    record("evidence.export_viewed", request=request, case=case, detail={"items": len(items)})
    if request.method == "POST" and form.is_valid():
        # The bundle holds evidence in the clear. It is written (with write_bundle's partial
        # file beside it) in a private folder named like intake's, which sweep_work_dir removes
        # if this worker is killed; here it is removed as soon as the finished zip is open.
        folder = Path(tempfile.mkdtemp(prefix="courseline-bundle-", dir=work_dir()))
        try:
            bundle = folder / "bundle.zip"
            try:
                done = export_case(
                    case, request.user, bundle, copies=form.cleaned_data["copies"],
                    reason=form.cleaned_data["reason"],
                    prepared_for=form.cleaned_data["prepared_for"], request=request,
                )  # fmt: skip
            except (EvidenceError, OSError) as exc:
                # Nothing was recorded as exported, and export_case has audited the failure.
                messages.error(request, f"The bundle was not made. {_FAILED[failure_cause(exc)]}")
                return redirect("evidence:export", reference=case.reference)
            body = open(bundle, "rb")  # noqa: SIM115 - FileResponse closes it
        finally:
            # The open file stays readable after its folder is removed (POSIX).
            shutil.rmtree(folder, ignore_errors=True)
        stamp = timezone.localtime(done.record.created_at).strftime("%Y%m%d-%H%M")
        response = FileResponse(
            body, as_attachment=True, filename=f"{case.reference}-bundle-{stamp}.zip",
            content_type="application/zip",
        )  # fmt: skip
        response["X-Manifest-SHA256"] = done.bundle.manifest_sha256
        return response
    context = {
        "case": case,
        "form": form,
        "items": items,
        "withheld": [i for i in items if withheld_from_stripped(i)],
        "exports": BundleExport.objects.filter(case=case).select_related("created_by"),
        "stripped": STRIPPED,
    }
    return render(request, "evidence/export.html", context)


def _statement(
    request: AuthedRequest, case: Case, template: str, back: str, incidents: Any
) -> HttpResponse:
    draft = StatementDraft.objects.filter(case=case).select_related("latest").first()
    current = draft.latest.text if draft and draft.latest else None
    form = StatementForm(
        request.POST or None,
        initial={"text": current or draft_statement(impact_records(incidents))},
    )
    if request.method == "POST":
        if not case.is_open:
            raise PermissionDenied
        if form.is_valid():
            actions.do_save_statement(request, request.user, case, form.cleaned_data["text"])
            messages.success(request, "Draft saved. Earlier versions are kept.")
            return redirect(back, reference=case.reference)
    else:
        record("statement.viewed", request=request, case=case)
    versions = list(draft.versions.select_related("author")) if draft else []
    context = {"case": case, "form": form, "warning": WARNING, "versions": versions}
    return render(request, template, context)


@role_required(*CASE_STAFF)
@require_http_methods(["GET", "POST"])
def statement(request: AuthedRequest, reference: str) -> HttpResponse:
    case = get_case_for_user(request.user, reference)
    return _statement(
        request, case, "evidence/statement.html", "evidence:statement", incidents_of(case)
    )


# --- the victim's portal ----------------------------------------------------------------------
def _portal_add(request: AuthedRequest, case: Case) -> HttpResponse:
    form = PortalEvidenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        assert isinstance(upload, PendingEvidence)
        try:
            item = actions.do_add_evidence(
                request, request.user, case, upload, title=form.cleaned_data["title"],
                description="", source=EvidenceSource.VICTIM_UPLOAD,
                claimed_time=form.claimed(), incidents=[],
            )  # fmt: skip
        except actions.EvidenceActionError as exc:
            raise PermissionDenied(str(exc)) from None
        messages.success(request, f"Thank you. “{item.title}” is kept safely with your case.")
        return redirect("portal_evidence", reference=case.reference)
    own = EvidenceItem.objects.filter(case=case, uploaded_by=request.user)
    if request.method == "GET":
        record("evidence.portal_viewed", request=request, case=case)
    context = {"case": case, "form": form, "items": own, "limit": settings.EVIDENCE_MAX_BYTES}
    return render(request, "evidence/portal_evidence.html", context)


@max_request_bytes(_upload_limit)
@role_required(Role.VICTIM)
@csrf_exempt  # the upload handler must be set before the body is read; csrf_protect follows
@require_http_methods(["GET", "POST"])
def portal_evidence(request: AuthedRequest, reference: str) -> HttpResponse:
    return _receive(request, reference, portal=True)


@role_required(Role.VICTIM)
@require_http_methods(["GET", "POST"])
def portal_statement(request: AuthedRequest, reference: str) -> HttpResponse:
    case = get_portal_case(request.user, reference)
    # The victim's first draft is made from their own diary entries only, as the portal shows.
    own = own_portal_incidents(request.user, case)
    return _statement(request, case, "evidence/portal_statement.html", "portal_statement", own)
