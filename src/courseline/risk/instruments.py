"""Risk instruments as data: checklists in YAML, validated on load, scored in plain words.

Each file in ``courseline/risk/instruments/`` describes one checklist in our own wording, with a
citation for every item: its sections and yes/no/unsure items, which items are critical (they
raise concern whatever the total), scoring bands, referral *prompts* (never automatic
referrals), follow-ups (an answer that opens other items or another instrument) and the
safety-plan actions each factor suggests.

The registry is the explicit tuple :data:`INSTRUMENT_KEYS`; adding an instrument is one file
plus one line there (see ``docs/adding-a-risk-instrument.md``). Organisations holding a licence
for an official instrument load their own file with :func:`load_instrument_file`.

:func:`score` turns answers into a :class:`ScoreResult`; :func:`compare` shows what changed
between two assessments; :func:`suggest_answers` points at logged incidents that may bear on an
item (a suggestion for a person to confirm, never an answer); :func:`safety_plan_items` lists
plain-language safety actions, safety-first items always at the top.

Everything here is decision support: the professional decides, and a score is never a certainty.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from courseline.datafiles import parse_yaml_model, read_packaged, require_key
from courseline.law.model import Behaviour, Fear, Impact, IncidentRecord, Place

INSTRUMENT_KEYS: tuple[str, ...] = (
    "domestic-abuse-checklist",
    "stalking-screening",
    "self-check",
)
"""Every instrument we ship, in display order. One line per data file; no discovery."""

DATA_PACKAGE = "courseline.risk"
DATA_DIRECTORY = "instruments"

ESCALATION_WINDOW_DAYS = 30
"""``escalation``: the last 30 days (to ``today``) against the 30 days before."""

# --- enums -----------------------------------------------------------------------------------


class Answer(StrEnum):
    """One answer to one item. Only ``YES`` counts towards a score."""

    YES = "yes"
    NO = "no"
    UNSURE = "unsure"
    NOT_ASKED = "not_asked"


ANSWER_LABELS: dict[Answer, str] = {
    Answer.YES: "Yes",
    Answer.NO: "No",
    Answer.UNSURE: "Not sure",
    Answer.NOT_ASKED: "Not asked",
}


class Audience(StrEnum):
    PROFESSIONAL = "professional"
    PUBLIC = "public"


class ScoringMethod(StrEnum):
    COUNT_YES = "count_yes"
    """Each yes counts one."""
    WEIGHTED = "weighted"
    """Each yes counts the item's ``weight``."""


class ReferralKind(StrEnum):
    MARAC = "marac"
    STALKING_PANEL = "stalking_panel"
    POLICE = "police"
    OTHER = "other"


REFERRAL_KIND_LABELS: dict[ReferralKind, str] = {
    ReferralKind.MARAC: "MARAC (multi-agency risk assessment conference)",
    ReferralKind.STALKING_PANEL: "Stalking advocacy service or multi-agency stalking panel",
    ReferralKind.POLICE: "Police",
    ReferralKind.OTHER: "Other service",
}


class Wording(StrEnum):
    """Whose words the items are in."""

    OUR_OWN = "our_own"
    """Paraphrased by the project, with citations; free to ship."""
    LICENSED = "licensed"
    """Official wording an organisation holds a licence for; needs ``licence_note``."""


# --- the suggest_from vocabulary ---------------------------------------------------------------

SUGGEST_TERMS: dict[str, str] = {
    "fear_of_violence": "At least one logged incident where the person feared violence.",
    "fear_of_violence_twice": "At least two logged incidents where the person feared violence.",
    "third_parties": (
        "At least one logged incident involving other people (third parties marked, or the "
        "confirmed behaviour 'contacting or using other people')."
    ),
    "escalation": (
        "Incidents are becoming more frequent: at least two in the last 30 days and more than "
        "in the 30 days before."
    ),
}
"""Plain terms an item's ``suggest_from`` may use, and what each one looks for.

Parameterised terms are also accepted (see :data:`SUGGEST_PREFIXES`).
"""

