from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from courseline.web.accounts.models import User
from courseline.web.cases.models import PersonRole, SafeToContact


class GovukDateField(forms.DateField):
    """A date typed as DD/MM/YYYY or YYYY-MM-DD, with GOV.UK-style messages."""

    input_formats = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d %m %Y"]  # noqa: RUF012

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "error_messages",
            {"invalid": "Enter a real date, for example 27/3/2027"},
        )
        super().__init__(**kwargs)


class CaseForm(forms.Form):
    summary = forms.CharField(
        label="Summary",
        help_text="What brought the case to the service. Keep it brief; add detail as notes.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )
    jurisdiction = forms.ChoiceField(
        label="Where did the conduct happen?",
        help_text="Whose law applies. Used for the course-of-conduct analysis.",
        choices=[],
        initial="england-wales",
    )
    assigned_to = forms.ModelChoiceField(
        label="Caseworker",
        queryset=User.objects.none(),
        required=False,
        empty_label="Not assigned yet",
    )
    next_review = GovukDateField(
        label="Next review date",
        help_text="For example, 27/3/2027. Leave empty to review in 4 weeks.",
        required=False,
    )

    def __init__(self, *args: Any, assignable: Any, allow_assign: bool, **kwargs: Any) -> None:
        from courseline.web.cases.models import jurisdiction_choices

        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].choices = jurisdiction_choices()  # type: ignore[attr-defined]
        if allow_assign:
            self.fields["assigned_to"].queryset = assignable  # type: ignore[attr-defined]
        else:
            del self.fields["assigned_to"]

    def clean_next_review(self) -> dt.date | None:
        value: dt.date | None = self.cleaned_data.get("next_review")
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError("The next review date must be today or in the future")
        return value


class NoteForm(forms.Form):
    body = forms.CharField(
        label="Note", widget=forms.Textarea(attrs={"rows": 6}), max_length=20000, strip=True
    )


class NoteCorrectionForm(NoteForm):
    reason = forms.CharField(
        label="Why is this being corrected?",
        help_text="The earlier version is kept and stays visible in the note's history.",
        max_length=500,
    )


class PersonForm(forms.Form):
    role = forms.ChoiceField(label="Role on the case", choices=PersonRole.choices)
    name = forms.CharField(label="Name", max_length=200)
    aliases = forms.CharField(
        label="Other names or aliases",
        help_text="One per line.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    safe_to_contact = forms.ChoiceField(
        label="Is it safe to contact this person?",
        choices=SafeToContact.choices,
        initial=SafeToContact.UNKNOWN,
        widget=forms.RadioSelect,
    )
    safe_contact_method = forms.CharField(
        label="Safe way to make contact",
        help_text="For example: text only, never leave voicemail; call the work number 9am to 5pm.",
        required=False,
        max_length=500,
    )
    details = forms.CharField(
        label="Other details",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["role"]


class AssignForm(forms.Form):
    assigned_to = forms.ModelChoiceField(label="Assign to", queryset=User.objects.none())
    reason = forms.CharField(label="Reason", max_length=500, required=False)

    def __init__(self, *args: Any, assignable: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = assignable  # type: ignore[attr-defined]


class ReviewForm(forms.Form):
    next_review = GovukDateField(label="Next review date", help_text="For example, 27/3/2027.")

    def clean_next_review(self) -> dt.date:
        value: dt.date = self.cleaned_data["next_review"]
        if value < timezone.localdate():
            raise forms.ValidationError("The next review date must be today or in the future")
        return value


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter the reason"},
    )


class CaseFilterForm(forms.Form):
    SCOPES = (("mine", "Assigned to me"), ("team", "My team"))
    STATUSES = (("open", "Open"), ("closed", "Closed"), ("all", "All"))
    scope = forms.ChoiceField(choices=SCOPES, required=False)
    status = forms.ChoiceField(choices=STATUSES, required=False)
    overdue = forms.BooleanField(label="Review overdue only", required=False)
    q = forms.CharField(label="Case reference", required=False, max_length=20)


class PortalLinkForm(forms.Form):
    """Link the victim on a case to their own portal account (or unlink, when left empty)."""

    email = forms.EmailField(
        label="Email address of the victim's portal account",
        help_text="Leave empty to remove the link. Only victim accounts of your organisation.",
        required=False,
        max_length=254,
    )

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_id = organisation_id
        self.account: User | None = None

    def clean_email(self) -> str:
        from courseline.web.accounts.models import Role

        email = str(self.cleaned_data.get("email") or "").strip().lower()
        if email:
            self.account = User.objects.filter(
                email=email, organisation_id=self.organisation_id, role=Role.VICTIM, is_active=True
            ).first()
            if self.account is not None and self.account.portal_people.exists():
                self.account = None  # already linked to a case: never move it silently
            if self.account is None:
                # One message for every refusal, so the form cannot be used to find out
                # which addresses belong to victims.
                raise forms.ValidationError(
                    "This address cannot be linked. Send the victim an invitation link instead"
                )
        return email
