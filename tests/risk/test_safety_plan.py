"""Safety-plan actions: safety first, then each suggested action once."""

from __future__ import annotations

from courseline.risk.instruments import (
    SAFETY_FIRST,
    Answer,
    Instrument,
    all_instruments,
    safety_plan_items,
    score,
)
from tests.risk.conftest import yes_to


def test_the_plan_always_starts_with_999_silent_solution_and_planning_before_removing_spyware(
    screening: Instrument,
) -> None:
    plan = safety_plan_items(screening, score(screening, {}))
    assert [a.key for a in plan] == ["emergency_999", "silent_solution_55",
                                     "plan_before_removing_spyware"]  # fmt: skip
    assert "999" in plan[0].text
    assert "55" in plan[1].text
    assert "before removing" in plan[2].text


def test_actions_suggested_by_several_factors_appear_once_with_every_factor(
    screening: Instrument,
) -> None:
    result = score(screening, yes_to(["threats_violence", "violence_to_others"]))
    plan = safety_plan_items(screening, result)
    keys = [a.key for a in plan]
    assert len(keys) == len(set(keys))
    police = next(a for a in plan if a.key == "report_to_police")
    assert police.from_items == ("threats_violence", "violence_to_others")
    assert plan[: len(SAFETY_FIRST)] == list(SAFETY_FIRST)


def test_only_yes_answers_suggest_actions(screening: Instrument) -> None:
    result = score(screening, {"threats_violence": Answer.UNSURE})
    assert safety_plan_items(screening, result) == list(SAFETY_FIRST)


def test_every_action_of_every_instrument_is_plain_text_and_cited_by_an_item() -> None:
    for instrument in all_instruments():
        used = {key for item in instrument.items for key in item.safety_actions}
        assert used == {action.key for action in instrument.safety_actions}, instrument.key
