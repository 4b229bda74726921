"""Hash chains for append-only logs (the audit trail now, the evidence custody log later).

Each entry stores the SHA-256 of the entry before it. The hash of an entry covers its
canonical payload and that previous hash, so editing, deleting or reordering any entry
changes every hash after it. Verification walks the chain in order and names the first
entry that does not fit.

This module is pure: it knows nothing of databases. Callers hand it payload dictionaries
made only of JSON types.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

GENESIS_HASH = "0" * 64
"""The "previous hash" of the first entry of every chain."""

JsonValue = str | int | float | bool | None | list["JsonValue"] | dict[str, "JsonValue"]


def canonical_json(payload: Mapping[str, JsonValue]) -> bytes:
    """Serialise a payload the same way every time: sorted keys, no spaces, UTF-8."""
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def entry_hash(prev_hash: str, payload: Mapping[str, JsonValue]) -> str:
    """The hash of one entry: SHA-256 over the previous hash, a separator and the payload."""
    if len(prev_hash) != 64:
        raise ValueError("prev_hash must be a 64-character hex SHA-256 digest")
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical_json(payload))
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class ChainEntry:
    """One stored entry as read back: its position label, payload and stored hashes."""

    label: str
    payload: Mapping[str, JsonValue]
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class ChainProblem:
    """Why verification stopped: the first entry that does not fit, and what was wrong."""

    label: str
    reason: str


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The outcome of walking a chain."""

    entries_checked: int
    problem: ChainProblem | None
    last_hash: str

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_chain(
    entries: Iterable[ChainEntry],
    *,
    expected_last_hash: str | None = None,
    expected_count: int | None = None,
) -> ChainReport:
    """Walk ``entries`` in order and report the first one that breaks the chain.

    ``expected_last_hash`` and ``expected_count`` come from a separately stored chain head:
    they catch the deletion of entries at the very end, which no link inside the chain can show.
    """
    prev = GENESIS_HASH
    count = 0
    for entry in entries:
        if entry.prev_hash != prev:
            reason = "its previous-hash link does not match the entry before it"
            if count == 0:
                reason = "the first entry does not start from the genesis hash"
            return ChainReport(count, ChainProblem(entry.label, reason), prev)
        recomputed = entry_hash(entry.prev_hash, entry.payload)
        if recomputed != entry.hash:
            reason = "its contents do not match its stored hash (edited)"
            return ChainReport(count, ChainProblem(entry.label, reason), prev)
        prev = entry.hash
        count += 1
    if expected_count is not None and count != expected_count:
        reason = f"the chain head records {expected_count} entries but {count} were found"
        return ChainReport(count, ChainProblem("end of chain", reason), prev)
    if expected_last_hash is not None and prev != expected_last_hash:
        reason = "the last entry is not the one the chain head records (entries removed at the end)"
        return ChainReport(count, ChainProblem("end of chain", reason), prev)
    return ChainReport(count, None, prev)
