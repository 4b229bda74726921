from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from courseline.web.cases.forms import GovukDateField
from courseline.web.evidence.export import COPIES, ORIGINALS, STRIPPED
from courseline.web.evidence.models import EvidenceSource
from courseline.web.incidents.forms import TimeField

STAFF_SOURCES = [
    (EvidenceSource.ON_BEHALF.value, EvidenceSource.ON_BEHALF.label),
    (EvidenceSource.DEVICE_CHECK.value, EvidenceSource.DEVICE_CHECK.label),
]


class _ClaimedTime(forms.Form):
    claimed_date = GovukDateField(
        label="When was it made or captured? (optional)",
        required=False,
        help_text="As the person remembers it, for example 27/3/2026.",
    )
    claimed_time = TimeField(label="Time (optional)", help_text="For example, 18:30.")

    def claimed(self) -> dt.datetime | None:
        day = self.cleaned_data.get("claimed_date")
        if day is None:
            return None
        moment = dt.datetime.combine(day, self.cleaned_data.get("claimed_time") or dt.time(12))
        return timezone.make_aware(moment)


class EvidenceForm(_ClaimedTime):
    file = forms.FileField(label="File", help_text="Any kind of file: the original, as it is.")
    title = forms.CharField(label="Short description", max_length=200)
    description = forms.CharField(
        label="What it shows (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    source = forms.ChoiceField(
        label="How it came to us", choices=STAFF_SOURCES, widget=forms.RadioSelect,
        initial=EvidenceSource.ON_BEHALF.value,
    )  # fmt: skip
    incidents = forms.MultipleChoiceField(
        label="Incidents it relates to", required=False, widget=forms.CheckboxSelectMultiple
    )

    field_order = [
        "file", "title", "description", "source", "claimed_date", "claimed_time", "incidents",
    ]  # fmt: skip

    def __init__(self, *args: Any, incident_choices: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["incidents"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = incident_choices


class PortalEvidenceForm(_ClaimedTime):
    file = forms.FileField(
        label="File", help_text="A photo, screenshot, recording, document or chat export."
    )
    title = forms.CharField(label="What is it?", max_length=200)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Why? (kept in the custody log)", max_length=500,
        help_text="For example: sent to PC Khan, Northshire Police, crime reference 23/4567.",
    )  # fmt: skip


class DownloadForm(ReasonForm):
    copy = forms.ChoiceField(
        label="Which file",
        choices=[("original", "The original"), ("location_stripped", "Copy without location")],
        initial="original",
        widget=forms.RadioSelect,
    )


class ShareForm(ReasonForm):
    recipient = forms.CharField(label="Shared with", max_length=200)


class LinkForm(forms.Form):
    incidents = forms.MultipleChoiceField(
        label="Incidents it relates to", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, incident_choices: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["incidents"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = incident_choices


class ExportForm(ReasonForm):
    copies = forms.ChoiceField(
        label="Evidence files in the bundle",
        choices=[
            (ORIGINALS, "The originals, byte for byte (for the police)"),
            (STRIPPED, "Copies with location data removed (to share more widely)"),
        ],
        initial=ORIGINALS,
        widget=forms.RadioSelect,
    )
    prepared_for = forms.CharField(
        label="Prepared for (optional)", max_length=200, required=False,
        help_text="For example: Northshire Police, officer in the case.",
    )  # fmt: skip

    def clean_copies(self) -> str:
        value = str(self.cleaned_data["copies"])
        if value not in COPIES:
            raise forms.ValidationError("Choose which files to include")
        return value


class StatementForm(forms.Form):
    text = forms.CharField(
        label="Draft statement", widget=forms.Textarea(attrs={"rows": 18}), max_length=20000
    )
