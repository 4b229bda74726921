"""Key rotation: re-wrap every stored file's data key with the current evidence key.

Only the small wrapped keys change; the encrypted bodies are never rewritten. Each record is
updated in its own transaction, so an interrupted rotation is simply run again.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db import transaction

from courseline.evidence.crypto import EvidenceError, rewrap
from courseline.web.audit.log import record
from courseline.web.evidence.models import DerivedCopy, EvidenceItem
from courseline.web.evidence.storage import keyring


@dataclass(frozen=True)
class Rotation:
    current_key_id: str
    rewrapped: int
    already_current: int
    failed: list[str]
    """Records whose key could not be unwrapped with any configured key (with the reason)."""
    by_old_key: dict[str, int]


def do_rotate_keys(*, dry_run: bool = False) -> Rotation:
    ring = keyring()
    current = ring.current
    rewrapped = already = 0
    failed: list[str] = []
    old: Counter[str] = Counter()
    for model in (EvidenceItem, DerivedCopy):
        for pk, key_id in model.objects.order_by("pk").values_list("pk", "key_id"):
            if key_id == current.key_id:
                already += 1
                continue
            old[key_id] += 1
            label = f"{model._meta.model_name} {pk}"
            if dry_run:
                continue
            with transaction.atomic():
                row = model.objects.select_for_update().get(pk=pk)
                try:
                    row.wrapped_key = rewrap(bytes(row.wrapped_key), ring, current)
                except EvidenceError as exc:
                    failed.append(f"{label}: {exc}")
                    continue
                row.key_id = current.key_id
                row.save(update_fields=["wrapped_key", "key_id"])
                rewrapped += 1
    if not dry_run and (rewrapped or failed):
        record(
            "evidence.keys_rotated",
            detail={"key_id": current.key_id, "rewrapped": rewrapped, "failed": len(failed)},
        )
    return Rotation(current.key_id, rewrapped, already, failed, dict(old))
