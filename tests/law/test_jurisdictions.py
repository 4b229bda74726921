"""The jurisdiction data files load, cite their sources and refuse broken copies."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import pydantic
import pytest
import yaml

from courseline.law.analysis import EVALUATORS
from courseline.law.jurisdictions import (
    JURISDICTION_KEYS,
    Confidence,
    JurisdictionDataError,
    ModeOfTrial,
    TimeLimitKind,
    UnknownJurisdictionError,
    all_jurisdictions,
    evidence_terms,
    is_evidence_term,
    load_jurisdiction,
    load_jurisdiction_file,
)
from courseline.law.model import Behaviour

DATA = resources.files("courseline.law").joinpath("data")


def raw_copy(key: str) -> dict[str, Any]:
    text = DATA.joinpath(f"{key}.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def write(tmp_path: Path, data: dict[str, Any], name: str = "england-wales.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("key", JURISDICTION_KEYS)
def test_every_jurisdiction_loads(key: str) -> None:
    jurisdiction = load_jurisdiction(key)
    assert jurisdiction.key == key
    assert jurisdiction.offences
    assert jurisdiction.last_reviewed.year >= 2026


def test_the_registry_lists_every_data_file_and_nothing_else() -> None:
    files = {
        item.name.removesuffix(".yaml") for item in DATA.iterdir() if item.name.endswith(".yaml")
    }
    assert files == set(JURISDICTION_KEYS)


def test_all_jurisdictions_come_in_registry_order() -> None:
    assert [j.key for j in all_jurisdictions()] == list(JURISDICTION_KEYS)


def test_loading_is_cached() -> None:
    assert load_jurisdiction("scotland") is load_jurisdiction("scotland")


def test_an_unknown_jurisdiction_is_refused() -> None:
    with pytest.raises(UnknownJurisdictionError, match="narnia"):
        load_jurisdiction("narnia")


def test_the_loaded_models_are_frozen() -> None:
    jurisdiction = load_jurisdiction("england-wales")
    with pytest.raises(pydantic.ValidationError):
        jurisdiction.offences[0].title = "changed"


@pytest.mark.parametrize("key", JURISDICTION_KEYS)
def test_every_offence_and_element_cites_a_source_with_a_url(key: str) -> None:
    jurisdiction = load_jurisdiction(key)
    for offence in jurisdiction.offences:
        assert jurisdiction.resolve_sources(offence.sources)
        for element in offence.elements:
            sources = jurisdiction.resolve_sources(element.sources)
            assert sources, f"{offence.key}.{element.key} has no source"
            assert all(source.url.startswith(("http://", "https://")) for source in sources)


@pytest.mark.parametrize("key", JURISDICTION_KEYS)
def test_behaviour_mapping_covers_only_valid_keys(key: str) -> None:
    jurisdiction = load_jurisdiction(key)
    item_keys = {item.key for item in jurisdiction.behaviours}
    for item in jurisdiction.behaviours:
        assert item.maps_to
        assert all(isinstance(behaviour, Behaviour) for behaviour in item.maps_to)
    for offence in jurisdiction.offences:
        assert set(offence.listed_behaviours) <= item_keys


@pytest.mark.parametrize("key", JURISDICTION_KEYS)
def test_every_evidenced_by_term_is_in_the_vocabulary(key: str) -> None:
    for offence in load_jurisdiction(key).offences:
        for element in offence.elements:
            assert all(is_evidence_term(term) for term in element.evidenced_by)


def test_the_analysis_understands_every_evidenced_by_term() -> None:
    assert set(EVALUATORS) == set(evidence_terms())


def test_england_and_wales_has_four_offences_and_protection_orders_as_information() -> None:
    jurisdiction = load_jurisdiction("england-wales")
    assert [o.key for o in jurisdiction.offences] == ["pha_s2", "pha_s2a", "pha_s4", "pha_s4a"]
    assert "spo" in {item.key for item in jurisdiction.information}
    assert len(jurisdiction.behaviours) == 7


def test_summary_only_offences_in_england_and_wales_have_a_six_month_limit() -> None:
    for offence in load_jurisdiction("england-wales").offences:
        if offence.mode_of_trial is ModeOfTrial.SUMMARY_ONLY:
            assert offence.time_limit.kind is TimeLimitKind.MONTHS_AFTER_LAST_INCIDENT
            assert offence.time_limit.months == 6
        else:
            assert offence.time_limit.kind is TimeLimitKind.NONE


def test_a_single_act_can_be_stalking_in_ireland_but_harassment_needs_persistence() -> None:
    ireland = load_jurisdiction("ireland")
    assert ireland.offence("ie_s10_2").course_of_conduct.single_act_can_suffice
    assert ireland.offence("ie_s10_2").course_of_conduct.min_occasions == 1
    assert not ireland.offence("ie_s10_1").course_of_conduct.single_act_can_suffice


def test_scotland_offers_threatening_or_abusive_behaviour_as_the_alternative() -> None:
    scotland = load_jurisdiction("scotland")
    assert [o.key for o in scotland.offences] == ["scot_s39", "scot_s38"]
    assert scotland.offence("scot_s38").confidence is Confidence.UNVERIFIED


def test_confidence_follows_the_reference_tags() -> None:
    expected = {
        ("england-wales", "pha_s2"): Confidence.VERIFIED,
        ("england-wales", "pha_s2a"): Confidence.VERIFIED,
        ("england-wales", "pha_s4"): Confidence.UNVERIFIED,
        ("england-wales", "pha_s4a"): Confidence.VERIFIED,
        ("scotland", "scot_s39"): Confidence.VERIFIED,
        ("northern-ireland", "ni_s1"): Confidence.UNVERIFIED,
        ("ireland", "ie_s10_2"): Confidence.UNVERIFIED,
    }
    for (key, offence), confidence in expected.items():
        assert load_jurisdiction(key).offence(offence).confidence is confidence
    time_limit = load_jurisdiction("england-wales").offence("pha_s2a").time_limit
    assert time_limit.confidence is Confidence.UNVERIFIED  # [P]: quoted CPS guidance


@pytest.mark.parametrize("key", JURISDICTION_KEYS)
def test_anything_unverified_says_what_to_check(key: str) -> None:
    for offence in load_jurisdiction(key).offences:
        unverified = Confidence.UNVERIFIED in (offence.confidence, offence.time_limit.confidence)
        assert bool(offence.unverified_points) or not unverified


def test_the_shipped_files_load_from_disk_as_well(tmp_path: Path) -> None:
    path = write(tmp_path, raw_copy("england-wales"))
    assert load_jurisdiction_file(path) == load_jurisdiction("england-wales")


# --- the validator refuses broken copies --------------------------------------------------


def test_validation_fails_when_an_offence_lacks_a_source(tmp_path: Path) -> None:
    data = raw_copy("england-wales")
    data["offences"][1]["sources"] = []
    with pytest.raises(JurisdictionDataError) as error:
        load_jurisdiction_file(write(tmp_path, data))
    message = str(error.value)
    assert "england-wales.yaml" in message
    assert "offences[1] (pha_s2a).sources" in message


def test_validation_fails_when_an_element_lacks_a_source(tmp_path: Path) -> None:
    data = raw_copy("scotland")
    del data["offences"][0]["elements"][2]["sources"]
    with pytest.raises(JurisdictionDataError) as error:
        load_jurisdiction_file(write(tmp_path, data, "scotland.yaml"))
    message = str(error.value)
    assert "scotland.yaml" in message
    assert "offences[0] (scot_s39).elements[2] (fear_or_alarm).sources" in message
    assert "Field required" in message


def test_validation_fails_when_a_source_key_is_unknown(tmp_path: Path) -> None:
    data = raw_copy("england-wales")
    data["offences"][0]["elements"][0]["sources"] = ["no-such-source"]
    with pytest.raises(JurisdictionDataError, match="no-such-source"):
        load_jurisdiction_file(write(tmp_path, data))


def test_validation_fails_on_an_unknown_evidenced_by_term(tmp_path: Path) -> None:
    data = raw_copy("england-wales")
    data["offences"][0]["elements"][0]["evidenced_by"] = ["gut_feeling"]
    with pytest.raises(JurisdictionDataError, match="gut_feeling") as error:
        load_jurisdiction_file(write(tmp_path, data))
    assert "elements[0] (course_of_conduct).evidenced_by" in str(error.value)


def test_validation_fails_on_an_unknown_behaviour_term(tmp_path: Path) -> None:
    data = raw_copy("england-wales")
    data["offences"][0]["elements"][0]["evidenced_by"] = ["behaviours:teleporting"]
    with pytest.raises(JurisdictionDataError, match="teleporting"):
        load_jurisdiction_file(write(tmp_path, data))


def test_validation_fails_when_a_behaviour_key_is_not_a_model_behaviour(tmp_path: Path) -> None:
    data = raw_copy("ireland")
    data["behaviours"][0]["maps_to"] = ["following", "teleporting"]
    with pytest.raises(JurisdictionDataError) as error:
        load_jurisdiction_file(write(tmp_path, data, "ireland.yaml"))
    assert "behaviours[0] (following_watching_monitoring_tracking_spying).maps_to[1]" in str(
        error.value
    )


def test_validation_fails_when_an_offence_lists_an_unknown_behaviour(tmp_path: Path) -> None:
    data = raw_copy("england-wales")
    data["offences"][1]["listed_behaviours"] = ["following", "teleporting"]
    with pytest.raises(JurisdictionDataError, match="teleporting"):
        load_jurisdiction_file(write(tmp_path, data))


def test_validation_fails_on_an_unknown_field(tmp_path: Path) -> None:
    data = raw_copy("england-wales")
    data["offences"][0]["maximum_sentence"] = "life"
    with pytest.raises(JurisdictionDataError, match="maximum_sentence"):
        load_jurisdiction_file(write(tmp_path, data))


def test_validation_fails_when_a_verified_offence_has_unverified_penalties(tmp_path: Path) -> None:
    data = raw_copy("england-wales")
    data["offences"][0]["penalties"]["confidence"] = "unverified"
    with pytest.raises(JurisdictionDataError, match="cannot be verified"):
        load_jurisdiction_file(write(tmp_path, data))


def test_validation_fails_when_a_month_limit_has_no_months(tmp_path: Path) -> None:
    data = raw_copy("england-wales")
    del data["offences"][0]["time_limit"]["months"]
    with pytest.raises(JurisdictionDataError, match="months is required"):
        load_jurisdiction_file(write(tmp_path, data))


def test_validation_fails_when_the_key_does_not_match_the_file_name(tmp_path: Path) -> None:
    data = raw_copy("scotland")
    with pytest.raises(JurisdictionDataError, match="does not match the file name"):
        load_jurisdiction_file(write(tmp_path, data, "ireland.yaml"))


def test_validation_fails_on_text_that_is_not_yaml(tmp_path: Path) -> None:
    path = tmp_path / "england-wales.yaml"
    path.write_text("key: [unclosed", encoding="utf-8")
    with pytest.raises(JurisdictionDataError, match="not valid YAML"):
        load_jurisdiction_file(path)
