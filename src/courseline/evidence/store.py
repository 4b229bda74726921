"""Intake of evidence files: encrypt while streaming, hash on arrival, commit only on success.

:func:`receive` takes an upload as an iterable of byte chunks (what a web framework hands out),
encrypts it into a temporary object of a :class:`Sink` and computes the SHA-256 of the
original bytes on the way; the file is never held in memory. Only when the whole upload has
been read, within the size limit, is the temporary object committed under its final name. Any
failure (the client went away, the limit was passed, the disk filled up) aborts it: no stray
file is left behind, and the caller creates no record.

A sink is deliberately small: open a temporary object, write to it, then commit it under a
name or abort it. :class:`LocalSink` keeps files in one directory. An object-storage sink can
write to a local temporary file and hand the finished file over on commit.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from courseline.evidence.crypto import EncryptedInfo, Keyring, MasterKey, Readable, encrypt_stream

OBJECT_SUFFIX = ".clev"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,200}")


class PendingObject(Protocol):
    """A temporary object being written; exactly one of commit or abort ends it."""

    @property
    def file(self) -> BinaryIO: ...

    def commit(self, name: str) -> None: ...

    def abort(self) -> None: ...


class Sink(Protocol):
    """Where encrypted bodies go."""

    def begin(self) -> PendingObject: ...


def new_object_name() -> str:
    """A fresh, unguessable storage name that says nothing about the file or the case."""
    return secrets.token_hex(16) + OBJECT_SUFFIX


def check_object_name(name: str) -> str:
    """Refuse names that could leave the storage directory or hide a file."""
    if not _NAME.fullmatch(name) or ".." in name:
        raise ValueError(f"not a safe storage name: {name!r}")
    return name


class _LocalPending:
    def __init__(self, root: Path) -> None:
        self._root = root
        fd, path = tempfile.mkstemp(dir=root, prefix=".incoming-", suffix=".part")
        self._path = Path(path)
        os.fchmod(fd, 0o600)
        self._file: BinaryIO = os.fdopen(fd, "wb")
        self._open = True

    @property
    def file(self) -> BinaryIO:
        return self._file

    def commit(self, name: str) -> None:
        target = self._root / check_object_name(name)
        if not self._open:
            raise RuntimeError("this temporary object was already committed or aborted")
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            if target.exists():
                raise FileExistsError(f"an evidence object named {name} already exists")
            os.replace(self._path, target)
        except BaseException:
            self.abort()
            raise
        self._open = False
        _fsync_directory(self._root)

    def abort(self) -> None:
        self._open = False
        with contextlib.suppress(OSError):
            self._file.close()
        with contextlib.suppress(FileNotFoundError):
            self._path.unlink()


def _fsync_directory(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems do not support fsync on directories
    finally:
        os.close(fd)


class LocalSink:
    """Encrypted bodies as files in one directory (created 0700), each written 0600."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)

    def begin(self) -> PendingObject:
        return _LocalPending(self.root)

    def path(self, name: str) -> Path:
        return self.root / check_object_name(name)

    def open(self, name: str) -> BinaryIO:
        """Open a stored (encrypted) body for reading."""
        return self.path(name).open("rb")

    def delete(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(name).unlink()

    def leftovers(self) -> list[Path]:
        """Temporary files left by a crash (a process killed mid-upload); safe to delete."""
        return sorted(self.root.glob(".incoming-*.part"))


@dataclass(frozen=True, slots=True)
class Received:
    """A committed upload: where it is stored and what to record about it."""

    name: str
    info: EncryptedInfo

    @property
    def sha256(self) -> str:
        return self.info.sha256

    @property
    def size(self) -> int:
        return self.info.size


class _ChunkReader:
    """Present an iterable of byte chunks as a ``read(size)`` stream."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks: Iterator[bytes] = iter(chunks)
        self._buffer = bytearray()
        self._done = False

    def read(self, size: int = -1, /) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) < size):
            try:
                chunk = next(self._chunks)
            except StopIteration:
                self._done = True
                break
            if not isinstance(chunk, bytes | bytearray | memoryview):
                raise TypeError("upload chunks must be bytes")
            self._buffer += chunk
        if size < 0:
            size = len(self._buffer)
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data


def receive(
    upload_chunks: Iterable[bytes],
    sink: Sink,
    master: MasterKey | Keyring,
    max_size: int | None,
    *,
    name: str | None = None,
) -> Received:
    """Encrypt and store an upload; commit it only if every byte arrived within the limit.

    ``master`` is the key that wraps the new file's data key (a keyring's current key).
    Raises :class:`~courseline.evidence.crypto.TooLarge` past ``max_size``, and re-raises
    whatever interrupted the upload; in every failure the temporary object is removed.
    """
    stored = check_object_name(name) if name is not None else new_object_name()
    pending, info = encrypt_pending(_ChunkReader(upload_chunks), sink, master, max_size)
    try:
        pending.commit(stored)
    except BaseException:
        pending.abort()
        raise
    return Received(stored, info)


def encrypt_pending(
    source: Readable, sink: Sink, master: MasterKey | Keyring, max_size: int | None = None
) -> tuple[PendingObject, EncryptedInfo]:
    """Encrypt ``source`` into a new temporary object of ``sink``, flushed but not committed:
    the caller commits it under a name once its record exists, or aborts it. On any failure
    here the temporary object is removed."""
    key = master.current if isinstance(master, Keyring) else master
    pending = sink.begin()
    try:
        info = encrypt_stream(source, pending.file, key, max_size=max_size)
        pending.file.flush()
    except BaseException:
        pending.abort()
        raise
    return pending, info
