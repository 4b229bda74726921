"""From logged incidents to a course of conduct, offence checklists and time-limit warnings.

:func:`analyse` groups incidents by perpetrator (unknown apart), describes each course of
conduct, looks for escalation signals, checks every offence of a jurisdiction element by
element, summarises fear of violence and effects on daily life, warns about prosecution time
limits and applies the FOUR prompt (fixated, obsessive, unwanted, repeated).

The result is typed, frozen and free of dicts. Every part says, in plain words, what it means
and what it does not mean. It is decision support, not legal advice: the professional decides.
Only confirmed behaviours (``IncidentRecord.behaviours``) are used.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from courseline.law.jurisdictions import (
    BEHAVIOUR_TERM_PREFIX,
    Confidence,
    InformationItem,
    Jurisdiction,
    Offence,
    Source,
    TimeLimitKind,
    load_jurisdiction,
)
from courseline.law.model import (
    BEHAVIOUR_LABELS,
    IMPACT_LABELS,
    Behaviour,
    Fear,
    Impact,
    IncidentRecord,
    Place,
    TimePrecision,
)

DISCLAIMER = (
    "Decision support, not legal advice. This compares what has been logged with our own "
    "plain-language summary of the law. It cannot be certain, and the professional decides "
    "what it means for this case."
)

UNKNOWN_PERPETRATOR_LABEL = "Person not known or not recorded"

RECENT_WINDOW_DAYS = 30
"""Rising frequency compares the last 30 days (to ``today``) with the 30 days before."""
LATE_FRACTION = 3
"""'Late' means the last third of the time between the first and the last incident."""
REVIEW_AFTER_DAYS = 365
"""Warn when a jurisdiction's data has not been reviewed for this long."""

PHYSICAL_BEHAVIOURS: frozenset[Behaviour] = frozenset(
    {
        Behaviour.FOLLOWING,
        Behaviour.LOITERING,
        Behaviour.WATCHING_SPYING,
        Behaviour.ENTERING_PREMISES,
        Behaviour.INTERFERING_PROPERTY,
        Behaviour.GIVING_LEAVING_ITEMS,
    }
)
"""Behaviours that usually need the person responsible (or someone for them) to be there."""

EFFORTFUL_BEHAVIOURS: frozenset[Behaviour] = frozenset(
    {
        Behaviour.FOLLOWING,
        Behaviour.WATCHING_SPYING,
        Behaviour.MONITORING_ELECTRONIC,
        Behaviour.LOITERING,
        Behaviour.ENTERING_PREMISES,
    }
)
"""Behaviours that take time and effort (a sign of fixation when repeated)."""

FOUR_SOURCES: tuple[Source, ...] = (
    Source(
        key="veritas-faqs", title="Veritas Justice, FAQs", url="https://veritas-justice.co.uk/faqs/"
    ),
    Source(
        key="bedfordshire-police",
        title="Bedfordshire Police, Force Focus: Stalking",
        url="https://www.bedfordshire.police.uk/information-and-services/Advice/Force-focus/2019/May/ForceFocus-Stalking",
    ),
    Source(
        key="avon-somerset-police",
        title="Avon and Somerset Police, FOUR ways to spot the signs of stalking (2025)",
        url="https://avonandsomerset.police.uk/news/2025/04/fixated-obsessive-unwanted-repeated-four-ways-to-spot-signs-of-stalking",
    ),
)

# --- plain-language texts --------------------------------------------------------------------

ANALYSIS_NOT_MEANING = (
    "It is not a charging decision, a prediction of what a court would decide, or a risk "
    "assessment. Incidents that were never logged are missing from it, and a blank field is not "
    "a 'no'."
)
PERPETRATOR_NOT_MEANING = (
    "Grouping follows the person recorded on each incident. It does not decide who did what."
)
UNKNOWN_PERPETRATOR_MEANING = (
    "These incidents have no recorded person and are analysed on their own. They may belong to "
    "a known person's course of conduct; linking them is a professional decision and would "
    "change the counts below."
)
COURSE_MEANING = (
    "Each logged incident is counted as one occasion. Dates are local dates; approximate and "
    "range times are ordered by their start."
)
COURSE_NOT_MEANING = (
    "Counting incidents does not decide whether they are separate occasions or linked enough to "
    "form one course of conduct: the fewer the incidents and the longer the gaps, the harder "
    "that is to show. Unlogged incidents are not counted."
)
ESCALATION_NOT_MEANING = (
    "A signal is a reason to review risk and safety plans now, not a risk score. No signal does "
    "not mean low risk: logs are incomplete and risk can change quickly."
)
ELEMENT_NOT_MEANING = (
    "'Evidenced' means the log holds something relevant to this test, not that it is proved. "
    "'Not yet evidenced' means nothing in the structured fields shows it yet, not that it did "
    "not happen. 'Needs judgement' means a professional has to weigh it."
)
OFFENCE_NOT_MEANING = (
    "This is not a charging decision or a prediction of a verdict. The police and prosecutors "
    "decide on charges; check the sources before relying on any of it."
)
FEAR_NOT_MEANING = (
    "Only incidents recorded with 'yes' count. 'Unsure' or not recorded is not 'no': ask the "
    "person, in their own words, whether they feared violence on each occasion."
)
ADVERSE_NOT_MEANING = (
    "Whether these changes amount to a substantial adverse effect on usual day-to-day "
    "activities, and were caused by the conduct, is for the professional and in the end the "
    "court. Changes not yet recorded are missing."
)
TIME_LIMIT_NOT_MEANING = (
    "The date is worked out from the latest logged incident in calendar months; it is a prompt, "
    "not legal advice. A later incident moves it, and a wrong or missing date changes it. Raise "
    "it with the police or prosecutor well before the date."
)
FOUR_MEANING = (
    "FOUR (fixated, obsessive, unwanted, repeated) is a police prompt for recognising stalking."
)
FOUR_NOT_MEANING = (
    "It is not a legal test or a risk assessment. These checks are simple rules of thumb on the "
    "log; 'needs judgement' means the log alone cannot show it, not that it is absent."
)

