"""Shared helpers for the risk tests: instruments, answers and small incident logs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import pytest

from courseline.law.model import Behaviour, Fear, Impact, IncidentRecord, Place
from courseline.risk.instruments import Answer, Instrument, load_instrument

UTC = dt.UTC


@pytest.fixture
def dash() -> Instrument:
    return load_instrument("domestic-abuse-checklist")


@pytest.fixture
def screening() -> Instrument:
    return load_instrument("stalking-screening")


@pytest.fixture
def self_check() -> Instrument:
    return load_instrument("self-check")


def yes_to(keys: Iterable[str]) -> dict[str, Answer]:
    return {key: Answer.YES for key in keys}


def non_critical_keys(instrument: Instrument) -> list[str]:
    return [item.key for item in instrument.items if not item.critical]


def all_answered(instrument: Instrument, yes: Iterable[str]) -> dict[str, Answer]:
    wanted = set(yes)
    return {key: Answer.YES if key in wanted else Answer.NO for key in instrument.item_keys}


IncidentMaker = Callable[..., IncidentRecord]


@pytest.fixture
def incident() -> IncidentMaker:
    counter = iter(range(1, 10_000))

    def make(
        day: dt.date,
        *behaviours: Behaviour,
        fear: Fear = Fear.UNSURE,
        place: Place = Place.UNKNOWN,
        impacts: Iterable[Impact] = (),
        third_parties: bool = False,
    ) -> IncidentRecord:
        return IncidentRecord(
            id=f"i{next(counter)}",
            start=dt.datetime.combine(day, dt.time(12, 0), tzinfo=UTC),
            text="something happened",
            behaviours=frozenset(behaviours),
            fear_of_violence=fear,
            place=place,
            impacts=frozenset(impacts),
            third_parties_involved=third_parties,
        )

    return make
