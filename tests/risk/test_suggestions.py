"""Suggestions from the incident log: reasons and incidents, never answers."""

from __future__ import annotations

import datetime as dt

from courseline.law.model import Behaviour, Fear, Impact, Place
from courseline.risk.instruments import (
    Instrument,
    is_suggest_term,
    score,
    suggest_answers,
    suggest_terms,
)
from tests.risk.conftest import IncidentMaker

TODAY = dt.date(2026, 11, 28)


def test_a_confirmed_behaviour_suggests_the_matching_item_with_its_incidents(
    screening: Instrument, incident: IncidentMaker
) -> None:
    damage = incident(TODAY, Behaviour.INTERFERING_PROPERTY)
    other = incident(TODAY, Behaviour.CONTACTING)
    suggestions = suggest_answers(screening, [damage, other], today=TODAY)
    assert suggestions["property_damage"].incident_ids == (damage.id,)
    assert "interfering_property" in suggestions["property_damage"].reason


def test_suggestions_never_set_answers_and_leave_the_score_unchanged(
    screening: Instrument, incident: IncidentMaker
) -> None:
    log = [
        incident(TODAY, Behaviour.THREATS_VIOLENCE, fear=Fear.YES),
        incident(TODAY - dt.timedelta(days=1), Behaviour.LOITERING, fear=Fear.YES),
    ]
    before = score(screening, {})
    suggestions = suggest_answers(screening, log, today=TODAY)
    assert {"threats_violence", "loitering", "victim_very_frightened"} <= set(suggestions)
    after = score(screening, {})
    assert after == before
    assert after.score == 0
    assert after.factors_present == ()


def test_fear_twice_needs_two_incidents_with_fear(
    screening: Instrument, incident: IncidentMaker
) -> None:
    once = [incident(TODAY, fear=Fear.YES)]
    assert "victim_very_frightened" not in suggest_answers(screening, once, today=TODAY)
    twice = [*once, incident(TODAY, fear=Fear.YES)]
    assert "victim_very_frightened" in suggest_answers(screening, twice, today=TODAY)


def test_more_than_three_incidents_in_seven_days_suggests_frequent_visits(
    screening: Instrument, incident: IncidentMaker
) -> None:
    start = dt.date(2026, 11, 1)
    three = [incident(start + dt.timedelta(days=n * 2)) for n in range(3)]
    assert "frequent_visits" not in suggest_answers(screening, three, today=TODAY)
    four = [*three, incident(start + dt.timedelta(days=6))]
    suggestion = suggest_answers(screening, four, today=TODAY)["frequent_visits"]
    assert len(suggestion.incident_ids) == 4


def test_four_incidents_spread_over_eight_days_are_not_more_than_three_a_week(
    screening: Instrument, incident: IncidentMaker
) -> None:
    start = dt.date(2026, 11, 1)
    spread = [incident(start + dt.timedelta(days=n)) for n in (0, 2, 4, 7)]
    assert "frequent_visits" not in suggest_answers(screening, spread, today=TODAY)


def test_rising_frequency_suggests_the_escalation_item(
    dash: Instrument, incident: IncidentMaker
) -> None:
    recent = [incident(TODAY - dt.timedelta(days=n)) for n in (1, 5, 9)]
    earlier = [incident(TODAY - dt.timedelta(days=45))]
    suggestion = suggest_answers(dash, [*recent, *earlier], today=TODAY)["frequency_increasing"]
    assert set(suggestion.incident_ids) == {i.id for i in recent}


def test_steady_frequency_does_not_suggest_escalation(
    dash: Instrument, incident: IncidentMaker
) -> None:
    log = [incident(TODAY - dt.timedelta(days=n)) for n in (1, 5, 35, 40)]
    assert "frequency_increasing" not in suggest_answers(dash, log, today=TODAY)


def test_incidents_after_today_are_ignored(screening: Instrument, incident: IncidentMaker) -> None:
    future = incident(TODAY + dt.timedelta(days=1), Behaviour.LOITERING)
    assert suggest_answers(screening, [future], today=TODAY) == {}


def test_places_impacts_and_third_parties_feed_the_self_check(
    self_check: Instrument, incident: IncidentMaker
) -> None:
    log = [
        incident(TODAY, place=Place.HOME),
        incident(TODAY, impacts=[Impact.CHANGED_ROUTINE]),
        incident(TODAY, third_parties=True),
    ]
    suggestions = suggest_answers(self_check, log, today=TODAY)
    assert set(suggestions["threats_or_approaches"].incident_ids) == {log[0].id, log[2].id}
    assert suggestions["daily_life"].incident_ids == (log[1].id,)
    assert suggestions["repeated"].incident_ids == tuple(i.id for i in log)


def test_the_vocabulary_accepts_known_terms_and_refuses_others() -> None:
    known = ("behaviour:following", "impact:work", "place:home", "escalation",
             "frequency_weekly_over:3", "incidents_at_least:2",
             "fear_of_violence_twice")  # fmt: skip
    for term in known:
        assert is_suggest_term(term), term
    for term in ("behaviour:flying", "place:moon", "frequency_weekly_over:x", "sometimes"):
        assert not is_suggest_term(term), term
    assert "behaviour:following" in suggest_terms()
