from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from courseline.evidence.chain import GENESIS_HASH, ChainEntry, entry_hash, verify_chain

payloads = st.lists(
    st.dictionaries(
        st.text(min_size=1, max_size=8),
        st.one_of(st.none(), st.integers(), st.text(max_size=20), st.booleans()),
        max_size=4,
    ),
    min_size=1,
    max_size=12,
)


def build(items: list[dict[str, object]]) -> list[ChainEntry]:
    entries, prev = [], GENESIS_HASH
    for number, payload in enumerate(items, start=1):
        digest = entry_hash(prev, payload)  # type: ignore[arg-type]
        entries.append(ChainEntry(f"#{number}", payload, prev, digest))  # type: ignore[arg-type]
        prev = digest
    return entries


@given(payloads)
def test_an_untouched_chain_verifies(items: list[dict[str, object]]) -> None:
    entries = build(items)
    report = verify_chain(entries, expected_last_hash=entries[-1].hash, expected_count=len(items))
    assert report.ok
    assert report.entries_checked == len(items)


@given(payloads, st.data())
def test_it_names_the_first_edited_entry(
    items: list[dict[str, object]], data: st.DataObject
) -> None:
    entries = build(items)
    index = data.draw(st.integers(0, len(entries) - 1))
    tampered = {**entries[index].payload, "__tampered__": True}
    entries[index] = replace(entries[index], payload=tampered)
    report = verify_chain(entries)
    assert report.problem is not None
    assert report.problem.label == f"#{index + 1}"
    assert "edited" in report.problem.reason


@given(payloads, st.data())
def test_it_detects_a_deleted_entry_anywhere(
    items: list[dict[str, object]], data: st.DataObject
) -> None:
    entries = build(items)
    last_hash, count = entries[-1].hash, len(entries)
    index = data.draw(st.integers(0, len(entries) - 1))
    del entries[index]
    report = verify_chain(entries, expected_last_hash=last_hash, expected_count=count)
    assert not report.ok


def test_the_hash_depends_on_the_previous_hash() -> None:
    assert entry_hash(GENESIS_HASH, {"a": 1}) != entry_hash("1" * 64, {"a": 1})


def test_key_order_does_not_change_the_hash() -> None:
    assert entry_hash(GENESIS_HASH, {"a": 1, "b": 2}) == entry_hash(GENESIS_HASH, {"b": 2, "a": 1})