SUGGEST_PREFIXES: dict[str, str] = {
    "behaviour:": "behaviour:<key> - at least one logged incident with that confirmed behaviour.",
    "impact:": "impact:<key> - at least one logged incident with that effect on daily life.",
    "place:": "place:<key> - at least one logged incident at that kind of place.",
    "frequency_weekly_over:": (
        "frequency_weekly_over:<N> - more than N logged incidents within any 7 days in a row."
    ),
    "incidents_at_least:": "incidents_at_least:<N> - at least N logged incidents in all.",
}


def _term_values(prefix: str) -> frozenset[str] | None:
    """Allowed parameter values for ``prefix`` (None: a positive whole number)."""
    if prefix == "behaviour:":
        return frozenset(b.value for b in Behaviour)
    if prefix == "impact:":
        return frozenset(i.value for i in Impact)
    if prefix == "place:":
        return frozenset(p.value for p in Place)
    return None


def is_suggest_term(term: str) -> bool:
    """Whether ``term`` is in the fixed ``suggest_from`` vocabulary."""
    if term in SUGGEST_TERMS:
        return True
    for prefix in SUGGEST_PREFIXES:
        if term.startswith(prefix):
            value = term.removeprefix(prefix)
            allowed = _term_values(prefix)
            if allowed is None:
                return value.isdigit() and 1 <= int(value) <= 1000
            return value in allowed
    return False


def suggest_terms() -> tuple[str, ...]:
    """Every accepted fixed term, with one example per enumerated prefix value."""
    terms: list[str] = list(SUGGEST_TERMS)
    for prefix in SUGGEST_PREFIXES:
        allowed = _term_values(prefix)
        if allowed is None:
            terms.append(f"{prefix}<N>")
        else:
            terms.extend(f"{prefix}{value}" for value in sorted(allowed))
    return tuple(terms)


# --- models ----------------------------------------------------------------------------------

