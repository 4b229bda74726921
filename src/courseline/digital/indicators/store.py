"""Reading, validating and replacing indicator snapshots.

A snapshot is one JSON file (written by ``scripts/build_indicators.py``)::

    {"format": 1, "version": "...", "content_sha256": "<hex>",
     "sources": [{"name", "version", "licence", "url", "attribution", ...}],
     "apps": [{"name", "kind", "source", "packages": [...], ...}]}

``content_sha256`` is the SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of
``{"format", "sources", "apps"}``, so any change or truncation is caught on load.

The packaged snapshot ships inside the wheel; ``update()`` installs a newer one in
``<data_dir>/indicators/indicators.json`` only after it validated, by an atomic rename, so a
failed update always leaves the previous set active.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from courseline.digital.indicators.model import (
    App,
    AppKind,
    IndicatorError,
    IndicatorSet,
    SourceInfo,
)

if TYPE_CHECKING:
    import urllib.request

FORMAT = 1
MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024
FETCH_TIMEOUT_SECONDS = 30.0
ACTIVE_NAME = "indicators.json"
PREVIOUS_NAME = "indicators.previous.json"
LIST_FIELDS = (
    "aliases",
    "packages",
    "certificates",
    "sha256",
    "websites",
    "distribution",
    "c2_domains",
    "c2_ips",
    "ios_bundles",
    "certificate_organizations",
    "certificate_cname_re",
)
_SOURCE_FIELDS = ("name", "version", "licence", "url", "attribution")
_OPTIONAL_SOURCE_FIELDS = ("date", "commit", "licence_file")
_CERT = re.compile(r"[0-9A-F]{40}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_MAX_STRING = 2048


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def content_hash(raw: dict[str, Any]) -> str:
    body = {"format": raw.get("format"), "sources": raw.get("sources"), "apps": raw.get("apps")}
    return hashlib.sha256(canonical_json(body)).hexdigest()


# ---- parsing -----------------------------------------------------------------------------------
def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > _MAX_STRING:
        raise IndicatorError(f"{where}: expected a non-empty string")
    return value


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise IndicatorError(f"{where}: expected a list of strings")
    return tuple(_text(item, where) for item in value)


def _source(raw: Any, index: int) -> SourceInfo:
    where = f"sources[{index}]"
    if not isinstance(raw, dict):
        raise IndicatorError(f"{where}: expected an object")
    required = {name: _text(raw.get(name), f"{where}.{name}") for name in _SOURCE_FIELDS}
    optional = {
        name: _text(raw[name], f"{where}.{name}")
        for name in _OPTIONAL_SOURCE_FIELDS
        if raw.get(name) is not None
    }
    return SourceInfo(**required, **optional)


def _check_formats(lists: dict[str, tuple[str, ...]], where: str) -> None:
    for cert in lists["certificates"]:
        if not _CERT.fullmatch(cert):
            raise IndicatorError(f"{where}.certificates: {cert!r} is not upper-case SHA-1 hex")
    for digest in lists["sha256"]:
        if not _SHA256.fullmatch(digest):
            raise IndicatorError(f"{where}.sha256: {digest!r} is not lower-case SHA-256 hex")
    for pattern in lists["certificate_cname_re"]:
        try:
            re.compile(pattern)
        except re.error:
            raise IndicatorError(f"{where}: bad certificate_cname_re {pattern!r}") from None


def _app(raw: Any, index: int, sources: set[str]) -> App:
    where = f"apps[{index}]"
    if not isinstance(raw, dict):
        raise IndicatorError(f"{where}: expected an object")
    name = _text(raw.get("name"), f"{where}.name")
    where = f"{where} ({name})"
    kind_value = raw.get("kind")
    if kind_value not in {kind.value for kind in AppKind}:
        raise IndicatorError(f"{where}.kind: unknown kind {kind_value!r}")
    source = _text(raw.get("source"), f"{where}.source")
    if source not in sources:
        raise IndicatorError(f"{where}.source: {source!r} is not a listed source")
    unknown = set(raw) - {"name", "kind", "source", *LIST_FIELDS}
    if unknown:
        raise IndicatorError(f"{where}: unknown fields {sorted(unknown)}")
    lists = {key: _strings(raw.get(key), f"{where}.{key}") for key in LIST_FIELDS}
    _check_formats(lists, where)
    return App(name=name, kind=AppKind(kind_value), source=source, **lists)


def parse(data: bytes, *, origin: str = "indicator set") -> IndicatorSet:
    """Validate and load a snapshot from bytes; any problem raises ``IndicatorError``."""
    if len(data) > MAX_SNAPSHOT_BYTES:
        raise IndicatorError(f"{origin}: larger than {MAX_SNAPSHOT_BYTES} bytes")
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as problem:
        raise IndicatorError(f"{origin}: not a JSON indicator set ({problem})") from None
    if not isinstance(raw, dict):
        raise IndicatorError(f"{origin}: expected a JSON object at the top level")
    if raw.get("format") != FORMAT:
        raise IndicatorError(f"{origin}: unsupported format {raw.get('format')!r} (want {FORMAT})")
    if content_hash(raw) != raw.get("content_sha256"):
        raise IndicatorError(f"{origin}: content hash does not match (corrupt or edited file)")
    version = _text(raw.get("version"), "version")
    if not isinstance(raw.get("sources"), list) or not isinstance(raw.get("apps"), list):
        raise IndicatorError(f"{origin}: 'sources' and 'apps' must be lists")
    try:
        sources = tuple(_source(item, i) for i, item in enumerate(raw["sources"]))
        names = {s.name for s in sources}
        if len(names) != len(sources):
            raise IndicatorError("sources: duplicate source names")
        apps = tuple(_app(item, i, names) for i, item in enumerate(raw["apps"]))
    except IndicatorError as problem:
        raise IndicatorError(f"{origin}: {problem}") from None
    indicator_set = IndicatorSet(
        version=version, sources=sources, apps=apps, content_sha256=raw["content_sha256"]
    )
    _require_coverage(indicator_set, origin)
    return indicator_set


def _require_coverage(indicator_set: IndicatorSet, origin: str) -> None:
    stalkerware = [a for a in indicator_set.apps if a.kind is AppKind.STALKERWARE]
    if not stalkerware:
        raise IndicatorError(f"{origin}: no stalkerware apps (refusing an empty set)")
    for field_name, label in (("packages", "package names"), ("certificates", "certificates")):
        if not any(getattr(a, field_name) for a in stalkerware):
            raise IndicatorError(f"{origin}: no stalkerware {label} (refusing an empty set)")


# ---- loading -----------------------------------------------------------------------------------
_cache: dict[tuple[str, int, int], IndicatorSet] = {}


def active_path(data_dir: Path) -> Path:
    """Where an updated set lives inside the data directory."""
    return data_dir / "indicators" / ACTIVE_NAME


def _read_capped(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_SNAPSHOT_BYTES + 1)
    except OSError as problem:
        raise IndicatorError(f"{path}: cannot read ({problem.strerror or problem})") from None
    if len(data) > MAX_SNAPSHOT_BYTES:
        raise IndicatorError(f"{path}: larger than {MAX_SNAPSHOT_BYTES} bytes")
    return data


def _load_file(path: Path) -> IndicatorSet:
    try:
        stat = path.stat()
    except OSError as problem:
        raise IndicatorError(f"{path}: cannot read ({problem.strerror or problem})") from None
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    cached = _cache.get(key)
    if cached is None:
        cached = parse(_read_capped(path), origin=str(path))
        _cache.clear()  # keep at most a couple of sets in memory
        _cache[key] = cached
    return cached


_packaged: list[IndicatorSet] = []


def load_packaged() -> IndicatorSet:
    """The snapshot shipped inside the package (read once per process)."""
    if not _packaged:
        try:
            data = (
                resources.files("courseline.digital.indicators")
                .joinpath("data", ACTIVE_NAME)
                .read_bytes()
            )
        except OSError as problem:
            raise IndicatorError(f"packaged indicator set missing: {problem}") from None
        _packaged.append(parse(data, origin="packaged indicator set"))
    return _packaged[0]


def load(path: Path | None = None, *, data_dir: Path | None = None) -> IndicatorSet:
    """An indicator set: ``path`` if given; else the updated set in ``data_dir`` if there is one;
    else the packaged snapshot. Results are cached (a changed file is re-read)."""
    if path is not None:
        return _load_file(path)
    if data_dir is not None and active_path(data_dir).is_file():
        return _load_file(active_path(data_dir))
    return load_packaged()


# ---- updating ----------------------------------------------------------------------------------
Opener = Callable[[str, float], IO[bytes]]


def _https_only_redirects() -> urllib.request.HTTPRedirectHandler:
    """A redirect handler that refuses to leave https.

    urllib.request is slow to import and only ``update --from https://…`` needs it, so it is
    imported here, and the handler class defined here, rather than whenever indicators load.
    """
    import urllib.request

    class HttpsOnlyRedirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(  # type: ignore[no-untyped-def]
            self, req, fp, code, msg, headers, newurl
        ):
            if not str(newurl).lower().startswith("https://"):
                raise IndicatorError(f"refusing a redirect away from https to {newurl}")
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    return HttpsOnlyRedirects()


def _open_https(url: str, timeout: float) -> IO[bytes]:
    import urllib.request  # see _https_only_redirects

    opener = urllib.request.build_opener(_https_only_redirects())
    # Only https:// reaches here (checked in fetch()); redirects are held to https too.
    request = urllib.request.Request(  # noqa: S310
        url, headers={"User-Agent": "courseline-indicators"}
    )
    response: IO[bytes] = opener.open(request, timeout=timeout)
    return response


def fetch(url: str, *, opener: Opener = _open_https, limit: int = MAX_SNAPSHOT_BYTES) -> bytes:
    """Download ``url`` (https only) reading at most ``limit`` bytes."""
    if not url.lower().startswith("https://"):
        raise IndicatorError(f"{url}: only https:// URLs are accepted")
    try:
        with opener(url, FETCH_TIMEOUT_SECONDS) as response:
            data = response.read(limit + 1)
    except IndicatorError:
        raise
    except (OSError, ValueError) as problem:
        raise IndicatorError(f"{url}: download failed ({problem})") from None
    if len(data) > limit:
        raise IndicatorError(f"{url}: larger than {limit} bytes")
    return data


def update(
    source: str | Path,
    data_dir: Path,
    *,
    expected_sha256: str | None = None,
    opener: Opener = _open_https,
) -> IndicatorSet:
    """Validate a new set (from a path or an https URL) and make it the active one.

    Nothing is replaced unless the new set parses, its content hash matches (and equals
    ``expected_sha256`` when given) and its counts are non-zero. The previous active set, if
    any, is kept as ``indicators.previous.json``.
    """
    text = str(source)
    if isinstance(source, str) and "://" in text:
        data = fetch(text, opener=opener)
    else:
        data = _read_capped(Path(source))
    new = parse(data, origin=text)
    if expected_sha256 and new.content_sha256 != expected_sha256.strip().lower():
        raise IndicatorError(f"{text}: content hash {new.content_sha256} is not the expected one")
    target = active_path(data_dir)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temp_name = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            if target.exists():
                shutil.copyfile(target, target.with_name(PREVIOUS_NAME))
            os.replace(temp_name, target)  # atomic: readers see the old set or the new one
        finally:
            if os.path.exists(temp_name):
                os.unlink(temp_name)
    except OSError as problem:
        raise IndicatorError(f"{target}: cannot install the new set ({problem})") from None
    return new
