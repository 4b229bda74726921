from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from courseline.law.diary import parse_time
from courseline.law.model import (
    BEHAVIOUR_LABELS,
    IMPACT_LABELS,
    Fear,
    Place,
    TimePrecision,
)
from courseline.web.cases.forms import GovukDateField
from courseline.web.cases.models import Person, PersonRole
from courseline.web.incidents.actions import IncidentData

PRECISION_CHOICES = [
    (TimePrecision.EXACT.value, "I know the date and time"),
    (TimePrecision.APPROXIMATE.value, "Roughly: about this date or time"),
    (TimePrecision.RANGE.value, "Some time between two dates or times"),
]
PLACE_CHOICES = [
    (Place.UNKNOWN.value, "Not known or not recorded"),
    (Place.HOME.value, "At or near home"),
    (Place.WORK.value, "At or near work"),
    (Place.SCHOOL.value, "At or near a school or college"),
    (Place.PUBLIC.value, "Somewhere public"),
    (Place.ONLINE.value, "Online, by phone or message"),
    (Place.OTHER.value, "Somewhere else"),
]
FEAR_CHOICES = [
    (Fear.YES.value, "Yes"),
    (Fear.NO.value, "No"),
    (Fear.UNSURE.value, "Not sure"),
]
BEHAVIOUR_CHOICES = [(key.value, label) for key, label in BEHAVIOUR_LABELS.items()]
IMPACT_CHOICES = [(key.value, label) for key, label in IMPACT_LABELS.items()]


class TimeField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 8)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> dt.time | None:
        text = str(super().clean(value) or "").strip()
        if not text:
            return None
        parsed = parse_time(text)
        if parsed is None:
            raise forms.ValidationError("Enter a time like 18:30 or 6.30pm")
        return parsed


def _combine(date: dt.date, time: dt.time | None) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(date, time or dt.time(12, 0)))