Key = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
Text = Annotated[str, Field(min_length=1)]
SourceKeys = Annotated[tuple[Key, ...], Field(min_length=1)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Source(_Frozen):
    """A public source (research, guidance, an official page), cited by key from items."""

    key: Key
    title: Text
    url: Annotated[str, Field(pattern=r"^https?://\S+$")]


class SafetyActionSpec(_Frozen):
    """A plain-language safety-plan action, listed once per instrument and cited by key."""

    key: Key
    text: Text


class FollowUps(_Frozen):
    """What a yes to an item opens: other items of this instrument, or other instruments."""

    items: tuple[Key, ...] = ()
    instruments: tuple[Key, ...] = ()
    note: Text | None = None
    """Why, in plain words (e.g. 'Go on to the stalking screening')."""

    @model_validator(mode="after")
    def _not_empty(self) -> FollowUps:
        if not self.items and not self.instruments:
            raise ValueError("a follow-up needs at least one of items or instruments")
        return self


class Item(_Frozen):
    """One question, in our own words (or licensed wording), with its research citations."""

    key: Key
    text: Text
    help: Text | None = None
    answers: tuple[Answer, ...] = (Answer.YES, Answer.NO, Answer.UNSURE, Answer.NOT_ASKED)
    """The answers offered. Yes and no are always among them."""
    critical: bool = False
    """A yes raises concern whatever the total score."""
    weight: Annotated[int, Field(ge=0, le=100)] = 1
    citations: SourceKeys
    suggest_from: tuple[str, ...] = ()
    follow_ups: FollowUps | None = None
    safety_actions: tuple[Key, ...] = ()

    @field_validator("answers")
    @classmethod
    def _yes_and_no(cls, answers: tuple[Answer, ...]) -> tuple[Answer, ...]:
        if Answer.YES not in answers or Answer.NO not in answers:
            raise ValueError("answers must include yes and no")
        if len(set(answers)) != len(answers):
            raise ValueError("answers are repeated")
        return answers

    @field_validator("suggest_from")
    @classmethod
    def _known_terms(cls, terms: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [term for term in terms if not is_suggest_term(term)]
        if unknown:
            raise ValueError(
                f"unknown suggest_from term(s) {', '.join(map(repr, unknown))}; use one of: "
                f"{', '.join(SUGGEST_TERMS)}, or {', '.join(p + '...' for p in SUGGEST_PREFIXES)}"
            )
        return terms


class Section(_Frozen):
    key: Key
    title: Text
    intro: Text | None = None
    items: Annotated[tuple[Item, ...], Field(min_length=1)]


class Band(_Frozen):
    """A score band: applies from ``min_score`` up to the next band's ``min_score``."""

    key: Key
    min_score: Annotated[int, Field(ge=0)]
    label: Text
    meaning: Text
    raises_concern: bool = False


class Scoring(_Frozen):
    method: ScoringMethod
    bands: Annotated[tuple[Band, ...], Field(min_length=1)]
    critical_note: Text | None = None
    """Shown when a critical item is answered yes (required when any item is critical)."""
    not_meaning: Text
    """What a score does not mean (never claim certainty)."""

    @model_validator(mode="after")
    def _ordered(self) -> Scoring:
        if self.bands[0].min_score != 0:
            raise ValueError(
                f"bands[0] ({self.bands[0].key}).min_score: the first band must start at "
                "min_score 0"
            )
        for before, after in zip(self.bands, self.bands[1:], strict=False):
            if after.min_score <= before.min_score:
                raise ValueError(
                    f"bands ({after.key}).min_score: must be above the band before "
                    f"({before.key!r}, {before.min_score})"
                )
        _require_unique("bands", (band.key for band in self.bands))
        return self


class ReferralCondition(_Frozen):
    """When a referral prompt shows: every condition given must hold (at least one is given)."""

    min_score: Annotated[int, Field(ge=0)] | None = None
    below_score: Annotated[int, Field(ge=1)] | None = None
    any_critical: bool = False
    any_yes: tuple[Key, ...] = ()
    """At least one of these items is answered yes."""

    @model_validator(mode="after")
    def _something(self) -> ReferralCondition:
        given = (
            self.min_score is not None,
            self.below_score is not None,
            self.any_critical,
            bool(self.any_yes),
        )
        if not any(given):
            raise ValueError("give at least one of min_score, below_score, any_critical, any_yes")
        return self


class ReferralRule(_Frozen):
    """A prompt to consider a referral. Never automatic: the professional decides."""

    key: Key
    text: Text
    referral_kinds: Annotated[tuple[ReferralKind, ...], Field(min_length=1)]
    when: ReferralCondition
    citations: SourceKeys


class Instrument(_Frozen):
    key: Key
    title: Text
    version: Text
    purpose: Text
    audience: Audience
    last_reviewed: dt.date
    wording: Wording = Wording.OUR_OWN
    licence_note: Text | None = None
    """Required for licensed wording: who licensed it, to whom, on what terms."""
    official_form_url: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None
    sources: Annotated[tuple[Source, ...], Field(min_length=1)]
    sections: Annotated[tuple[Section, ...], Field(min_length=1)]
    safety_actions: tuple[SafetyActionSpec, ...] = ()
    scoring: Scoring
    referral_prompts: tuple[ReferralRule, ...] = ()

    @model_validator(mode="after")
    def _references_resolve(self) -> Instrument:
        _require_unique("sources", (source.key for source in self.sources))
        _require_unique("sections", (section.key for section in self.sections))
        _require_unique("items", (item.key for item in self.items))
        _require_unique("safety_actions", (action.key for action in self.safety_actions))
        _require_unique("referral_prompts", (rule.key for rule in self.referral_prompts))
        if self.wording is Wording.LICENSED and not self.licence_note:
            raise ValueError("licence_note: required when wording is 'licensed'")
        clash = {a.key for a in self.safety_actions} & {a.key for a in SAFETY_FIRST}
        if clash:
            raise ValueError(
                f"safety_actions: key(s) {', '.join(sorted(clash))} are reserved for the "
                "safety-first actions"
            )
        for where, problem in self._problems():
            raise ValueError(f"{where}: {problem}")
        return self

    def _problems(self) -> Iterable[tuple[str, str]]:
        sources = {source.key for source in self.sources}
        items = {item.key for item in self.items}
        actions = {action.key for action in self.safety_actions}
        for s_index, section in enumerate(self.sections):
            for i_index, item in enumerate(section.items):
                where = f"sections[{s_index}].items[{i_index}] ({item.key})"
                yield from _missing(f"{where}.citations", "source", item.citations, sources)
                yield from _missing(
                    f"{where}.safety_actions", "safety action", item.safety_actions, actions
                )
                if item.follow_ups is not None:
                    opened = item.follow_ups.items
                    yield from _missing(f"{where}.follow_ups.items", "item", opened, items)
                    if item.key in opened:
                        yield f"{where}.follow_ups.items", "an item cannot open itself"
                if self.scoring.method is ScoringMethod.COUNT_YES and item.weight != 1:
                    yield f"{where}.weight", "weight only applies to method 'weighted'"
        for index, rule in enumerate(self.referral_prompts):
            where = f"referral_prompts[{index}] ({rule.key})"
            yield from _missing(f"{where}.citations", "source", rule.citations, sources)
            yield from _missing(f"{where}.when.any_yes", "item", rule.when.any_yes, items)
        if any(item.critical for item in self.items) and not self.scoring.critical_note:
            yield "scoring.critical_note", "required when any item is critical"
        top = self.scoring.bands[-1]
        if top.min_score > self.max_score:
            yield (
                f"scoring.bands ({top.key}).min_score",
                f"{top.min_score} is above the highest possible score {self.max_score}",
            )

    # --- helpers for scoring and the presentation layers ---

    @property
    def items(self) -> tuple[Item, ...]:
        """Every item, in order, across sections."""
        return tuple(item for section in self.sections for item in section.items)

    @property
    def item_keys(self) -> tuple[str, ...]:
        return tuple(item.key for item in self.items)

    @property
    def max_score(self) -> int:
        if self.scoring.method is ScoringMethod.COUNT_YES:
            return len(self.items)
        return sum(item.weight for item in self.items)

    def item(self, key: str) -> Item:
        for item in self.items:
            if item.key == key:
                return item
        raise UnknownItemError(f"{self.key} has no item {key!r}")

    def band_for(self, score: int) -> Band:
        band = self.scoring.bands[0]
        for candidate in self.scoring.bands:
            if score >= candidate.min_score:
                band = candidate
        return band

    def resolve_sources(self, keys: Iterable[str]) -> tuple[Source, ...]:
        """The :class:`Source` objects for ``keys``, in order, without repeats."""
        by_key = {source.key: source for source in self.sources}
        return tuple(by_key[key] for key in dict.fromkeys(keys))

    def safety_action(self, key: str) -> SafetyActionSpec:
        for action in self.safety_actions:
            if action.key == key:
                return action
        raise LookupError(f"{self.key} has no safety action {key!r}")


def _missing(
    where: str, what: str, keys: Iterable[str], known: set[str]
) -> Iterable[tuple[str, str]]:
    missing = [key for key in keys if key not in known]
    if missing:
        yield where, f"unknown {what} key(s) {', '.join(missing)}"


def _require_unique(what: str, keys: Iterable[str]) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise ValueError(f"duplicate key {key!r} in {what}")
        seen.add(key)


# --- errors ----------------------------------------------------------------------------------


class InstrumentDataError(ValueError):
    """An instrument file is missing, unreadable or invalid. The message names the file and the
    field."""


class UnknownInstrumentError(LookupError):
    """No shipped instrument has this key."""


class UnknownItemError(LookupError):
    """An answer names an item the instrument does not have. The message names the key."""

    def __init__(self, message: str, *, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


class InvalidAnswerError(ValueError):
    """An answer is not one of the item's answers. The message names the item and the value."""


# --- loading ---------------------------------------------------------------------------------


def parse_instrument(text: str, *, source_name: str) -> Instrument:
    """Validate YAML ``text`` as an instrument; errors name ``source_name`` and the field."""
    return parse_yaml_model(Instrument, text, source_name=source_name, error=InstrumentDataError)


def load_instrument_file(path: Path) -> Instrument:
    """Load and validate one instrument file from disk (not cached: organisations' own
    instruments, tests and tooling). The ``key`` must match the file name."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InstrumentDataError(f"{path.name}: cannot read the file: {error}") from error
    instrument = parse_instrument(text, source_name=path.name)
    require_key(instrument.key, path.stem, path.name, error=InstrumentDataError)
    return instrument


@functools.cache
def load_instrument(key: str) -> Instrument:
    """The shipped instrument ``key`` (one of :data:`INSTRUMENT_KEYS`), validated and cached."""
    if key not in INSTRUMENT_KEYS:
        raise UnknownInstrumentError(
            f"unknown instrument {key!r}; expected one of {', '.join(INSTRUMENT_KEYS)}"
        )
    name = f"{key}.yaml"
    text = read_packaged(DATA_PACKAGE, DATA_DIRECTORY, name, error=InstrumentDataError)
    instrument = parse_instrument(text, source_name=name)
    require_key(instrument.key, key, name, error=InstrumentDataError)
    return instrument


def all_instruments() -> list[Instrument]:
    """Every shipped instrument, in :data:`INSTRUMENT_KEYS` order."""
    return [load_instrument(key) for key in INSTRUMENT_KEYS]


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReferralPrompt:
    """A prompt to consider a referral; the professional decides and records why."""

    key: str
    text: str
    kinds: tuple[ReferralKind, ...]


@dataclass(frozen=True, slots=True)
class OpenFollowUp:
    """A yes to ``from_item`` opens these items of the same instrument and/or instruments."""

    from_item: str
    items: tuple[str, ...]
    instruments: tuple[str, ...]
    note: str | None


@dataclass(frozen=True, slots=True)
class ScoreResult:
    instrument_key: str
    instrument_version: str
    score: int
    max_score: int
    band: Band
    raises_concern: bool
    """The band raises concern, or a critical item is answered yes."""
    critical_present: tuple[str, ...]
    """Critical items answered yes: concern whatever the score."""
    critical_unsure: tuple[str, ...]
    """Critical items answered 'not sure': worth finding out."""
    factors_present: tuple[str, ...]
    """Every item answered yes, in instrument order."""
    unsure_items: tuple[str, ...]
    not_asked: tuple[str, ...]
    """Items explicitly marked 'not asked'."""
    not_answered: tuple[str, ...]
    """Items with no answer or marked 'not asked': the score may be an undercount."""
    referral_prompts: tuple[ReferralPrompt, ...]
    open_follow_ups: tuple[OpenFollowUp, ...]
    meaning: str
    not_meaning: str

    @property
    def complete(self) -> bool:
        """Every item has a yes or no (nothing unsure or unanswered)."""
        return not self.unsure_items and not self.not_answered


@dataclass(frozen=True, slots=True)
class Comparison:
    instrument_key: str
    previous_score: int
    current_score: int
    score_change: int
    previous_band: Band
    current_band: Band
    band_changed: bool
    band_direction: int
    """+1 the band went up, -1 it went down, 0 the same band."""
    added_factors: tuple[str, ...]
    removed_factors: tuple[str, ...]
    added_critical: tuple[str, ...]
    removed_critical: tuple[str, ...]
    meaning: str
    not_meaning: str


@dataclass(frozen=True, slots=True)
class AnswerSuggestion:
    """Logged incidents that may bear on an item: for a person to confirm, never an answer."""

    item_key: str
    reason: str
    incident_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SafetyAction:
    key: str
    text: str
    from_items: tuple[str, ...]
    """Items (answered yes) that suggest this action; empty for safety-first actions."""


SAFETY_FIRST: tuple[SafetyAction, ...] = (
    SafetyAction(
        key="emergency_999",
        text="If you are in danger now, call 999. Trust your instincts.",
        from_items=(),
    ),
    SafetyAction(
        key="silent_solution_55",
        text=(
            "If you call 999 from a mobile and cannot speak, stay on the line and press 55 when "
            "asked, so the call is put through to the police."
        ),
        from_items=(),
    ),
    SafetyAction(
        key="plan_before_removing_spyware",
        text=(
            "Make a safety plan before removing tracking apps or devices, changing passwords or "
            "confronting the person: they may notice, and things can get worse. Keep evidence "
            "first."
        ),
        from_items=(),
    ),
)
"""Generic actions that start every safety plan (UK numbers; see reference §3)."""

# --- scoring ---------------------------------------------------------------------------------

UNANSWERED_MEANING = (
    "{count} item(s) were not answered or not asked, and {unsure} answered 'not sure': "
    "the score counts only yes answers, so it may be lower than it should be."
)


def _coerce_answers(
    instrument: Instrument, answers: Mapping[str, Answer | str]
) -> dict[str, Answer]:
    known = set(instrument.item_keys)
    result: dict[str, Answer] = {}
    for key, value in answers.items():
        if key not in known:
            raise UnknownItemError(
                f"{instrument.key} has no item {key!r}; its items are: "
                f"{', '.join(instrument.item_keys)}",
                key=key,
            )
        try:
            answer = Answer(value)
        except ValueError:
            raise InvalidAnswerError(
                f"item {key!r}: {value!r} is not an answer; use one of "
                f"{', '.join(a.value for a in instrument.item(key).answers)}"
            ) from None
        if answer not in instrument.item(key).answers:
            raise InvalidAnswerError(
                f"item {key!r}: {answer.value!r} is not offered for this item; use one of "
                f"{', '.join(a.value for a in instrument.item(key).answers)}"
            )
        result[key] = answer
    return result


def score(instrument: Instrument, answers: Mapping[str, Answer | str]) -> ScoreResult:
    """Score ``answers`` (item key -> answer). Missing items count as not answered.

    Raises :class:`UnknownItemError` for a key the instrument does not have and
    :class:`InvalidAnswerError` for a value that is not an offered answer.
    """
    given = _coerce_answers(instrument, answers)
    items = instrument.items

    def keys_where(keep: Callable[[Item], bool]) -> tuple[str, ...]:
        return tuple(item.key for item in items if keep(item))

    yes = keys_where(lambda item: given.get(item.key) is Answer.YES)
    unsure = keys_where(lambda item: given.get(item.key) is Answer.UNSURE)
    not_asked = keys_where(lambda item: given.get(item.key) is Answer.NOT_ASKED)
    not_answered = keys_where(lambda item: given.get(item.key) in (None, Answer.NOT_ASKED))
    critical = keys_where(lambda item: item.critical and item.key in yes)
    critical_unsure = keys_where(lambda item: item.critical and item.key in unsure)
    if instrument.scoring.method is ScoringMethod.COUNT_YES:
        total = len(yes)
    else:
        total = sum(instrument.item(key).weight for key in yes)
    band = instrument.band_for(total)
    prompts = tuple(
        ReferralPrompt(key=rule.key, text=rule.text, kinds=rule.referral_kinds)
        for rule in instrument.referral_prompts
        if _applies(rule.when, total, yes, critical)
    )
    follow_ups = tuple(
        OpenFollowUp(
            from_item=item.key,
            items=item.follow_ups.items,
            instruments=item.follow_ups.instruments,
            note=item.follow_ups.note,
        )
        for item in items
        if item.follow_ups is not None and item.key in yes
    )
    meaning = [f"Score {total} of {instrument.max_score}: {band.label}. {band.meaning}"]
    if critical and instrument.scoring.critical_note:
        meaning.append(instrument.scoring.critical_note)
    if not_answered or unsure:
        meaning.append(UNANSWERED_MEANING.format(count=len(not_answered), unsure=len(unsure)))
    return ScoreResult(
        instrument_key=instrument.key,
        instrument_version=instrument.version,
        score=total,
        max_score=instrument.max_score,
        band=band,
        raises_concern=band.raises_concern or bool(critical),
        critical_present=critical,
        critical_unsure=critical_unsure,
        factors_present=yes,
        unsure_items=unsure,
        not_asked=not_asked,
        not_answered=not_answered,
        referral_prompts=prompts,
        open_follow_ups=follow_ups,
        meaning=" ".join(meaning),
        not_meaning=instrument.scoring.not_meaning,
    )


def _applies(
    when: ReferralCondition, total: int, yes: tuple[str, ...], critical: tuple[str, ...]
) -> bool:
    checks = (
        when.min_score is None or total >= when.min_score,
        when.below_score is None or total < when.below_score,
        not when.any_critical or bool(critical),
        not when.any_yes or any(key in yes for key in when.any_yes),
    )
    return all(checks)


# --- comparison ------------------------------------------------------------------------------

COMPARISON_NOT_MEANING = (
    "A lower score does not mean the risk has gone: factors from the past still matter, and a "
    "factor that is no longer ticked may simply not have been asked this time. A change of "
    "band is a prompt to review the safety plan, not a decision."
)


def compare(
    previous: ScoreResult | Mapping[str, Answer | str],
    current: ScoreResult | Mapping[str, Answer | str],
    *,
    instrument: Instrument | None = None,
) -> Comparison:
    """What changed between two assessments with the same instrument.

    Either side may be a :class:`ScoreResult` or a mapping of answers (then ``instrument`` is
    needed to score it).
    """
    before = _as_result(previous, instrument)
    after = _as_result(current, instrument)
    if before.instrument_key != after.instrument_key:
        raise ValueError(
            f"cannot compare {before.instrument_key!r} with {after.instrument_key!r}: "
            "use the same instrument"
        )
    added = tuple(key for key in after.factors_present if key not in before.factors_present)
    removed = tuple(key for key in before.factors_present if key not in after.factors_present)
    direction = _sign(after.band.min_score - before.band.min_score)
    change = after.score - before.score
    parts = [f"The score went from {before.score} to {after.score} ({change:+d})."]
    if direction:
        way = "up" if direction > 0 else "down"
        parts.append(f"The band went {way}: {before.band.label} to {after.band.label}.")
    else:
        parts.append(f"The band is unchanged: {after.band.label}.")
    if added:
        parts.append(f"{len(added)} new factor(s): {', '.join(added)}.")
    if removed:
        parts.append(f"{len(removed)} factor(s) no longer present: {', '.join(removed)}.")
    return Comparison(
        instrument_key=after.instrument_key,
        previous_score=before.score,
        current_score=after.score,
        score_change=change,
        previous_band=before.band,
        current_band=after.band,
        band_changed=before.band.key != after.band.key,
        band_direction=direction,
        added_factors=added,
        removed_factors=removed,
        added_critical=tuple(k for k in after.critical_present if k not in before.critical_present),
        removed_critical=tuple(
            k for k in before.critical_present if k not in after.critical_present
        ),
        meaning=" ".join(parts),
        not_meaning=COMPARISON_NOT_MEANING,
    )


def _as_result(
    value: ScoreResult | Mapping[str, Answer | str], instrument: Instrument | None
) -> ScoreResult:
    if isinstance(value, ScoreResult):
        return value
    if instrument is None:
        raise TypeError("compare() needs instrument= to score a mapping of answers")
    return score(instrument, value)


def _sign(number: int) -> int:
    return (number > 0) - (number < 0)


# --- suggestions from the incident log -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Match:
    reason: str
    ids: tuple[str, ...]


def _ids(
    incidents: Sequence[IncidentRecord], keep: Callable[[IncidentRecord], bool]
) -> tuple[str, ...]:
    return tuple(incident.id for incident in incidents if keep(incident))


def _at_least(ids: tuple[str, ...], count: int, reason: str) -> _Match | None:
    return _Match(reason, ids) if len(ids) >= count else None


def _match_term(term: str, incidents: Sequence[IncidentRecord], today: dt.date) -> _Match | None:
    prefix, _, value = term.partition(":")
    if prefix == "behaviour":
        behaviour = Behaviour(value)
        ids = _ids(incidents, lambda i: behaviour in i.behaviours)
        return _at_least(ids, 1, f"{_count(len(ids), 'incident')} with '{value}' confirmed")
    if prefix == "impact":
        impact = Impact(value)
        ids = _ids(incidents, lambda i: impact in i.impacts)
        return _at_least(ids, 1, f"{_count(len(ids), 'incident')} with effect '{value}'")
    if prefix == "place":
        place = Place(value)
        ids = _ids(incidents, lambda i: i.place is place)
        return _at_least(ids, 1, f"{_count(len(ids), 'incident')} at {value}")
    if prefix == "frequency_weekly_over":
        return _busiest_week(incidents, int(value))
    if prefix == "incidents_at_least":
        ids = _ids(incidents, lambda i: True)
        return _at_least(ids, int(value), f"{_count(len(ids), 'incident')} logged")
    if term in ("fear_of_violence", "fear_of_violence_twice"):
        ids = _ids(incidents, lambda i: i.fear_of_violence is Fear.YES)
        needed = 2 if term.endswith("twice") else 1
        return _at_least(
            ids, needed, f"fear of violence recorded on {_count(len(ids), 'incident')}"
        )
    if term == "third_parties":
        ids = _ids(
            incidents,
            lambda i: i.third_parties_involved or Behaviour.THIRD_PARTY_CONTACT in i.behaviours,
        )
        return _at_least(ids, 1, f"other people involved in {_count(len(ids), 'incident')}")
    if term == "escalation":
        return _escalation(incidents, today)
    raise ValueError(f"unknown suggest_from term {term!r}")  # pragma: no cover - validated on load


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _busiest_week(incidents: Sequence[IncidentRecord], over: int) -> _Match | None:
    ordered = sorted(incidents, key=lambda i: i.start)
    for index, first in enumerate(ordered):
        end = first.start.date() + dt.timedelta(days=6)
        window = [i for i in ordered[index:] if i.start.date() <= end]
        if len(window) > over:
            start_day = first.start.date().isoformat()
            reason = f"{len(window)} incidents in the 7 days from {start_day} (more than {over})"
            return _Match(reason, tuple(i.id for i in window))
    return None


def _escalation(incidents: Sequence[IncidentRecord], today: dt.date) -> _Match | None:
    recent_from = today - dt.timedelta(days=ESCALATION_WINDOW_DAYS - 1)
    previous_from = recent_from - dt.timedelta(days=ESCALATION_WINDOW_DAYS)
    recent = _ids(incidents, lambda i: recent_from <= i.start.date() <= today)
    previous = _ids(incidents, lambda i: previous_from <= i.start.date() < recent_from)
    if len(recent) >= 2 and len(recent) > len(previous):
        reason = (
            f"{len(recent)} incidents in the last {ESCALATION_WINDOW_DAYS} days against "
            f"{len(previous)} in the {ESCALATION_WINDOW_DAYS} days before"
        )
        return _Match(reason, recent)
    return None


def suggest_answers(
    instrument: Instrument, incidents: Sequence[IncidentRecord], *, today: dt.date
) -> dict[str, AnswerSuggestion]:
    """Items the incident log may bear on, with the reason and the incidents behind it.

    Only incidents starting on or before ``today`` are used, and only confirmed behaviours.
    These are suggestions for a person to check with the victim; they never answer an item
    and never change a score.
    """
    logged = [incident for incident in incidents if incident.start.date() <= today]
    suggestions: dict[str, AnswerSuggestion] = {}
    for item in instrument.items:
        matches = [m for term in item.suggest_from if (m := _match_term(term, logged, today))]
        if not matches:
            continue
        ids = tuple(dict.fromkeys(i for match in matches for i in match.ids))
        reason = "The incident log may bear on this: " + "; ".join(m.reason for m in matches) + "."
        suggestions[item.key] = AnswerSuggestion(item_key=item.key, reason=reason, incident_ids=ids)
    return suggestions


# --- safety plan -----------------------------------------------------------------------------


def safety_plan_items(instrument: Instrument, result: ScoreResult) -> list[SafetyAction]:
    """Safety-plan actions: the safety-first actions, then those the yes answers suggest.

    Each action appears once, with every item that suggested it, in instrument order.
    """
    if result.instrument_key != instrument.key:
        raise ValueError(f"this result is for {result.instrument_key!r}, not {instrument.key!r}")
    from_items: dict[str, list[str]] = {}
    for item in instrument.items:
        if item.key not in result.factors_present:
            continue
        for action_key in item.safety_actions:
            from_items.setdefault(action_key, []).append(item.key)
    suggested = [
        SafetyAction(key=key, text=instrument.safety_action(key).text, from_items=tuple(item_keys))
        for key, item_keys in from_items.items()
    ]
    return [*SAFETY_FIRST, *suggested]
