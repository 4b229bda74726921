"""Envelope encryption of evidence bodies: round trips, wrong keys, tampering, rotation."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from courseline.evidence import crypto
from courseline.evidence.crypto import (
    HEADER_SIZE,
    MIN_SEGMENT_SIZE,
    TAG_SIZE,
    DecryptingReader,
    EvidenceIntegrityError,
    EvidenceKeyError,
    Keyring,
    MasterKey,
    TooLarge,
    decrypt_stream,
    encrypt_stream,
    iter_decrypt,
    rewrap,
    wrapped_key_id,
)

SEG = MIN_SEGMENT_SIZE
MASTER = MasterKey(bytes(range(32)))


def seal(data: bytes, master: MasterKey = MASTER, segment: int = SEG) -> tuple[bytes, bytes]:
    body = io.BytesIO()
    info = encrypt_stream(io.BytesIO(data), body, master, segment_size=segment)
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.size == len(data)
    return body.getvalue(), info.wrapped_key


def unseal(body: bytes, wrapped: bytes, master: MasterKey | Keyring = MASTER) -> bytes:
    out = io.BytesIO()
    decrypt_stream(io.BytesIO(body), out, wrapped, master)
    return out.getvalue()


@pytest.mark.parametrize(
    "size", [0, 1, SEG - 1, SEG, SEG + 1, 2 * SEG, 3 * SEG + 17], ids=lambda n: f"{n}B"
)
def test_it_round_trips_files_of_every_shape(size: int) -> None:
    data = os.urandom(size)
    body, wrapped = seal(data)
    segments = max(1, -(-size // SEG))
    assert len(body) == HEADER_SIZE + size + segments * TAG_SIZE
    assert unseal(body, wrapped) == data


def test_the_default_one_mib_segments_round_trip_a_multi_segment_file() -> None:
    data = os.urandom(2 * 1024 * 1024 + 5)
    body = io.BytesIO()
    info = encrypt_stream(io.BytesIO(data), body, MASTER)
    assert unseal(body.getvalue(), info.wrapped_key) == data


def test_the_body_does_not_contain_the_plaintext() -> None:
    data = b"the quick brown fox " * 1000
    body, _ = seal(data)
    assert b"quick brown" not in body


def test_each_file_gets_its_own_data_key() -> None:
    first, wrapped_first = seal(b"same bytes")
    second, wrapped_second = seal(b"same bytes")
    assert first != second and wrapped_first != wrapped_second


def test_a_wrong_master_key_fails_loudly() -> None:
    body, wrapped = seal(b"evidence")
    with pytest.raises(EvidenceKeyError, match="wrapped by evidence key"):
        unseal(body, wrapped, MasterKey.generate())


def test_a_wrapped_key_of_another_file_is_refused() -> None:
    body, _ = seal(b"first file" * 500)
    _, other_wrapped = seal(b"second file")
    with pytest.raises(EvidenceKeyError, match="different file"):
        unseal(body, other_wrapped)


def test_a_tampered_wrapped_key_is_an_integrity_error() -> None:
    body, wrapped = seal(b"x")
    broken = wrapped[:-1] + bytes([wrapped[-1] ^ 1])
    with pytest.raises(EvidenceIntegrityError, match="changed"):
        unseal(body, broken)


@pytest.mark.parametrize("where", [0, 4, 5, 12, HEADER_SIZE - 1, HEADER_SIZE, HEADER_SIZE + 5, -1])
def test_a_changed_byte_anywhere_is_detected(where: int) -> None:
    body, wrapped = seal(os.urandom(2 * SEG + 100))
    tampered = bytearray(body)
    tampered[where] ^= 0x40
    with pytest.raises((EvidenceIntegrityError, EvidenceKeyError)):
        unseal(bytes(tampered), wrapped)


def _segments(body: bytes) -> tuple[bytes, list[bytes]]:
    step = SEG + TAG_SIZE
    return body[:HEADER_SIZE], [body[i : i + step] for i in range(HEADER_SIZE, len(body), step)]


def test_truncation_at_a_segment_boundary_is_detected() -> None:
    body, wrapped = seal(os.urandom(3 * SEG))
    header, parts = _segments(body)
    with pytest.raises(EvidenceIntegrityError, match="segment 1"):
        unseal(header + b"".join(parts[:2]), wrapped)


def test_truncation_inside_a_segment_and_a_bare_header_are_detected() -> None:
    body, wrapped = seal(os.urandom(2 * SEG))
    with pytest.raises(EvidenceIntegrityError):
        unseal(body[:-5], wrapped)
    with pytest.raises(EvidenceIntegrityError, match="truncated"):
        unseal(body[:HEADER_SIZE], wrapped)
    with pytest.raises(EvidenceIntegrityError, match="not a Courseline"):
        unseal(body[:10], wrapped)


def test_reordered_and_duplicated_segments_are_detected() -> None:
    body, wrapped = seal(os.urandom(3 * SEG + 10))
    header, parts = _segments(body)
    with pytest.raises(EvidenceIntegrityError, match="segment 0"):
        unseal(header + parts[1] + parts[0] + parts[2] + parts[3], wrapped)
    with pytest.raises(EvidenceIntegrityError):
        unseal(header + parts[0] + parts[0] + parts[1] + parts[2] + parts[3], wrapped)


def test_appended_data_is_detected() -> None:
    body, wrapped = seal(os.urandom(SEG))
    with pytest.raises(EvidenceIntegrityError):
        unseal(body + os.urandom(TAG_SIZE + 10), wrapped)


def test_no_plaintext_of_a_damaged_segment_is_yielded() -> None:
    data = os.urandom(2 * SEG + 3)
    body, wrapped = seal(data)
    tampered = bytearray(body)
    tampered[HEADER_SIZE + SEG + TAG_SIZE + 2] ^= 1  # inside the second segment
    received: list[bytes] = []
    with pytest.raises(EvidenceIntegrityError, match="segment 1"):
        for chunk in iter_decrypt(io.BytesIO(bytes(tampered)), wrapped, MASTER):
            received.append(chunk)
    assert received == [data[:SEG]]


def test_an_unknown_format_version_is_refused() -> None:
    body, wrapped = seal(b"abc")
    changed = body[:4] + b"\x02" + body[5:]
    with pytest.raises(EvidenceIntegrityError, match="version 2"):
        unseal(changed, wrapped)


def test_a_hostile_segment_size_in_the_header_is_refused() -> None:
    body, wrapped = seal(b"abc")
    changed = body[:5] + struct.pack(">I", 2**31) + body[9:]
    with pytest.raises(EvidenceIntegrityError, match="segment size"):
        unseal(changed, wrapped)


def test_rewrap_moves_a_file_to_a_new_key_without_touching_the_body() -> None:
    data = os.urandom(SEG + 1)
    body, wrapped = seal(data)
    new = MasterKey.generate()
    rewrapped = rewrap(wrapped, MASTER, new)
    assert wrapped_key_id(rewrapped) == new.key_id
    assert unseal(body, rewrapped, new) == data
    with pytest.raises(EvidenceKeyError):
        unseal(body, rewrapped, MASTER)
    with pytest.raises(EvidenceKeyError):
        rewrap(wrapped, new, MASTER)


def test_a_keyring_reads_files_wrapped_by_old_keys() -> None:
    new = MasterKey.generate()
    body, wrapped = seal(b"old file")
    ring = Keyring(new, (MASTER,))
    assert unseal(body, wrapped, ring) == b"old file"
    with pytest.raises(EvidenceKeyError, match="not configured"):
        unseal(body, wrapped, Keyring(new))


def test_the_size_limit_stops_encryption() -> None:
    with pytest.raises(TooLarge):
        encrypt_stream(io.BytesIO(b"x" * (SEG * 2)), io.BytesIO(), MASTER, max_size=SEG,
                       segment_size=SEG)  # fmt: skip
    info = encrypt_stream(io.BytesIO(b"x" * SEG), io.BytesIO(), MASTER, max_size=SEG,
                          segment_size=SEG)  # fmt: skip
    assert info.size == SEG


class Trickle:
    """A stream that hands out at most 7 bytes per read, as sockets do."""

    def __init__(self, data: bytes) -> None:
        self.stream = io.BytesIO(data)

    def read(self, size: int = -1, /) -> bytes:
        return self.stream.read(min(size, 7) if size >= 0 else 7)


def test_short_reads_are_handled() -> None:
    data = os.urandom(SEG + 50)
    body = io.BytesIO()
    info = encrypt_stream(Trickle(data), body, MASTER, segment_size=SEG)
    out = io.BytesIO()
    decrypt_stream(Trickle(body.getvalue()), out, info.wrapped_key, MASTER)
    assert out.getvalue() == data


def test_the_decrypting_reader_serves_exact_reads() -> None:
    data = os.urandom(3 * SEG + 11)
    body, wrapped = seal(data)
    reader = DecryptingReader(io.BytesIO(body), wrapped, MASTER)
    parts = []
    while chunk := reader.read(1000):
        assert len(chunk) <= 1000
        parts.append(chunk)
    assert b"".join(parts) == data


# --- keys -----------------------------------------------------------------------------------


def test_keys_read_from_base64_and_show_only_an_id() -> None:
    text = base64.b64encode(bytes(range(32))).decode()
    key = MasterKey.from_base64(text)
    assert key == MASTER
    assert len(key.key_id) == 16
    assert text not in repr(key) and key.key_id in repr(key)
    urlsafe = base64.urlsafe_b64encode(bytes(range(32))).decode().rstrip("=")
    assert MasterKey.from_base64(urlsafe) == MASTER


@pytest.mark.parametrize("text", ["", "not base64!", base64.b64encode(b"short").decode()])
def test_malformed_keys_are_refused(text: str) -> None:
    with pytest.raises(EvidenceKeyError):
        MasterKey.from_base64(text)


def test_keys_come_from_the_environment_or_a_file(tmp_path: os.PathLike[str]) -> None:
    current, old = crypto.generate_key_text(), crypto.generate_key_text()
    ring = Keyring.from_env(
        {"COURSELINE_EVIDENCE_KEY": current, "COURSELINE_EVIDENCE_OLD_KEYS": f"{old}, {current}"}
    )
    assert ring.current == MasterKey.from_base64(current)
    assert ring.previous == (MasterKey.from_base64(old),)
    key_file = os.path.join(tmp_path, "key")
    with open(key_file, "w") as handle:
        handle.write(current + "\n")
    assert MasterKey.from_env({"COURSELINE_EVIDENCE_KEY_FILE": key_file}) == ring.current


def test_a_missing_or_doubly_set_key_is_an_error() -> None:
    with pytest.raises(EvidenceKeyError, match="no evidence key"):
        Keyring.from_env({})
    with pytest.raises(EvidenceKeyError, match="not both"):
        Keyring.from_env(
            {"COURSELINE_EVIDENCE_KEY": "x", "COURSELINE_EVIDENCE_KEY_FILE": "/nonexistent"}
        )
    with pytest.raises(EvidenceKeyError, match="cannot read"):
        Keyring.from_env({"COURSELINE_EVIDENCE_KEY_FILE": "/nonexistent/key"})


# --- property: random damage never yields plaintext silently ---------------------------------

_PLAIN = os.urandom(2 * SEG + 123)
_BODY, _WRAPPED = seal(_PLAIN)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_random_mutations_never_decrypt_without_an_error(data: st.DataObject) -> None:
    body = bytearray(_BODY)
    action = data.draw(st.sampled_from(["flip", "cut", "insert", "splice"]))
    if action == "flip":
        index = data.draw(st.integers(0, len(body) - 1))
        body[index] ^= data.draw(st.integers(1, 255))
    elif action == "cut":
        start = data.draw(st.integers(0, len(body) - 1))
        length = data.draw(st.integers(1, len(body) - start))
        del body[start : start + length]
    elif action == "insert":
        index = data.draw(st.integers(0, len(body)))
        body[index:index] = data.draw(st.binary(min_size=1, max_size=64))
    else:
        start = data.draw(st.integers(0, len(body) - 1))
        other = data.draw(st.integers(0, len(body) - 1))
        length = data.draw(st.integers(1, 200))
        piece = bytes(body[other : other + length])
        if piece == bytes(body[start : start + len(piece)]):
            return
        body[start : start + len(piece)] = piece
    produced = bytearray()
    with pytest.raises((EvidenceIntegrityError, EvidenceKeyError)):
        for chunk in iter_decrypt(io.BytesIO(bytes(body)), _WRAPPED, MASTER):
            produced += chunk
    assert _PLAIN.startswith(bytes(produced))