# --- enums -----------------------------------------------------------------------------------


class ElementStatus(StrEnum):
    EVIDENCED = "evidenced"
    NOT_YET_EVIDENCED = "not_yet_evidenced"
    NEEDS_JUDGEMENT = "needs_judgement"


class TimeLimitStatus(StrEnum):
    NONE = "none"
    """Less than (months - 2) calendar months since the last incident: no warning."""
    NOTICE = "notice"
    """At least (months - 2) months have passed (4 of 6)."""
    ALERT = "alert"
    """At least (months - 1) months have passed (5 of 6), up to and including the deadline."""
    EXPIRED = "expired"
    """The deadline has passed."""


class EscalationKind(StrEnum):
    RISING_FREQUENCY = "rising_frequency"
    NEW_BEHAVIOURS = "new_behaviours"
    THREATS_OR_VIOLENCE = "threats_or_violence"
    APPROACH_HOME_OR_WORK = "approach_home_or_work"


class FourKey(StrEnum):
    FIXATED = "fixated"
    OBSESSIVE = "obsessive"
    UNWANTED = "unwanted"
    REPEATED = "repeated"


FOUR_LABELS: dict[FourKey, str] = {
    FourKey.FIXATED: "Fixated",
    FourKey.OBSESSIVE: "Obsessive",
    FourKey.UNWANTED: "Unwanted",
    FourKey.REPEATED: "Repeated",
}


class IndicatorStatus(StrEnum):
    INDICATED = "indicated"
    NOT_YET_INDICATED = "not_yet_indicated"
    NEEDS_JUDGEMENT = "needs_judgement"


# --- result types ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MonthCount:
    year: int
    month: int
    count: int

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True, slots=True)
class Gap:
    days: int
    after_incident_id: str
    before_incident_id: str


@dataclass(frozen=True, slots=True)
class BehaviourCount:
    behaviour: Behaviour
    label: str
    count: int
    incident_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CourseOfConduct:
    occasions: int
    incident_ids: tuple[str, ...]
    """In time order (by start; ties by id)."""
    first: dt.date
    last: dt.date
    """Local date of the last incident's start."""
    latest_possible: dt.date
    """Latest local date any incident can have happened (range ends count): for time limits."""
    span_days: int
    longest_gap: Gap | None
    per_month: tuple[MonthCount, ...]
    """Every month from the first to the last incident, including months with none."""
    behaviour_counts: tuple[BehaviourCount, ...]
    approximate_incident_ids: tuple[str, ...]
    """Incidents whose time is approximate or a range."""
    meaning: str
    not_meaning: str


@dataclass(frozen=True, slots=True)
class EscalationSignal:
    kind: EscalationKind
    title: str
    reason: str
    incident_ids: tuple[str, ...]
    behaviours: tuple[Behaviour, ...]
    not_meaning: str


@dataclass(frozen=True, slots=True)
class ElementCheck:
    key: str
    test: str
    status: ElementStatus
    incident_ids: tuple[str, ...]
    explanation: str
    evidenced_by: tuple[str, ...]
    sources: tuple[Source, ...]
    not_meaning: str


@dataclass(frozen=True, slots=True)
class TimeLimitCheck:
    offence_key: str
    offence_title: str
    months: int
    last_incident: dt.date
    last_incident_id: str
    notice_from: dt.date
    alert_from: dt.date
    deadline: dt.date
    status: TimeLimitStatus
    days_remaining: int
    """Days from ``today`` to the deadline; negative once it has passed."""
    message: str
    not_meaning: str
    confidence: Confidence
    sources: tuple[Source, ...]


@dataclass(frozen=True, slots=True)
class OffenceCheck:
    offence: Offence
    key: str
    title: str
    section: str
    summary: str
    confidence: Confidence
    elements: tuple[ElementCheck, ...]
    overall: ElementStatus
    """Not yet evidenced if any element is; else needs judgement if any element does."""
    course_of_conduct_met: bool
    minimum_occasions: int
    single_act_can_suffice: bool
    course_of_conduct_rule: str
    time_limit: TimeLimitCheck | None
    sources: tuple[Source, ...]
    meaning: str
    not_meaning: str


@dataclass(frozen=True, slots=True)
class FearOfViolence:
    feared_incident_ids: tuple[str, ...]
    unsure_incident_ids: tuple[str, ...]
    not_feared_incident_ids: tuple[str, ...]
    on_two_or_more_occasions: bool
    meaning: str
    not_meaning: str


@dataclass(frozen=True, slots=True)
class ImpactEntry:
    impact: Impact
    label: str
    incident_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ImpactNote:
    incident_id: str
    text: str


