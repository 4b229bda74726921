"""The evidence vault: originals kept byte for byte (encrypted at rest), derived copies, the
custody log of every view, download, export and share, and victim-statement drafts.

An item's recorded facts (hash, size, times, source, file name) are never changed after
intake. Only the key envelope (``wrapped_key``/``key_id``, by ``courseline keys rotate``) and
the custody-chain bookkeeping (``custody_last_hash``/``custody_count``) move.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from courseline.web.cases.models import Case
from courseline.web.incidents.models import Incident


class EvidenceSource(models.TextChoices):
    VICTIM_UPLOAD = "victim_upload", "Uploaded by the victim"
    ON_BEHALF = "on_behalf", "Added by a caseworker on the victim's behalf"
    DEVICE_CHECK = "device_check", "From a device check"


class EvidenceItem(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    exhibit_ref = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    original_filename = models.CharField(max_length=255)
    declared_type = models.CharField(max_length=120, blank=True)
    """The content type the uploading browser claimed (not trusted for anything)."""
    detected_format = models.CharField(max_length=20, blank=True)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    received_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    user_agent = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=20, choices=EvidenceSource.choices)
    claimed_time = models.DateTimeField(null=True, blank=True)
    """When the person says the item was made or captured."""
    capture_time = models.DateTimeField(null=True, blank=True)
    """The capture time recorded inside the file (photos and videos), if any."""
    capture_time_note = models.CharField(max_length=200, blank=True)
    location_status = models.CharField(max_length=20, default="not_checked")
    """none_found, stripped_copy, cannot_strip or not_checked (courseline.evidence.derive)."""
    location_note = models.CharField(max_length=300, blank=True)
    storage_name = models.CharField(max_length=64, unique=True)
    wrapped_key = models.BinaryField()
    key_id = models.CharField(max_length=32)
    incidents = models.ManyToManyField(Incident, blank=True, related_name="evidence")
    custody_last_hash = models.CharField(max_length=64)
    custody_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "exhibit_ref"], name="unique_exhibit_per_case")
        ]

    def __str__(self) -> str:
        return f"{self.exhibit_ref} {self.title}"


class DerivedKind(models.TextChoices):
    THUMBNAIL = "thumbnail", "Viewing thumbnail"
    LOCATION_STRIPPED = "location_stripped", "Copy without location data"


class DerivedCopy(models.Model):
    """A copy made from an original (never replacing it), with how it was made."""

    item = models.ForeignKey(EvidenceItem, on_delete=models.CASCADE, related_name="derived")
    kind = models.CharField(max_length=20, choices=DerivedKind.choices)
    content_type = models.CharField(max_length=60)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    made_at = models.DateTimeField(default=timezone.now)
    method = models.TextField()
    storage_name = models.CharField(max_length=64, unique=True)
    wrapped_key = models.BinaryField()
    key_id = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "kind"], name="one_derived_copy_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.item_id}"


class CustodyAction(models.TextChoices):
    RECEIVED = "received", "Received"
    DERIVED = "derived", "Copy made"
    VIEWED = "viewed", "Viewed"
    DOWNLOADED = "downloaded", "Downloaded"
    EXPORTED = "exported", "Exported in a bundle"
    SHARED = "shared", "Shared"
    LINKED = "linked", "Incidents linked"


class AppendOnlyError(Exception):
    pass


class CustodyEvent(models.Model):
    """One entry of an item's custody log: append-only and hash-chained per item."""

    item = models.ForeignKey(EvidenceItem, on_delete=models.CASCADE, related_name="custody")
    seq = models.PositiveIntegerField()
    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=300)
    action = models.CharField(max_length=20, choices=CustodyAction.choices)
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["item_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["item", "seq"], name="custody_seq")]

    def __str__(self) -> str:
        return f"{self.item_id}#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("custody entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("custody entries are append-only")

    def chain_payload(self) -> dict[str, Any]:
        return {
            "item": self.item_id,
            "seq": self.seq,
            "at": self.at.isoformat(),
            "actor_id": self.actor_id,
            "actor": self.actor_label,
            "action": self.action,
            "reason": self.reason,
            "detail": self.detail,
        }


class StatementDraft(models.Model):
    """A victim personal statement draft, kept apart from the factual incident log."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="statement_draft")
    created_at = models.DateTimeField(default=timezone.now)
    latest = models.ForeignKey(
        "StatementVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Statement draft for {self.case_id}"


class StatementVersion(models.Model):
    draft = models.ForeignKey(StatementDraft, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["version"]
        constraints = [
            models.UniqueConstraint(fields=["draft", "version"], name="statement_version")
        ]

    def __str__(self) -> str:
        return f"Statement draft version {self.version}"


class BundleExport(models.Model):
    """One exported bundle: what was in it and the SHA-256 of its manifest, to send apart
    from the bundle so the receiver can check it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="bundle_exports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    copies = models.CharField(max_length=40)
    items = models.PositiveIntegerField()
    withheld = models.JSONField(default=list)
    manifest_sha256 = models.CharField(max_length=64)
    reason = models.TextField()
    prepared_for = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Bundle of {self.case_id} at {self.created_at:%Y-%m-%d %H:%M}"
