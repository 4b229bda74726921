"""Stalking law as data: one YAML file per jurisdiction, validated when it is loaded.

Each file in ``courseline/law/data/`` describes one jurisdiction in our own plain words: the
example behaviours its statute lists (mapped onto :class:`~courseline.law.model.Behaviour`
keys), information items such as protective orders, and its offences with their elements,
course-of-conduct rule, penalties, time limit, defences, sources and confidence.

The registry is the explicit tuple :data:`JURISDICTION_KEYS`; adding a jurisdiction is one
file plus one line there (see ``docs/adding-a-jurisdiction.md``).

Everything here is decision support, not legal advice.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from courseline.datafiles import parse_yaml_model, read_packaged, require_key
from courseline.law.model import Behaviour

JURISDICTION_KEYS: tuple[str, ...] = ("england-wales", "scotland", "northern-ireland", "ireland")
"""Every jurisdiction we ship, in display order. One line per data file; no discovery."""

DATA_PACKAGE = "courseline.law"
DATA_DIRECTORY = "data"

# --- the evidenced_by vocabulary -------------------------------------------------------------

EVIDENCE_TERMS: dict[str, str] = {
    "occasions": (
        "The number of logged incidents reaches the offence's minimum number of occasions."
    ),
    "persistence": (
        "Two or more logged incidents suggest persistence; one incident needs professional "
        "judgement (a single continuing act may be persistent)."
    ),
    "stalking_behaviours": (
        "At least one incident has a confirmed behaviour on the offence's list of example "
        "behaviours. Other behaviours need judgement, because the lists are not complete."
    ),
    "fear_of_violence": "At least one incident where the person feared violence.",
    "fear_of_violence_twice": "At least two incidents where the person feared violence.",
    "fear_or_alarm_distress": (
        "At least one incident recorded with fear of violence or an effect on daily life."
    ),
    "impact": "At least one incident with a recorded effect on day-to-day life.",
    "knowledge": (
        "What the person responsible knew, meant or ought to have known: always needs "
        "professional judgement."
    ),
    "judgement": "A reasonable-person or lawful-excuse test: always needs professional judgement.",
}
"""Plain terms an element's ``evidenced_by`` may use, and what each one checks.

``behaviours:<key>`` (for any :class:`Behaviour` key) is also accepted: at least one incident
has that confirmed behaviour. An element lists alternatives: any one of them is enough.
"""

BEHAVIOUR_TERM_PREFIX = "behaviours:"


def is_evidence_term(term: str) -> bool:
    """Whether ``term`` is in the fixed ``evidenced_by`` vocabulary."""
    if term.startswith(BEHAVIOUR_TERM_PREFIX):
        return term.removeprefix(BEHAVIOUR_TERM_PREFIX) in {b.value for b in Behaviour}
    return term in EVIDENCE_TERMS


def evidence_terms() -> tuple[str, ...]:
    """Every accepted ``evidenced_by`` term, including one ``behaviours:<key>`` per key."""
    return (*EVIDENCE_TERMS, *(f"{BEHAVIOUR_TERM_PREFIX}{b.value}" for b in Behaviour))


# --- models ----------------------------------------------------------------------------------


class Confidence(StrEnum):
    """How well a fact is checked. The reference's [V] is verified; [P] and [U] are not."""

    VERIFIED = "verified"
    UNVERIFIED = "unverified"


class ModeOfTrial(StrEnum):
    SUMMARY_ONLY = "summary_only"
    EITHER_WAY = "either_way"
    INDICTMENT_ONLY = "indictment_only"


MODE_OF_TRIAL_LABELS: dict[ModeOfTrial, str] = {
    ModeOfTrial.SUMMARY_ONLY: "Summary only (lower courts only)",
    ModeOfTrial.EITHER_WAY: "Either way (lower courts or on indictment)",
    ModeOfTrial.INDICTMENT_ONLY: "On indictment only",
}


class TimeLimitKind(StrEnum):
    NONE = "none"
    """No time limit for bringing a prosecution (as far as we know: see confidence)."""
    MONTHS_AFTER_LAST_INCIDENT = "months_after_last_incident"
    """A prosecution must start within ``months`` calendar months of the last incident."""
    UNCONFIRMED = "unconfirmed"
    """We do not know; the explanation says what to check."""


