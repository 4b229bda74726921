"""Writing and verifying the audit trail. The only code that creates AuditEvent rows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from courseline.evidence.chain import (
    GENESIS_HASH,
    ChainEntry,
    ChainReport,
    entry_hash,
    verify_chain,
)
from courseline.web.audit.models import AuditChainHead, AuditEvent
from courseline.web.core.net import client_ip, user_agent_hash

if TYPE_CHECKING:
    from courseline.web.accounts.models import User
    from courseline.web.cases.models import Case


def record(
    action: str,
    *,
    request: HttpRequest | None = None,
    actor: User | None = None,
    case: Case | None = None,
    obj: Any = None,
    organisation_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction if there is one.

    ``detail`` must hold identifiers and counts only, never case content or personal data.
    """
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if organisation_id is None:
        if case is not None:
            organisation_id = case.organisation_id
        elif actor is not None:
            organisation_id = actor.organisation_id
    # A victim's e-mail address or network address could lead to them (an IP can give away a
    # refuge): for victims the trail keeps only the account number.
    is_victim = actor is not None and getattr(actor, "role", "") == "victim"
    event = AuditEvent(
        at=timezone.now(),
        actor_id=actor.pk if actor is not None else None,
        actor_email=actor.email if actor is not None and not is_victim else "",
        organisation_id=organisation_id,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=obj.pk if obj is not None else None,
        case_id=case.pk if case is not None else None,
        case_reference=case.reference if case is not None else "",
        ip=client_ip(request) if request is not None and not is_victim else "",
        user_agent_hash=user_agent_hash(request) if request is not None else "",
        detail=detail or {},
    )
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            id=1, defaults={"last_hash": GENESIS_HASH, "count": 0}
        )
        event.prev_hash = head.last_hash
        event.hash = entry_hash(event.prev_hash, event.chain_payload())
        event.save()
        head.last_hash = event.hash
        head.count += 1
        head.save(update_fields=["last_hash", "count"])
    return event


def _entries() -> Iterator[ChainEntry]:
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        yield ChainEntry(
            label=f"audit record #{event.pk} ({event.action} at {event.at.isoformat()})",
            payload=event.chain_payload(),
            prev_hash=event.prev_hash,
            hash=event.hash,
        )


def verify() -> ChainReport:
    """Walk the whole trail; the report names the first record that does not fit."""
    head = AuditChainHead.objects.filter(id=1).first()
    return verify_chain(
        _entries(),
        expected_last_hash=head.last_hash if head else GENESIS_HASH,
        expected_count=head.count if head else 0,
    )
