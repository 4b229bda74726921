"""The analysis turns logged incidents into courses of conduct, checklists and warnings."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from courseline.law.analysis import (
    Analysis,
    ElementStatus,
    EscalationKind,
    FourKey,
    IndicatorStatus,
    OffenceCheck,
    PerpetratorAnalysis,
    TimeLimitStatus,
    add_months,
    analyse,
)
from courseline.law.jurisdictions import JURISDICTION_KEYS, load_jurisdiction
from courseline.law.model import (
    Behaviour,
    Fear,
    Impact,
    IncidentRecord,
    Place,
    TimePrecision,
)

UTC = dt.UTC
LONDON = load_jurisdiction("england-wales").zone
TODAY = dt.date(2026, 11, 28)


def incident(
    id: str,
    day: dt.date,
    *behaviours: Behaviour,
    perpetrator: str | None = "p1",
    fear: Fear = Fear.UNSURE,
    place: Place = Place.UNKNOWN,
    impacts: frozenset[Impact] = frozenset(),
    reported: bool = False,
) -> IncidentRecord:
    return IncidentRecord(
        id=id,
        start=dt.datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
        text="",
        behaviours=frozenset(behaviours or (Behaviour.CONTACTING,)),
        perpetrator=perpetrator,
        fear_of_violence=fear,
        place=place,
        impacts=impacts,
        reported_to_police=reported,
    )


def only_group(analysis: Analysis) -> PerpetratorAnalysis:
    assert len(analysis.perpetrators) == 1
    return analysis.perpetrators[0]


def offence(group: PerpetratorAnalysis, key: str) -> OffenceCheck:
    return next(check for check in group.offences if check.key == key)


def element_status(group: PerpetratorAnalysis, offence_key: str, element_key: str) -> ElementStatus:
    check = offence(group, offence_key)
    return next(e.status for e in check.elements if e.key == element_key)


TWO_OCCASION_OFFENCES = [
    ("england-wales", "pha_s2"),
    ("england-wales", "pha_s2a"),
    ("england-wales", "pha_s4"),
    ("england-wales", "pha_s4a"),
    ("scotland", "scot_s39"),
    ("northern-ireland", "ni_s1"),
    ("ireland", "ie_s10_1"),
]


# --- course of conduct ----------------------------------------------------------------------


def test_one_incident_is_not_a_course_of_conduct_in_england_and_wales() -> None:
    group = only_group(analyse([incident("a", dt.date(2026, 11, 1))], "england-wales", today=TODAY))
    for check in group.offences:
        assert not check.course_of_conduct_met
        assert check.overall is ElementStatus.NOT_YET_EVIDENCED
        assert element_status(group, check.key, "course_of_conduct") is (
            ElementStatus.NOT_YET_EVIDENCED
        )


@pytest.mark.parametrize(("jurisdiction", "offence_key"), TWO_OCCASION_OFFENCES)
def test_one_incident_is_not_a_course_of_conduct_where_two_occasions_are_required(
    jurisdiction: str, offence_key: str
) -> None:
    group = only_group(analyse([incident("a", dt.date(2026, 11, 1))], jurisdiction, today=TODAY))
    check = offence(group, offence_key)
    assert check.minimum_occasions == 2
    assert not check.course_of_conduct_met
    assert "needs at least 2" in check.meaning


@pytest.mark.parametrize(("jurisdiction", "offence_key"), TWO_OCCASION_OFFENCES)
def test_two_incidents_are_a_course_of_conduct_where_two_occasions_are_required(
    jurisdiction: str, offence_key: str
) -> None:
    incidents = [incident("a", dt.date(2026, 10, 1)), incident("b", dt.date(2026, 11, 1))]
    check = offence(only_group(analyse(incidents, jurisdiction, today=TODAY)), offence_key)
    assert check.course_of_conduct_met


def test_a_single_act_can_be_stalking_in_ireland() -> None:
    one = incident("a", dt.date(2026, 11, 1), Behaviour.FOLLOWING, fear=Fear.YES)
    group = only_group(analyse([one], "ireland", today=TODAY))
    stalking = offence(group, "ie_s10_2")
    assert stalking.single_act_can_suffice
    assert stalking.course_of_conduct_met
    assert element_status(group, "ie_s10_2", "acts") is ElementStatus.EVIDENCED
    assert element_status(group, "ie_s10_2", "effect") is ElementStatus.EVIDENCED
    assert "single act" in stalking.meaning
    harassment = offence(group, "ie_s10_1")
    assert not harassment.course_of_conduct_met
    assert element_status(group, "ie_s10_1", "persistence") is ElementStatus.NEEDS_JUDGEMENT


@pytest.mark.parametrize(
    ("jurisdiction", "offence_key"), [("scotland", "scot_s38"), ("northern-ireland", "ni_s2")]
)
def test_a_single_threat_can_be_threatening_or_abusive_behaviour(
    jurisdiction: str, offence_key: str
) -> None:
    one = incident("a", dt.date(2026, 11, 1), Behaviour.THREATS_VIOLENCE)
    group = only_group(analyse([one], jurisdiction, today=TODAY))
    check = offence(group, offence_key)
    assert check.course_of_conduct_met
    assert element_status(group, offence_key, "threatening_or_abusive") is ElementStatus.EVIDENCED


def test_the_course_of_conduct_reports_dates_gaps_and_months() -> None:
    incidents = [
        incident("c", dt.date(2026, 4, 20), Behaviour.FOLLOWING),
        incident("a", dt.date(2026, 1, 5), Behaviour.CONTACTING),
        incident("b", dt.date(2026, 1, 9), Behaviour.CONTACTING, Behaviour.FOLLOWING),
    ]
    course = only_group(analyse(incidents, "england-wales", today=TODAY)).course
    assert course.occasions == 3
    assert course.incident_ids == ("a", "b", "c")
    assert (course.first, course.last) == (dt.date(2026, 1, 5), dt.date(2026, 4, 20))
    assert course.span_days == 105
    assert course.longest_gap is not None
    assert (course.longest_gap.days, course.longest_gap.after_incident_id) == (101, "b")
    assert [(m.label, m.count) for m in course.per_month] == [
        ("2026-01", 2),
        ("2026-02", 0),
        ("2026-03", 0),
        ("2026-04", 1),
    ]
    counts = {c.behaviour: c.incident_ids for c in course.behaviour_counts}
    assert counts == {Behaviour.FOLLOWING: ("b", "c"), Behaviour.CONTACTING: ("a", "b")}
    assert course.meaning and course.not_meaning


def test_a_range_incident_is_ordered_by_its_start() -> None:
    ranged = IncidentRecord(
        id="r",
        start=dt.datetime(2026, 3, 1, tzinfo=UTC),
        end=dt.datetime(2026, 3, 20, tzinfo=UTC),
        precision=TimePrecision.RANGE,
        text="",
        behaviours=frozenset({Behaviour.LOITERING}),
        perpetrator="p1",
    )
    later = incident("x", dt.date(2026, 3, 10))
    course = only_group(analyse([later, ranged], "england-wales", today=TODAY)).course
    assert course.incident_ids == ("r", "x")
    assert course.latest_possible == dt.date(2026, 3, 20)
    assert course.approximate_incident_ids == ("r",)


def test_the_analysis_is_split_per_perpetrator_with_unknown_apart() -> None:
    incidents = [
        incident("u1", dt.date(2026, 9, 1), perpetrator=None),
        incident("b1", dt.date(2026, 9, 2), perpetrator="p2"),
        incident("a1", dt.date(2026, 9, 3), perpetrator="p1"),
        incident("a2", dt.date(2026, 9, 4), perpetrator="p1"),
    ]
    analysis = analyse(incidents, "england-wales", today=TODAY)
    assert [g.perpetrator for g in analysis.perpetrators] == ["p1", "p2", None]
    p1, p2, unknown = analysis.perpetrators
    assert p1.course.incident_ids == ("a1", "a2")
    assert offence(p1, "pha_s2").course_of_conduct_met
    assert not offence(p2, "pha_s2").course_of_conduct_met
    assert unknown.is_unknown and not p1.is_unknown
    assert unknown.label == "Person not known or not recorded"
    assert "analysed on their own" in unknown.meaning


def test_no_incidents_give_no_groups() -> None:
    assert analyse([], "scotland", today=TODAY).perpetrators == ()


def test_it_takes_a_jurisdiction_object_or_its_key() -> None:
    incidents = [incident("a", dt.date(2026, 11, 1))]
    by_key = analyse(incidents, "northern-ireland", today=TODAY)
    by_object = analyse(incidents, load_jurisdiction("northern-ireland"), today=TODAY)
    assert by_key == by_object
    assert by_key.jurisdiction_name == "Northern Ireland"
    assert by_key.information == load_jurisdiction("northern-ireland").information


# --- elements --------------------------------------------------------------------------------


def test_fear_of_violence_on_two_occasions_satisfies_the_s4_and_s4a_element() -> None:
    incidents = [
        incident("a", dt.date(2026, 10, 1), Behaviour.FOLLOWING, fear=Fear.YES),
        incident("b", dt.date(2026, 10, 8), Behaviour.FOLLOWING, fear=Fear.YES),
    ]
    group = only_group(analyse(incidents, "england-wales", today=TODAY))
    assert element_status(group, "pha_s4", "fear_of_violence_twice") is ElementStatus.EVIDENCED
    assert element_status(group, "pha_s4a", "effect") is ElementStatus.EVIDENCED
    assert group.fear_of_violence.on_two_or_more_occasions
    assert group.fear_of_violence.feared_incident_ids == ("a", "b")


def test_fear_of_violence_on_one_occasion_does_not_satisfy_the_s4_element() -> None:
    incidents = [
        incident("a", dt.date(2026, 10, 1), Behaviour.FOLLOWING, fear=Fear.YES),
        incident("b", dt.date(2026, 10, 8), Behaviour.FOLLOWING, fear=Fear.UNSURE),
        incident("c", dt.date(2026, 10, 9), Behaviour.FOLLOWING, fear=Fear.NO),
    ]
    group = only_group(analyse(incidents, "england-wales", today=TODAY))
    fear = next(e for e in offence(group, "pha_s4").elements if e.key == "fear_of_violence_twice")
    assert fear.status is ElementStatus.NOT_YET_EVIDENCED
    assert fear.incident_ids == ("a",)
    assert element_status(group, "pha_s4a", "effect") is ElementStatus.NOT_YET_EVIDENCED
    assert not group.fear_of_violence.on_two_or_more_occasions
    assert group.fear_of_violence.unsure_incident_ids == ("b",)
    assert group.fear_of_violence.not_feared_incident_ids == ("c",)


def test_recorded_impacts_evidence_the_s4a_serious_distress_route_and_are_listed() -> None:
    incidents = [
        incident(
            "a", dt.date(2026, 10, 1), Behaviour.LOITERING, impacts=frozenset({Impact.SECURITY})
        ),
        incident(
            "b",
            dt.date(2026, 10, 5),
            Behaviour.LOITERING,
            impacts=frozenset({Impact.SECURITY, Impact.WORK}),
        ),
    ]
    group = only_group(analyse(incidents, "england-wales", today=TODAY))
    assert element_status(group, "pha_s4a", "effect") is ElementStatus.EVIDENCED
    entries = {e.impact: e.incident_ids for e in group.adverse_effect.entries}
    assert entries == {Impact.WORK: ("b",), Impact.SECURITY: ("a", "b")}
    assert group.adverse_effect.any_recorded
    assert "substantial" in group.adverse_effect.not_meaning


def test_unlisted_behaviours_need_judgement_for_the_stalking_element() -> None:
    incidents = [
        incident("a", dt.date(2026, 10, 1), Behaviour.THREATS_VIOLENCE),
        incident("b", dt.date(2026, 10, 2), Behaviour.OTHER),
    ]
    group = only_group(analyse(incidents, "england-wales", today=TODAY))
    assert element_status(group, "pha_s2a", "stalking_acts") is ElementStatus.NEEDS_JUDGEMENT


def test_scotlands_catch_all_does_not_count_as_a_listed_example() -> None:
    incidents = [
        incident("a", dt.date(2026, 10, 1), Behaviour.OTHER),
        incident("b", dt.date(2026, 10, 2), Behaviour.GIVING_LEAVING_ITEMS),
    ]
    group = only_group(analyse(incidents, "scotland", today=TODAY))
    listed = next(e for e in offence(group, "scot_s39").elements if e.key == "listed_conduct")
    assert listed.status is ElementStatus.EVIDENCED
    assert listed.incident_ids == ("b",)


def test_the_knowledge_element_always_needs_judgement() -> None:
    incidents = [incident(str(n), dt.date(2026, 10, n + 1), fear=Fear.YES) for n in range(5)]
    group = only_group(analyse(incidents, "england-wales", today=TODAY))
    for check in group.offences:
        assert element_status(group, check.key, "knowledge") is ElementStatus.NEEDS_JUDGEMENT
        assert check.overall is ElementStatus.NEEDS_JUDGEMENT


def test_elements_carry_their_sources() -> None:
    group = only_group(analyse([incident("a", dt.date(2026, 10, 1))], "scotland", today=TODAY))
    for check in group.offences:
        assert check.sources
        for element in check.elements:
            assert element.sources and element.explanation and element.not_meaning


# --- time limits -----------------------------------------------------------------------------

LAST = dt.date(2026, 3, 10)


def time_limit_on(today: dt.date, last: dt.date = LAST) -> TimeLimitStatus:
    incidents = [incident("a", last - dt.timedelta(days=20)), incident("b", last)]
    group = only_group(analyse(incidents, "england-wales", today=today))
    statuses = {check.offence_key: check.status for check in group.time_limits}
    assert set(statuses) == {"pha_s2", "pha_s2a"}
    assert statuses["pha_s2"] is statuses["pha_s2a"]
    return statuses["pha_s2a"]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2026, 7, 9), TimeLimitStatus.NONE),  # just under 4 months
        (dt.date(2026, 7, 10), TimeLimitStatus.NOTICE),  # exactly 4 months
        (dt.date(2026, 8, 9), TimeLimitStatus.NOTICE),  # just under 5 months
        (dt.date(2026, 8, 10), TimeLimitStatus.ALERT),  # exactly 5 months
        (dt.date(2026, 9, 10), TimeLimitStatus.ALERT),  # the deadline day itself
        (dt.date(2026, 9, 11), TimeLimitStatus.EXPIRED),  # the day after
    ],
)
def test_time_limit_status_at_the_edges(today: dt.date, expected: TimeLimitStatus) -> None:
    assert time_limit_on(today) is expected


def test_the_deadline_is_six_calendar_months_after_the_last_incident() -> None:
    incidents = [incident("a", dt.date(2026, 2, 1)), incident("b", LAST)]
    group = only_group(analyse(incidents, "england-wales", today=dt.date(2026, 9, 1)))
    check = group.time_limits[0]
    assert check.deadline == dt.date(2026, 9, 10)
    assert (check.notice_from, check.alert_from) == (dt.date(2026, 7, 10), dt.date(2026, 8, 10))
    assert check.last_incident_id == "b"
    assert check.days_remaining == 9
    assert "2026-09-10" in check.message
    assert group.time_limit_warnings == (check, group.time_limits[1])


def test_the_deadline_is_clamped_to_the_end_of_february() -> None:
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 8, 31), 6) == dt.date(2028, 2, 29)
    incidents = [incident("a", dt.date(2026, 8, 1)), incident("b", dt.date(2026, 8, 31))]
    on_deadline = only_group(analyse(incidents, "england-wales", today=dt.date(2027, 2, 28)))
    assert on_deadline.time_limits[0].deadline == dt.date(2027, 2, 28)
    assert on_deadline.time_limits[0].status is TimeLimitStatus.ALERT
    assert on_deadline.time_limits[0].notice_from == dt.date(2026, 12, 31)
    assert on_deadline.time_limits[0].alert_from == dt.date(2027, 1, 31)
    assert time_limit_on(dt.date(2027, 3, 1), last=dt.date(2026, 8, 31)) is TimeLimitStatus.EXPIRED


def test_the_time_limit_runs_from_the_end_of_a_range_incident() -> None:
    ranged = IncidentRecord(
        id="r",
        start=dt.datetime(2026, 3, 1, 9, tzinfo=UTC),
        end=dt.datetime(2026, 3, 20, 9, tzinfo=UTC),
        precision=TimePrecision.RANGE,
        text="",
        behaviours=frozenset({Behaviour.LOITERING}),
        perpetrator="p1",
    )
    incidents = [incident("a", dt.date(2026, 2, 1)), ranged]
    check = only_group(analyse(incidents, "england-wales", today=TODAY)).time_limits[0]
    assert check.last_incident == dt.date(2026, 3, 20)
    assert check.deadline == dt.date(2026, 9, 20)


def test_the_time_limit_uses_the_local_date_of_the_last_incident() -> None:
    # 23:30 UTC on 31 May is 00:30 on 1 June in London (summer time).
    late = IncidentRecord(
        id="late",
        start=dt.datetime(2026, 5, 31, 23, 30, tzinfo=UTC),
        text="",
        behaviours=frozenset({Behaviour.CONTACTING}),
        perpetrator="p1",
    )
    incidents = [incident("a", dt.date(2026, 5, 1)), late]
    check = only_group(analyse(incidents, "england-wales", today=TODAY)).time_limits[0]
    assert check.last_incident == dt.date(2026, 6, 1)
    assert check.deadline == dt.date(2026, 12, 1)


def test_offences_without_a_time_limit_get_no_time_limit_check() -> None:
    incidents = [incident("a", dt.date(2025, 1, 1)), incident("b", dt.date(2025, 1, 2))]
    group = only_group(analyse(incidents, "england-wales", today=TODAY))
    assert offence(group, "pha_s4").time_limit is None
    assert offence(group, "pha_s4a").time_limit is None
    for key in ("scotland", "northern-ireland", "ireland"):
        assert only_group(analyse(incidents, key, today=TODAY)).time_limits == ()


def test_an_expired_time_limit_says_so_and_points_to_other_offences() -> None:
    incidents = [incident("a", dt.date(2025, 1, 1)), incident("b", dt.date(2025, 1, 2))]
    check = only_group(analyse(incidents, "england-wales", today=TODAY)).time_limits[0]
    assert check.status is TimeLimitStatus.EXPIRED
    assert check.days_remaining < 0
    assert "other offences" in check.message


# --- escalation ------------------------------------------------------------------------------


def kinds(group: PerpetratorAnalysis) -> set[EscalationKind]:
    return {signal.kind for signal in group.escalation}


def test_more_incidents_in_the_last_30_days_than_the_30_before_is_rising_frequency() -> None:
    incidents = [
        incident("old", TODAY - dt.timedelta(days=45)),
        incident("r1", TODAY - dt.timedelta(days=20)),
        incident("r2", TODAY - dt.timedelta(days=10)),
        incident("r3", TODAY - dt.timedelta(days=1)),
    ]
    group = only_group(analyse(incidents, "england-wales", today=TODAY))
    signal = next(s for s in group.escalation if s.kind is EscalationKind.RISING_FREQUENCY)
    assert signal.incident_ids == ("r1", "r2", "r3")
    assert "3 incidents in the last 30 days, against 1" in signal.reason


def test_a_busier_last_third_is_rising_frequency_even_long_ago() -> None:
    start = dt.date(2025, 1, 1)
    days = [0, 60, 85, 88, 90]
    incidents = [incident(f"i{d}", start + dt.timedelta(days=d)) for d in days]
    group = only_group(analyse(incidents, "england-wales", today=TODAY))
    assert EscalationKind.RISING_FREQUENCY in kinds(group)


def test_evenly_spaced_incidents_are_not_rising_frequency() -> None:
    start = dt.date(2025, 1, 1)
    incidents = [incident(f"i{d}", start + dt.timedelta(days=d)) for d in (0, 30, 60, 90)]
    group = only_group(analyse(incidents, "england-wales", today=TODAY))
    assert EscalationKind.RISING_FREQUENCY not in kinds(group)


def test_new_kinds_of_behaviour_late_in_the_course_are_an_escalation_signal() -> None:
    start = dt.date(2026, 6, 1)
    incidents = [
        incident("a", start, Behaviour.CONTACTING),
        incident("b", start + dt.timedelta(days=30), Behaviour.CONTACTING),
        incident("c", start + dt.timedelta(days=80), Behaviour.CONTACTING, Behaviour.FOLLOWING),
        incident("d", start + dt.timedelta(days=90), Behaviour.ENTERING_PREMISES),
    ]
    group = only_group(analyse(incidents, "england-wales", today=TODAY))
    signal = next(s for s in group.escalation if s.kind is EscalationKind.NEW_BEHAVIOURS)
    assert signal.behaviours == (Behaviour.FOLLOWING, Behaviour.ENTERING_PREMISES)
    assert signal.incident_ids == ("c", "d")


def test_the_same_behaviour_throughout_is_not_a_new_behaviour_signal() -> None:
    start = dt.date(2026, 6, 1)
    incidents = [incident(str(n), start + dt.timedelta(days=10 * n)) for n in range(5)]
    group = only_group(analyse(incidents, "england-wales", today=TODAY))
    assert EscalationKind.NEW_BEHAVIOURS not in kinds(group)


def test_threats_or_violence_are_an_escalation_signal() -> None:
    incidents = [
        incident("a", dt.date(2026, 6, 1)),
        incident("b", dt.date(2026, 6, 2), Behaviour.THREATS_VIOLENCE),
    ]
    group = only_group(analyse(incidents, "england-wales", today=TODAY))
    signal = next(s for s in group.escalation if s.kind is EscalationKind.THREATS_OR_VIOLENCE)
    assert signal.incident_ids == ("b",)


def test_turning_up_at_home_or_work_is_an_escalation_signal_but_messages_are_not() -> None:
    incidents = [
        incident("msg", dt.date(2026, 6, 1), Behaviour.CONTACTING, place=Place.HOME),
        incident("park", dt.date(2026, 6, 2), Behaviour.LOITERING, place=Place.PUBLIC),
        incident("work", dt.date(2026, 6, 3), Behaviour.LOITERING, place=Place.WORK),
        incident("home", dt.date(2026, 6, 4), Behaviour.ENTERING_PREMISES, place=Place.HOME),
    ]
    group = only_group(analyse(incidents, "england-wales", today=TODAY))
    signal = next(s for s in group.escalation if s.kind is EscalationKind.APPROACH_HOME_OR_WORK)
    assert signal.incident_ids == ("work", "home")
    assert signal.behaviours == (Behaviour.LOITERING, Behaviour.ENTERING_PREMISES)


def test_a_quiet_log_has_no_escalation_signals() -> None:
    incidents = [incident("a", dt.date(2026, 1, 1)), incident("b", dt.date(2026, 2, 1))]
    assert only_group(analyse(incidents, "england-wales", today=TODAY)).escalation == ()


# --- FOUR ------------------------------------------------------------------------------------


def four(group: PerpetratorAnalysis) -> dict[FourKey, IndicatorStatus]:
    return {indicator.key: indicator.status for indicator in group.four}


def test_four_repeated_needs_two_incidents() -> None:
    one = only_group(analyse([incident("a", dt.date(2026, 1, 1))], "england-wales", today=TODAY))
    assert four(one)[FourKey.REPEATED] is IndicatorStatus.NOT_YET_INDICATED
    assert four(one)[FourKey.UNWANTED] is IndicatorStatus.NEEDS_JUDGEMENT
    assert four(one)[FourKey.FIXATED] is IndicatorStatus.NEEDS_JUDGEMENT
    assert four(one)[FourKey.OBSESSIVE] is IndicatorStatus.NEEDS_JUDGEMENT
    two = [incident("a", dt.date(2026, 1, 1)), incident("b", dt.date(2026, 1, 2))]
    assert four(only_group(analyse(two, "england-wales", today=TODAY)))[FourKey.REPEATED] is (
        IndicatorStatus.INDICATED
    )


def test_four_indicators_come_from_the_log_with_reasons() -> None:
    incidents = [
        incident("a", dt.date(2026, 1, 1), Behaviour.FOLLOWING, fear=Fear.YES),
        incident("b", dt.date(2026, 1, 3), Behaviour.WATCHING_SPYING),
        incident("c", dt.date(2026, 1, 5), Behaviour.MONITORING_ELECTRONIC, reported=True),
    ]
    group = only_group(analyse(incidents, "england-wales", today=TODAY))
    assert set(four(group).values()) == {IndicatorStatus.INDICATED}
    by_key = {indicator.key: indicator for indicator in group.four}
    assert by_key[FourKey.UNWANTED].incident_ids == ("a", "c")
    assert "3 incidents within one week" in by_key[FourKey.OBSESSIVE].reason
    assert "3 different kinds" in by_key[FourKey.FIXATED].reason
    assert all(indicator.sources and indicator.not_meaning for indicator in group.four)


# --- every output explains itself ------------------------------------------------------------


def walk(value: object) -> Iterator[object]:
    yield value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            if field.name not in {"jurisdiction", "offence", "information"}:
                yield from walk(getattr(value, field.name))
    elif isinstance(value, tuple):
        for item in value:
            yield from walk(item)


def rich_log() -> list[IncidentRecord]:
    return [
        incident("a", dt.date(2026, 8, 1), Behaviour.FOLLOWING, fear=Fear.YES, place=Place.HOME),
        incident("b", dt.date(2026, 10, 1), Behaviour.THREATS_VIOLENCE, fear=Fear.YES),
        incident("c", dt.date(2026, 11, 20), Behaviour.LOITERING, impacts=frozenset({Impact.HOME})),
        incident("d", dt.date(2026, 11, 25), perpetrator=None),
    ]


@pytest.mark.parametrize("key", JURISDICTION_KEYS)
def test_every_output_says_what_it_does_not_mean_and_holds_no_dicts(key: str) -> None:
    analysis = analyse(rich_log(), key, today=TODAY)
    assert "not legal advice" in analysis.disclaimer
    for part in walk(analysis):
        assert not isinstance(part, dict | list | set)
        if dataclasses.is_dataclass(part) and hasattr(part, "not_meaning"):
            assert getattr(part, "not_meaning", "").strip()


def test_stale_legal_data_is_flagged() -> None:
    later = dt.date(2028, 6, 1)
    assert analyse(rich_log(), "england-wales", today=later).review_note is not None
    assert analyse(rich_log(), "england-wales", today=TODAY).review_note is None


# --- properties ------------------------------------------------------------------------------

# Hypothesis takes naive bounds and attaches the time zone itself.
moments = st.datetimes(
    min_value=dt.datetime(2024, 1, 1),  # noqa: DTZ001
    max_value=dt.datetime(2026, 11, 27),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@st.composite
def incident_records(draw: st.DrawFn, id: str) -> IncidentRecord:
    start = draw(moments)
    ranged = draw(st.booleans())
    return IncidentRecord(
        id=id,
        start=start,
        end=start + dt.timedelta(hours=draw(st.integers(0, 24 * 40))) if ranged else None,
        precision=TimePrecision.RANGE if ranged else TimePrecision.EXACT,
        text="",
        behaviours=draw(st.frozensets(st.sampled_from(Behaviour), max_size=4)),
        perpetrator=draw(st.sampled_from([None, "p1", "p2"])),
        fear_of_violence=draw(st.sampled_from(Fear)),
        place=draw(st.sampled_from(Place)),
        impacts=draw(st.frozensets(st.sampled_from(Impact), max_size=3)),
        reported_to_police=draw(st.booleans()),
    )


@st.composite
def logs(draw: st.DrawFn) -> list[IncidentRecord]:
    count = draw(st.integers(0, 12))
    return [draw(incident_records(f"i{n}")) for n in range(count)]


def referenced_ids(group: PerpetratorAnalysis) -> Iterator[str]:
    for part in walk(group):
        for name in ("incident_ids", "feared_incident_ids", "unsure_incident_ids"):
            yield from getattr(part, name, ())
        for name in ("last_incident_id", "after_incident_id", "before_incident_id", "incident_id"):
            value = getattr(part, name, None)
            if isinstance(value, str):
                yield value


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(logs(), st.sampled_from(JURISDICTION_KEYS))
def test_outputs_only_reference_the_incidents_of_their_own_group(
    incidents: list[IncidentRecord], key: str
) -> None:
    analysis = analyse(incidents, key, today=TODAY)
    seen: list[str] = []
    for group in analysis.perpetrators:
        own = {i.id for i in incidents if i.perpetrator == group.perpetrator}
        assert set(group.course.incident_ids) == own
        assert set(referenced_ids(group)) <= own
        seen.extend(group.course.incident_ids)
    assert sorted(seen) == sorted(i.id for i in incidents)


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(logs(), st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2028, 1, 1)))
def test_time_limit_warnings_never_step_back_as_time_passes(
    incidents: list[IncidentRecord], today: dt.date
) -> None:
    order = list(TimeLimitStatus)
    before = analyse(incidents, "england-wales", today=today)
    after = analyse(incidents, "england-wales", today=today + dt.timedelta(days=1))
    for early, late in zip(before.perpetrators, after.perpetrators, strict=True):
        for a, b in zip(early.time_limits, late.time_limits, strict=True):
            assert a.deadline == b.deadline
            assert order.index(a.status) <= order.index(b.status)


@given(st.dates(), st.integers(-240, 240))
def test_adding_months_keeps_the_day_or_clamps_it_to_the_month_end(
    day: dt.date, months: int
) -> None:
    try:
        result = add_months(day, months)
    except ValueError:  # past the calendar's ends
        return
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day == day.day or (
        result.day < day.day and (result + dt.timedelta(days=1)).day == 1
    )
