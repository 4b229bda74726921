from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm

from courseline.web.accounts.models import Role, Team, User


class LoginForm(forms.Form):
    email = forms.EmailField(label="Email address", max_length=254)
    password = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update(
            {"autocomplete": "username", "spellcheck": "false"}
        )
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class TokenForm(forms.Form):
    code = forms.RegexField(
        label="Security code",
        regex=r"^\s*\d{6}\s*$",
        help_text="The 6-digit code from your authenticator app.",
        error_messages={"invalid": "Enter the 6-digit code from your authenticator app"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        )

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).strip()


class UserForm(forms.ModelForm):
    """An admin creates or changes an account in their own organisation."""

    class Meta:
        model = User
        fields = ["full_name", "email", "role", "team", "is_active"]
        labels = {"full_name": "Full name", "is_active": "Account is active"}

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(  # type: ignore[attr-defined]
            organisation_id=organisation_id
        )
        self.fields["team"].required = False

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).strip().lower()
        clash = User.objects.filter(email=email)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("An account with this email address already exists")
        return email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role, team = data.get("role"), data.get("team")
        if role in (Role.SUPERVISOR, Role.CASEWORKER) and team is None:
            self.add_error("team", "Choose a team: supervisors and caseworkers work in a team")
        return data


class CourselinePasswordResetForm(PasswordResetForm):
    """Django's reset form with our e-mail wording; it never says whether an address exists."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"


class TeamForm(forms.Form):
    name = forms.CharField(label="Team name", max_length=200)

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_id = organisation_id

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        if Team.objects.filter(organisation_id=self.organisation_id, name__iexact=name).exists():
            raise forms.ValidationError("Your organisation already has a team with this name")
        return name
