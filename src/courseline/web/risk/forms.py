from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from courseline.risk.annotations import MULLEN_TYPES, TIMELINE_STAGES
from courseline.risk.instruments import ANSWER_LABELS, Instrument
from courseline.web.cases.forms import GovukDateField
from courseline.web.risk.models import Judgement, ReferralStatus, ReviewReason


def item_field(key: str) -> str:
    return f"item__{key}"


def note_field(key: str) -> str:
    return f"note__{key}"


class AssessmentForm(forms.Form):
    """One radio group (and an optional note) per item, then the professional judgement."""

    judgement = forms.ChoiceField(
        label="Your professional judgement of the risk",
        choices=Judgement.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose your judgement of the risk"},
    )
    judgement_reasons = forms.CharField(
        label="Why? The reasons for your judgement",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": "Give the reasons for your judgement"},
    )
    override_reason = forms.CharField(
        label="If you judge the risk lower than the answers show: why?",
        help_text="Required when the answers reach a referral threshold or a critical item "
        "and you judge the risk lower. It is recorded in the audit trail.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    next_review_due = GovukDateField(
        label="Review this assessment by", help_text="For example, 27/3/2027."
    )
    reason = forms.ChoiceField(
        label="Why is this assessment being done now?", choices=ReviewReason.choices
    )
    mullen_type = forms.ChoiceField(
        label="Typology (optional, professional judgement only)",
        choices=[("", "Not recorded")] + [(a.key, a.label) for a in MULLEN_TYPES],
        required=False,
    )
    timeline_stage = forms.ChoiceField(
        label="Homicide timeline stage (optional, professional judgement only)",
        choices=[("", "Not recorded")] + [(a.key, a.label) for a in TIMELINE_STAGES],
        required=False,
    )

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for item in instrument.items:
            self.fields[item_field(item.key)] = forms.ChoiceField(
                label=item.text,
                help_text=item.help or "",
                choices=[(answer.value, ANSWER_LABELS[answer]) for answer in item.answers],
                widget=forms.RadioSelect,
                error_messages={"required": f"Answer: {item.text}"},
            )
            self.fields[note_field(item.key)] = forms.CharField(
                label="Notes", required=False, max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )  # fmt: skip

    def clean_next_review_due(self) -> dt.date:
        value: dt.date = self.cleaned_data["next_review_due"]
        if value < timezone.localdate():
            raise forms.ValidationError("The review date must be today or in the future")
        return value

    def answers(self) -> dict[str, str]:
        return {i.key: self.cleaned_data[item_field(i.key)] for i in self.instrument.items}

    def notes(self) -> dict[str, str]:
        return {i.key: self.cleaned_data[note_field(i.key)] for i in self.instrument.items}

    def item_rows(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        """(item, answer field, note field) for the template, section by section."""
        return [
            (item, self[item_field(item.key)], self[note_field(item.key)])
            for item in self.instrument.items
        ]


class ReferralForm(forms.Form):
    recipient = forms.CharField(
        label="Who it goes to", help_text="For example, the MARAC coordinator for the area.",
        max_length=300, required=False,
    )  # fmt: skip
    summary = forms.CharField(
        label="Why you are referring",
        help_text="Everything else (case, people, risk, incidents) is filled in from the record.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
    )


class ReferralStatusForm(forms.Form):
    status = forms.ChoiceField(label="New status", choices=ReferralStatus.choices)
    on = GovukDateField(label="Date", help_text="For example, 27/3/2026.")
    note = forms.CharField(label="Note", required=False, max_length=2000)


class SafetyPlanForm(forms.Form):
    """Tick done items, change their wording, add an item. Saved as a new version."""

    new_item = forms.CharField(label="Add an item", required=False, max_length=500)

    def __init__(self, *args: Any, items: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for index, item in enumerate(items):
            self.fields[f"text_{index}"] = forms.CharField(
                label=f"Item {index + 1}", initial=item["text"], max_length=1000, required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )  # fmt: skip
            self.fields[f"done_{index}"] = forms.BooleanField(
                label=f"Item {index + 1} done", initial=item.get("done", False), required=False
            )

    def updated_items(self) -> list[dict[str, Any]]:
        updated = []
        for index, item in enumerate(self.items):
            text = self.cleaned_data[f"text_{index}"].strip()
            if text:  # emptying an item's text removes it (the earlier version keeps it)
                updated.append({**item, "text": text, "done": self.cleaned_data[f"done_{index}"]})
        if self.cleaned_data["new_item"].strip():
            updated.append(
                {"key": f"own_{len(updated) + 1}", "text": self.cleaned_data["new_item"].strip(),
                 "done": False, "from_items": []}
            )  # fmt: skip
        return updated

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField, dict[str, Any]]]:
        return [(self[f"text_{i}"], self[f"done_{i}"], item) for i, item in enumerate(self.items)]
