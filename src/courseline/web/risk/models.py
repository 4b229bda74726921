"""Risk assessments, referrals and safety plans of a case.

An assessment is a dated record and is never changed: a review is a new assessment that
points at the one before. Referrals keep their status history; safety plans are versioned.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from courseline.web.cases.models import Case


class Judgement(models.TextChoices):
    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


JUDGEMENT_RANK = {Judgement.STANDARD: 0, Judgement.MEDIUM: 1, Judgement.HIGH: 2}


class ReviewReason(models.TextChoices):
    FIRST = "first", "First assessment"
    SCHEDULED = "scheduled", "Scheduled review"
    CHANGE = "change", "Something changed"
    CLOSURE = "closure", "Review at closure"


class Assessment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    instrument_key = models.CharField(max_length=64)
    instrument_title = models.CharField(max_length=200)
    instrument_version = models.CharField(max_length=32)
    reason = models.CharField(max_length=12, choices=ReviewReason.choices)
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answers = models.JSONField(default=dict)
    notes = models.JSONField(default=dict, blank=True)
    score = models.PositiveIntegerField()
    max_score = models.PositiveIntegerField()
    band_key = models.CharField(max_length=64)
    band_label = models.CharField(max_length=200)
    critical_present = models.JSONField(default=list)
    factors_present = models.JSONField(default=list)
    implied_level = models.CharField(max_length=8, choices=Judgement.choices)
    judgement = models.CharField(max_length=8, choices=Judgement.choices)
    judgement_reasons = models.TextField()
    override_reason = models.TextField(blank=True)
    next_review_due = models.DateField()
    mullen_type = models.CharField(max_length=32, blank=True)
    timeline_stage = models.CharField(max_length=32, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.instrument_key} on {self.case_id} ({self.created_at:%Y-%m-%d})"

    @property
    def overdue(self) -> bool:
        return self.next_review_due < timezone.localdate()


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    HEARD = "heard", "Heard or discussed"
    CLOSED = "closed", "Closed"


class Referral(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    assessment = models.ForeignKey(
        Assessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    kind = models.CharField(max_length=32)
    kind_label = models.CharField(max_length=200)
    status = models.CharField(
        max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT
    )
    recipient = models.CharField(max_length=300, blank=True)
    content = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} referral on {self.case_id}"


class ReferralEvent(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=16, choices=ReferralStatus.choices)
    on = models.DateField(default=timezone.localdate)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.referral_id} → {self.status}"


class SafetyPlan(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="safety_plans")
    assessment = models.ForeignKey(
        Assessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    latest = models.ForeignKey(
        "SafetyPlanVersion", on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"safety plan {self.pk} on {self.case_id}"


class SafetyPlanVersion(models.Model):
    plan = models.ForeignKey(SafetyPlan, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    items = models.JSONField(default=list)  # [{"key", "text", "done", "from_items"}]
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["version"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "version"], name="safety_plan_version_unique")
        ]

    def __str__(self) -> str:
        return f"safety plan {self.plan_id} v{self.version}"
