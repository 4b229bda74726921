"""A starting draft for a victim personal statement, from the dated effects in the log.

A victim personal statement is the victim's own account of how the offending has affected
them. It is evidence: it is disclosed to the defence and the victim can be questioned on it.
This module only gathers what the incident log already records about effects on daily life
(by kind, with dates) and lays it out as prompts in the first person for the victim to rewrite
in their own words. It never adds facts, opinions on sentence or accusations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from courseline.law.model import IMPACT_LABELS, Impact
from courseline.reports.chronology import ImpactRecord

WARNING = (
    "This is a draft to help you prepare. A victim personal statement is evidence: it is "
    "shared with the defence and you may be asked questions about it in court. Say only what "
    "is true, in your own words; leave out what should happen to the person and anything you "
    "cannot stand behind. The police take the final statement, and once signed it cannot be "
    "changed, though you can make another later."
)

_PROMPTS: dict[Impact, str] = {
    Impact.CHANGED_ROUTINE: "How I have changed my routine or the way I travel",
    Impact.WORK: "The effect on my work or studies",
    Impact.HOME: "The effect on my home and where I stay",
    Impact.SECURITY: "What I have done to feel safer",
    Impact.SOCIAL: "The effect on my social life and the people close to me",
    Impact.HEALTH: "The effect on my health and sleep",
    Impact.CHILDREN: "The effect on my children and family arrangements",
}


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def draft_statement(entries: Sequence[ImpactRecord]) -> str:
    """Plain text: a heading per kind of effect, each with the dated notes behind it."""
    lines = [
        "Draft victim personal statement (not final)",
        "",
        WARNING,
        "",
        "Write about how what has happened has affected you and the people close to you. The "
        "notes under each heading come from your diary; replace them with your own sentences.",
    ]
    ordered = sorted(entries, key=lambda entry: entry.recorded_on)
    for impact in Impact:
        dated = [entry for entry in ordered if impact in entry.impacts]
        if not dated:
            continue
        lines += ["", _PROMPTS[impact], "-" * len(_PROMPTS[impact])]
        for entry in dated:
            note = f": {entry.note.strip()}" if entry.note.strip() else ""
            lines.append(f"- {_day(entry.recorded_on)} ({IMPACT_LABELS[impact].lower()}){note}")
    untyped = [entry for entry in ordered if not entry.impacts and entry.note.strip()]
    if untyped:
        lines += ["", "Other effects", "-------------"]
        lines += [f"- {_day(entry.recorded_on)}: {entry.note.strip()}" for entry in untyped]
    if not any(entry.impacts or entry.note.strip() for entry in ordered):
        lines += ["", "The diary records no effects on daily life yet. You can start here."]
    lines += ["", "How I feel now, and what support I need (for example as a witness):", ""]
    return "\n".join(lines)
