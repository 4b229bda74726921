"""Cases, the people on them, and their append-only notes.

History is never overwritten: a note or a person's details change by adding a new version
(the latest is linked from the parent for cheap reads); status and assignment changes are
CaseEvent rows. Only ``actions.py`` writes these models.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from courseline.web.accounts.models import Organisation, Team

REFERENCE_RE = re.compile(r"^CL-(\d{4})-(\d{6})$")


def format_reference(year: int, number: int) -> str:
    return f"CL-{year:04d}-{number:06d}"


class ReferenceCounter(models.Model):
    """The last case number issued in a year (locked while a case is opened)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


def jurisdiction_choices() -> list[tuple[str, str]]:
    """The jurisdictions Courseline has law data for (courseline/law/data/)."""
    from courseline.law.jurisdictions import all_jurisdictions

    return [(jurisdiction.key, jurisdiction.name) for jurisdiction in all_jurisdictions()]


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Case(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(max_length=16, unique=True, editable=False)
    summary = models.TextField(help_text="What brought the case to the service, in brief.")
    jurisdiction = models.CharField(
        max_length=32,
        choices=jurisdiction_choices,
        default="england-wales",
        help_text="Whose law applies: used for the course-of-conduct analysis.",
    )
    status = models.CharField(max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    next_review = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organisation", "team", "status"]),
            models.Index(fields=["assigned_to", "status"]),
            models.Index(fields=["status", "closed_at"]),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = Case.objects.filter(pk=self.pk).values_list("reference", flat=True).first()
            if stored is not None and stored != self.reference:
                raise ValueError("a case reference never changes")
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status == CaseStatus.OPEN

    @property
    def review_overdue(self) -> bool:
        return bool(self.is_open and self.next_review and self.next_review < timezone.localdate())

    @property
    def review_due_in_days(self) -> int | None:
        if not self.next_review:
            return None
        return (self.next_review - timezone.localdate()).days


class CaseEventKind(models.TextChoices):
    OPENED = "opened", "Case opened"
    ASSIGNED = "assigned", "Assigned"
    REVIEW_SET = "review_set", "Next review date set"
    CLOSED = "closed", "Case closed"
    REOPENED = "reopened", "Case reopened"


class CaseEvent(models.Model):
    """Status, assignment and review history: what happened to the case, by whom, and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=CaseEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class PersonRole(models.TextChoices):
    VICTIM = "victim", "Victim"
    PERPETRATOR = "perpetrator", "Suspected perpetrator"
    THIRD_PARTY = "third_party", "Third party"


class SafeToContact(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Not known"


class Person(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="people")
    role = models.CharField(max_length=16, choices=PersonRole.choices)
    portal_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="portal_people",
        help_text="The victim's own sign-in, for the portal.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    latest = models.ForeignKey(
        "PersonVersion", on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} on {self.case_id}"


class PersonVersion(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    aliases = models.TextField(blank=True, help_text="Other names used, one per line.")
    safe_to_contact = models.CharField(
        max_length=8, choices=SafeToContact.choices, default=SafeToContact.UNKNOWN
    )
    safe_contact_method = models.CharField(max_length=500, blank=True)
    details = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["version"]
        constraints = [
            models.UniqueConstraint(fields=["person", "version"], name="person_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} v{self.version}"

    @property
    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]


class Note(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    latest = models.ForeignKey(
        "NoteVersion", on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"note {self.pk} on {self.case_id}"


class NoteVersion(models.Model):
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    body = models.TextField()
    correction_reason = models.CharField(max_length=500, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["version"]
        constraints = [
            models.UniqueConstraint(fields=["note", "version"], name="note_version_unique")
        ]

    def __str__(self) -> str:
        return f"note {self.note_id} v{self.version}"


def review_date_default() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=28)
