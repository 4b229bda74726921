"""Reading diary spreadsheets: UK dates, every bad row reported, hostile files refused."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from courseline.law import diary
from courseline.law.model import Behaviour, Fear, TimePrecision


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03/04/2026", dt.date(2026, 4, 3)),
        ("3/4/26", dt.date(2026, 4, 3)),
        ("2026-04-03", dt.date(2026, 4, 3)),
        ("3rd April 2026", dt.date(2026, 4, 3)),
        ("03.04.2026", dt.date(2026, 4, 3)),
        ("31/02/2026", None),
        ("04/31/2026", None),
        ("yesterday", None),
    ],
)
def test_dates_are_read_day_first(text: str, expected: dt.date | None) -> None:
    assert diary.parse_date(text) == expected


def test_times_and_approximations() -> None:
    start, exact = diary.parse_when("03/04/2026", "6.30pm") or (None, None)
    assert start is not None and (start.hour, start.minute) == (18, 30) and exact
    start, exact = diary.parse_when("about 03/04/2026 21:00") or (None, None)
    assert start is not None and start.hour == 21 and exact is False
    start, exact = diary.parse_when("03/04/2026") or (None, None)
    assert exact is False  # no time given: approximate
    assert diary.parse_when("03/04/2026", "25:00") is None


def test_rows_are_parsed_with_ranges_behaviours_and_fear() -> None:
    table = diary.read_table(
        b"Date,End,What happened,Behaviours,Feared violence,Impact\n"
        b"01/03/2026 22:00,02/03/2026 06:00,Tyres slashed overnight,"
        b'interfering_property,yes,"security, could not sleep"\n',
        "d.csv",
    )
    result = diary.parse_rows(table, diary.guess_mapping(table.headers))
    assert result.ok, result.errors
    (row,) = result.rows
    assert row.precision is TimePrecision.RANGE and row.end is not None
    assert row.behaviours == frozenset({Behaviour.INTERFERING_PROPERTY})
    assert row.fear is Fear.YES
    assert row.impact_notes == "could not sleep"


def test_missing_required_columns_are_named() -> None:
    table = diary.Table(("A",), (("x",),))
    result = diary.parse_rows(table, {})
    assert not result.ok and "What happened" in result.errors[0].reason


def test_a_semicolon_csv_with_a_bom_is_read() -> None:
    table = diary.read_table("\ufeffDate;What happened\n03/03/2026;Rang me\n".encode(), "d.csv")
    assert table.headers == ("Date", "What happened")


def test_too_many_rows_is_refused() -> None:
    body = "Date,What\n" + "03/03/2026,x\n" * (diary.MAX_ROWS + 1)
    with pytest.raises(diary.DiaryError, match="more than"):
        diary.read_table(body.encode(), "d.csv")


@given(st.binary(max_size=2000), st.sampled_from(["d.csv", "d.xlsx", "d.txt"]))
def test_any_bytes_give_a_table_or_a_diary_error(data: bytes, name: str) -> None:
    try:
        table = diary.read_table(data, name)
    except diary.DiaryError:
        return
    diary.parse_rows(table, diary.guess_mapping(table.headers))
