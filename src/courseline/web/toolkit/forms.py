from __future__ import annotations

from typing import Any

from django import forms

from courseline.digital.devices.consent import STATEMENT as CONSENT_STATEMENT
from courseline.digital.photos.clean import Profile
from courseline.web.toolkit.models import DeviceCheckSource


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        items = list(data) if isinstance(data, list | tuple) else [data]
        items = [item for item in items if item]
        if not items:
            raise forms.ValidationError("Choose at least one photo, video or zip file")
        return [single(item, initial) for item in items]


PROFILE_CHOICES = [
    (Profile.LOCATION.value, "Location only: keep the date, time and camera details"),
    (Profile.ALL.value, "Everything that identifies: location, dates, camera, owner name"),
]


class PhotoCheckForm(forms.Form):
    photos = MultipleFileField(
        label="Photos or videos",
        help_text="Choose photos and videos, or a zip file of a camera-roll export.",
    )
    profile = forms.ChoiceField(
        label="If you make cleaned copies, remove",
        choices=PROFILE_CHOICES,
        initial=Profile.LOCATION.value,
        widget=forms.RadioSelect,
    )


class PublicPhotoForm(forms.Form):
    photo = forms.FileField(label="Photo or video", help_text="One file at a time, up to 30 MB.")
    profile = forms.ChoiceField(
        label="If you download a cleaned copy, remove",
        choices=PROFILE_CHOICES,
        initial=Profile.LOCATION.value,
        widget=forms.RadioSelect,
    )


class DeviceCheckForm(forms.Form):
    source = forms.ChoiceField(
        label="What are you checking?", choices=DeviceCheckSource.choices,
        widget=forms.RadioSelect, initial=DeviceCheckSource.PACKAGES.value,
    )  # fmt: skip
    file = forms.FileField(
        label="File",
        help_text="Made on your own computer from the phone in front of you; see the command "
        "line guide for how to make each kind.",
    )
    owner = forms.CharField(
        label="Name of the device owner, who is here and agrees", max_length=200
    )
    consent = forms.BooleanField(label=CONSENT_STATEMENT)


class FindingToPlanForm(forms.Form):
    finding = forms.IntegerField(min_value=0)
