"""Typed findings shared by every digital-safety check (devices, network captures).

A check never returns a bare dict: it returns ``Finding`` objects that say what was seen, how
serious and how sure it is, what it means, what it does *not* mean, and the safe next step.
``Finding.to_json()`` is the one place a finding becomes JSON (the CLI and the web use it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeAlias

JsonValue: TypeAlias = str | int | float | bool | None | list["JsonValue"] | dict[str, "JsonValue"]


class _Ranked(StrEnum):
    """A string enum ordered by rank, not alphabetically: members are declared most important
    first, so the last declared member has rank 0."""

    @property
    def rank(self) -> int:
        members = list(type(self))
        return len(members) - 1 - members.index(self)

    def _other_rank(self, other: object) -> int | None:
        if isinstance(other, _Ranked) and type(other) is type(self):
            return other.rank
        return None

    def __lt__(self, other: str) -> bool:
        rank = self._other_rank(other)
        return NotImplemented if rank is None else self.rank < rank

    def __le__(self, other: str) -> bool:
        rank = self._other_rank(other)
        return NotImplemented if rank is None else self.rank <= rank

    def __gt__(self, other: str) -> bool:
        rank = self._other_rank(other)
        return NotImplemented if rank is None else self.rank > rank

    def __ge__(self, other: str) -> bool:
        rank = self._other_rank(other)
        return NotImplemented if rank is None else self.rank >= rank


class Severity(_Ranked):
    """How much a finding matters for the person's safety; ``CRITICAL > HIGH > … > INFO``."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


class Confidence(_Ranked):
    """How sure we are that what the finding describes is really there; ``HIGH > LOW``."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True, slots=True)
class IndicatorRef:
    """Which indicator matched: the set (source) it comes from, the entry's name, its version."""

    set: str
    name: str
    version: str

    def to_json(self) -> dict[str, JsonValue]:
        return {"set": self.set, "name": self.name, "version": self.version}


@dataclass(frozen=True, slots=True)
class Finding:
    """One explained observation produced by a check.

    ``next_step`` must put safety planning first: removing an app or changing a setting can
    alert the person doing the monitoring.
    """

    check: str
    severity: Severity
    confidence: Confidence
    title: str
    meaning: str
    not_meaning: str
    next_step: str
    evidence: Mapping[str, JsonValue] = field(default_factory=dict)
    indicator: IndicatorRef | None = None

    def to_json(self) -> dict[str, JsonValue]:
        """The finding in the shape of the device-check JSON (``findings[]`` items)."""
        return {
            "check": self.check,
            "severity": self.severity.value,
            "confidence": self.confidence.value,
            "title": self.title,
            "meaning": self.meaning,
            "not_meaning": self.not_meaning,
            "next_step": self.next_step,
            "evidence": dict(self.evidence),
            "indicator": self.indicator.to_json() if self.indicator else None,
        }


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Most severe first, then most confident, then by check and title (stable, deterministic)."""
    return sorted(
        findings,
        key=lambda f: (-f.severity.rank, -f.confidence.rank, f.check, f.title),
    )
