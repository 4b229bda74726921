from __future__ import annotations

from collections.abc import Iterable, Mapping

from django import template

register = template.Library()


@register.filter
def incident_numbers(ids: Iterable[str], numbers: Mapping[str, int]) -> str:
    """Incident ids as their positions in the timeline (#1, #4...), oldest first."""
    found = sorted(numbers[i] for i in ids if i in numbers)
    return ", ".join(f"#{n}" for n in found)


@register.filter
def get_item(mapping: Mapping[str, object], key: str) -> object:
    """mapping[key], or None: for dictionaries keyed by strings in templates."""
    return mapping.get(key)


@register.filter
def split_words(text: str) -> list[str]:
    return text.split()
