"""Where encrypted evidence bodies live: a local folder by default, or S3-compatible object
storage (through django-storages) for deployments that keep files off the application server.

Both are used through the core's small ``Sink`` protocol for writing (a temporary object,
then commit or abort) plus ``open`` and ``delete``. Bodies are encrypted before they reach
either store, so the storage provider never sees evidence in the clear.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from django.conf import settings

from courseline.evidence.crypto import Keyring
from courseline.evidence.store import LocalSink, PendingObject, check_object_name


class Vault(Protocol):
    def begin(self) -> PendingObject: ...

    def open(self, name: str) -> BinaryIO: ...

    def delete(self, name: str) -> None: ...


class _S3Pending:
    """Written to a private local temporary file; uploaded as a whole on commit."""

    def __init__(self, storage: Any) -> None:
        self._storage = storage
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by commit/abort

    @property
    def file(self) -> BinaryIO:
        return self._file

    def commit(self, name: str) -> None:
        try:
            self._file.flush()
            self._file.seek(0)
            saved = self._storage.save(check_object_name(name), self._file)
            if saved != name:  # never overwrite, never rename: refuse instead
                self._storage.delete(saved)
                raise FileExistsError(f"storage name already taken: {name}")
        finally:
            self._file.close()

    def abort(self) -> None:
        self._file.close()


class S3Vault:
    def __init__(self, options: dict[str, Any]) -> None:
        from storages.backends.s3 import S3Storage  # type: ignore[import-untyped]

        self.storage = S3Storage(**{k: v for k, v in options.items() if v is not None})

    def begin(self) -> PendingObject:
        return _S3Pending(self.storage)

    def open(self, name: str) -> BinaryIO:
        return self.storage.open(check_object_name(name), "rb")

    def delete(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.storage.delete(check_object_name(name))


@cache
def _vault(kind: str, location: str) -> Vault:
    if kind == "s3":
        return S3Vault(dict(settings.EVIDENCE_S3))
    return LocalSink(location)


def stored_objects_of_case(case_id: int) -> list[str]:
    """Storage names of every file (originals and derived copies) of a case."""
    from courseline.web.evidence.models import DerivedCopy, EvidenceItem

    names = list(
        EvidenceItem.objects.filter(case_id=case_id).values_list("storage_name", flat=True)
    )
    names += DerivedCopy.objects.filter(item__case_id=case_id).values_list(
        "storage_name", flat=True
    )
    return names


def delete_objects(names: list[str]) -> None:
    store = vault()
    for name in names:
        with contextlib.suppress(OSError, ValueError):
            store.delete(name)


def sweep_leftovers(older_than_seconds: float = 24 * 3600) -> int:
    """Delete temporary upload files left by a process killed mid-upload (local storage);
    the number removed. Never touches committed files."""
    import time

    store = vault()
    if not isinstance(store, LocalSink):
        return 0
    removed = 0
    cutoff = time.time() - older_than_seconds
    for path in store.leftovers():
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
    return removed


def work_dir() -> str | None:
    """Where transient working copies go (COURSELINE_WORK_DIR; None: the system's temporary
    folder). Point it at a memory-backed file system so that nothing lands on disk."""
    folder: str | None = settings.WORK_DIR or None
    if folder:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    return folder


def sweep_work_dir(older_than_seconds: float = 24 * 3600) -> int:
    """Delete working folders and files Courseline left in the work folder more than a day ago
    (a worker killed mid-request); the number removed."""
    import shutil
    import time

    folder = Path(work_dir() or tempfile.gettempdir())
    cutoff = time.time() - older_than_seconds
    removed = 0
    for path in folder.glob("courseline-*"):
        with contextlib.suppress(OSError):
            if path.lstat().st_mtime >= cutoff or path.is_symlink():
                continue
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
            removed += 1
    return removed


def vault() -> Vault:
    return _vault(settings.EVIDENCE_STORAGE, os.fspath(settings.EVIDENCE_DIR))


def keyring() -> Keyring:
    ring: Keyring = settings.EVIDENCE_KEYRING
    return ring
