"""Building a case's evidence bundle (for the export button and `courseline export case`).

Maps the case's records onto the core's bundle and chronology types, writes the zip with
``courseline.evidence.bundle.write_bundle`` (which re-hashes every file on the way and fails
on any mismatch) and records an "exported" entry in the custody log of every item included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from courseline.evidence.bundle import BundleItem, BundleMeta, WrittenBundle, write_bundle
from courseline.evidence.crypto import DecryptingReader, EvidenceError
from courseline.evidence.derive import LocationStatus
from courseline.law.model import Impact
from courseline.reports.chronology import (
    ChronologyExhibit,
    ChronologyIncident,
    ChronologyInput,
    ImpactRecord,
    RiskRecord,
    chronology_pdf,
)
from courseline.web.accounts.models import User
from courseline.web.audit.log import record
from courseline.web.cases.models import Case
from courseline.web.evidence.actions import append_custody, record_failure
from courseline.web.evidence.models import (
    BundleExport,
    CustodyAction,
    DerivedKind,
    EvidenceItem,
)
from courseline.web.evidence.storage import keyring, vault
from courseline.web.incidents.access import incident_numbers, incidents_of
from courseline.web.incidents.models import Incident
from courseline.web.risk.models import Assessment

ORIGINALS = "originals"
STRIPPED = "location-stripped copies"
COPIES = (ORIGINALS, STRIPPED)


@dataclass
class Export:
    bundle: WrittenBundle
    record: BundleExport
    included: list[EvidenceItem]
    withheld: list[EvidenceItem]
    """Items left out of a location-stripped bundle: their location could not be removed."""


def failure_cause(exc: BaseException) -> str:
    """Why a bundle could not be made, as ``record_failure`` names it: ``integrity`` when a
    stored file no longer decrypts to what was received, else ``storage``."""
    return "integrity" if isinstance(exc, EvidenceError) else "storage"


def _opener(storage_name: str, wrapped_key: bytes) -> Any:
    def open_plain() -> DecryptingReader:
        return DecryptingReader(vault().open(storage_name), wrapped_key, keyring())

    return open_plain


def withheld_from_stripped(item: EvidenceItem) -> bool:
    """A file that shows (or may show) a location with no location-free copy to send."""
    if item.location_status == LocationStatus.CANNOT_STRIP:
        return True
    return item.location_status == LocationStatus.NOT_CHECKED and bool(item.detected_format)


def _bundle_item(item: EvidenceItem, refs: dict[int, str], copies: str) -> BundleItem:
    incidents = tuple(sorted(refs[i.pk] for i in item.incidents.all() if i.pk in refs))
    stripped = next(
        (d for d in item.derived.all() if d.kind == DerivedKind.LOCATION_STRIPPED), None
    )
    if copies == STRIPPED and stripped is not None:
        return BundleItem(
            exhibit=item.exhibit_ref, filename=item.original_filename, sha256=stripped.sha256,
            size=stripped.size, received_at=item.received_at, source=item.get_source_display(),
            opener=_opener(stripped.storage_name, bytes(stripped.wrapped_key)),
            incidents=incidents, derived_from_sha256=item.sha256, derivation=stripped.method,
        )  # fmt: skip
    return BundleItem(
        exhibit=item.exhibit_ref, filename=item.original_filename, sha256=item.sha256,
        size=item.size, received_at=item.received_at, source=item.get_source_display(),
        opener=_opener(item.storage_name, bytes(item.wrapped_key)), incidents=incidents,
    )  # fmt: skip


def impact_records(
    incidents: Iterable[Incident], refs: Mapping[int, str] | None = None
) -> list[ImpactRecord]:
    """The dated effects on daily life the incidents record (with their references)."""
    return [
        ImpactRecord(
            recorded_on=timezone.localdate(incident.current.event_start),
            impacts=frozenset(Impact(key) for key in incident.current.impacts),
            note=incident.current.impact_notes,
            incident_reference=(refs or {}).get(incident.pk, ""),
        )
        for incident in incidents
        if incident.current.impacts or incident.current.impact_notes.strip()
    ]


def chronology_input(
    case: Case, prepared_by: User, copies: str, items: list[EvidenceItem], prepared_for: str
) -> tuple[ChronologyInput, dict[int, str]]:
    incidents = list(incidents_of(case))
    numbers = incident_numbers(incidents)
    refs = {incident.pk: f"I-{numbers[str(incident.pk)]}" for incident in incidents}
    exhibits_of: dict[int, list[str]] = {}
    for item in items:
        for incident in item.incidents.all():
            exhibits_of.setdefault(incident.pk, []).append(item.exhibit_ref)
    chronology_incidents = sorted(
        (
            ChronologyIncident.from_record(
                incident.current.to_record(),
                reference=refs[incident.pk],
                exhibits=exhibits_of.get(incident.pk, ()),
            )
            for incident in incidents
        ),
        key=lambda c: c.start,
    )
    impacts = impact_records(incidents, refs)
    risk = [
        RiskRecord(
            assessed_on=timezone.localdate(a.created_at),
            instrument=a.instrument_title,
            result_band=f"{a.band_label}; judged {a.get_judgement_display().lower()} risk",
            assessed_by=a.created_by.full_name,
        )
        for a in Assessment.objects.filter(case=case).select_related("created_by")
    ]
    exhibits = [
        ChronologyExhibit(
            reference=item.exhibit_ref,
            filename=item.original_filename,
            sha256=item.sha256,
            size=item.size,
            received_at=item.received_at,
            source=item.get_source_display(),
            incidents=tuple(sorted(refs[i.pk] for i in item.incidents.all() if i.pk in refs)),
        )  # fmt: skip
        for item in items
    ]
    data = ChronologyInput(
        case_reference=case.reference,
        prepared_by=f"{prepared_by.full_name} ({case.organisation.name})",
        prepared_for=prepared_for,
        prepared_on=timezone.localdate(),
        incidents=chronology_incidents,
        exhibits=exhibits,
        risk_history=sorted(risk, key=lambda r: r.assessed_on),
        impacts=sorted(impacts, key=lambda i: i.recorded_on),
        organisation=case.organisation.name,
        copies=copies,
    )
    return data, refs


def export_case(
    case: Case,
    actor: User,
    out_path: Path,
    *,
    copies: str = ORIGINALS,
    reason: str,
    prepared_for: str = "",
    request: HttpRequest | None = None,
) -> Export:
    """Write ``case``'s bundle to ``out_path`` and log the export on every item included.

    If the bundle cannot be written (``EvidenceError``: a stored file failed its check;
    ``OSError``: one could not be read, or the bundle not written), nothing is left at
    ``out_path``, the failure is audited, and the error is raised again."""
    if copies not in COPIES:
        raise ValueError(f"copies must be one of {COPIES}")
    all_items = list(
        EvidenceItem.objects.filter(case=case).prefetch_related("incidents", "derived")
    )
    withheld = [i for i in all_items if copies == STRIPPED and withheld_from_stripped(i)]
    items = [i for i in all_items if i not in withheld]
    data, refs = chronology_input(case, actor, copies, items, prepared_for)
    meta = BundleMeta(
        case_reference=case.reference,
        prepared_by=data.prepared_by,
        created_at=dt.datetime.now(dt.UTC),
        copies=copies,
    )
    try:
        pdf = chronology_pdf(data)
        bundle_items = [_bundle_item(i, refs, copies) for i in items]
        written = write_bundle(out_path, bundle_items, pdf, meta)
    except (EvidenceError, OSError) as exc:
        # Audited here rather than by each caller, so the web page and the command line both
        # leave a record of an export that was stopped (nothing left the vault).
        record_failure(request, actor, case, None, "export", failure_cause(exc))
        raise
    with transaction.atomic():
        export = BundleExport.objects.create(
            case=case, created_by=actor, copies=copies, items=len(items),
            withheld=[i.exhibit_ref for i in withheld], manifest_sha256=written.manifest_sha256,
            reason=reason, prepared_for=prepared_for,
        )  # fmt: skip
        for item in items:
            append_custody(
                item,
                CustodyAction.EXPORTED,
                actor,
                reason=reason,
                detail={"copies": copies, "manifest_sha256": written.manifest_sha256},
            )
        record(
            "evidence.bundle_exported",
            request=request,
            actor=actor,
            case=case,
            obj=export,
            detail={
                "items": len(items),
                "withheld": len(withheld),
                "copies": copies,
                "manifest_sha256": written.manifest_sha256,
            },
        )
    return Export(written, export, items, withheld)