@dataclass(frozen=True, slots=True)
class AdverseEffect:
    entries: tuple[ImpactEntry, ...]
    notes: tuple[ImpactNote, ...]
    incident_ids: tuple[str, ...]
    meaning: str
    not_meaning: str

    @property
    def any_recorded(self) -> bool:
        return bool(self.incident_ids)


@dataclass(frozen=True, slots=True)
class FourIndicator:
    key: FourKey
    label: str
    status: IndicatorStatus
    reason: str
    incident_ids: tuple[str, ...]
    sources: tuple[Source, ...]
    not_meaning: str


@dataclass(frozen=True, slots=True)
class PerpetratorAnalysis:
    perpetrator: str | None
    label: str
    course: CourseOfConduct
    escalation: tuple[EscalationSignal, ...]
    offences: tuple[OffenceCheck, ...]
    fear_of_violence: FearOfViolence
    adverse_effect: AdverseEffect
    time_limits: tuple[TimeLimitCheck, ...]
    """One per offence with a time limit in months, whatever its status."""
    four: tuple[FourIndicator, ...]
    meaning: str
    not_meaning: str

    @property
    def is_unknown(self) -> bool:
        return self.perpetrator is None

    @property
    def time_limit_warnings(self) -> tuple[TimeLimitCheck, ...]:
        """The time limits at notice, alert or expired."""
        return tuple(c for c in self.time_limits if c.status is not TimeLimitStatus.NONE)


@dataclass(frozen=True, slots=True)
class Analysis:
    jurisdiction: Jurisdiction
    jurisdiction_key: str
    jurisdiction_name: str
    law_last_reviewed: dt.date
    today: dt.date
    perpetrators: tuple[PerpetratorAnalysis, ...]
    """Known perpetrators sorted by key, then the unknown group (if any)."""
    information: tuple[InformationItem, ...]
    review_note: str | None
    """Set when the jurisdiction's data has not been reviewed for over a year."""
    meaning: str
    not_meaning: str
    disclaimer: str


# --- dates -----------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus calendar ``months``, clamped to the month's end (31 Aug + 6 -> 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _local_date(moment: dt.datetime, zone: ZoneInfo) -> dt.date:
    return moment.astimezone(zone).date()


# --- entry point -----------------------------------------------------------------------------


def analyse(
    incidents: Sequence[IncidentRecord],
    jurisdiction: Jurisdiction | str,
    *,
    today: dt.date,
) -> Analysis:
    """Analyse ``incidents`` under ``jurisdiction`` (an object or a key) as of ``today``."""
    law = load_jurisdiction(jurisdiction) if isinstance(jurisdiction, str) else jurisdiction
    groups: dict[str | None, list[IncidentRecord]] = {}
    for incident in incidents:
        groups.setdefault(incident.perpetrator, []).append(incident)
    keys = sorted(key for key in groups if key is not None)
    if None in groups:
        keys_in_order: list[str | None] = [*keys, None]
    else:
        keys_in_order = list(keys)
    perpetrators = tuple(_analyse_group(key, groups[key], law, today) for key in keys_in_order)
    review_note = None
    if (today - law.last_reviewed).days > REVIEW_AFTER_DAYS:
        review_note = (
            f"The legal data for {law.name} was last reviewed on "
            f"{law.last_reviewed.isoformat()}, over a year ago: check for changes in the law."
        )
    return Analysis(
        jurisdiction=law,
        jurisdiction_key=law.key,
        jurisdiction_name=law.name,
        law_last_reviewed=law.last_reviewed,
        today=today,
        perpetrators=perpetrators,
        information=law.information,
        review_note=review_note,
        meaning=(
            f"What the incident log shows for {law.name}, per person, checked against our "
            f"plain-language summary of the law (last reviewed {law.last_reviewed.isoformat()})."
        ),
        not_meaning=ANALYSIS_NOT_MEANING,
        disclaimer=DISCLAIMER,
    )


@dataclass(frozen=True, slots=True)
class _Facts:
    """The incidents of one group in time order, with their local dates."""

    incidents: tuple[IncidentRecord, ...]
    dates: tuple[dt.date, ...]
    zone: ZoneInfo

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(incident.id for incident in self.incidents)

    def ids_where(self, keep: Callable[[IncidentRecord], bool]) -> tuple[str, ...]:
        return tuple(incident.id for incident in self.incidents if keep(incident))


def _analyse_group(
    perpetrator: str | None,
    incidents: Iterable[IncidentRecord],
    law: Jurisdiction,
    today: dt.date,
) -> PerpetratorAnalysis:
    ordered = tuple(sorted(incidents, key=lambda incident: (incident.start, incident.id)))
    facts = _Facts(ordered, tuple(_local_date(i.start, law.zone) for i in ordered), law.zone)
    course = _course(facts)
    offences = tuple(_check_offence(law, offence, facts, course, today) for offence in law.offences)
    label = UNKNOWN_PERPETRATOR_LABEL if perpetrator is None else f"Person {perpetrator}"
    meaning = (
        UNKNOWN_PERPETRATOR_MEANING
        if perpetrator is None
        else f"The incidents logged against {perpetrator}, analysed as one course of conduct."
    )
    return PerpetratorAnalysis(
        perpetrator=perpetrator,
        label=label,
        course=course,
        escalation=_escalation(facts, today),
        offences=offences,
        fear_of_violence=_fear(law, facts),
        adverse_effect=_adverse_effect(law, facts),
        time_limits=tuple(o.time_limit for o in offences if o.time_limit is not None),
        four=_four(facts, course),
        meaning=meaning,
        not_meaning=PERPETRATOR_NOT_MEANING,
    )


