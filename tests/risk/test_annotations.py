"""The Mullen typology and the homicide-timeline stages, as data for a professional to pick."""

from __future__ import annotations

import pytest

from courseline.risk.annotations import MULLEN_TYPES, TIMELINE_STAGES, mullen_type, timeline_stage


def test_there_are_five_mullen_types_and_eight_timeline_stages() -> None:
    assert [t.key for t in MULLEN_TYPES] == ["rejected", "resentful", "intimacy_seeking",
                                             "incompetent_suitor", "predatory"]  # fmt: skip
    assert len(TIMELINE_STAGES) == 8
    assert TIMELINE_STAGES[0].key == "history"
    assert TIMELINE_STAGES[-1].key == "homicide"


def test_every_annotation_has_an_explanation_and_a_source() -> None:
    for annotation in (*MULLEN_TYPES, *TIMELINE_STAGES):
        assert annotation.explanation
        assert annotation.sources
        assert all(s.url.startswith("http") for s in annotation.sources)


def test_lookups_name_an_unknown_key() -> None:
    assert mullen_type("predatory").label == "Predatory"
    assert timeline_stage("trigger").label.startswith("4.")
    with pytest.raises(LookupError, match="'nope'"):
        mullen_type("nope")
