"""Police-style exhibit references."""

from __future__ import annotations

import pytest

from courseline.evidence.exhibits import (
    exhibit_sort_key,
    initials_from_name,
    next_exhibit_ref,
    normalise_initials,
    parse_exhibit_ref,
)


@pytest.mark.parametrize(
    ("name", "initials"),
    [
        ("Jane Smith", "JS"),
        ("  jane   smith ", "JS"),
        ("Anne-Marie O'Neill", "AMO"),
        ("Siobhán O’Brien", "SO"),
        ("Zoë Ó Súilleabháin", "ZOS"),
        ("Łukasz Żółw", "LZ"),
        ("Madonna", "M"),
        ("Maria del Carmen García López", "MDCL"),
        ("Dr. A. N. Other", "DANO"),
        ("Ярослав Петров", "ЯП"),
    ],
)
def test_initials_come_from_names_of_every_shape(name: str, initials: str) -> None:
    assert initials_from_name(name) == initials


@pytest.mark.parametrize("name", ["", "   ", "123", "--'"])
def test_a_name_without_letters_has_no_initials(name: str) -> None:
    with pytest.raises(ValueError):
        initials_from_name(name)


def test_typed_initials_are_checked() -> None:
    assert normalise_initials(" ab ") == "AB"
    for bad in ["", "A1", "A/B", "ABCDEFG"]:
        with pytest.raises(ValueError):
            normalise_initials(bad)


def test_the_sequence_starts_at_one() -> None:
    assert next_exhibit_ref("AB", []) == "AB/1"


def test_the_next_reference_follows_the_highest_of_the_same_producer() -> None:
    existing = ["AB/1", "AB/2", "CD/7", "AB/10", "junk", "AB/x", "ab/11 "]
    assert next_exhibit_ref("ab", existing) == "AB/12"
    assert next_exhibit_ref("CD", existing) == "CD/8"
    assert next_exhibit_ref("EF", existing) == "EF/1"


def test_gaps_are_not_refilled() -> None:
    assert next_exhibit_ref("AB", ["AB/1", "AB/3"]) == "AB/4"


def test_references_parse_and_sort_as_people_read_them() -> None:
    assert parse_exhibit_ref("AB / 3") == ("AB", 3)
    assert parse_exhibit_ref("AB/0") is None and parse_exhibit_ref("A1/2") is None
    refs = ["AB/10", "junk", "AB/2", "AA/5", "AB/1"]
    assert sorted(refs, key=exhibit_sort_key) == ["AA/5", "AB/1", "AB/2", "AB/10", "junk"]