# --- course of conduct -----------------------------------------------------------------------


def _course(facts: _Facts) -> CourseOfConduct:
    dates = facts.dates
    latest = max(
        facts.incidents, key=lambda incident: (incident.latest, incident.id)
    ).latest.astimezone(facts.zone)
    return CourseOfConduct(
        occasions=len(facts.incidents),
        incident_ids=facts.ids,
        first=dates[0],
        last=dates[-1],
        latest_possible=latest.date(),
        span_days=(dates[-1] - dates[0]).days,
        longest_gap=_longest_gap(facts),
        per_month=_per_month(dates),
        behaviour_counts=_behaviour_counts(facts),
        approximate_incident_ids=facts.ids_where(lambda i: i.precision is not TimePrecision.EXACT),
        meaning=COURSE_MEANING,
        not_meaning=COURSE_NOT_MEANING,
    )


def _longest_gap(facts: _Facts) -> Gap | None:
    best: Gap | None = None
    for index in range(1, len(facts.incidents)):
        days = (facts.dates[index] - facts.dates[index - 1]).days
        if best is None or days > best.days:
            best = Gap(days, facts.incidents[index - 1].id, facts.incidents[index].id)
    return best


def _per_month(dates: Sequence[dt.date]) -> tuple[MonthCount, ...]:
    counts: dict[tuple[int, int], int] = {}
    for day in dates:
        counts[(day.year, day.month)] = counts.get((day.year, day.month), 0) + 1
    months = []
    cursor = dt.date(dates[0].year, dates[0].month, 1)
    end = dt.date(dates[-1].year, dates[-1].month, 1)
    while cursor <= end:
        months.append(
            MonthCount(cursor.year, cursor.month, counts.get((cursor.year, cursor.month), 0))
        )
        cursor = add_months(cursor, 1)
    return tuple(months)


def _with_behaviour(behaviour: Behaviour) -> Callable[[IncidentRecord], bool]:
    return lambda incident: behaviour in incident.behaviours


def _with_impact(impact: Impact) -> Callable[[IncidentRecord], bool]:
    return lambda incident: impact in incident.impacts


def _behaviour_counts(facts: _Facts) -> tuple[BehaviourCount, ...]:
    counts = []
    for behaviour in Behaviour:
        ids = facts.ids_where(_with_behaviour(behaviour))
        if ids:
            counts.append(BehaviourCount(behaviour, BEHAVIOUR_LABELS[behaviour], len(ids), ids))
    return tuple(counts)


# --- escalation ------------------------------------------------------------------------------


def _escalation(facts: _Facts, today: dt.date) -> tuple[EscalationSignal, ...]:
    checks = (_rising_frequency, _new_behaviours, _threats, _approaches)
    signals = (check(facts, today) for check in checks)
    return tuple(signal for signal in signals if signal is not None)


def _signal(
    kind: EscalationKind,
    title: str,
    reason: str,
    ids: Iterable[str],
    behaviours: Iterable[Behaviour] = (),
) -> EscalationSignal:
    return EscalationSignal(
        kind=kind,
        title=title,
        reason=reason,
        incident_ids=tuple(ids),
        behaviours=tuple(behaviours),
        not_meaning=ESCALATION_NOT_MEANING,
    )


def _rising_frequency(facts: _Facts, today: dt.date) -> EscalationSignal | None:
    recent_from = today - dt.timedelta(days=RECENT_WINDOW_DAYS - 1)
    previous_from = recent_from - dt.timedelta(days=RECENT_WINDOW_DAYS)
    pairs = list(zip(facts.ids, facts.dates, strict=True))
    recent = [i for i, day in pairs if recent_from <= day <= today]
    previous = [i for i, day in pairs if previous_from <= day < recent_from]
    title = "Incidents are becoming more frequent"
    if len(recent) >= 2 and len(recent) > len(previous):
        reason = (
            f"{len(recent)} incidents in the last {RECENT_WINDOW_DAYS} days, against "
            f"{len(previous)} in the {RECENT_WINDOW_DAYS} days before."
        )
        return _signal(EscalationKind.RISING_FREQUENCY, title, reason, recent)
    thirds = _thirds(facts)
    if thirds is None or len(facts.incidents) < 4:
        return None
    first, last = thirds
    if len(last) >= 2 and len(last) > len(first):
        reason = (
            f"{len(last)} incidents in the last third of the period logged, against "
            f"{len(first)} in the first third."
        )
        return _signal(EscalationKind.RISING_FREQUENCY, title, reason, last)
    return None


def _thirds(facts: _Facts) -> tuple[list[str], list[str]] | None:
    """Ids in the first and the last third of the time from the first to the last start."""
    starts = [incident.start for incident in facts.incidents]
    span = starts[-1] - starts[0]
    if span <= dt.timedelta(0):
        return None
    early_until = starts[0] + span / LATE_FRACTION
    late_after = starts[-1] - span / LATE_FRACTION
    first = [i.id for i in facts.incidents if i.start < early_until]
    last = [i.id for i in facts.incidents if i.start > late_after]
    return first, last


