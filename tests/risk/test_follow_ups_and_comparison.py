"""Follow-ups that open items or instruments, and comparing two assessments."""

from __future__ import annotations

import pytest

from courseline.risk.instruments import (
    INSTRUMENT_KEYS,
    Answer,
    Instrument,
    all_instruments,
    compare,
    score,
)
from tests.risk.conftest import non_critical_keys, yes_to


def test_a_yes_to_stalking_on_the_domestic_abuse_checklist_opens_the_stalking_screening(
    dash: Instrument,
) -> None:
    result = score(dash, {"stalking_harassment": Answer.YES})
    assert len(result.open_follow_ups) == 1
    follow_up = result.open_follow_ups[0]
    assert follow_up.from_item == "stalking_harassment"
    assert follow_up.instruments == ("stalking-screening",)


def test_a_no_or_unsure_to_stalking_opens_nothing(dash: Instrument) -> None:
    for answer in (Answer.NO, Answer.UNSURE):
        assert score(dash, {"stalking_harassment": answer}).open_follow_ups == ()


def test_a_follow_up_can_open_items_of_the_same_instrument(dash: Instrument) -> None:
    result = score(dash, {"very_frightened": Answer.YES})
    assert result.open_follow_ups[0].items == ("what_afraid_of",)


def test_every_shipped_follow_up_opens_a_shipped_instrument() -> None:
    for instrument in all_instruments():
        for item in instrument.items:
            if item.follow_ups:
                assert set(item.follow_ups.instruments) <= set(INSTRUMENT_KEYS)


def test_comparison_shows_added_and_removed_factors_and_a_band_rise(dash: Instrument) -> None:
    keys = non_critical_keys(dash)
    before = score(dash, yes_to(keys[:10]))
    after = score(dash, yes_to(keys[2:16]))
    change = compare(before, after)
    assert change.added_factors == tuple(keys[10:16])
    assert change.removed_factors == tuple(keys[:2])
    assert change.score_change == 4
    assert change.band_changed
    assert change.band_direction == 1
    assert change.previous_band.key == "below_threshold"
    assert change.current_band.key == "visible_high_risk"
    assert "went up" in change.meaning
    assert "does not mean the risk has gone" in change.not_meaning


def test_comparison_accepts_answer_mappings_with_the_instrument(dash: Instrument) -> None:
    change = compare({"strangulation": Answer.YES}, {}, instrument=dash)
    assert change.removed_critical == ("strangulation",)
    assert change.band_direction == 0
    assert not change.band_changed
    assert change.score_change == -1


def test_comparison_of_answer_mappings_needs_the_instrument() -> None:
    with pytest.raises(TypeError):
        compare({}, {})


def test_comparison_refuses_two_different_instruments(
    dash: Instrument, screening: Instrument
) -> None:
    with pytest.raises(ValueError, match="same instrument"):
        compare(score(dash, {}), score(screening, {}))