Key = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
Text = Annotated[str, Field(min_length=1)]
SourceKeys = Annotated[tuple[Key, ...], Field(min_length=1)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Source(_Frozen):
    """A public source, cited by its key from offences, elements and other items."""

    key: Key
    title: Text
    url: Annotated[str, Field(pattern=r"^https?://\S+$")]


class BehaviourItem(_Frozen):
    """One behaviour the statute lists as an example, in our words, mapped onto our keys."""

    key: Key
    description: Text
    maps_to: Annotated[tuple[Behaviour, ...], Field(min_length=1)]
    catch_all: bool = False
    """The statute's "any other conduct" item: matching it needs professional judgement."""
    sources: SourceKeys
    confidence: Confidence


class InformationItem(_Frozen):
    """Something a professional should know that is not an offence (an order, a date...)."""

    key: Key
    title: Text
    summary: Text
    sources: SourceKeys
    confidence: Confidence


class Element(_Frozen):
    """One thing that must be shown for an offence, as a plain-language test.

    ``evidenced_by`` lists alternative terms from the fixed vocabulary: any one is enough.
    """

    key: Key
    test: Text
    evidenced_by: Annotated[tuple[str, ...], Field(min_length=1)]
    sources: SourceKeys

    @field_validator("evidenced_by")
    @classmethod
    def _known_terms(cls, terms: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [term for term in terms if not is_evidence_term(term)]
        if unknown:
            raise ValueError(
                f"unknown evidenced_by term(s) {', '.join(map(repr, unknown))}; "
                f"use one of: {', '.join(evidence_terms())}"
            )
        return terms


class CourseOfConductRule(_Frozen):
    min_occasions: Annotated[int, Field(ge=1)]
    single_act_can_suffice: bool
    explanation: Text
    sources: SourceKeys
    confidence: Confidence

    @model_validator(mode="after")
    def _consistent(self) -> CourseOfConductRule:
        if self.single_act_can_suffice != (self.min_occasions == 1):
            raise ValueError("single_act_can_suffice must be true exactly when min_occasions is 1")
        return self


class Penalties(_Frozen):
    """Maximum penalties, in plain words."""

    summary: Text
    indictment: Text
    sources: SourceKeys
    confidence: Confidence


class TimeLimit(_Frozen):
    kind: TimeLimitKind
    months: Annotated[int, Field(ge=1, le=120)] | None = None
    explanation: Text
    sources: tuple[Key, ...] = ()
    confidence: Confidence

    @model_validator(mode="after")
    def _consistent(self) -> TimeLimit:
        needs_months = self.kind is TimeLimitKind.MONTHS_AFTER_LAST_INCIDENT
        if needs_months != (self.months is not None):
            raise ValueError("months is required for months_after_last_incident, and only there")
        if self.confidence is Confidence.VERIFIED and not self.sources:
            raise ValueError("a verified time limit needs at least one source")
        return self


class Offence(_Frozen):
    key: Key
    title: Text
    section: Text
    summary: Text
    elements: Annotated[tuple[Element, ...], Field(min_length=1)]
    listed_behaviours: tuple[Key, ...] = ()
    """Keys of the jurisdiction's ``behaviours`` items that illustrate this offence."""
    course_of_conduct: CourseOfConductRule
    mode_of_trial: ModeOfTrial
    penalties: Penalties
    time_limit: TimeLimit
    defences: tuple[Text, ...] = ()
    sources: SourceKeys
    confidence: Confidence
    """Whether the definition, elements, course-of-conduct rule and penalties are all verified.

    The time limit carries its own confidence.
    """
    unverified_points: tuple[Text, ...] = ()
    last_reviewed: dt.date

    @model_validator(mode="after")
    def _consistent(self) -> Offence:
        _require_unique("elements", (element.key for element in self.elements))
        parts = (self.course_of_conduct.confidence, self.penalties.confidence)
        if self.confidence is Confidence.VERIFIED and Confidence.UNVERIFIED in parts:
            raise ValueError(
                "an offence cannot be verified while its course-of-conduct rule or penalties "
                "are unverified"
            )
        has_unverified = self.confidence is Confidence.UNVERIFIED or (
            self.time_limit.confidence is Confidence.UNVERIFIED
        )
        if has_unverified and not self.unverified_points:
            raise ValueError("list what is unverified in unverified_points")
        return self

    def uses(self, term: str) -> bool:
        return any(term in element.evidenced_by for element in self.elements)


class Jurisdiction(_Frozen):
    key: Key
    name: Text
    timezone: Text
    """IANA zone used to turn incident times into local dates (for months and time limits)."""
    last_reviewed: dt.date
    summary: Text
    behaviour_list_note: Text
    sources: Annotated[tuple[Source, ...], Field(min_length=1)]
    behaviours: tuple[BehaviourItem, ...]
    information: tuple[InformationItem, ...] = ()
    offences: Annotated[tuple[Offence, ...], Field(min_length=1)]

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @model_validator(mode="after")
    def _references_resolve(self) -> Jurisdiction:
        _require_unique("sources", (source.key for source in self.sources))
        _require_unique("behaviours", (item.key for item in self.behaviours))
        _require_unique("information", (item.key for item in self.information))
        _require_unique("offences", (offence.key for offence in self.offences))
        known_sources = {source.key for source in self.sources}
        known_behaviours = {item.key for item in self.behaviours}
        for where, keys in self._source_references():
            missing = [key for key in keys if key not in known_sources]
            if missing:
                raise ValueError(f"{where}: unknown source key(s) {', '.join(missing)}")
        for offence in self.offences:
            missing = [key for key in offence.listed_behaviours if key not in known_behaviours]
            if missing:
                raise ValueError(
                    f"offence {offence.key}: unknown listed_behaviours {', '.join(missing)}"
                )
            if offence.uses("stalking_behaviours") and not offence.listed_behaviours:
                raise ValueError(
                    f"offence {offence.key}: 'stalking_behaviours' needs listed_behaviours"
                )
        return self

    def _source_references(self) -> Iterable[tuple[str, Sequence[str]]]:
        for item in self.behaviours:
            yield f"behaviour {item.key}", item.sources
        for info in self.information:
            yield f"information {info.key}", info.sources
        for offence in self.offences:
            yield f"offence {offence.key}", offence.sources
            yield f"offence {offence.key} course_of_conduct", offence.course_of_conduct.sources
            yield f"offence {offence.key} penalties", offence.penalties.sources
            yield f"offence {offence.key} time_limit", offence.time_limit.sources
            for element in offence.elements:
                yield f"offence {offence.key} element {element.key}", element.sources

    # --- helpers for the analysis and the presentation layers ---

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def resolve_sources(self, keys: Iterable[str]) -> tuple[Source, ...]:
        """The :class:`Source` objects for ``keys``, in order, without repeats."""
        by_key = {source.key: source for source in self.sources}
        return tuple(by_key[key] for key in dict.fromkeys(keys))

    def offence(self, key: str) -> Offence:
        for offence in self.offences:
            if offence.key == key:
                return offence
        raise LookupError(f"{self.key} has no offence {key!r}")

    def listed_behaviours_for(self, offence: Offence) -> tuple[BehaviourItem, ...]:
        wanted = set(offence.listed_behaviours)
        return tuple(item for item in self.behaviours if item.key in wanted)


def _require_unique(what: str, keys: Iterable[str]) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise ValueError(f"duplicate key {key!r} in {what}")
        seen.add(key)


# --- loading ---------------------------------------------------------------------------------


class JurisdictionDataError(ValueError):
    """A jurisdiction data file is missing, unreadable or invalid. The message names the file
    and the field."""


class UnknownJurisdictionError(LookupError):
    """No jurisdiction has this key."""


def parse_jurisdiction(text: str, *, source_name: str) -> Jurisdiction:
    """Validate YAML ``text`` as a jurisdiction; errors name ``source_name`` and the field."""
    return parse_yaml_model(
        Jurisdiction, text, source_name=source_name, error=JurisdictionDataError
    )


def load_jurisdiction_file(path: Path) -> Jurisdiction:
    """Load and validate one data file from disk (not cached; used by tests and tooling)."""
    jurisdiction = parse_jurisdiction(path.read_text(encoding="utf-8"), source_name=path.name)
    require_key(jurisdiction.key, path.stem, path.name, error=JurisdictionDataError)
    return jurisdiction


@functools.cache
def load_jurisdiction(key: str) -> Jurisdiction:
    """The jurisdiction ``key`` (one of :data:`JURISDICTION_KEYS`), validated and cached."""
    if key not in JURISDICTION_KEYS:
        raise UnknownJurisdictionError(
            f"unknown jurisdiction {key!r}; expected one of {', '.join(JURISDICTION_KEYS)}"
        )
    name = f"{key}.yaml"
    text = read_packaged(DATA_PACKAGE, DATA_DIRECTORY, name, error=JurisdictionDataError)
    jurisdiction = parse_jurisdiction(text, source_name=name)
    require_key(jurisdiction.key, key, name, error=JurisdictionDataError)
    return jurisdiction


def all_jurisdictions() -> list[Jurisdiction]:
    """Every shipped jurisdiction, in :data:`JURISDICTION_KEYS` order."""
    return [load_jurisdiction(key) for key in JURISDICTION_KEYS]
