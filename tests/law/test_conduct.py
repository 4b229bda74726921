"""courseline.law.conduct: behaviour suggestions for free-text incident descriptions."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courseline.law.conduct import THRESHOLD, Suggestion, suggest, suggest_many
from courseline.law.model import Behaviour

DATA = Path(__file__).resolve().parent.parent / "data"

# The tuning set was used to write the lexicon: it must be nearly perfect. The held-out set was
# written first and never tuned on, so it estimates quality on unseen descriptions; its floor is
# a little lower (it is small: one error on a rare behaviour moves its F1 by several points).
TUNING_FLOOR = 0.85
HOLDOUT_FLOOR = 0.80


def _load(name: str) -> list[tuple[str, frozenset[str]]]:
    rows = []
    for line in (DATA / name).read_text("utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows.append((row["text"], frozenset(row["behaviours"])))
    return rows


def _macro_f1(rows: list[tuple[str, frozenset[str]]]) -> float:
    predicted = [frozenset(s.behaviour.value for s in suggest(text)) for text, _ in rows]
    scores = []
    for behaviour in Behaviour:
        key = behaviour.value
        tp = sum(key in p and key in gold for p, (_, gold) in zip(predicted, rows, strict=True))
        fp = sum(key in p and key not in gold for p, (_, gold) in zip(predicted, rows, strict=True))
        fn = sum(key not in p and key in gold for p, (_, gold) in zip(predicted, rows, strict=True))
        if tp + fn == 0:
            continue  # behaviour absent from this set
        scores.append(2 * tp / (2 * tp + fp + fn))
    return sum(scores) / len(scores)


def _keys(text: str) -> set[str]:
    return {s.behaviour.value for s in suggest(text)}


def test_the_labelled_sets_are_well_formed_and_big_enough() -> None:
    tuning, holdout = _load("behaviour_labels.jsonl"), _load("behaviour_labels_holdout.jsonl")
    assert len(tuning) >= 180
    assert 0.25 <= len(holdout) / (len(tuning) + len(holdout)) <= 0.35
    valid = {b.value for b in Behaviour}
    for text, labels in tuning + holdout:
        assert text.strip()
        assert labels <= valid
        assert not (Behaviour.OTHER.value in labels and len(labels) > 1)
    assert not {t for t, _ in tuning} & {t for t, _ in holdout}


def test_macro_f1_on_the_tuning_set_reaches_the_target() -> None:
    assert _macro_f1(_load("behaviour_labels.jsonl")) >= TUNING_FLOOR


def test_macro_f1_on_the_held_out_set_stays_above_its_floor() -> None:
    assert _macro_f1(_load("behaviour_labels_holdout.jsonl")) >= HOLDOUT_FLOOR


def test_every_trigger_is_a_substring_of_the_input() -> None:
    for text, _ in _load("behaviour_labels.jsonl") + _load("behaviour_labels_holdout.jsonl"):
        for suggestion in suggest(text):
            assert suggestion.triggers
            for trigger in suggestion.triggers:
                assert trigger in text


def test_a_suggestion_is_a_frozen_dataclass_with_a_score_between_the_threshold_and_one() -> None:
    [suggestion] = suggest("He followed me home from the station")
    assert suggestion == Suggestion(Behaviour.FOLLOWING, suggestion.score, suggestion.triggers)
    assert THRESHOLD <= suggestion.score <= 1.0
    with pytest.raises(AttributeError):
        suggestion.score = 0.1  # type: ignore[misc]


def test_suggestions_are_sorted_by_score_and_each_behaviour_appears_once() -> None:
    text = (
        "He followed me again, then sat outside my flat, kept ringing me, slashed my tyres "
        "and followed me to work. He followed me home too and rang me 20 times."
    )
    suggestions = suggest(text)
    assert len(suggestions) >= 4
    scores = [s.score for s in suggestions]
    assert scores == sorted(scores, reverse=True)
    behaviours = [s.behaviour for s in suggestions]
    assert len(behaviours) == len(set(behaviours))
    for s in suggestions:
        assert len({t.lower() for t in s.triggers}) == len(s.triggers)


@pytest.mark.parametrize("text", ["", " ", "\n\t  \n", "\u00a0"])
def test_empty_or_whitespace_text_gives_no_suggestions(text: str) -> None:
    assert suggest(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "He didn't follow me today.",
        "No threats this week.",
        "He hasn't contacted me since the warning.",
        "I haven't had any calls or texts from him in a fortnight.",
        "He never came near the house and there were no more letters.",
        "he didnt ring or text, no sign of him anywhere",
    ],
)
def test_negated_conduct_is_not_suggested(text: str) -> None:
    assert suggest(text) == []


def test_a_negation_does_not_cancel_other_conduct_in_the_same_entry() -> None:
    assert _keys("He didn't threaten me today but he did wait outside the gym") == {"loitering"}
    assert _keys("he hasn't followed me since the order but the texts haven't stopped") == {
        "contacting"
    }


def test_refusing_to_stop_is_not_a_negation() -> None:
    assert "contacting" in _keys("He wouldn't stop ringing me")
    assert "contacting" in _keys("I didn't answer his calls")


def test_contact_from_someone_else_in_the_victims_life_is_not_his_contact() -> None:
    assert suggest("my mam rang me to see how i was getting on") == []
    assert suggest("Solicitor will ring me next week about the hearing.") == []


def test_intensifiers_raise_the_score() -> None:
    [plain] = suggest("He was waiting outside my work")
    [repeated] = suggest("He was waiting outside my work again, every single day this week")
    assert repeated.behaviour is plain.behaviour is Behaviour.LOITERING
    assert repeated.score > plain.score


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("he kept ringin me all nite ffs", {"contacting"}),
        ("sat in his car outside me house for 2 hours", {"loitering"}),
        ("Found an air tag in my handbag", {"monitoring_electronic"}),
        ("He logged into my Gmail and read my emails", {"monitoring_electronic"}),
        ("He made a fake Instagram account in my name", {"impersonating"}),
        ("He put my photos on Facebook saying I'm a liar", {"publishing"}),
        ("He messaged my sister asking where I live now", {"third_party_contact"}),
        ("He let himself into my flat while I was at work", {"entering_premises"}),
        ("A bunch of flowers was left on the doorstep", {"giving_leaving_items"}),
        ("He keyed my car", {"interfering_property"}),
        ("He said he'd kill me", {"threats_violence"}),
        ("I caught him watching me through the window", {"watching_spying"}),
        ("He tailed me all the way to the garda station", {"following"}),
    ],
)
def test_each_behaviour_is_recognised_in_plain_descriptions(text: str, expected: set[str]) -> None:
    assert _keys(text) == expected


def test_other_is_only_suggested_alone_for_unwanted_conduct_without_a_specific_behaviour() -> None:
    assert _keys("He won't leave me alone and I'm terrified") == {"other"}
    assert _keys("He won't leave me alone, he keeps ringing me") == {"contacting"}
    assert suggest("Went to the cinema with my sister, had a lovely evening.") == []


def test_suggest_many_keeps_the_order_of_its_input() -> None:
    texts = ["He followed me", "", "He slashed my tyres"]
    assert suggest_many(texts) == [suggest(t) for t in texts]
    assert suggest_many(iter(texts))[2][0].behaviour is Behaviour.INTERFERING_PROPERTY


def test_a_100_kb_description_is_handled_quickly() -> None:
    base = (
        "He followed me from the bus stop and then sat outside my flat. I didn't see him "
        "yesterday. He rang my mum asking where I was, and left flowers on the doorstep. "
    )
    text = (base * (100_000 // len(base) + 1))[:100_000]
    started = time.perf_counter()
    suggestions = suggest(text)
    elapsed = time.perf_counter() - started
    assert elapsed < 5.0  # about 1 s on a loaded two-core machine
    assert {s.behaviour.value for s in suggestions} >= {
        "following",
        "loitering",
        "third_party_contact",
        "giving_leaving_items",
    }
    assert all(len(s.triggers) <= 8 for s in suggestions)


def test_throughput_is_well_above_two_hundred_descriptions_a_second() -> None:
    texts = [t for t, _ in _load("behaviour_labels.jsonl")]
    suggest(texts[0])
    started = time.perf_counter()
    suggest_many(texts)
    rate = len(texts) / (time.perf_counter() - started)
    assert rate >= 200


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(max_size=400))
def test_suggest_never_raises_on_arbitrary_text(text: str) -> None:
    suggestions = suggest(text)
    assert all(THRESHOLD <= s.score <= 1.0 for s in suggestions)
    assert all(t in text for s in suggestions for t in s.triggers)
    keys = {s.behaviour for s in suggestions}
    assert Behaviour.OTHER not in keys or len(keys) == 1


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.sampled_from(
            [
                "he",
                "followed",
                "me",
                "didn't",
                "no",
                "never",
                "rang",
                "texted",
                "outside",
                "my",
                "flat",
                "kill",
                "’",
                "'",
                ".",
                ",",
                "\n",
                "İ",
                "ß",
                "ﬁ",
                "K",
                "tyres",
                "AirTag",
                "fake",
                "account",
                "mam",
                "garda",
            ]
        ),
        max_size=40,
    ).map(" ".join)
)
def test_suggest_never_raises_on_texts_made_of_lexicon_words(text: str) -> None:
    for s in suggest(text):
        assert all(t in text for t in s.triggers)
