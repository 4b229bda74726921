"""Loading instrument files: the shipped ones are valid, broken copies are refused clearly."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from courseline.risk.instruments import (
    INSTRUMENT_KEYS,
    Audience,
    InstrumentDataError,
    UnknownInstrumentError,
    Wording,
    all_instruments,
    load_instrument,
    load_instrument_file,
    score,
)

Breaker = Callable[[dict[str, Any]], None]


def shipped(key: str) -> dict[str, Any]:
    text = resources.files("courseline.risk").joinpath("instruments", f"{key}.yaml").read_text()
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def write(tmp_path: Path, data: dict[str, Any], name: str | None = None) -> Path:
    path = tmp_path / f"{name or data['key']}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def broken(tmp_path: Path, key: str, breaker: Breaker) -> str:
    data = shipped(key)
    breaker(data)
    with pytest.raises(InstrumentDataError) as caught:
        load_instrument_file(write(tmp_path, data))
    return str(caught.value)


def test_every_shipped_instrument_loads_and_is_in_our_own_words() -> None:
    instruments = all_instruments()
    assert [i.key for i in instruments] == list(INSTRUMENT_KEYS)
    for instrument in instruments:
        assert instrument.wording is Wording.OUR_OWN
        for item in instrument.items:
            assert item.citations


def test_item_counts_and_audiences() -> None:
    counts = {i.key: (len(i.items), i.audience) for i in all_instruments()}
    assert counts == {
        "domestic-abuse-checklist": (24, Audience.PROFESSIONAL),
        "stalking-screening": (11, Audience.PROFESSIONAL),
        "self-check": (7, Audience.PUBLIC),
    }


def test_an_unknown_instrument_key_is_refused_with_the_choices() -> None:
    with pytest.raises(UnknownInstrumentError, match="stalking-screening"):
        load_instrument("no-such-instrument")


def test_an_unknown_suggest_from_term_names_the_file_item_and_term(tmp_path: Path) -> None:
    def breaker(data: dict[str, Any]) -> None:
        data["sections"][0]["items"][0]["suggest_from"] = ["behaviour:flying"]

    message = broken(tmp_path, "stalking-screening", breaker)
    assert message.startswith("stalking-screening.yaml: ")
    assert "sections[0] (the_victim).items[0] (victim_very_frightened).suggest_from" in message
    assert "'behaviour:flying'" in message


def test_an_unknown_citation_names_the_item_and_the_source_key(tmp_path: Path) -> None:
    def breaker(data: dict[str, Any]) -> None:
        data["sections"][1]["items"][0]["citations"] = ["made-up-source"]

    message = broken(tmp_path, "stalking-screening", breaker)
    assert "stalking-screening.yaml" in message
    assert "items[0] (property_damage).citations" in message
    assert "made-up-source" in message


def test_an_unexpected_field_is_refused(tmp_path: Path) -> None:
    def breaker(data: dict[str, Any]) -> None:
        data["sections"][0]["items"][0]["colour"] = "red"

    message = broken(tmp_path, "self-check", breaker)
    assert "items[0] (fixated).colour" in message


def test_a_missing_question_text_is_refused(tmp_path: Path) -> None:
    def breaker(data: dict[str, Any]) -> None:
        del data["sections"][0]["items"][1]["text"]

    message = broken(tmp_path, "self-check", breaker)
    assert "items[1] (obsessive).text: Field required" in message


def test_a_follow_up_to_a_missing_item_is_refused(tmp_path: Path) -> None:
    def breaker(data: dict[str, Any]) -> None:
        data["sections"][0]["items"][1]["follow_ups"]["items"] = ["ghost"]

    message = broken(tmp_path, "domestic-abuse-checklist", breaker)
    assert "items[1] (very_frightened).follow_ups.items: unknown item key(s) ghost" in message


def test_an_unknown_safety_action_is_refused(tmp_path: Path) -> None:
    def breaker(data: dict[str, Any]) -> None:
        data["sections"][0]["items"][0]["safety_actions"] = ["fly_away"]

    message = broken(tmp_path, "domestic-abuse-checklist", breaker)
    assert "(injury).safety_actions: unknown safety action key(s) fly_away" in message


def test_a_weight_needs_weighted_scoring(tmp_path: Path) -> None:
    def breaker(data: dict[str, Any]) -> None:
        data["sections"][0]["items"][0]["weight"] = 3

    message = broken(tmp_path, "stalking-screening", breaker)
    assert "(victim_very_frightened).weight: weight only applies" in message


def test_bands_must_rise_and_start_at_zero(tmp_path: Path) -> None:
    def reverse(data: dict[str, Any]) -> None:
        data["scoring"]["bands"].reverse()

    message = broken(tmp_path, "domestic-abuse-checklist", reverse)
    assert "scoring: bands[0] (visible_high_risk).min_score: the first band" in message


def test_a_band_above_the_highest_score_is_refused(tmp_path: Path) -> None:
    def breaker(data: dict[str, Any]) -> None:
        data["scoring"]["bands"][-1]["min_score"] = 25

    message = broken(tmp_path, "domestic-abuse-checklist", breaker)
    assert "scoring.bands (visible_high_risk).min_score: 25 is above" in message


def test_an_unknown_referral_kind_is_refused(tmp_path: Path) -> None:
    def breaker(data: dict[str, Any]) -> None:
        data["referral_prompts"][0]["referral_kinds"] = ["astrologer"]

    message = broken(tmp_path, "domestic-abuse-checklist", breaker)
    assert "referral_prompts[0] (visible_high_risk).referral_kinds[0]" in message


def test_licensed_wording_needs_a_licence_note(tmp_path: Path) -> None:
    def breaker(data: dict[str, Any]) -> None:
        data["wording"] = "licensed"

    assert "licence_note" in broken(tmp_path, "self-check", breaker)


def test_the_key_must_match_the_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, shipped("self-check"), name="renamed")
    with pytest.raises(InstrumentDataError, match=r"renamed.yaml: key: 'self-check'"):
        load_instrument_file(path)


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("key: [unclosed\n")
    with pytest.raises(InstrumentDataError, match="bad.yaml: not valid YAML"):
        load_instrument_file(path)


def test_an_organisations_own_weighted_instrument_scores_by_weight(tmp_path: Path) -> None:
    data = shipped("stalking-screening")
    data["key"] = "our-weighted-screening"
    data["wording"] = "licensed"
    data["licence_note"] = "Example only: wording licensed to a test organisation."
    data["scoring"]["method"] = "weighted"
    data["sections"][1]["items"][0]["weight"] = 5  # property_damage
    data["scoring"]["bands"][1]["min_score"] = 5
    instrument = load_instrument_file(write(tmp_path, data))
    assert instrument.max_score == 15
    assert score(instrument, {"property_damage": "yes"}).score == 5
    assert score(instrument, {"loitering": "yes"}).band.key == "none_recorded"


def test_the_registry_matches_the_instrument_files() -> None:
    folder = resources.files("courseline.risk").joinpath("instruments")
    files = {entry.name.removesuffix(".yaml") for entry in folder.iterdir()
             if entry.name.endswith(".yaml")}  # fmt: skip
    assert files == set(INSTRUMENT_KEYS)
