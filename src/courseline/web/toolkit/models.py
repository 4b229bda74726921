"""Digital-safety checks recorded on a case. The photos themselves are never kept here."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from courseline.digital.findings import Severity
from courseline.web.cases.models import Case


def highest_severity(findings: list[dict[str, Any]]) -> str:
    ranks = {s.value: s.rank for s in Severity}
    found = [f["severity"] for f in findings if f.get("severity") in ranks]
    return max(found, key=lambda s: ranks[s]) if found else ""


class PhotoCheck(models.Model):
    """One run of "Check photos": the report (what each file reveals, and the places), not
    the files. Append-only: a check is never edited."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photo_checks")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    cleaned_profile = models.CharField(max_length=20, blank=True)
    """'location' or 'all' when cleaned copies were handed over; blank when only checked."""
    report = models.JSONField()
    refused = models.JSONField(default=list)
    """Uploads that were not opened at all (e.g. a zip bomb), with the reason."""

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Photo check {self.pk} on {self.case_id}"

    def _summary(self, key: str) -> int:
        return int(self.report.get("summary", {}).get(key, 0))

    @property
    def files(self) -> int:
        return self._summary("files")

    @property
    def with_location(self) -> int:
        return self._summary("with_location")

    @property
    def places(self) -> int:
        return self._summary("places")


class DeviceCheckSource(models.TextChoices):
    PACKAGES = "packages", "Android package list (pm list packages output)"
    ANDROIDQF = "androidqf", "AndroidQF acquisition (zip)"
    BUGREPORT = "bugreport", "Android bug report (zip)"
    IOS_BACKUP = "ios_backup", "iPhone backup, unencrypted (zip of the backup folder)"
    NETWORK = "network", "Network capture (pcap or pcapng)"
    CLI_REPORT = "cli_report", "Report saved by `courseline device check --format json`"


class DeviceCheck(models.Model):
    """One device or network check on a case: the consent record and the report (findings,
    what was not checked), never the uploaded data itself. Append-only."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="device_checks")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=20, choices=DeviceCheckSource.choices)
    filename = models.CharField(max_length=200)
    consent_owner = models.CharField(max_length=200)
    consent_statement = models.TextField()
    consent_at = models.DateTimeField()
    tool_version = models.CharField(max_length=40)
    indicator_version = models.CharField(max_length=80)
    report = models.JSONField()
    """``{"device": {...}, "findings": [...], "not_checked": [...]}`` (network: a summary)."""

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Device check {self.pk} on {self.case_id}"

    @property
    def findings(self) -> int:
        return len(self.report.get("findings", []))

    @property
    def highest(self) -> str:
        """The most serious finding's severity, or "" when there is none."""
        return highest_severity(self.report.get("findings", []))
