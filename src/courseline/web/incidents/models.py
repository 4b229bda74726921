"""The incident log (the stalking diary) of a case, and invitations to the victim's portal.

An incident is never edited in place: every change adds an IncidentVersion and moves the
``latest`` link, so the history of what was recorded, by whom and when is always visible.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from courseline.law.model import (
    BEHAVIOUR_LABELS,
    IMPACT_LABELS,
    Behaviour,
    Fear,
    Impact,
    IncidentRecord,
    Place,
    TimePrecision,
)
from courseline.web.cases.models import Case, Person


class Incident(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="incidents")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    entered_by_victim = models.BooleanField(default=False)
    imported = models.BooleanField(default=False)
    latest = models.ForeignKey(
        "IncidentVersion", on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"incident {self.pk} on {self.case_id}"

    @property
    def current(self) -> IncidentVersion:
        """The latest version (every saved incident has one: actions create both together)."""
        if self.latest is None:
            raise ValueError(f"incident {self.pk} has no version")
        return self.latest


class IncidentVersion(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    edit_reason = models.CharField(max_length=500, blank=True)

    event_start = models.DateTimeField()
    event_end = models.DateTimeField(null=True, blank=True)
    precision = models.CharField(
        max_length=12, choices=[(p.value, p.value.capitalize()) for p in TimePrecision]
    )
    place = models.CharField(
        max_length=8,
        choices=[(p.value, p.value.capitalize()) for p in Place],
        default=Place.UNKNOWN,
    )
    location = models.CharField(max_length=500, blank=True)
    channel = models.CharField(max_length=200, blank=True)
    account_used = models.CharField(max_length=300, blank=True)
    description = models.TextField()
    behaviours = models.JSONField(default=list, blank=True)
    suggested_behaviours = models.JSONField(default=list, blank=True)
    perpetrator = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    third_parties = models.TextField(blank=True)
    witnesses = models.TextField(blank=True)
    police_reported = models.BooleanField(default=False)
    police_officer = models.CharField(max_length=200, blank=True)
    police_collar_number = models.CharField(max_length=50, blank=True)
    police_reference = models.CharField(max_length=100, blank=True)
    fear_of_violence = models.CharField(
        max_length=8, choices=[(f.value, f.value.capitalize()) for f in Fear], default=Fear.UNSURE
    )
    impacts = models.JSONField(default=list, blank=True)
    impact_notes = models.TextField(blank=True)

    class Meta:
        ordering = ["version"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "version"], name="incident_version_unique")
        ]
        indexes = [models.Index(fields=["event_start"])]

    def __str__(self) -> str:
        return f"incident {self.incident_id} v{self.version}"

    @property
    def behaviour_labels(self) -> list[str]:
        return [BEHAVIOUR_LABELS[Behaviour(key)] for key in self.behaviours]

    @property
    def impact_labels(self) -> list[str]:
        return [IMPACT_LABELS[Impact(key)] for key in self.impacts]

    @property
    def suggested_only(self) -> list[str]:
        return [key for key in self.suggested_behaviours if key not in self.behaviours]

    def to_record(self) -> IncidentRecord:
        """This version as the framework-free analysis sees it."""
        return IncidentRecord(
            id=str(self.incident_id),
            start=self.event_start,
            end=self.event_end if self.precision == TimePrecision.RANGE else None,
            precision=TimePrecision(self.precision),
            text=self.description,
            behaviours=frozenset(Behaviour(key) for key in self.behaviours),
            perpetrator=str(self.perpetrator_id) if self.perpetrator_id else None,
            place=Place(self.place),
            location=self.location,
            channel=self.channel,
            fear_of_violence=Fear(self.fear_of_violence),
            impacts=frozenset(Impact(key) for key in self.impacts),
            impact_notes=self.impact_notes,
            third_parties_involved=bool(self.third_parties.strip()),
            reported_to_police=self.police_reported,
        )


def invite_expiry() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=7)


class PortalInvite(models.Model):
    """A one-time link that lets the victim on a case create their portal account."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="invites")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=invite_expiry)
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"invite {self.pk} for person {self.person_id}"

    @property
    def usable(self) -> bool:
        return self.used_at is None and self.revoked_at is None and self.expires_at > timezone.now()


STAGED_IMPORT_HOURS = 2


class StagedImport(models.Model):
    """An uploaded diary between upload and confirmation. It belongs to the case (so the
    retention purge removes it), is deleted on import, and expires after a couple of hours."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="staged_imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    filename = models.CharField(max_length=200)
    headers = models.JSONField(default=list)
    rows = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"staged import {self.pk} on {self.case_id}"
