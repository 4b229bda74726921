"""Append-only versions: notes, people, incidents and safety plans change by adding a version."""

from __future__ import annotations

from django.db.models import Max, QuerySet


def next_version(versions: QuerySet) -> int:
    """The number the next version gets (call with the parent row locked)."""
    highest = versions.aggregate(highest=Max("version"))["highest"]
    return int(highest or 0) + 1
