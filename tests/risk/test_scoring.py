"""Scoring, bands, critical items, unsure and not-asked answers, referral prompts."""

from __future__ import annotations

import pytest

from courseline.risk.instruments import (
    Answer,
    Instrument,
    InvalidAnswerError,
    ReferralKind,
    UnknownItemError,
    score,
)
from tests.risk.conftest import all_answered, non_critical_keys, yes_to


def test_thirteen_yes_on_the_domestic_abuse_checklist_is_below_the_threshold(
    dash: Instrument,
) -> None:
    result = score(dash, all_answered(dash, non_critical_keys(dash)[:13]))
    assert result.score == 13
    assert result.band.key == "below_threshold"
    assert "visible_high_risk" not in {p.key for p in result.referral_prompts}
    assert not result.raises_concern


def test_fourteen_yes_on_the_domestic_abuse_checklist_is_visible_high_risk_and_prompts_marac(
    dash: Instrument,
) -> None:
    result = score(dash, all_answered(dash, non_critical_keys(dash)[:14]))
    assert result.score == 14
    assert result.band.key == "visible_high_risk"
    assert result.raises_concern
    prompt = next(p for p in result.referral_prompts if p.key == "visible_high_risk")
    assert prompt.kinds == (ReferralKind.MARAC,)
    assert "14" in prompt.text


def test_the_domestic_abuse_checklist_has_24_items_counted_one_each(dash: Instrument) -> None:
    assert len(dash.items) == 24
    assert dash.max_score == 24
    assert score(dash, all_answered(dash, dash.item_keys)).score == 24


def test_a_critical_item_raises_concern_whatever_the_score(dash: Instrument) -> None:
    result = score(dash, {"strangulation": Answer.YES})
    assert result.score == 1
    assert result.band.key == "below_threshold"
    assert result.critical_present == ("strangulation",)
    assert result.raises_concern
    assert "serious" in result.meaning
    keys = {p.key for p in result.referral_prompts}
    assert {"professional_judgement", "police"} <= keys


def test_the_professional_judgement_prompt_is_not_repeated_at_fourteen_or_more(
    dash: Instrument,
) -> None:
    yes = [*non_critical_keys(dash)[:13], "strangulation"]
    keys = {p.key for p in score(dash, yes_to(yes)).referral_prompts}
    assert "visible_high_risk" in keys
    assert "professional_judgement" not in keys


def test_unsure_answers_do_not_count_but_are_listed(screening: Instrument) -> None:
    answers = {"threats_violence": Answer.UNSURE, "loitering": Answer.YES}
    result = score(screening, answers)
    assert result.score == 1
    assert result.unsure_items == ("threats_violence",)
    assert result.critical_unsure == ("threats_violence",)
    assert result.critical_present == ()
    assert "not sure" in result.meaning


def test_not_asked_and_missing_items_are_both_not_answered(screening: Instrument) -> None:
    result = score(screening, {"loitering": Answer.NOT_ASKED, "property_damage": Answer.NO})
    assert result.not_asked == ("loitering",)
    assert "loitering" in result.not_answered
    assert "property_damage" not in result.not_answered
    assert len(result.not_answered) == 10
    assert not result.complete


def test_a_complete_set_of_answers_is_complete(screening: Instrument) -> None:
    assert score(screening, all_answered(screening, [])).complete


def test_answers_may_be_given_as_plain_strings(screening: Instrument) -> None:
    assert score(screening, {"loitering": "yes"}).factors_present == ("loitering",)


def test_an_unknown_item_key_is_refused_by_name(screening: Instrument) -> None:
    with pytest.raises(UnknownItemError, match="'no_such_item'") as caught:
        score(screening, {"no_such_item": Answer.YES})
    assert caught.value.key == "no_such_item"


def test_an_answer_that_is_not_offered_is_refused_by_item_and_value(
    screening: Instrument,
) -> None:
    with pytest.raises(InvalidAnswerError, match="'loitering'.*'maybe'"):
        score(screening, {"loitering": "maybe"})


def test_the_stalking_screening_covers_eleven_themes_with_violence_factors_critical(
    screening: Instrument,
) -> None:
    assert len(screening.items) == 11
    critical = {item.key for item in screening.items if item.critical}
    assert critical == {"victim_very_frightened", "threats_violence", "violence_to_others",
                        "prior_violence"}  # fmt: skip


def test_the_stalking_screening_bands_split_none_from_some(screening: Instrument) -> None:
    assert score(screening, {}).band.key == "none_recorded"
    one = score(screening, {"substance_misuse": Answer.YES})
    assert one.band.key == "factors_present"
    assert [p.key for p in one.referral_prompts] == ["specialist_support"]


def test_a_critical_stalking_factor_prompts_police_and_a_stalking_service(
    screening: Instrument,
) -> None:
    result = score(screening, {"prior_violence": Answer.YES})
    prompt = next(p for p in result.referral_prompts if p.key == "police_and_specialist")
    assert set(prompt.kinds) == {ReferralKind.POLICE, ReferralKind.STALKING_PANEL}


def test_every_self_check_band_puts_999_first(self_check: Instrument) -> None:
    for band in self_check.scoring.bands:
        assert band.meaning.startswith("If you are in danger now, call 999")
        assert "55" in band.meaning


def test_self_check_bands_move_from_no_signs_to_the_stalking_pattern(
    self_check: Instrument,
) -> None:
    assert score(self_check, {}).band.key == "no_signs"
    three = score(self_check, yes_to(["fixated", "obsessive", "unwanted"]))
    assert three.band.key == "some_signs"
    four = score(self_check, yes_to(["fixated", "obsessive", "unwanted", "repeated"]))
    assert four.band.key == "matches_pattern"
    assert four.raises_concern
    assert [p.key for p in four.referral_prompts] == ["helpline"]


def test_threats_on_the_self_check_point_to_the_police(self_check: Instrument) -> None:
    result = score(self_check, {"threats_or_approaches": Answer.YES})
    assert result.raises_concern
    assert ReferralKind.POLICE in result.referral_prompts[0].kinds


def test_every_result_says_what_it_does_not_mean(
    dash: Instrument, screening: Instrument, self_check: Instrument
) -> None:
    for instrument in (dash, screening, self_check):
        assert score(instrument, {}).not_meaning
