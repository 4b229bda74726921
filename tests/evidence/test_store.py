"""Intake: hash on arrival, encrypt while streaming, and leave nothing behind on failure."""

from __future__ import annotations

import hashlib
import io
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from courseline.evidence.crypto import Keyring, MasterKey, TooLarge, decrypt_stream
from courseline.evidence.store import LocalSink, check_object_name, receive

MASTER = MasterKey.generate()


def chunks(data: bytes, size: int = 65536) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def files_in(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir())


def test_the_hash_computed_on_intake_matches_hashlib(tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024 + 7)
    sink = LocalSink(tmp_path / "vault")
    received = receive(chunks(data), sink, MASTER, max_size=None)
    assert received.sha256 == hashlib.sha256(data).hexdigest()
    assert received.size == len(data)
    assert files_in(sink.root) == [received.name]
    out = io.BytesIO()
    with sink.open(received.name) as body:
        digest, size = decrypt_stream(body, out, received.info.wrapped_key, MASTER)
    assert out.getvalue() == data and digest == received.sha256 and size == len(data)


def test_stored_files_are_private_to_the_service(tmp_path: Path) -> None:
    sink = LocalSink(tmp_path / "vault")
    received = receive([b"abc"], sink, MASTER, max_size=10)
    assert stat.S_IMODE(sink.path(received.name).stat().st_mode) == 0o600
    assert stat.S_IMODE(sink.root.stat().st_mode) == 0o700


def test_an_empty_upload_is_stored(tmp_path: Path) -> None:
    sink = LocalSink(tmp_path)
    received = receive([], sink, MASTER, max_size=10)
    assert received.sha256 == hashlib.sha256(b"").hexdigest() and received.size == 0


def test_an_upload_over_the_limit_leaves_no_file(tmp_path: Path) -> None:
    sink = LocalSink(tmp_path / "vault")
    with pytest.raises(TooLarge, match="limit of 1,000,000 bytes"):
        receive(chunks(os.urandom(3_000_000)), sink, MASTER, max_size=1_000_000)
    assert files_in(sink.root) == []


def test_an_interrupted_upload_leaves_no_file(tmp_path: Path) -> None:
    sink = LocalSink(tmp_path / "vault")

    def broken() -> Iterator[bytes]:
        yield os.urandom(2 * 1024 * 1024)
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        receive(broken(), sink, MASTER, max_size=None)
    assert files_in(sink.root) == []


def test_a_commit_never_overwrites_an_existing_object(tmp_path: Path) -> None:
    sink = LocalSink(tmp_path)
    first = receive([b"first"], sink, MASTER, max_size=None, name="fixed.clev")
    with pytest.raises(FileExistsError):
        receive([b"second"], sink, MASTER, max_size=None, name=first.name)
    assert files_in(sink.root) == ["fixed.clev"]


@pytest.mark.parametrize("name", ["../escape", "/abs", ".hidden", "a/b", "", "x" * 300])
def test_unsafe_storage_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="not a safe storage name"):
        check_object_name(name)


def test_a_keyring_stores_with_its_current_key(tmp_path: Path) -> None:
    new = MasterKey.generate()
    received = receive([b"abc"], LocalSink(tmp_path), Keyring(new, (MASTER,)), max_size=None)
    assert received.info.key_id == new.key_id


def test_storage_names_say_nothing_about_the_file(tmp_path: Path) -> None:
    sink = LocalSink(tmp_path)
    names = {receive([b"a"], sink, MASTER, max_size=None).name for _ in range(3)}
    assert len(names) == 3
    assert all(len(n) == 37 and n.endswith(".clev") for n in names)
    assert sink.leftovers() == []
