"""The audit trail: append-only, hash-chained records of every read and write of case data."""

from __future__ import annotations

from typing import Any

from django.db import models


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit record."""


class AuditEvent(models.Model):
    """One audited event. Never updated, never deleted: see ``courseline audit verify``.

    ``case_id`` and ``object_id`` are plain numbers, not foreign keys, so that the trail
    outlives the records it describes (a purged case leaves its audit history). Nothing
    personal about a victim is ever stored here: only identifiers and action names.
    """

    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_email = models.CharField(max_length=254, blank=True)
    organisation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)
    case_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    case_reference = models.CharField(max_length=32, blank=True)
    ip = models.CharField(max_length=64, blank=True)
    user_agent_hash = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("audit records are append-only")

    def chain_payload(self) -> dict[str, Any]:
        """Exactly the fields the hash covers, in JSON types."""
        return {
            "at": self.at.isoformat(),
            "actor_id": self.actor_id,
            "actor_email": self.actor_email,
            "organisation_id": self.organisation_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "case_id": self.case_id,
            "case_reference": self.case_reference,
            "ip": self.ip,
            "user_agent_hash": self.user_agent_hash,
            "detail": self.detail,
        }


class AuditChainHead(models.Model):
    """A single row: the chain's last hash and length, and the lock that serialises appends."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64)
    count = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"audit chain head ({self.count} records)"
