"""Every change to the evidence vault: one transaction, custody and audit records.

Intake order, so that nothing is half-written: the encrypted upload is committed to the vault
under a fresh name, read back and decrypted into a private temporary folder (which checks it
end to end and lets us inspect it), derived copies are encrypted into the vault, and only then
are the records created, in one transaction. Any failure deletes every stored object of the
upload and creates no record.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from courseline.digital.photos.scan import sniff
from courseline.evidence.chain import (
    GENESIS_HASH,
    ChainEntry,
    ChainReport,
    entry_hash,
    verify_chain,
)
from courseline.evidence.crypto import DecryptingReader, EvidenceError, encrypt_stream
from courseline.evidence.derive import inspect_original, not_inspected
from courseline.evidence.exhibits import initials_from_name, next_exhibit_ref
from courseline.evidence.store import new_object_name
from courseline.web.accounts.models import Role, User
from courseline.web.audit.log import record
from courseline.web.cases.models import Case, PersonRole
from courseline.web.core.versions import next_version
from courseline.web.evidence.models import (
    CustodyAction,
    CustodyEvent,
    DerivedCopy,
    EvidenceItem,
    EvidenceSource,
    StatementDraft,
    StatementVersion,
)
from courseline.web.evidence.storage import keyring, vault, work_dir
from courseline.web.evidence.uploads import PendingEvidence
from courseline.web.incidents.models import Incident

_COPY = 1024 * 1024


class EvidenceActionError(Exception):
    """A change that is not allowed; the message says why."""


def actor_label(user: User | None) -> str:
    """How the custody log names someone. A victim is named by role, not by e-mail address."""
    if user is None:
        return "Courseline (system)"
    if user.role == Role.VICTIM:
        return f"the victim (portal account {user.pk})"
    return f"{user.full_name} <{user.email}>"


def append_custody(
    item: EvidenceItem,
    action: str,
    actor: User | None,
    *,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> CustodyEvent:
    """Add one entry to ``item``'s hash-chained custody log (inside the caller's transaction)."""
    with transaction.atomic():
        locked = EvidenceItem.objects.select_for_update().get(pk=item.pk)
        event = CustodyEvent(
            item=locked,
            seq=locked.custody_count + 1,
            at=timezone.now(),
            actor_id=actor.pk if actor is not None else None,
            actor_label=actor_label(actor),
            action=action,
            reason=reason,
            detail=detail or {},
            prev_hash=locked.custody_last_hash or GENESIS_HASH,
        )
        event.hash = entry_hash(event.prev_hash, event.chain_payload())
        event.save()
        locked.custody_last_hash = event.hash
        locked.custody_count = event.seq
        locked.save(update_fields=["custody_last_hash", "custody_count"])
        item.custody_last_hash, item.custody_count = event.hash, event.seq
    return event


def producer_initials(case: Case, source: str, uploader: User) -> str:
    """Exhibits are numbered after who produced them: the victim for what they provide (also
    when a caseworker adds it for them), the uploader for device-check material."""
    if source != EvidenceSource.DEVICE_CHECK:
        victim = case.people.filter(role=PersonRole.VICTIM).select_related("latest").first()
        if victim is not None and victim.latest is not None and victim.latest.name.strip():
            return initials_from_name(victim.latest.name)
    return initials_from_name(uploader.full_name or uploader.email.split("@")[0])


@dataclass
class _Stored:
    names: list[str]

    def remove(self) -> None:
        for name in self.names:
            with contextlib.suppress(Exception):
                vault().delete(name)


def plain_chunks(storage_name: str, wrapped_key: bytes) -> Iterator[bytes]:
    """The stored body, decrypted and authenticated chunk by chunk (``EvidenceError`` if any
    part fails its check, ``OSError`` if it cannot be read).

    A generator: the stored body is opened only when the first chunk is asked for, and closed
    when the last one is read or the generator is closed (a download response closes it)."""
    with vault().open(storage_name) as body:
        reader = DecryptingReader(body, wrapped_key, keyring())
        while chunk := reader.read(_COPY):
            yield chunk


def _read_back(storage_name: str, wrapped_key: bytes, target: Path | None) -> tuple[str, int, bool]:
    """Decrypt the stored body end to end and hash it (proving it reads back as received).

    Only a photo or video, which intake inspects, is also written out in the clear, to
    ``target`` in the private work folder (deleted when intake ends); anything else, and
    everything when ``target`` is None, is hashed and never written. Returns (sha256, size,
    written)."""
    digest, size = hashlib.sha256(), 0
    out = None
    try:
        for chunk in plain_chunks(storage_name, wrapped_key):
            if size == 0 and target is not None and sniff(chunk[:16]) is not None:
                out = open(target, "xb")  # noqa: SIM115 - closed below
            digest.update(chunk)
            size += len(chunk)
            if out is not None:
                out.write(chunk)
    finally:
        if out is not None:
            out.close()
    return digest.hexdigest(), size, out is not None


def stored_body_intact(storage_name: str, wrapped_key: bytes, sha256: str, size: int) -> bool:
    """Whether the stored body still decrypts, end to end, to exactly the bytes recorded on
    intake (same SHA-256 and size). Checked before a download is served and logged."""
    try:
        # The same read-back as intake's, with nothing written out in the clear.
        digest, seen, _ = _read_back(storage_name, wrapped_key, None)
    except (EvidenceError, OSError):
        return False
    return seen == size and digest == sha256


def record_failure(
    request: HttpRequest | None,
    actor: User,
    case: Case,
    item: EvidenceItem | None,
    operation: str,
    cause: str,
) -> None:
    """Audit a download or export that was stopped before anything was sent (``cause``:
    ``integrity``, a stored file that no longer decrypts to what was received, or ``storage``,
    one that could not be read or written). Not a custody entry: nothing left the vault."""
    record(
        f"evidence.{operation}_failed",
        request=request,
        actor=actor,
        case=case,
        obj=item,
        detail={"cause": cause},
    )


def _store_plain(path: Path, stored: _Stored) -> tuple[str, Any]:
    """Encrypt a plain file into the vault; (storage name, EncryptedInfo)."""
    name = new_object_name()
    pending = vault().begin()
    try:
        with open(path, "rb") as plain:
            info = encrypt_stream(plain, pending.file, keyring().current)
        pending.commit(name)
    except BaseException:
        pending.abort()
        raise
    stored.names.append(name)
    return name, info


def _suffix(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    return suffix if 1 < len(suffix) <= 8 and suffix[1:].isalnum() else ""


def do_add_evidence(
    request: HttpRequest | None,
    actor: User,
    case: Case,
    upload: PendingEvidence,
    *,
    title: str,
    description: str,
    source: str,
    claimed_time: dt.datetime | None,
    incidents: Sequence[Incident],
) -> EvidenceItem:
    """Keep an uploaded original (already encrypted and hashed while it streamed in)."""
    if not case.is_open:
        raise EvidenceActionError("the case is closed")
    if any(incident.case_id != case.pk for incident in incidents):
        raise EvidenceActionError("an incident of another case was chosen")
    stored = _Stored([])
    workdir = Path(tempfile.mkdtemp(prefix="courseline-evidence-", dir=work_dir()))
    try:
        storage_name = new_object_name()
        upload.commit(storage_name)
        stored.names.append(storage_name)
        plain = workdir / f"original{_suffix(upload.name or '')}"
        sha256, size, written = _read_back(storage_name, upload.info.wrapped_key, plain)
        if (sha256, size) != (upload.info.sha256, upload.info.size):
            raise EvidenceActionError("the stored file does not read back as received")
        inspection = (
            inspect_original(plain, workdir, suffix=_suffix(upload.name or ""))
            if written
            else not_inspected()
        )
        derived = [(d, *_store_plain(d.path, stored)) for d in inspection.derived]
        with transaction.atomic():
            locked = Case.objects.select_for_update().get(pk=case.pk)
            if not locked.is_open:
                raise EvidenceActionError("the case was closed while the file was arriving")
            existing = list(
                EvidenceItem.objects.filter(case=case).values_list("exhibit_ref", flat=True)
            )
            initials = producer_initials(case, source, actor)
            item = EvidenceItem.objects.create(
                case=case,
                exhibit_ref=next_exhibit_ref(initials, existing),
                title=title,
                description=description,
                original_filename=(upload.name or "evidence")[:255],
                declared_type=(upload.content_type or "")[:120],
                detected_format=inspection.format or "",
                size=upload.info.size,
                sha256=upload.info.sha256,
                received_at=timezone.now(),
                uploaded_by=actor,
                user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[:300],
                source=source,
                claimed_time=claimed_time,
                capture_time=inspection.capture_time,
                capture_time_note=inspection.capture_note[:200],
                location_status=inspection.location_status.value,
                location_note=inspection.location_note[:300],
                storage_name=storage_name,
                wrapped_key=upload.info.wrapped_key,
                key_id=upload.info.key_id,
                custody_last_hash=GENESIS_HASH,
            )
            item.incidents.set(incidents)
            append_custody(
                item,
                CustodyAction.RECEIVED,
                actor,
                reason=EvidenceSource(source).label,
                detail={
                    "sha256": item.sha256,
                    "size": item.size,
                    "original_filename": item.original_filename,
                    "incidents": sorted(i.pk for i in incidents),
                },
            )
            for derivation, name, info in derived:
                copy = DerivedCopy.objects.create(
                    item=item,
                    kind=derivation.kind,
                    content_type=derivation.content_type,
                    size=info.size,
                    sha256=info.sha256,
                    method=derivation.method,
                    storage_name=name,
                    wrapped_key=info.wrapped_key,
                    key_id=info.key_id,
                )
                append_custody(
                    item,
                    CustodyAction.DERIVED,
                    None,
                    reason=derivation.method,
                    detail={"kind": copy.kind, "sha256": copy.sha256, "size": copy.size},
                )
            record(
                "evidence.received",
                request=request,
                actor=actor,
                case=case,
                obj=item,
                detail={
                    "size": item.size,
                    "source": source,
                    "custody_hash": item.custody_last_hash,
                },
            )
        return item
    except BaseException:
        stored.remove()
        raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def do_record_custody(
    request: HttpRequest | None,
    actor: User,
    item: EvidenceItem,
    action: str,
    reason: str,
    detail: dict[str, Any] | None = None,
) -> CustodyEvent:
    """A view, download or share of one item: in its custody log and in the audit trail.

    The audit record carries the custody entry's number and hash (which anchors the custody
    chain in the audit chain), never the reason or the recipient: those are case content."""
    with transaction.atomic():
        event = append_custody(item, action, actor, reason=reason, detail=detail)
        record(
            f"evidence.{action}",
            request=request,
            actor=actor,
            case=item.case,
            obj=item,
            detail={"custody_seq": event.seq, "custody_hash": event.hash},
        )
    return event


def do_link_incidents(
    request: HttpRequest | None, actor: User, item: EvidenceItem, incidents: Iterable[Incident]
) -> None:
    chosen = list(incidents)
    if any(incident.case_id != item.case_id for incident in chosen):
        raise EvidenceActionError("an incident of another case was chosen")
    with transaction.atomic():
        item.incidents.set(chosen)
        ids = sorted(i.pk for i in chosen)
        append_custody(item, CustodyAction.LINKED, actor, detail={"incidents": ids})
        record(
            "evidence.linked", request=request, actor=actor, case=item.case, obj=item,
            detail={"incidents": len(ids), "custody_hash": item.custody_last_hash},
        )  # fmt: skip


# --- victim personal statement drafts ---------------------------------------------------------
def do_save_statement(
    request: HttpRequest | None, actor: User, case: Case, text: str
) -> StatementVersion:
    """Save a new version of the case's statement draft (earlier versions are kept)."""
    with transaction.atomic():
        draft, _ = StatementDraft.objects.select_for_update().get_or_create(case=case)
        number = next_version(draft.versions.all())
        version = StatementVersion.objects.create(
            draft=draft, version=number, text=text, author=actor
        )
        draft.latest = version
        draft.save(update_fields=["latest"])
        record(
            "statement.saved", request=request, actor=actor, case=case, obj=draft,
            detail={"version": number},
        )  # fmt: skip
    return version


def verify_custody(item: EvidenceItem) -> ChainReport:
    """Walk one item's custody log; the report names the first entry that does not fit."""
    entries = (
        ChainEntry(
            label=f"exhibit {item.exhibit_ref} custody entry {event.seq} ({event.action})",
            payload=event.chain_payload(),
            prev_hash=event.prev_hash,
            hash=event.hash,
        )
        for event in CustodyEvent.objects.filter(item=item).order_by("seq")
    )
    head = EvidenceItem.objects.values_list("custody_last_hash", "custody_count").get(pk=item.pk)
    return verify_chain(entries, expected_last_hash=head[0], expected_count=head[1])


def verify_all_custody() -> tuple[int, list[tuple[EvidenceItem, ChainReport]]]:
    """(items checked, the items whose custody log is broken with their reports)."""
    broken = []
    checked = 0
    for item in EvidenceItem.objects.select_related("case").order_by("pk").iterator():
        checked += 1
        report = verify_custody(item)
        if not report.ok:
            broken.append((item, report))
    return checked, broken
