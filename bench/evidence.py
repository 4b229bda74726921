"""Evidence vault benchmark: upload and download throughput for a 1 GB file, and bundle export
time for a case with 500 incidents and 200 exhibits, each against a plain-tools baseline in the
same run.

Run with ``make bench`` (or ``COURSELINE_ENVIRONMENT=development .venv/bin/python
bench/evidence.py --help``). Everything runs on this machine in a temporary data directory
with its own SQLite database; all data is generated and fictional.

1. **Upload**: a 1 GiB file is POSTed as multipart/form-data through Django's full WSGI stack
   (session, 2FA, CSRF, the encrypting upload handler, the intake action: hash while
   streaming, encrypt, store, read back and check, record). Baseline: ``sha256sum`` then
   ``cp`` of the same file (hash and copy, no encryption). Prints MB/s and the ratio.
2. **Download** of the same item through the same stack: the stored body is decrypted and
   hashed end to end against its record before anything is sent or logged, then decrypted
   again as it streams. Baseline: ``sha256sum`` then ``cat`` of the plain file. Prints MB/s,
   the time to the first byte (the integrity check) and the ratio.
3. **Export**: a case with 500 incidents and 200 exhibits of 256 KiB is exported with
   ``courseline.web.evidence.export.export_case`` (PDF chronology, manifests, every file
   decrypted and re-hashed into the zip), then verified with ``verify_bundle``. Baseline:
   ``zip -0 -q`` of the 200 plain files. Prints seconds and the ratio.

No timing threshold is asserted anywhere: the figures are for the closing notes.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "evidence.json"
CHUNK = 1024 * 1024


class MultipartBody(io.RawIOBase):
    """A multipart/form-data body streamed from fields and one file on disk (never in memory)."""

    def __init__(self, fields: dict[str, str], name: str, path: Path, boundary: str) -> None:
        head = "".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
            for k, v in fields.items()
        )
        head += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{path.name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        self.parts = [io.BytesIO(head.encode()), open(path, "rb"),  # noqa: SIM115
                      io.BytesIO(f"\r\n--{boundary}--\r\n".encode())]  # fmt: skip
        self.length = len(head.encode()) + path.stat().st_size + len(f"\r\n--{boundary}--\r\n")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while self.parts:
            data = self.parts[0].read(len(buffer))
            if data:
                buffer[: len(data)] = data
                return len(data)
            self.parts.pop(0).close()
        return 0


def _timed(command: list[str], cwd: Path | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=cwd)
    return time.perf_counter() - start


def _setup(data_dir: Path) -> None:
    os.environ["COURSELINE_ENVIRONMENT"] = "development"
    os.environ["COURSELINE_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "courseline.web.settings"
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _world(slug: str, name: str) -> tuple[object, object]:
    """A fictional organisation with one caseworker and one open case assigned to them."""
    from courseline.web.accounts.models import Organisation, Role, Team, User
    from courseline.web.cases import actions

    org = Organisation.objects.create(name=f"Bench service {slug} (fictional)", slug=slug)
    team = Team.objects.create(organisation=org, name=f"Bench team {slug}")
    user = User.objects.create_user(
        email=f"{slug}@bench.example.org", password="bench-only-password-123",
        full_name=name, role=Role.CASEWORKER, organisation=org, team=team,
    )  # fmt: skip
    case = actions.do_open_case(
        None, user, team=team, summary=f"Bench case {slug} (fictional)", assigned_to=user,
        next_review=None,
    )  # fmt: skip
    return user, case


def _session_cookies(user: object) -> str:
    from django.conf import settings
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    token = "b" * 32
    return (
        f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {settings.CSRF_COOKIE_NAME}={token}"
    )


def bench_upload(work: Path, size_mb: int, user: object, case: object) -> dict[str, object]:
    from django.core.handlers.wsgi import WSGIHandler

    from courseline.web.evidence.models import EvidenceItem

    source = work / "upload.bin"
    with open(source, "wb") as out:
        for _ in range(size_mb):
            out.write(os.urandom(CHUNK))
    boundary = "benchboundary7MA4YWxkTrZu0gW"
    fields = {"csrfmiddlewaretoken": "b" * 32, "title": "Bench upload", "source": "on_behalf"}
    body = MultipartBody(fields, "file", source, boundary)
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": f"/cases/{case.reference}/evidence/add/",  # type: ignore[attr-defined]
        "SERVER_NAME": "localhost", "SERVER_PORT": "80", "HTTP_HOST": "localhost",
        "wsgi.url_scheme": "http", "wsgi.input": io.BufferedReader(body, CHUNK),
        "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
        "CONTENT_LENGTH": str(body.length), "HTTP_COOKIE": _session_cookies(user),
        "wsgi.errors": sys.stderr, "REMOTE_ADDR": "127.0.0.1", "SCRIPT_NAME": "",
    }  # fmt: skip
    handler = WSGIHandler()
    status: list[str] = []
    start = time.perf_counter()
    result = handler(environ, lambda s, h, *a: status.append(s))
    for _ in result:
        pass
    ours = time.perf_counter() - start
    item = EvidenceItem.objects.get(title="Bench upload")
    baseline_hash = _timed(["sha256sum", str(source)])
    baseline_copy = _timed(["cp", str(source), str(work / "copy.bin")])
    digest = subprocess.run(
        ["sha256sum", str(source)], check=True, capture_output=True, text=True
    ).stdout.split()[0]
    baseline = baseline_hash + baseline_copy
    return {
        "status": status[0] if status else None,
        "bytes": item.size,
        "seconds": round(ours, 2),
        "mb_per_s": round(item.size / 1e6 / ours, 1),
        "hash_matches_sha256sum": digest == item.sha256,
        "baseline_sha256sum_plus_cp_seconds": round(baseline, 2),
        "ratio_to_baseline": round(ours / baseline, 2),
    }


def bench_download(work: Path, user: object, case: object) -> dict[str, object]:
    """Download the uploaded item through the web stack: the stored body is first decrypted
    and hashed end to end against its record (the integrity check), then decrypted again as
    it streams. Baseline: ``sha256sum`` then ``cat`` of the plain file."""
    import hashlib
    from urllib.parse import urlencode

    from django.core.handlers.wsgi import WSGIHandler

    from courseline.web.evidence.models import EvidenceItem

    item = EvidenceItem.objects.get(title="Bench upload")
    body = urlencode({"csrfmiddlewaretoken": "b" * 32, "copy": "original", "reason": "bench"})
    path = f"/cases/{case.reference}/evidence/{item.pk}/download/"  # type: ignore[attr-defined]
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "SERVER_NAME": "localhost",
        "SERVER_PORT": "80", "HTTP_HOST": "localhost", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body.encode()), "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "HTTP_COOKIE": _session_cookies(user), "wsgi.errors": sys.stderr,
        "REMOTE_ADDR": "127.0.0.1", "SCRIPT_NAME": "",
    }  # fmt: skip
    status: list[str] = []
    digest, received = hashlib.sha256(), 0
    start = time.perf_counter()
    result = WSGIHandler()(environ, lambda s, h, *a: status.append(s))
    first_byte = None
    for chunk in result:
        if first_byte is None and chunk:
            first_byte = time.perf_counter() - start
        digest.update(chunk)
        received += len(chunk)
    ours = time.perf_counter() - start
    plain = work / "upload.bin"
    baseline = _timed(["sha256sum", str(plain)]) + _timed(["cat", str(plain)])
    return {
        "status": status[0] if status else None,
        "bytes": received,
        "seconds": round(ours, 2),
        "first_byte_seconds": round(first_byte or ours, 2),
        "mb_per_s": round(received / 1e6 / ours, 1),
        "matches_record": digest.hexdigest() == item.sha256 and received == item.size,
        "baseline_sha256sum_plus_cat_seconds": round(baseline, 2),
        "ratio_to_baseline": round(ours / baseline, 2),
    }


def bench_export(work: Path, incidents: int, items: int, item_kb: int) -> dict[str, object]:
    import datetime as dt

    from django.utils import timezone

    from courseline.evidence.bundle import verify_bundle
    from courseline.web.evidence.actions import do_add_evidence
    from courseline.web.evidence.export import export_case
    from courseline.web.evidence.uploads import pending_from_stream
    from courseline.web.incidents.actions import IncidentData, do_log_incident

    user, case = _world("export", "Bench Exporter")
    start = timezone.now() - dt.timedelta(days=incidents)
    logged = []
    for n in range(incidents):
        data = IncidentData(
            event_start=start + dt.timedelta(days=n), precision="exact",
            description=f"Bench incident {n}: messages and waiting outside (fictional).",
            place="online" if n % 2 else "home", behaviours=["contacting"] if n % 3 else
            ["loitering", "following"], fear_of_violence="no", impacts=["changed_routine"]
            if n % 7 == 0 else [],
        )  # fmt: skip
        logged.append(do_log_incident(None, user, case, data))
    plain = work / "plain"
    plain.mkdir()
    for n in range(items):
        content = os.urandom(item_kb * 1024)
        (plain / f"exhibit-{n:03d}.bin").write_bytes(content)
        do_add_evidence(
            None, user, case, pending_from_stream(f"exhibit-{n:03d}.bin", "", io.BytesIO(content)),
            title=f"Exhibit {n}", description="", source="on_behalf", claimed_time=None,
            incidents=[logged[n % len(logged)]],
        )  # fmt: skip
    out = work / "bundle.zip"
    begin = time.perf_counter()
    done = export_case(case, user, out, reason="benchmark")  # type: ignore[arg-type]
    ours = time.perf_counter() - begin
    begin = time.perf_counter()
    report = verify_bundle(out)
    verify_seconds = time.perf_counter() - begin
    baseline = None
    if shutil.which("zip"):
        baseline = _timed(["zip", "-0", "-q", "-r", str(work / "plain.zip"), "."], cwd=plain)
    return {
        "incidents": incidents,
        "items": items,
        "item_kib": item_kb,
        "export_seconds": round(ours, 2),
        "bundle_bytes": out.stat().st_size,
        "verify_seconds": round(verify_seconds, 2),
        "verified": report.ok,
        "manifest_sha256": done.bundle.manifest_sha256,
        "baseline_zip_seconds": round(baseline, 2) if baseline else None,
        "ratio_to_zip": round(ours / baseline, 1) if baseline else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upload-mb", type=int, default=1024, help="size of the upload (MiB)")
    parser.add_argument("--incidents", type=int, default=500)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--item-kb", type=int, default=256)
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="courseline-bench-evidence-"))
    try:
        _setup(work / "data")
        user, case = _world("upload", "Bench Worker")
        upload = bench_upload(work, args.upload_mb, user, case)
        download = bench_download(work, user, case)
        export = bench_export(work, args.incidents, args.items, args.item_kb)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"Upload of {upload['bytes']:,} bytes through the web stack: {upload['seconds']} s "
        f"({upload['mb_per_s']} MB/s); sha256sum + cp: "
        f"{upload['baseline_sha256sum_plus_cp_seconds']} s; "
        f"ratio {upload['ratio_to_baseline']}x; "
        f"hash matches sha256sum: {upload['hash_matches_sha256sum']}"
    )
    print(
        f"Download of the same file through the web stack: {download['seconds']} s "
        f"({download['mb_per_s']} MB/s; first byte after {download['first_byte_seconds']} s, "
        f"the integrity check); sha256sum + cat: "
        f"{download['baseline_sha256sum_plus_cat_seconds']} s; "
        f"ratio {download['ratio_to_baseline']}x; bytes match the record: "
        f"{download['matches_record']}"
    )
    print(
        f"Export of a case with {export['incidents']} incidents and {export['items']} "
        f"exhibits ({export['item_kib']} KiB each): {export['export_seconds']} s "
        f"({export['bundle_bytes']:,} bytes); verify {export['verify_seconds']} s, "
        f"ok={export['verified']}; zip -0 of the plain files: "
        f"{export['baseline_zip_seconds']} s; ratio {export['ratio_to_zip']}x"
    )
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(
        json.dumps({"upload": upload, "download": download, "export": export}, indent=2) + "\n"
    )
    ok = (
        upload["status"] == "302 Found"
        and upload["hash_matches_sha256sum"]
        and download["status"] == "200 OK"
        and download["matches_record"]
        and export["verified"]
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
