"""Envelope encryption of evidence files at rest, streamed in authenticated segments.

Every file gets its own random 256-bit *data key*. The body is encrypted with AES-256-GCM in
fixed-size segments, so a file of any size is encrypted and decrypted with bounded memory and
no plaintext of a segment is ever released before that segment's tag has been checked. The
data key is then *wrapped* (AES key wrap, RFC 3394) by the deployment's *master key* and
stored beside the file's record, not in the body: rotating the master key re-wraps the small
wrapped keys and never rewrites the bodies.

Python's ``cryptography`` package offers one-shot AES-GCM but no streaming, segmented format,
and the libraries that do (age, Tink) bring heavy dependencies or native toolchains; so this
module builds a small, documented format on top of ``cryptography``'s ``AESGCM``, following
the well-studied "STREAM" segmentation idea (Hoang, Reyhanitabar, Rogaway and Vizár, 2015).

Body format, version 1 (all integers big-endian)::

    header   37 bytes
      magic           4  b"CLEV"
      version         1  0x01
      segment size    4  plaintext bytes per segment (4 KiB .. 16 MiB; default 1 MiB)
      nonce prefix    8  random, per file
      data key id    20  SHA-256("courseline-evidence-data-key-id\\0" || data key)[:20]
    segments, each  ciphertext || 16-byte GCM tag
      every segment but the last holds exactly `segment size` plaintext bytes;
      the last holds 0 .. `segment size` bytes (an empty file is one empty last segment).

    nonce(i)  = nonce prefix || uint32(i)            (12 bytes; i counts from 0)
    AAD(i)    = header || last flag                  (last flag 0x01 on the last segment,
                                                      0x00 on every other)

What that catches: changing any byte of the header or a segment (tag fails); reordering,
dropping or duplicating segments (the counter is in the nonce); truncation at a segment
boundary (the new last segment was sealed with the "not last" flag); appended data (the old
last segment is then read as "not last"); a body paired with another file's wrapped key (the
data key id differs, checked before any decryption; GCM alone does not commit to its key).

Wrapped key format, version 1::

    version 1 (0x01) || master key id 8 || AES-KW(master key, data key) 40   = 49 bytes

The master key id is the first 8 bytes of SHA-256("courseline-evidence-master-key-id\\0" ||
key), shown as 16 hex characters (``MasterKey.key_id``): records can say which key wraps them,
and a wrong key is reported as such instead of as damage.

Master keys come from the environment (:meth:`Keyring.from_env`): ``COURSELINE_EVIDENCE_KEY``
or ``COURSELINE_EVIDENCE_KEY_FILE`` (base64 of 32 random bytes) for the current key, and
``COURSELINE_EVIDENCE_OLD_KEYS`` / ``COURSELINE_EVIDENCE_OLD_KEYS_FILE`` (keys separated by
commas, spaces or new lines) for keys that may still wrap older records during a rotation.

A caveat for callers: decryption fails loudly as soon as it meets damage, but earlier,
authenticated segments of the same file may already have been delivered. Whoever writes the
output somewhere lasting must write to a temporary place and discard it on error.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import struct
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

MAGIC = b"CLEV"
FORMAT_VERSION = 1
WRAP_VERSION = 1
DEFAULT_SEGMENT_SIZE = 1024 * 1024
MIN_SEGMENT_SIZE = 4 * 1024
MAX_SEGMENT_SIZE = 16 * 1024 * 1024
TAG_SIZE = 16
KEY_SIZE = 32
NONCE_PREFIX_SIZE = 8
DATA_KEY_ID_SIZE = 20
MASTER_KEY_ID_SIZE = 8
HEADER_SIZE = len(MAGIC) + 1 + 4 + NONCE_PREFIX_SIZE + DATA_KEY_ID_SIZE
WRAPPED_KEY_SIZE = 1 + MASTER_KEY_ID_SIZE + KEY_SIZE + 8
MAX_SEGMENTS = 2**32

ENV_KEY = "COURSELINE_EVIDENCE_KEY"
ENV_OLD_KEYS = "COURSELINE_EVIDENCE_OLD_KEYS"

_LAST = b"\x01"
_NOT_LAST = b"\x00"
_MASTER_ID_LABEL = b"courseline-evidence-master-key-id\x00"
_DATA_ID_LABEL = b"courseline-evidence-data-key-id\x00"


class EvidenceError(Exception):
    """Base of every error raised while storing or reading evidence."""


class EvidenceKeyError(EvidenceError):
    """A key is missing, malformed, or not the one that wraps this file's key."""


class EvidenceIntegrityError(EvidenceError):
    """An encrypted body or wrapped key was changed, truncated, reordered or is not ours."""


