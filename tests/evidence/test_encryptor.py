"""The incremental encryptor (uploads arrive in pieces) gives the same, readable format."""

from __future__ import annotations

import hashlib
import io
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from courseline.evidence.crypto import (
    MIN_SEGMENT_SIZE,
    Encryptor,
    MasterKey,
    TooLarge,
    decrypt_stream,
)

KEY = MasterKey.generate()


def _encrypt_in_pieces(data: bytes, pieces: list[int]) -> tuple[bytes, object]:
    out = io.BytesIO()
    encryptor = Encryptor(out, KEY, segment_size=MIN_SEGMENT_SIZE)
    position = 0
    for size in pieces:
        encryptor.update(data[position : position + size])
        position += size
    encryptor.update(data[position:])
    info = encryptor.finish()
    return out.getvalue(), info


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(0, 5 * MIN_SEGMENT_SIZE + 7),
    pieces=st.lists(st.integers(0, 3 * MIN_SEGMENT_SIZE), max_size=8),
)
def test_any_split_into_pieces_decrypts_to_the_original(size: int, pieces: list[int]) -> None:
    data = random.Random(size).randbytes(size)
    body, info = _encrypt_in_pieces(data, pieces)
    plain = io.BytesIO()
    digest, length = decrypt_stream(io.BytesIO(body), plain, info.wrapped_key, KEY)  # type: ignore[attr-defined]
    assert plain.getvalue() == data
    assert digest == hashlib.sha256(data).hexdigest() == info.sha256  # type: ignore[attr-defined]
    assert length == size


def test_it_stops_as_soon_as_the_limit_is_passed() -> None:
    encryptor = Encryptor(io.BytesIO(), KEY, max_size=10)
    encryptor.update(b"x" * 10)
    with pytest.raises(TooLarge):
        encryptor.update(b"y")


def test_it_cannot_be_used_after_finishing() -> None:
    encryptor = Encryptor(io.BytesIO(), KEY)
    encryptor.finish()
    with pytest.raises(ValueError, match="finished"):
        encryptor.update(b"more")