def _new_behaviours(facts: _Facts, today: dt.date) -> EscalationSignal | None:
    starts = [incident.start for incident in facts.incidents]
    span = starts[-1] - starts[0]
    if len(facts.incidents) < 3 or span <= dt.timedelta(0):
        return None
    late_after = starts[-1] - span / LATE_FRACTION
    first_seen: dict[Behaviour, IncidentRecord] = {}
    for incident in facts.incidents:
        for behaviour in sorted(incident.behaviours):
            first_seen.setdefault(behaviour, incident)
    late = [
        (behaviour, incident)
        for behaviour, incident in first_seen.items()
        if incident.start > late_after and behaviour is not Behaviour.OTHER
    ]
    if not late:
        return None
    late.sort(key=lambda pair: (pair[1].start, pair[0].value))
    names = ", ".join(BEHAVIOUR_LABELS[behaviour].lower() for behaviour, _ in late)
    ids = dict.fromkeys(incident.id for _, incident in late)
    reason = f"New kinds of behaviour appeared late in the course of conduct: {names}."
    return _signal(
        EscalationKind.NEW_BEHAVIOURS,
        "New kinds of behaviour recently",
        reason,
        ids,
        (behaviour for behaviour, _ in late),
    )


def _threats(facts: _Facts, today: dt.date) -> EscalationSignal | None:
    ids = facts.ids_where(lambda incident: Behaviour.THREATS_VIOLENCE in incident.behaviours)
    if not ids:
        return None
    reason = f"Threats or violence are recorded on {_count(len(ids), 'incident')}."
    return _signal(
        EscalationKind.THREATS_OR_VIOLENCE,
        "Threats or violence",
        reason,
        ids,
        (Behaviour.THREATS_VIOLENCE,),
    )


