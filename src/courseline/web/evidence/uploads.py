"""Receiving an evidence upload: encrypted and hashed while it streams in, never whole in
memory and never on disk in the clear.

``EncryptingUploadHandler`` replaces Django's upload handlers for the evidence upload view.
Each file part is fed, chunk by chunk, to the core's ``Encryptor`` writing into a temporary
object of the vault. The form then receives a ``PendingEvidence`` (an ``UploadedFile`` whose
body is already stored, encrypted, but not yet committed). The action commits it only when
the record is created; on every other path (form error, refused request, client gone, a body
Django gives up on) the view calls ``abort_unsettled``, so an interrupted or rejected upload
leaves no record and no stray file.
"""

from __future__ import annotations

import contextlib
import io
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers, StopUpload
from django.http import HttpRequest

from courseline.evidence.crypto import EncryptedInfo, Encryptor, TooLarge
from courseline.evidence.store import PendingObject, encrypt_pending
from courseline.web.evidence.storage import keyring, vault


class PendingEvidence(UploadedFile):
    """An uploaded file whose encrypted body waits in the vault to be committed or aborted."""

    def __init__(
        self, name: str, content_type: str, info: EncryptedInfo, pending: PendingObject
    ) -> None:
        super().__init__(io.BytesIO(), name=name, content_type=content_type, size=info.size)
        self.info = info
        self.pending = pending
        self.settled = False

    def commit(self, storage_name: str) -> None:
        self.pending.commit(storage_name)
        self.settled = True

    def abort(self) -> None:
        if not self.settled:
            self.settled = True
            with contextlib.suppress(OSError):
                self.pending.abort()


class EncryptingUploadHandler(FileUploadHandler):
    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.encryptor: Encryptor | None = None
        self.pending: PendingObject | None = None
        """The file part being received (not yet complete)."""
        self.uploads: list[PendingEvidence] = []
        """Every completed file part, committed or not."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.pending = vault().begin()
        self.encryptor = Encryptor(self.pending.file, keyring().current, max_size=self.limit)
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        assert self.encryptor is not None
        try:
            self.encryptor.update(raw_data)
        except TooLarge:
            self.abort_unsettled()
            raise StopUpload(connection_reset=True) from None
        return None

    def file_complete(self, file_size: int) -> UploadedFile | None:
        assert self.encryptor is not None and self.pending is not None
        info = self.encryptor.finish()
        self.pending.file.flush()
        upload = PendingEvidence(
            self.file_name or "evidence", self.content_type or "", info, self.pending
        )
        self.uploads.append(upload)
        self.encryptor, self.pending = None, None
        return upload

    def upload_interrupted(self) -> None:
        self.abort_unsettled()

    def abort_unsettled(self) -> None:
        """Remove every temporary object of this request that was not committed: the part
        being received, and completed parts (also those Django dropped when it gave up on a
        malformed or oversized body, which never reach ``request.FILES``)."""
        if self.pending is not None:
            with contextlib.suppress(OSError, ValueError):
                self.pending.abort()
            self.pending, self.encryptor = None, None
        for upload in self.uploads:
            upload.abort()


def pending_from_stream(name: str, content_type: str, stream: Any) -> PendingEvidence:
    """Encrypt a file that is not arriving over HTTP (demo data, imports, benchmarks) into a
    pending vault object, exactly as an upload would be."""
    pending, info = encrypt_pending(stream, vault(), keyring())
    return PendingEvidence(name, content_type, info, pending)