class TooLarge(EvidenceError):
    """The input went past the size limit; nothing of it is kept."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the file is larger than the limit of {limit:,} bytes")
        self.limit = limit


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


class Writable(Protocol):
    def write(self, data: bytes, /) -> object: ...


def _master_id(raw: bytes) -> bytes:
    return hashlib.sha256(_MASTER_ID_LABEL + raw).digest()[:MASTER_KEY_ID_SIZE]


def _data_key_id(data_key: bytes) -> bytes:
    return hashlib.sha256(_DATA_ID_LABEL + data_key).digest()[:DATA_KEY_ID_SIZE]


class MasterKey:
    """The deployment's key-encryption key: 32 random bytes, never logged or shown."""

    __slots__ = ("_id", "_raw")

    def __init__(self, raw: bytes) -> None:
        if not isinstance(raw, bytes) or len(raw) != KEY_SIZE:
            raise EvidenceKeyError("an evidence master key must be exactly 32 bytes")
        self._raw = raw
        self._id = _master_id(raw)

    @classmethod
    def generate(cls) -> MasterKey:
        return cls(secrets.token_bytes(KEY_SIZE))

    @classmethod
    def from_base64(cls, text: str) -> MasterKey:
        """Read a key written as base64 (standard or URL-safe alphabet, padding optional)."""
        cleaned = "".join(text.split())
        cleaned = cleaned.replace("-", "+").replace("_", "/")
        cleaned += "=" * (-len(cleaned) % 4)
        try:
            raw = base64.b64decode(cleaned, validate=True)
        except (binascii.Error, ValueError):
            raise EvidenceKeyError("the evidence key is not valid base64") from None
        if len(raw) != KEY_SIZE:
            raise EvidenceKeyError(
                f"the evidence key must be base64 of 32 bytes, not of {len(raw)} bytes"
            )
        return cls(raw)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> MasterKey:
        """The current key from ``COURSELINE_EVIDENCE_KEY`` or ``..._KEY_FILE``."""
        return Keyring.from_env(environ).current

    def to_base64(self) -> str:
        return base64.b64encode(self._raw).decode("ascii")

    @property
    def key_id(self) -> str:
        """A short public fingerprint: 16 hex characters, safe to store and show."""
        return self._id.hex()

    @property
    def raw_id(self) -> bytes:
        return self._id

    def wrap(self, data_key: bytes) -> bytes:
        return bytes([WRAP_VERSION]) + self._id + aes_key_wrap(self._raw, data_key)

    def unwrap(self, wrapped_key: bytes) -> bytes:
        key_id = wrapped_key_id(wrapped_key)
        if key_id != self.key_id:
            raise EvidenceKeyError(
                f"this file's key is wrapped by evidence key {key_id}, "
                f"but the key given is {self.key_id}"
            )
        try:
            return aes_key_unwrap(self._raw, wrapped_key[1 + MASTER_KEY_ID_SIZE :])
        except InvalidUnwrap:
            raise EvidenceIntegrityError(
                "the wrapped data key does not unwrap with its evidence key: it was changed"
            ) from None

    def __repr__(self) -> str:
        return f"MasterKey(key_id={self.key_id!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MasterKey) and hmac.compare_digest(self._raw, other._raw)

    def __hash__(self) -> int:
        return hash(self._id)


def wrapped_key_id(wrapped_key: bytes) -> str:
    """The id of the master key that wrapped ``wrapped_key`` (without needing any key)."""
    if len(wrapped_key) != WRAPPED_KEY_SIZE or wrapped_key[0] != WRAP_VERSION:
        raise EvidenceIntegrityError("this is not a Courseline wrapped evidence key (version 1)")
    return wrapped_key[1 : 1 + MASTER_KEY_ID_SIZE].hex()