class VictimIncidentForm(forms.Form):
    """What a victim records from the portal: plain questions, nothing technical."""

    precision = forms.ChoiceField(
        label="How sure are you of when it happened?",
        choices=PRECISION_CHOICES,
        initial=TimePrecision.EXACT.value,
        widget=forms.RadioSelect,
    )
    date = GovukDateField(label="Date", help_text="For example, 27/3/2026.")
    time = TimeField(label="Time", help_text="For example, 18:30. Leave empty if not known.")
    end_date = GovukDateField(label="Latest date (only for 'some time between')", required=False)
    end_time = TimeField(label="Latest time (only for 'some time between')")
    place = forms.ChoiceField(label="Where did it happen?", choices=PLACE_CHOICES)
    location = forms.CharField(
        label="Place or address", required=False, max_length=500,
        help_text="For example: outside my work, Church Street car park.",
    )  # fmt: skip
    channel = forms.CharField(
        label="If it was by phone, message or online: which app, number or account?",
        required=False,
        max_length=200,
    )
    description = forms.CharField(
        label="What happened?",
        help_text="In your own words. Include what was said or done, and anything you saw.",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
    )
    fear_of_violence = forms.ChoiceField(
        label="Did it make you afraid that violence would be used against you?",
        choices=FEAR_CHOICES,
        initial=Fear.UNSURE.value,
        widget=forms.RadioSelect,
    )
    impacts = forms.MultipleChoiceField(
        label="Has this changed your day-to-day life?",
        help_text="Tick all that apply.",
        choices=IMPACT_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    impact_notes = forms.CharField(
        label="Anything else about how it has affected you",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date") is None:
            return data
        start = _combine(data["date"], data.get("time"))
        data["event_start"], data["event_end"] = start, None
        if data.get("precision") == TimePrecision.RANGE:
            if data.get("end_date") is None:
                self.add_error("end_date", "Enter the latest date it can have happened")
                return data
            end = _combine(data["end_date"], data.get("end_time"))
            if end < start:
                self.add_error("end_date", "The latest date must be after the first date")
            data["event_end"] = end
        elif data.get("precision") == TimePrecision.EXACT and data.get("time") is None:
            self.add_error("time", "Enter the time, or choose 'Roughly' if you are not sure")
        if start > timezone.now() + dt.timedelta(hours=1):
            self.add_error("date", "The date must be today or in the past")
        return data

    def incident_data(self, **extra: Any) -> IncidentData:
        data = self.cleaned_data
        return IncidentData(
            event_start=data["event_start"],
            event_end=data["event_end"],
            precision=data["precision"],
            description=data["description"],
            place=data["place"],
            location=data["location"],
            channel=data["channel"],
            fear_of_violence=data["fear_of_violence"],
            impacts=list(data["impacts"]),
            impact_notes=data["impact_notes"],
            **extra,
        )


class IncidentForm(VictimIncidentForm):
    """The full record a caseworker keeps, including confirmed behaviours and police details."""

    account_used = forms.CharField(
        label="Number or account used by the perpetrator", required=False, max_length=300
    )
    behaviours = forms.MultipleChoiceField(
        label="Behaviours",
        help_text="Tick what the description shows. Suggestions are only suggestions: "
        "confirm each one yourself.",
        choices=BEHAVIOUR_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    perpetrator = forms.ModelChoiceField(
        label="Who did it?",
        queryset=Person.objects.none(),
        required=False,
        empty_label="Not known",
    )
    third_parties = forms.CharField(
        label="Other people involved or contacted by the perpetrator",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    witnesses = forms.CharField(
        label="Witnesses and how to reach them",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    police_reported = forms.BooleanField(label="Reported to the police", required=False)
    police_officer = forms.CharField(label="Officer's name", required=False, max_length=200)
    police_collar_number = forms.CharField(label="Collar number", required=False, max_length=50)
    police_reference = forms.CharField(
        label="Crime or incident reference", required=False, max_length=100
    )

    field_order = [
        "precision", "date", "time", "end_date", "end_time", "place", "location", "channel",
        "account_used", "description", "behaviours", "perpetrator", "third_parties", "witnesses",
        "police_reported", "police_officer", "police_collar_number", "police_reference",
        "fear_of_violence", "impacts", "impact_notes",
    ]  # fmt: skip

    def __init__(self, *args: Any, case: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = Person.objects.filter(case=case, role=PersonRole.PERPETRATOR).select_related(
            "latest"
        )
        self.fields["perpetrator"].queryset = people  # type: ignore[attr-defined]
        self.fields["perpetrator"].label_from_instance = (  # type: ignore[attr-defined]
            lambda person: person.latest.name if person.latest else "Unnamed"
        )
        if editing:
            self.fields["edit_reason"] = forms.CharField(
                label="Why is this being changed?",
                help_text="The earlier version is kept and stays visible in the history.",
                max_length=500,
            )

    def incident_data(self, **extra: Any) -> IncidentData:
        data = self.cleaned_data
        return super().incident_data(
            account_used=data["account_used"],
            behaviours=list(data["behaviours"]),
            perpetrator=data["perpetrator"],
            third_parties=data["third_parties"],
            witnesses=data["witnesses"],
            police_reported=data["police_reported"],
            police_officer=data["police_officer"],
            police_collar_number=data["police_collar_number"],
            police_reference=data["police_reference"],
            **extra,
        )


def initial_from_version(version: Any) -> dict[str, Any]:
    """Form values that show an existing version, for editing it."""
    start = timezone.localtime(version.event_start)
    end = timezone.localtime(version.event_end) if version.event_end else None
    return {
        "precision": version.precision,
        "date": start.date(),
        "time": start.strftime("%H:%M"),
        "end_date": end.date() if end else None,
        "end_time": end.strftime("%H:%M") if end else "",
        "place": version.place,
        "location": version.location,
        "channel": version.channel,
        "account_used": version.account_used,
        "description": version.description,
        "behaviours": version.behaviours,
        "perpetrator": version.perpetrator_id,
        "third_parties": version.third_parties,
        "witnesses": version.witnesses,
        "police_reported": version.police_reported,
        "police_officer": version.police_officer,
        "police_collar_number": version.police_collar_number,
        "police_reference": version.police_reference,
        "fear_of_violence": version.fear_of_violence,
        "impacts": version.impacts,
        "impact_notes": version.impact_notes,
    }


class ImportUploadForm(forms.Form):
    diary = forms.FileField(
        label="Diary file",
        help_text="A CSV or Excel (.xlsx) file, with a header row. Up to 2,000 rows.",
    )


class JoinForm(forms.Form):
    """The victim creates their own portal account from an invitation link."""

    full_name = forms.CharField(label="Your name", max_length=200)
    email = forms.EmailField(
        label="Email address",
        help_text="Use an address that only you can read.",
        max_length=254,
    )
    password1 = forms.CharField(
        label="Create a password", strip=False, widget=forms.PasswordInput,
        help_text="At least 12 characters. Do not use a password someone else knows.",
    )  # fmt: skip
    password2 = forms.CharField(
        label="Type the password again", strip=False, widget=forms.PasswordInput
    )

    def clean_email(self) -> str:
        from courseline.web.accounts.models import User

        email = str(self.cleaned_data["email"]).strip().lower()
        if User.objects.filter(email=email).exists():
            raise forms.ValidationError(
                "This address cannot be used. Ask your support worker for help"
            )
        return email

    def clean(self) -> dict[str, Any]:
        from django.contrib.auth.password_validation import validate_password

        from courseline.web.accounts.models import User

        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords are different")
        elif first:
            candidate = User(email=data.get("email", ""), full_name=data.get("full_name", ""))
            try:
                validate_password(first, candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data