def _approaches(facts: _Facts, today: dt.date) -> EscalationSignal | None:
    def is_approach(incident: IncidentRecord) -> bool:
        near = incident.place in (Place.HOME, Place.WORK)
        return near and bool(incident.behaviours & PHYSICAL_BEHAVIOURS)

    ids = facts.ids_where(is_approach)
    if not ids:
        return None
    found = dict.fromkeys(
        behaviour
        for incident in facts.incidents
        if incident.id in ids
        for behaviour in sorted(incident.behaviours & PHYSICAL_BEHAVIOURS)
    )
    reason = (
        f"In-person behaviour at the person's home or work is recorded on "
        f"{_count(len(ids), 'incident')}."
    )
    return _signal(
        EscalationKind.APPROACH_HOME_OR_WORK,
        "Approaches to home or work",
        reason,
        ids,
        found,
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


# --- offences --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _TermResult:
    status: ElementStatus
    ids: tuple[str, ...]
    explanation: str


_Evaluator = Callable[[Jurisdiction, Offence, _Facts], _TermResult]


def _occasions(law: Jurisdiction, offence: Offence, facts: _Facts) -> _TermResult:
    needed = offence.course_of_conduct.min_occasions
    count = len(facts.incidents)
    logged = _count(count, "incident")
    if count >= needed:
        return _TermResult(
            ElementStatus.EVIDENCED, facts.ids, f"{logged} logged; at least {needed} needed."
        )
    return _TermResult(
        ElementStatus.NOT_YET_EVIDENCED,
        facts.ids,
        f"Only {logged} logged; at least {needed} needed.",
    )


def _persistence(law: Jurisdiction, offence: Offence, facts: _Facts) -> _TermResult:
    count = len(facts.incidents)
    if count >= 2:
        return _TermResult(
            ElementStatus.EVIDENCED,
            facts.ids,
            f"{count} incidents logged, which may show persistence.",
        )
    return _TermResult(
        ElementStatus.NEEDS_JUDGEMENT,
        facts.ids,
        "One incident logged: whether it was persistent (for example one continuing act) "
        "needs judgement.",
    )


def _stalking_behaviours(law: Jurisdiction, offence: Offence, facts: _Facts) -> _TermResult:
    items = law.listed_behaviours_for(offence)
    listed = {b for item in items if not item.catch_all for b in item.maps_to}
    matching = facts.ids_where(lambda incident: bool(incident.behaviours & listed))
    if matching:
        return _TermResult(
            ElementStatus.EVIDENCED,
            matching,
            f"{_count(len(matching), 'incident')} with a behaviour of the kinds listed.",
        )
    other = facts.ids_where(lambda incident: bool(incident.behaviours))
    if other:
        return _TermResult(
            ElementStatus.NEEDS_JUDGEMENT,
            other,
            "The confirmed behaviours are not among the listed examples; the lists are not "
            "complete, so whether they count needs judgement.",
        )
    return _TermResult(
        ElementStatus.NOT_YET_EVIDENCED, (), "No confirmed behaviours are recorded yet."
    )


def _behaviour(behaviour: Behaviour) -> _Evaluator:
    def evaluate(law: Jurisdiction, offence: Offence, facts: _Facts) -> _TermResult:
        ids = facts.ids_where(_with_behaviour(behaviour))
        label = BEHAVIOUR_LABELS[behaviour].lower()
        if ids:
            return _TermResult(
                ElementStatus.EVIDENCED,
                ids,
                f"{label.capitalize()}: {_count(len(ids), 'incident')}.",
            )
        return _TermResult(ElementStatus.NOT_YET_EVIDENCED, (), f"No incident records {label}.")

    return evaluate


def _feared(incident: IncidentRecord) -> bool:
    return incident.fear_of_violence is Fear.YES


def _has_impact(incident: IncidentRecord) -> bool:
    return bool(incident.impacts) or bool(incident.impact_notes.strip())


def _fear_at_least(times: int) -> _Evaluator:
    def evaluate(law: Jurisdiction, offence: Offence, facts: _Facts) -> _TermResult:
        ids = facts.ids_where(_feared)
        found = f"Fear of violence recorded on {_count(len(ids), 'occasion')}"
        if len(ids) >= times:
            return _TermResult(ElementStatus.EVIDENCED, ids, f"{found}.")
        return _TermResult(
            ElementStatus.NOT_YET_EVIDENCED, ids, f"{found}; at least {times} needed."
        )

    return evaluate


def _fear_or_alarm(law: Jurisdiction, offence: Offence, facts: _Facts) -> _TermResult:
    ids = facts.ids_where(lambda incident: _feared(incident) or _has_impact(incident))
    if ids:
        return _TermResult(
            ElementStatus.EVIDENCED,
            ids,
            f"Fear of violence or an effect on daily life is recorded on "
            f"{_count(len(ids), 'incident')}.",
        )
    return _TermResult(
        ElementStatus.NOT_YET_EVIDENCED,
        (),
        "No fear of violence or effect on daily life is recorded yet; the person's own account "
        "may still show alarm or distress.",
    )


def _impact(law: Jurisdiction, offence: Offence, facts: _Facts) -> _TermResult:
    ids = facts.ids_where(_has_impact)
    if ids:
        return _TermResult(
            ElementStatus.EVIDENCED,
            ids,
            f"Effects on day-to-day life are recorded on {_count(len(ids), 'incident')}; "
            "whether they are substantial needs judgement.",
        )
    return _TermResult(
        ElementStatus.NOT_YET_EVIDENCED, (), "No effect on day-to-day life is recorded yet."
    )


def _knowledge(law: Jurisdiction, offence: Offence, facts: _Facts) -> _TermResult:
    return _TermResult(
        ElementStatus.NEEDS_JUDGEMENT,
        (),
        "What the person responsible knew or meant cannot be read from the log; it needs "
        "professional judgement (for example, whether they were told to stop).",
    )


def _judgement(law: Jurisdiction, offence: Offence, facts: _Facts) -> _TermResult:
    return _TermResult(
        ElementStatus.NEEDS_JUDGEMENT,
        (),
        "This is a judgement about the whole situation that the log alone cannot make.",
    )


EVALUATORS: dict[str, _Evaluator] = {
    "occasions": _occasions,
    "persistence": _persistence,
    "stalking_behaviours": _stalking_behaviours,
    "fear_of_violence": _fear_at_least(1),
    "fear_of_violence_twice": _fear_at_least(2),
    "fear_or_alarm_distress": _fear_or_alarm,
    "impact": _impact,
    "knowledge": _knowledge,
    "judgement": _judgement,
    **{f"{BEHAVIOUR_TERM_PREFIX}{b.value}": _behaviour(b) for b in Behaviour},
}
"""One evaluator for each ``evidenced_by`` term the loader accepts."""


def _combine(results: Sequence[_TermResult]) -> tuple[ElementStatus, tuple[str, ...], str]:
    for status in (ElementStatus.EVIDENCED, ElementStatus.NEEDS_JUDGEMENT):
        chosen = [result for result in results if result.status is status]
        if chosen:
            break
    else:
        chosen = list(results)
        status = ElementStatus.NOT_YET_EVIDENCED
    ids = tuple(dict.fromkeys(i for result in chosen for i in result.ids))
    explained = chosen if status is ElementStatus.EVIDENCED else results
    explanation = " ".join(result.explanation for result in explained)
    return status, ids, explanation


def _overall(statuses: Iterable[ElementStatus]) -> ElementStatus:
    found = set(statuses)
    for status in (ElementStatus.NOT_YET_EVIDENCED, ElementStatus.NEEDS_JUDGEMENT):
        if status in found:
            return status
    return ElementStatus.EVIDENCED


def _check_offence(
    law: Jurisdiction,
    offence: Offence,
    facts: _Facts,
    course: CourseOfConduct,
    today: dt.date,
) -> OffenceCheck:
    elements = []
    for element in offence.elements:
        results = [EVALUATORS[term](law, offence, facts) for term in element.evidenced_by]
        status, ids, explanation = _combine(results)
        ids = tuple(i for i in facts.ids if i in ids)
        elements.append(
            ElementCheck(
                key=element.key,
                test=element.test,
                status=status,
                incident_ids=ids,
                explanation=explanation,
                evidenced_by=element.evidenced_by,
                sources=law.resolve_sources(element.sources),
                not_meaning=ELEMENT_NOT_MEANING,
            )
        )
    rule = offence.course_of_conduct
    met = course.occasions >= rule.min_occasions
    return OffenceCheck(
        offence=offence,
        key=offence.key,
        title=offence.title,
        section=offence.section,
        summary=offence.summary,
        confidence=offence.confidence,
        elements=tuple(elements),
        overall=_overall(element.status for element in elements),
        course_of_conduct_met=met,
        minimum_occasions=rule.min_occasions,
        single_act_can_suffice=rule.single_act_can_suffice,
        course_of_conduct_rule=rule.explanation,
        time_limit=_time_limit(law, offence, facts, course, today),
        sources=law.resolve_sources(offence.sources),
        meaning=_offence_meaning(offence, course.occasions, met),
        not_meaning=OFFENCE_NOT_MEANING,
    )


def _offence_meaning(offence: Offence, occasions: int, met: bool) -> str:
    rule = offence.course_of_conduct
    if rule.single_act_can_suffice:
        occasions_text = "A single act can be enough for this offence."
    elif met:
        occasions_text = (
            f"The {_count(occasions, 'logged incident')} reach the minimum of "
            f"{rule.min_occasions} occasions."
        )
    else:
        occasions_text = (
            f"Only {_count(occasions, 'incident')} logged: this offence needs at least "
            f"{rule.min_occasions} occasions."
        )
    confidence = (
        "Our summary of this offence is verified against the sources."
        if offence.confidence is Confidence.VERIFIED
        else "Parts of our summary of this offence are not verified: see the points to check."
    )
    return (
        f"Each element of {offence.title} ({offence.section}) is set against the log. "
        f"{occasions_text} {confidence}"
    )


# --- time limits -----------------------------------------------------------------------------


def _time_limit(
    law: Jurisdiction,
    offence: Offence,
    facts: _Facts,
    course: CourseOfConduct,
    today: dt.date,
) -> TimeLimitCheck | None:
    limit = offence.time_limit
    if limit.kind is not TimeLimitKind.MONTHS_AFTER_LAST_INCIDENT or limit.months is None:
        return None
    last_incident = max(facts.incidents, key=lambda incident: (incident.latest, incident.id))
    last = course.latest_possible
    deadline = add_months(last, limit.months)
    notice_from = add_months(last, max(limit.months - 2, 0))
    alert_from = add_months(last, max(limit.months - 1, 0))
    status = _time_limit_status(today, notice_from, alert_from, deadline)
    return TimeLimitCheck(
        offence_key=offence.key,
        offence_title=offence.title,
        months=limit.months,
        last_incident=last,
        last_incident_id=last_incident.id,
        notice_from=notice_from,
        alert_from=alert_from,
        deadline=deadline,
        status=status,
        days_remaining=(deadline - today).days,
        message=_time_limit_message(offence, status, last, deadline, course.occasions),
        not_meaning=TIME_LIMIT_NOT_MEANING,
        confidence=limit.confidence,
        sources=law.resolve_sources(limit.sources),
    )


def _time_limit_status(
    today: dt.date, notice_from: dt.date, alert_from: dt.date, deadline: dt.date
) -> TimeLimitStatus:
    if today > deadline:
        return TimeLimitStatus.EXPIRED
    if today >= alert_from:
        return TimeLimitStatus.ALERT
    if today >= notice_from:
        return TimeLimitStatus.NOTICE
    return TimeLimitStatus.NONE


def _time_limit_message(
    offence: Offence,
    status: TimeLimitStatus,
    last: dt.date,
    deadline: dt.date,
    occasions: int,
) -> str:
    months = offence.time_limit.months
    base = (
        f"For {offence.title} ({offence.section}) a prosecution generally has to start within "
        f"{months} months of the last incident: the last logged incident was on "
        f"{last.isoformat()}, so the date to watch is {deadline.isoformat()}."
    )
    urgency = {
        TimeLimitStatus.NONE: "No warning yet.",
        TimeLimitStatus.NOTICE: "Notice: the date is approaching; make sure the police know.",
        TimeLimitStatus.ALERT: "Alert: the date is close; raise it with the police now.",
        TimeLimitStatus.EXPIRED: (
            "The date has passed for the incidents logged so far; other offences without this "
            "limit, or any later incident, may still allow a prosecution."
        ),
    }[status]
    text = f"{base} {urgency}"
    if occasions < offence.course_of_conduct.min_occasions:
        text += " There is not yet a course of conduct for this offence in the log."
    if offence.time_limit.confidence is Confidence.UNVERIFIED:
        text += " This time limit is not fully verified: check the sources."
    return text


# --- fear, adverse effect --------------------------------------------------------------------


def _offences_using(law: Jurisdiction, term: str) -> str:
    """``"Stalking (s.39) and ..."``: the offences of ``law`` with an element using ``term``."""
    names = [f"{o.title} ({o.section})" for o in law.offences if o.uses(term)]
    return " and ".join(names)


def _fear(law: Jurisdiction, facts: _Facts) -> FearOfViolence:
    feared = facts.ids_where(_feared)
    unsure = facts.ids_where(lambda incident: incident.fear_of_violence is Fear.UNSURE)
    not_feared = facts.ids_where(lambda incident: incident.fear_of_violence is Fear.NO)
    twice = len(feared) >= 2
    meaning = f"The person feared violence on {_count(len(feared), 'recorded occasion')}."
    needing_two = _offences_using(law, "fear_of_violence_twice")
    if needing_two:
        meaning += f" Fear on at least two occasions is one route to: {needing_two}" + (
            ", and the log shows it." if twice else ", and the log does not show it yet."
        )
    return FearOfViolence(
        feared_incident_ids=feared,
        unsure_incident_ids=unsure,
        not_feared_incident_ids=not_feared,
        on_two_or_more_occasions=twice,
        meaning=meaning,
        not_meaning=FEAR_NOT_MEANING,
    )


def _adverse_effect(law: Jurisdiction, facts: _Facts) -> AdverseEffect:
    entries = []
    for impact in Impact:
        ids = facts.ids_where(_with_impact(impact))
        if ids:
            entries.append(ImpactEntry(impact, IMPACT_LABELS[impact], ids))
    notes = tuple(
        ImpactNote(incident.id, incident.impact_notes.strip())
        for incident in facts.incidents
        if incident.impact_notes.strip()
    )
    ids = facts.ids_where(_has_impact)
    meaning = (
        f"Changes to day-to-day life are recorded on {_count(len(ids), 'incident')}."
        if ids
        else "No changes to day-to-day life are recorded yet."
    )
    relying = _offences_using(law, "impact")
    if relying:
        meaning += f" Such evidence matters for: {relying}."
    return AdverseEffect(
        entries=tuple(entries),
        notes=notes,
        incident_ids=ids,
        meaning=meaning,
        not_meaning=ADVERSE_NOT_MEANING,
    )


# --- FOUR ------------------------------------------------------------------------------------


def _indicator(
    key: FourKey, status: IndicatorStatus, reason: str, ids: Iterable[str] = ()
) -> FourIndicator:
    return FourIndicator(
        key=key,
        label=FOUR_LABELS[key],
        status=status,
        reason=reason,
        incident_ids=tuple(ids),
        sources=FOUR_SOURCES,
        not_meaning=f"{FOUR_MEANING} {FOUR_NOT_MEANING}",
    )


def _four(facts: _Facts, course: CourseOfConduct) -> tuple[FourIndicator, ...]:
    return (_fixated(facts), _obsessive(facts, course), _unwanted(facts), _repeated(facts))


def _fixated(facts: _Facts) -> FourIndicator:
    kinds = {b for i in facts.incidents for b in i.behaviours if b is not Behaviour.OTHER}
    effortful = facts.ids_where(lambda incident: bool(incident.behaviours & EFFORTFUL_BEHAVIOURS))
    reasons = []
    if len(kinds) >= 3:
        reasons.append(f"{len(kinds)} different kinds of behaviour")
    if len(facts.incidents) >= 5:
        reasons.append(f"{len(facts.incidents)} incidents")
    if len(effortful) >= 2:
        reasons.append(
            f"time-consuming behaviour (following, watching, monitoring, loitering or entering "
            f"premises) on {len(effortful)} incidents"
        )
    if reasons:
        reason = "Time and effort spent on the person: " + "; ".join(reasons) + "."
        return _indicator(FourKey.FIXATED, IndicatorStatus.INDICATED, reason, facts.ids)
    return _indicator(
        FourKey.FIXATED,
        IndicatorStatus.NEEDS_JUDGEMENT,
        "The log does not yet show an unusual investment of time or effort; the person's "
        "account may.",
    )


def _max_in_week(dates: Sequence[dt.date]) -> int:
    best = 0
    for index, day in enumerate(dates):
        window_end = day + dt.timedelta(days=6)
        best = max(best, sum(1 for other in dates[index:] if other <= window_end))
    return best


def _obsessive(facts: _Facts, course: CourseOfConduct) -> FourIndicator:
    reasons = []
    if course.span_days >= 28 and course.occasions >= 3:
        reasons.append(f"{course.occasions} incidents over {course.span_days} days")
    busiest = _max_in_week(facts.dates)
    if busiest >= 3:
        reasons.append(f"{busiest} incidents within one week")
    if reasons:
        reason = "A persistent preoccupation with the person: " + "; ".join(reasons) + "."
        return _indicator(FourKey.OBSESSIVE, IndicatorStatus.INDICATED, reason, facts.ids)
    return _indicator(
        FourKey.OBSESSIVE,
        IndicatorStatus.NEEDS_JUDGEMENT,
        "The log does not yet show a lasting or intense preoccupation; the person's account may.",
    )


def _unwanted(facts: _Facts) -> FourIndicator:
    ids = facts.ids_where(
        lambda incident: _feared(incident) or _has_impact(incident) or incident.reported_to_police
    )
    if ids:
        reason = (
            f"The person's recorded reactions (fear, changes to daily life or reports to the "
            f"police) on {_count(len(ids), 'incident')} suggest it is unwanted."
        )
        return _indicator(FourKey.UNWANTED, IndicatorStatus.INDICATED, reason, ids)
    return _indicator(
        FourKey.UNWANTED,
        IndicatorStatus.NEEDS_JUDGEMENT,
        "Nothing in the structured fields shows that it is unwanted; ask the person and read "
        "their account.",
    )


def _repeated(facts: _Facts) -> FourIndicator:
    count = len(facts.incidents)
    if count >= 2:
        return _indicator(
            FourKey.REPEATED,
            IndicatorStatus.INDICATED,
            f"{count} incidents logged (two or more).",
            facts.ids,
        )
    return _indicator(
        FourKey.REPEATED,
        IndicatorStatus.NOT_YET_INDICATED,
        "Only one incident logged so far.",
        facts.ids,
    )