@dataclass(frozen=True, slots=True)
class Keyring:
    """The current master key and older ones still accepted for reading during a rotation."""

    current: MasterKey
    previous: tuple[MasterKey, ...] = ()

    @property
    def keys(self) -> tuple[MasterKey, ...]:
        return (self.current, *self.previous)

    def for_wrapped(self, wrapped_key: bytes) -> MasterKey:
        key_id = wrapped_key_id(wrapped_key)
        for key in self.keys:
            if key.key_id == key_id:
                return key
        known = ", ".join(k.key_id for k in self.keys)
        raise EvidenceKeyError(
            f"this file's key is wrapped by evidence key {key_id}, which is not configured "
            f"(configured: {known}); set it in {ENV_OLD_KEYS} to read it"
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Keyring:
        """Read the keys from the environment; a missing or malformed key is an error."""
        current_text = _read_setting(environ, ENV_KEY)
        if current_text is None:
            raise EvidenceKeyError(
                f"no evidence key: set {ENV_KEY} or {ENV_KEY}_FILE to base64 of 32 random bytes"
            )
        current = MasterKey.from_base64(current_text)
        old_text = _read_setting(environ, ENV_OLD_KEYS) or ""
        previous: list[MasterKey] = []
        for part in old_text.replace(",", " ").split():
            key = MasterKey.from_base64(part)
            if key != current and key not in previous:
                previous.append(key)
        return cls(current, tuple(previous))


def _read_setting(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name, "").strip()
    path = environ.get(f"{name}_FILE", "").strip()
    if value and path:
        raise EvidenceKeyError(f"set {name} or {name}_FILE, not both")
    if path:
        try:
            return Path(path).read_text(encoding="ascii").strip() or None
        except (OSError, UnicodeDecodeError) as exc:
            raise EvidenceKeyError(f"cannot read {name}_FILE ({path}): {exc}") from None
    return value or None


def _resolve(master: MasterKey | Keyring, wrapped_key: bytes) -> MasterKey:
    return master.for_wrapped(wrapped_key) if isinstance(master, Keyring) else master


@dataclass(frozen=True, slots=True)
class EncryptedInfo:
    """What to record about a stored body: the wrapped key and facts about the plaintext."""

    wrapped_key: bytes
    key_id: str
    """The id of the master key that wraps ``wrapped_key``."""
    sha256: str
    """SHA-256 of the plaintext (the original file), hex; computed while streaming."""
    size: int
    """Plaintext size in bytes."""


def _read_full(src: Readable, size: int) -> bytes:
    """Read ``size`` bytes, fewer only at the end of the stream."""
    parts: list[bytes] = []
    wanted = size
    while wanted > 0:
        chunk = src.read(wanted)
        if not chunk:
            break
        parts.append(chunk)
        wanted -= len(chunk)
    return b"".join(parts)


def _header(segment_size: int, nonce_prefix: bytes, data_key_id: bytes) -> bytes:
    size = struct.pack(">I", segment_size)
    return MAGIC + bytes([FORMAT_VERSION]) + size + nonce_prefix + data_key_id


class Encryptor:
    """Incremental form of :func:`encrypt_stream`, for data that arrives in pieces (an upload
    being received): ``update`` with each piece, then ``finish``. Memory stays bounded by two
    segments whatever the pieces' sizes.

    Raises :class:`TooLarge` from ``update`` as soon as more than ``max_size`` bytes have
    arrived; part of the body has then been written to ``dst``, which the caller discards.
    """

    def __init__(
        self,
        dst: Writable,
        master: MasterKey,
        *,
        max_size: int | None = None,
        segment_size: int = DEFAULT_SEGMENT_SIZE,
    ) -> None:
        if not MIN_SEGMENT_SIZE <= segment_size <= MAX_SEGMENT_SIZE:
            raise ValueError("segment_size must be between 4 KiB and 16 MiB")
        self._dst = dst
        self._master = master
        self._max_size = max_size
        self._segment_size = segment_size
        self._data_key = secrets.token_bytes(KEY_SIZE)
        self._nonce_prefix = secrets.token_bytes(NONCE_PREFIX_SIZE)
        self._header = _header(segment_size, self._nonce_prefix, _data_key_id(self._data_key))
        self._aead = AESGCM(self._data_key)
        self._digest = hashlib.sha256()
        self._buffer = bytearray()
        self._total = 0
        self._index = 0
        self._finished = False
        dst.write(self._header)

    def _seal(self, chunk: bytes, *, last: bool) -> None:
        if self._index >= MAX_SEGMENTS:
            raise TooLarge(MAX_SEGMENTS * self._segment_size)
        nonce = self._nonce_prefix + struct.pack(">I", self._index)
        aad = self._header + (_LAST if last else _NOT_LAST)
        self._dst.write(self._aead.encrypt(nonce, chunk, aad))
        self._index += 1

    def update(self, data: bytes) -> None:
        if self._finished:
            raise ValueError("the encryptor has finished")
        self._total += len(data)
        if self._max_size is not None and self._total > self._max_size:
            raise TooLarge(self._max_size)
        self._digest.update(data)
        self._buffer += data
        size = self._segment_size
        # A full segment is sealed as "not last" only once a byte after it has arrived.
        while len(self._buffer) > size:
            self._seal(bytes(self._buffer[:size]), last=False)
            del self._buffer[:size]

    def finish(self) -> EncryptedInfo:
        if self._finished:
            raise ValueError("the encryptor has finished")
        self._finished = True
        self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()
        wrapped = self._master.wrap(self._data_key)
        return EncryptedInfo(wrapped, self._master.key_id, self._digest.hexdigest(), self._total)


def encrypt_stream(
    src: Readable,
    dst: Writable,
    master: MasterKey,
    *,
    max_size: int | None = None,
    segment_size: int = DEFAULT_SEGMENT_SIZE,
) -> EncryptedInfo:
    """Encrypt ``src`` into ``dst`` segment by segment, hashing the plaintext on the way.

    Raises :class:`TooLarge` as soon as more than ``max_size`` bytes have been read; by then
    part of the body has been written to ``dst``, which the caller must discard.
    """
    encryptor = Encryptor(dst, master, max_size=max_size, segment_size=segment_size)
    while chunk := _read_full(src, segment_size):
        encryptor.update(chunk)
    return encryptor.finish()


def _parse_header(header: bytes) -> tuple[int, bytes, bytes]:
    if len(header) < HEADER_SIZE or header[: len(MAGIC)] != MAGIC:
        raise EvidenceIntegrityError("this is not a Courseline encrypted evidence file")
    if header[len(MAGIC)] != FORMAT_VERSION:
        raise EvidenceIntegrityError(
            f"unsupported encrypted evidence format version {header[len(MAGIC)]}"
        )
    (segment_size,) = struct.unpack(">I", header[5:9])
    if not MIN_SEGMENT_SIZE <= segment_size <= MAX_SEGMENT_SIZE:
        raise EvidenceIntegrityError("the encrypted file's header is damaged (segment size)")
    return segment_size, header[9:17], header[17:HEADER_SIZE]


def iter_decrypt(src: Readable, wrapped_key: bytes, master: MasterKey | Keyring) -> Iterator[bytes]:
    """Yield the plaintext segment by segment, each only after its tag has been verified.

    Raises :class:`EvidenceKeyError` for a wrong key and :class:`EvidenceIntegrityError` for any
    damage. The key and header are checked when iteration starts.
    """
    key = _resolve(master, wrapped_key)
    data_key = key.unwrap(wrapped_key)
    header = _read_full(src, HEADER_SIZE)
    segment_size, nonce_prefix, data_key_id = _parse_header(header)
    if not hmac.compare_digest(data_key_id, _data_key_id(data_key)):
        raise EvidenceKeyError(
            "this wrapped key belongs to a different file: the body was encrypted with another "
            "data key"
        )
    aead = AESGCM(data_key)
    sealed_size = segment_size + TAG_SIZE
    index = 0
    sealed = _read_full(src, sealed_size)
    while True:
        following = _read_full(src, sealed_size) if len(sealed) == sealed_size else b""
        last = not following
        if len(sealed) < TAG_SIZE:
            raise EvidenceIntegrityError("the encrypted file is truncated")
        if index >= MAX_SEGMENTS:
            raise EvidenceIntegrityError("the encrypted file has too many segments")
        nonce = nonce_prefix + struct.pack(">I", index)
        try:
            plain = aead.decrypt(nonce, sealed, header + (_LAST if last else _NOT_LAST))
        except InvalidTag:
            raise EvidenceIntegrityError(
                f"segment {index} of the encrypted file failed its integrity check: the file "
                "was changed, truncated, reordered or extended"
            ) from None
        yield plain
        if last:
            return
        sealed = following
        index += 1


def decrypt_stream(
    src: Readable, dst: Writable, wrapped_key: bytes, master: MasterKey | Keyring
) -> tuple[str, int]:
    """Decrypt ``src`` into ``dst``; return the plaintext's SHA-256 (hex) and size.

    On error ``dst`` may hold the authenticated segments before the damage: discard it.
    """
    digest = hashlib.sha256()
    size = 0
    for plain in iter_decrypt(src, wrapped_key, master):
        digest.update(plain)
        size += len(plain)
        dst.write(plain)
    return digest.hexdigest(), size


class DecryptingReader:
    """A read-only binary stream of a decrypted body (for zip writing or HTTP responses)."""

    def __init__(self, src: Readable, wrapped_key: bytes, master: MasterKey | Keyring) -> None:
        self._segments = iter_decrypt(src, wrapped_key, master)
        self._buffer = b""
        self._done = False
        self._src = src

    def read(self, size: int = -1, /) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) < size):
            try:
                self._buffer += next(self._segments)
            except StopIteration:
                self._done = True
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def close(self) -> None:
        close = getattr(self._src, "close", None)
        if callable(close):
            close()

    def __enter__(self) -> DecryptingReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def rewrap(wrapped_key: bytes, old: MasterKey | Keyring, new: MasterKey) -> bytes:
    """Re-wrap a file's data key under ``new`` (key rotation); the body is untouched."""
    data_key = _resolve(old, wrapped_key).unwrap(wrapped_key)
    return new.wrap(data_key)


def generate_key_text() -> str:
    """A new master key as base64 text, for ``COURSELINE_EVIDENCE_KEY``."""
    return base64.b64encode(secrets.token_bytes(KEY_SIZE)).decode("ascii")
