"""Render Django form fields with GOV.UK Frontend classes and accessible error wiring."""

from __future__ import annotations

from django import forms, template
from django.utils.safestring import SafeString

register = template.Library()

_WIDGET_CLASS = {
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "checkbox": "govuk-checkboxes__input",
    "file": "govuk-file-upload",
    "clearablefile": "govuk-file-upload",
    "multiplefile": "govuk-file-upload",
}


@register.simple_tag
def govuk_widget(field: forms.BoundField, extra_class: str = "") -> SafeString:
    """The field's widget with GOV.UK classes, error state and aria-describedby set."""
    kind = field.widget_type
    base = _WIDGET_CLASS.get(kind, "govuk-input")
    classes = [base]
    if field.errors:
        classes.append(f"{base}--error")
    if extra_class:
        classes.append(extra_class)
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    attrs: dict[str, str | bool] = {"class": " ".join(classes)}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.filter
def widget_type(field: forms.BoundField) -> str:
    return field.widget_type
