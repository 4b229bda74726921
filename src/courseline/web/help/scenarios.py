"""Training scenarios: fictional vignettes with model answers, shipped as validated YAML."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field

from courseline.datafiles import parse_yaml_model
from courseline.law.jurisdictions import JURISDICTION_KEYS
from courseline.law.model import Behaviour, Fear


class ScenarioError(ValueError):
    """A scenario file is not valid; the message names the file and the field."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ScenarioIncident(_Frozen):
    key: str = Field(pattern=r"^[a-z0-9_]+$")
    when: str
    text: str = Field(min_length=10)
    behaviours: tuple[Behaviour, ...] = Field(min_length=1)
    fear_of_violence: Fear
    reasoning: str = Field(min_length=10)


class Scenario(_Frozen):
    slug: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    title: str
    summary: str
    jurisdiction: str
    last_reviewed: dt.date
    vignette: str
    incidents: tuple[ScenarioIncident, ...] = Field(min_length=2)
    model_judgement: str = Field(pattern=r"^(standard|medium|high)$")
    judgement_reasoning: str
    key_points: tuple[str, ...] = Field(min_length=1)


def parse_scenario(text: str, *, source_name: str) -> Scenario:
    scenario = parse_yaml_model(Scenario, text, source_name=source_name, error=ScenarioError)
    if scenario.jurisdiction not in JURISDICTION_KEYS:
        raise ScenarioError(f"{source_name}: jurisdiction {scenario.jurisdiction!r} is unknown")
    if f"{scenario.slug}.yaml" != source_name.rsplit("/", 1)[-1]:
        raise ScenarioError(f"{source_name}: slug {scenario.slug!r} does not match the file name")
    return scenario


@functools.cache
def all_scenarios() -> tuple[Scenario, ...]:
    folder = resources.files("courseline.web.help").joinpath("scenarios")
    found = [
        parse_scenario(entry.read_text(encoding="utf-8"), source_name=entry.name)
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".yaml")
    ]
    return tuple(found)


def get_scenario(slug: str) -> Scenario | None:
    return next((s for s in all_scenarios() if s.slug == slug), None)


@dataclass(frozen=True)
class IncidentMarking:
    incident: ScenarioIncident
    chosen: frozenset[Behaviour]
    matched: tuple[Behaviour, ...]
    missed: tuple[Behaviour, ...]
    extra: tuple[Behaviour, ...]
    fear_chosen: str
    fear_matches: bool


@dataclass(frozen=True)
class Marking:
    incidents: tuple[IncidentMarking, ...]
    judgement: str
    judgement_matches: bool
    correct: int
    total: int


def mark(
    scenario: Scenario,
    chosen: dict[str, frozenset[Behaviour]],
    fear: dict[str, str],
    judgement: str,
) -> Marking:
    """Compare a trainee's answers with the model answer, behaviour by behaviour."""
    rows = []
    correct = total = 0
    for incident in scenario.incidents:
        picked = chosen.get(incident.key, frozenset())
        model = frozenset(incident.behaviours)
        order = list(Behaviour)
        rows.append(
            IncidentMarking(
                incident=incident,
                chosen=picked,
                matched=tuple(b for b in order if b in picked & model),
                missed=tuple(b for b in order if b in model - picked),
                extra=tuple(b for b in order if b in picked - model),
                fear_chosen=fear.get(incident.key, ""),
                fear_matches=fear.get(incident.key, "") == incident.fear_of_violence.value,
            )
        )
        correct += len(picked & model)
        total += len(model | picked)
    return Marking(tuple(rows), judgement, judgement == scenario.model_judgement, correct, total)
