"""Web load benchmark: signed-in staff browsing a seeded PostgreSQL database through gunicorn.

Run with ``make bench`` (or ``COURSELINE_ENVIRONMENT=development .venv/bin/python
bench/web_load.py --help``). Steps, all on this machine and all traffic to 127.0.0.1:

1. start the PostgreSQL 15 cluster "main" if it is down (needs root), drop and recreate the
   ``courseline_bench`` database owned by role ``courseline``;
2. migrate, then seed one organisation/team with N cases x M notes straight through the ORM;
3. create 2FA-verified sessions for the client users (no login form);
4. ``courseline serve`` (gunicorn, 2 workers) on a free port, wait for /healthz;
5. time each page alone (one client), then C concurrent clients cycle dashboard -> case list
   -> case detail -> /healthz for S seconds;
6. print a per-page latency table, write bench/results/web_load.json, stop gunicorn.

Exit status: 0 when every request got a 200, 1 when any did not (or on a setup failure).
All bench data is fictional and generated here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import math
import os
import platform
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
HOST = "127.0.0.1"  # the only address this script ever sends traffic to

PG_VERSION, PG_CLUSTER = "15", "main"
DB_ROLE, DB_PASSWORD, DB_NAME = "courseline", "courseline", "courseline_bench"

GUNICORN_WORKERS = 2
N_CASEWORKERS = 10  # cases are spread over this many caseworkers
REQUEST_TIMEOUT = 30.0  # seconds, per request (gunicorn's own worker timeout is 30 s too)
HEALTH_WAIT = 180.0  # seconds for migrate + collectstatic + gunicorn boot
SOLO_ROUNDS = 20  # sequential rounds of the four pages by one client, before the load
RATIO_TARGET = 5.0  # case-detail p95 / healthz p95
PAGES = ("dashboard", "case_list", "case_detail", "healthz")
SEED = 20240611
STOP = threading.Event()  # set to end the client threads early (interrupted run)

_WORD_TEXT = (
    "called texted waited outside work again phone messages car seen followed home "
    "gate neighbour reported police advised safety plan reviewed contact letter sent "
    "court order breach social media account blocked new number friend family doorstep "
    "evening morning parked street photos gifts left flowers emails refused agreed "
    "discussed support referral risk assessment updated witness statement officer "
    "caseworker victim spoke calm anxious worried sleeping locks changed alarm fitted"
)
_FIRST_NAMES = "Alex Sam Jo Chris Pat Robin Morgan Jamie Casey Taylor Jordan Riley"
_LAST_NAMES = "Smith Jones Brown Taylor Wilson Evans Thomas Roberts Walker Wright Hughes"
WORDS, FIRST_NAMES, LAST_NAMES = _WORD_TEXT.split(), _FIRST_NAMES.split(), _LAST_NAMES.split()


class BenchError(Exception):
    """A setup step failed; the message says which and why."""


# --- PostgreSQL ---------------------------------------------------------------------------------


def _as_postgres(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    if shutil.which("sudo"):
        return ["sudo", "-n", "-u", "postgres", *command]
    raise BenchError("run as root (or with passwordless sudo) to manage the bench database")


def _run(command: list[str], *, env: dict[str, str] | None = None, cwd: Path = ROOT) -> str:
    result = subprocess.run(
        command, env=env, cwd=cwd, capture_output=True, text=True, timeout=600, check=False
    )
    if result.returncode != 0:
        raise BenchError(f"{' '.join(command[:4])} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def _cluster_status() -> tuple[str, int]:
    out = _run(["pg_lsclusters", "--no-header"], cwd=Path("/"))
    for line in out.splitlines():
        parts = line.split()
        if parts[:2] == [PG_VERSION, PG_CLUSTER]:
            return parts[3], int(parts[2])
    raise BenchError(f"PostgreSQL cluster {PG_VERSION} {PG_CLUSTER} not found (pg_lsclusters)")


def ensure_postgres() -> int:
    """Start the cluster if it is down; return its port."""
    status, port = _cluster_status()
    if status != "online":
        if os.geteuid() != 0:
            raise BenchError(f"cluster {PG_VERSION} {PG_CLUSTER} is {status}; start it as root")
        print(f"Starting PostgreSQL {PG_VERSION} {PG_CLUSTER} ...", flush=True)
        _run(["pg_ctlcluster", PG_VERSION, PG_CLUSTER, "start"], cwd=Path("/"))
    for _ in range(60):
        ready = subprocess.run(
            ["pg_isready", "-q", "-h", HOST, "-p", str(port)], cwd="/", check=False, timeout=10
        )
        if ready.returncode == 0:
            return port
        time.sleep(0.5)
    raise BenchError("PostgreSQL did not become ready within 30 s")


def _psql(sql: str) -> None:
    command = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", "postgres", "-c", sql]
    _run(_as_postgres(command), cwd=Path("/"))


def reset_database() -> None:
    """Drop and recreate the bench database (and make sure its role exists)."""
    _psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    _psql(
        "DO $$ BEGIN "
        f"IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{DB_ROLE}') THEN "
        f"ALTER ROLE {DB_ROLE} LOGIN PASSWORD '{DB_PASSWORD}'; "
        f"ELSE CREATE ROLE {DB_ROLE} LOGIN PASSWORD '{DB_PASSWORD}'; END IF; END $$"
    )
    _psql(f"CREATE DATABASE {DB_NAME} OWNER {DB_ROLE}")


# --- Seeding (in this process, Django set up against the bench database) ------------------------


@dataclass
class ClientPlan:
    """One simulated staff member: their session cookie and the cases they may open."""

    email: str
    role: str
    session_key: str = ""
    references: list[str] = field(default_factory=list)


@dataclass
class SeedSummary:
    cases: int
    notes: int
    note_versions: int
    overdue_open: int
    seconds: float


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "courseline.web.settings")
    import django

    django.setup()


def _text(rng: random.Random, low: int, high: int) -> str:
    words = rng.choices(WORDS, k=rng.randint(low, high))
    return " ".join(words).capitalize() + "."


def _create_users(org: Any, team: Any, n_clients: int) -> tuple[list[Any], list[Any]]:
    """Ten caseworkers (the assignees) and enough supervisors for the supervisor clients."""
    from courseline.web.accounts.models import Role, User

    n_supervisors = max(1, n_clients - min(n_clients // 2, N_CASEWORKERS))
    specs = [(f"caseworker{i:02d}", Role.CASEWORKER) for i in range(1, N_CASEWORKERS + 1)]
    specs += [(f"supervisor{i:02d}", Role.SUPERVISOR) for i in range(1, n_supervisors + 1)]
    users = []
    for name, role in specs:
        user = User(
            email=f"{name}@bench.example.org",
            full_name=f"Bench {name.title()}",
            organisation=org,
            team=team,
            role=role,
        )
        user.set_unusable_password()  # the bench never signs in through the form
        users.append(user)
    User.objects.bulk_create(users)
    return users[:N_CASEWORKERS], users[N_CASEWORKERS:]


def _build_cases(
    rng: random.Random, org: Any, team: Any, caseworkers: list[Any], opener: Any, n_cases: int
) -> list[Any]:
    from django.utils import timezone

    from courseline.web.cases.models import Case, CaseStatus, format_reference

    now = timezone.now()
    today = timezone.localdate()
    opened = sorted(now - dt.timedelta(days=rng.uniform(2, 400)) for _ in range(n_cases))
    numbers: dict[int, int] = {}
    cases = []
    for i, created in enumerate(opened):
        year = timezone.localdate(created).year
        numbers[year] = numbers.get(year, 0) + 1
        closed = rng.random() < 0.1
        case = Case(
            organisation=org,
            team=team,
            reference=format_reference(year, numbers[year]),
            summary=_text(rng, 15, 40),
            status=CaseStatus.CLOSED if closed else CaseStatus.OPEN,
            assigned_to=caseworkers[i % len(caseworkers)],
            created_by=opener,
            created_at=created,
            # About a quarter of the open cases are overdue for review.
            next_review=None if closed else today + dt.timedelta(days=rng.randint(-20, 60)),
            closed_at=created + (now - created) * rng.random() if closed else None,
        )
        cases.append(case)
    return cases


def _seed_case_rows(rng: random.Random, cases: list[Any], opener: Any) -> None:
    """Case history (opened, assigned, closed) and two people per case."""
    from courseline.web.cases.models import (
        CaseEvent,
        CaseEventKind,
        Person,
        PersonRole,
        PersonVersion,
        SafeToContact,
    )

    events = []
    people = []
    for case in cases:
        events.append(
            CaseEvent(case=case, kind=CaseEventKind.OPENED, actor=opener, at=case.created_at)
        )
        events.append(
            CaseEvent(
                case=case,
                kind=CaseEventKind.ASSIGNED,
                actor=opener,
                at=case.created_at,
                assigned_to=case.assigned_to,
            )
        )
        if case.closed_at is not None:
            events.append(
                CaseEvent(
                    case=case,
                    kind=CaseEventKind.CLOSED,
                    actor=case.assigned_to,
                    at=case.closed_at,
                    reason="No further contact for three months; victim agreed to closure.",
                )
            )
        for role in (PersonRole.VICTIM, PersonRole.PERPETRATOR):
            people.append(Person(case=case, role=role, created_at=case.created_at))
    CaseEvent.objects.bulk_create(events, batch_size=5000)
    Person.objects.bulk_create(people, batch_size=5000)
    versions = [
        PersonVersion(
            person=person,
            version=1,
            name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            safe_to_contact=rng.choice(list(SafeToContact.values)),
            details=_text(rng, 5, 20),
            author=opener,
            created_at=person.created_at,
        )
        for person in people
    ]
    PersonVersion.objects.bulk_create(versions, batch_size=5000)
    Person.objects.filter(case__in=cases).update(latest=_latest_version(PersonVersion, "person"))


def _latest_version(model: Any, parent: str) -> Any:
    from django.db.models import OuterRef, Subquery

    newest = model.objects.filter(**{parent: OuterRef("pk")}).order_by("-version")
    return Subquery(newest.values("pk")[:1])


def _seed_notes(rng: random.Random, cases: list[Any], n_notes: int) -> tuple[int, int]:
    """``n_notes`` notes per case by its caseworker; about 5 % corrected once."""
    from django.utils import timezone

    from courseline.web.cases.models import Note, NoteVersion

    now = timezone.now()
    notes = []
    for case in cases:
        span = (case.closed_at or now) - case.created_at
        for _ in range(n_notes):
            at = case.created_at + span * rng.random()
            notes.append(Note(case=case, created_by=case.assigned_to, created_at=at))
    Note.objects.bulk_create(notes, batch_size=5000)
    versions = []
    for note in notes:
        versions.append(
            NoteVersion(
                note=note,
                version=1,
                body=_text(rng, 30, 110),
                author=note.created_by,
                created_at=note.created_at,
            )
        )
        if rng.random() < 0.05:
            versions.append(
                NoteVersion(
                    note=note,
                    version=2,
                    body=_text(rng, 30, 110),
                    correction_reason="Wrong date recorded in the first version.",
                    author=note.created_by,
                    created_at=note.created_at + dt.timedelta(hours=2),
                )
            )
    NoteVersion.objects.bulk_create(versions, batch_size=5000)
    Note.objects.filter(case__in=cases).update(latest=_latest_version(NoteVersion, "note"))
    return len(notes), len(versions)


def seed(n_cases: int, n_notes: int, n_clients: int) -> tuple[list[ClientPlan], SeedSummary]:
    """Seed straight through the ORM with bulk_create.

    This deliberately bypasses ``cases/actions.py`` (and so writes no audit records): opening
    50,000 notes through the audited actions would take many minutes and serialise on the
    audit chain. The rows are the same shape the actions write (``latest`` links set, history
    as CaseEvent rows, the reference counter advanced), so the app works normally on them.
    """
    from django.db import connection, transaction
    from django.utils import timezone

    from courseline.web.accounts.models import Organisation, Team
    from courseline.web.cases.models import Case, ReferenceCounter

    started = time.perf_counter()
    rng = random.Random(SEED)
    with transaction.atomic():
        org = Organisation.objects.create(name="Bench Stalking Service", slug="bench")
        team = Team.objects.create(organisation=org, name="Bench team")
        caseworkers, supervisors = _create_users(org, team, n_clients)
        cases = _build_cases(rng, org, team, caseworkers, supervisors[0], n_cases)
        Case.objects.bulk_create(cases, batch_size=5000)
        for year in {int(c.reference[3:7]) for c in cases}:
            last = max(int(c.reference[8:]) for c in cases if int(c.reference[3:7]) == year)
            ReferenceCounter.objects.update_or_create(year=year, defaults={"last": last})
        _seed_case_rows(rng, cases, supervisors[0])
        n_notes_total, n_versions = _seed_notes(rng, cases, n_notes)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics, as a long-running database would have
    today = timezone.localdate()
    overdue = sum(1 for c in cases if c.closed_at is None and c.next_review < today)
    plans = _client_plans(cases, caseworkers, supervisors, n_clients, rng)
    summary = SeedSummary(
        len(cases), n_notes_total, n_versions, overdue, time.perf_counter() - started
    )
    return plans, summary


def _client_plans(
    cases: list[Any],
    caseworkers: list[Any],
    supervisors: list[Any],
    n_clients: int,
    rng: random.Random,
) -> list[ClientPlan]:
    """Half the clients are caseworkers (their own cases), half supervisors (the whole team)."""
    n_caseworker_clients = min(n_clients // 2, len(caseworkers))
    chosen = caseworkers[:n_caseworker_clients] + supervisors[: n_clients - n_caseworker_clients]
    plans = []
    for user in chosen:
        if user.role == "caseworker":
            refs = [c.reference for c in cases if c.assigned_to_id == user.pk]
        else:
            refs = [c.reference for c in cases]
        rng.shuffle(refs)
        plans.append(ClientPlan(email=user.email, role=user.role, references=refs))
    return plans


def create_sessions(plans: list[ClientPlan]) -> None:
    """A confirmed TOTP device and a 2FA-verified database session for each client user."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from courseline.web.accounts.models import User

    for plan in plans:
        user = User.objects.get(email=plan.email)
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        plan.session_key = session.session_key or ""


def close_db() -> None:
    from django.db import connections

    connections.close_all()


def audit_check() -> dict[str, Any]:
    """After the run: how many audit records the load wrote, and is the hash chain intact?"""
    from courseline.web.audit.log import verify
    from courseline.web.audit.models import AuditEvent

    report = verify()
    problem = report.problem
    result = {
        "records": AuditEvent.objects.count(),
        "chain_intact": problem is None,
        "problem": f"{problem.label}: {problem.reason}" if problem is not None else None,
    }
    close_db()
    return result


# --- The server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def courseline_bin() -> str:
    candidate = Path(sys.executable).parent / "courseline"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("courseline")
    if found is None:
        raise BenchError("the courseline command is not installed (run `make install`)")
    return found


@contextmanager
def gunicorn(env: dict[str, str], port: int, log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``courseline serve`` in its own process group; always stopped on the way out."""
    command = [courseline_bin(), "serve", "--host", HOST, "--port", str(port)]
    command += ["--workers", str(GUNICORN_WORKERS)]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield proc
        finally:
            stop_server(proc)


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the gunicorn master (graceful), then SIGKILL to its group if needed."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=35)
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # only our own group: stragglers, if any
    if proc.poll() is None:
        proc.wait(timeout=10)


def get(port: int, path: str, cookie: str = "") -> tuple[int, bytes]:
    """One GET on a fresh connection (for the checks before the run)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_healthy(proc: subprocess.Popen[bytes], port: int, log_path: Path) -> float:
    started = time.monotonic()
    while time.monotonic() - started < HEALTH_WAIT:
        if proc.poll() is not None:
            raise BenchError(f"courseline serve exited ({proc.returncode}):\n{_tail(log_path)}")
        try:
            status, _ = get(port, "/healthz")
        except OSError:
            status = 0
        if status == 200:
            return time.monotonic() - started
        time.sleep(0.5)
    raise BenchError(f"/healthz not up after {HEALTH_WAIT:.0f} s:\n{_tail(log_path)}")


def check_clients(port: int, plans: list[ClientPlan]) -> None:
    """Every client's session must reach its dashboard and a case (200, not a redirect)."""
    for plan in plans:
        cookie = f"cl_session={plan.session_key}"
        for path in ("/cases/dashboard/", f"/cases/{plan.references[0]}/"):
            status, _ = get(port, path, cookie)
            if status != 200:
                raise BenchError(f"{plan.email} got {status} on {path} before the run")


def server_log_problems(path: Path) -> list[str]:
    """Lines of the gunicorn log that report errors (tracebacks, worker timeouts)."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return []
    markers = ("Traceback", "[ERROR]", "[CRITICAL]", "WORKER TIMEOUT")
    return [line for line in text.splitlines() if any(m in line for m in markers)]


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


# --- The load -----------------------------------------------------------------------------------


@dataclass
class ClientResult:
    samples: dict[str, list[float]] = field(default_factory=lambda: {p: [] for p in PAGES})
    errors: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PAGES, 0))
    error_samples: list[str] = field(default_factory=list)


def _paths(plan: ClientPlan) -> Iterator[tuple[str, str]]:
    """Dashboard, case list, one case, health check; round and round over the client's cases."""
    for index in range(sys.maxsize):
        yield "dashboard", "/cases/dashboard/"
        yield "case_list", "/cases/"
        yield "case_detail", f"/cases/{plan.references[index % len(plan.references)]}/"
        yield "healthz", "/healthz"


def _timed_get(
    conn: http.client.HTTPConnection, path: str, headers: dict[str, str]
) -> tuple[float, int, str]:
    """One GET on ``conn``: (milliseconds, status or 0 on an exception, detail)."""
    started = time.perf_counter()
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        status, detail = response.status, f"HTTP {response.status}"
    except (OSError, http.client.HTTPException) as exc:
        conn.close()  # the next request reconnects
        status, detail = 0, f"{type(exc).__name__}: {exc}"
    return (time.perf_counter() - started) * 1000, status, detail


def client_loop(
    port: int, plan: ClientPlan, result: ClientResult, *, deadline: float, rounds: int = 0
) -> None:
    """Cycle over the pages until ``deadline`` (or for ``rounds`` full cycles if given).

    One keep-alive connection, reopened whenever the server closes it (gunicorn's sync
    workers close after each response).
    """
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    session_cookie = {"Cookie": f"cl_session={plan.session_key}"}
    paths = _paths(plan)
    limit = rounds * len(PAGES) if rounds else sys.maxsize
    try:
        for _ in range(limit):
            if time.monotonic() >= deadline or STOP.is_set():
                break
            page, path = next(paths)
            # /healthz is what a load balancer calls: no session, the no-work baseline.
            headers = {} if page == "healthz" else session_cookie
            elapsed_ms, status, detail = _timed_get(conn, path, headers)
            result.samples[page].append(elapsed_ms)
            if status != 200:
                result.errors[page] += 1
                if len(result.error_samples) < 5:
                    result.error_samples.append(f"{page} {path}: {detail}")
    finally:
        conn.close()


def solo_probe(port: int, plan: ClientPlan, rounds: int) -> ClientResult:
    """One client alone, before the load: each page's own cost, without queueing."""
    result = ClientResult()
    client_loop(port, plan, result, deadline=time.monotonic() + 120, rounds=rounds)
    return result


def run_load(
    port: int, plans: list[ClientPlan], seconds: float
) -> tuple[list[ClientResult], float]:
    results = [ClientResult() for _ in plans]
    started = time.monotonic()
    deadline = started + seconds
    threads = [
        threading.Thread(
            target=client_loop,
            args=(port, plan, result),
            kwargs={"deadline": deadline},
            name=f"client-{i}",
            daemon=True,
        )
        for i, (plan, result) in enumerate(zip(plans, results, strict=True))
    ]
    give_up = deadline + REQUEST_TIMEOUT + 30
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=max(0.0, give_up - time.monotonic()))
    finally:
        STOP.set()  # on an interruption too: the clients stop at their next request
    if any(thread.is_alive() for thread in threads):
        raise BenchError("a client thread did not finish")
    return results, time.monotonic() - started


# --- Report -------------------------------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def page_stats(results: list[ClientResult]) -> dict[str, dict[str, Any]]:
    pages = {}
    for page in PAGES:
        samples = [ms for r in results for ms in r.samples[page]]
        pages[page] = {
            "requests": len(samples),
            "errors": sum(r.errors[page] for r in results),
            "p50_ms": round(percentile(samples, 50), 1),
            "p95_ms": round(percentile(samples, 95), 1),
            "max_ms": round(max(samples, default=0.0), 1),
        }
    return pages


def detail_ratio(pages: dict[str, dict[str, Any]]) -> float | None:
    """Case-detail p95 over /healthz p95: the cost of the heaviest page over doing nothing."""
    health_p95 = pages["healthz"]["p95_ms"]
    return round(pages["case_detail"]["p95_ms"] / health_p95, 2) if health_p95 else None


def summarise(results: list[ClientResult], elapsed: float, solo: ClientResult) -> dict[str, Any]:
    pages = page_stats(results)
    total = sum(p["requests"] for p in pages.values())
    ratio = detail_ratio(pages)
    solo_pages = page_stats([solo])
    return {
        "requests": total,
        "errors": sum(p["errors"] for p in pages.values()),
        "elapsed_s": round(elapsed, 1),
        "requests_per_s": round(total / elapsed, 1) if elapsed else 0.0,
        "pages": pages,
        "detail_to_healthz_p95_ratio": ratio,
        "ratio_target": RATIO_TARGET,
        "ratio_ok": ratio is not None and ratio <= RATIO_TARGET,
        "error_samples": [s for r in [*results, solo] for s in r.error_samples][:10],
        "solo": {
            "note": "one client alone before the load: per-page cost without queueing",
            "errors": sum(p["errors"] for p in solo_pages.values()),
            "pages": solo_pages,
            "detail_to_healthz_p95_ratio": detail_ratio(solo_pages),
        },
    }


def print_table(title: str, pages: dict[str, dict[str, Any]]) -> None:
    header = f"{'page':<13}{'requests':>10}{'errors':>8}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}"
    print()
    print(title)
    print(header)
    print("-" * len(header))
    for page, row in pages.items():
        print(
            f"{page:<13}{row['requests']:>10}{row['errors']:>8}"
            f"{row['p50_ms']:>10.1f}{row['p95_ms']:>10.1f}{row['max_ms']:>10.1f}"
        )
    print("-" * len(header))
    total = sum(row["requests"] for row in pages.values())
    errors = sum(row["errors"] for row in pages.values())
    print(f"{'total':<13}{total:>10}{errors:>8}")


def print_report(summary: dict[str, Any], meta: dict[str, Any]) -> None:
    seed_info = meta["seed"]
    print()
    print(
        f"Courseline web load: gunicorn x{GUNICORN_WORKERS} sync workers, PostgreSQL "
        f"{PG_VERSION}; {seed_info['cases']} cases x {meta['notes_per_case']} notes "
        f"({seed_info['overdue_open']} open cases overdue for review)"
    )
    solo = summary["solo"]
    print_table(f"Alone: 1 client, {meta['solo_rounds']} rounds (no queueing)", solo["pages"])
    print(f"case-detail p95 / healthz p95 alone: {solo['detail_to_healthz_p95_ratio']}")
    print_table(
        f"Under load: {meta['clients']} clients for {summary['elapsed_s']} s", summary["pages"]
    )
    print(f"throughput: {summary['requests_per_s']} requests/s")
    ratio = summary["detail_to_healthz_p95_ratio"]
    verdict = "ok" if summary["ratio_ok"] else "ABOVE TARGET"
    print(
        f"case-detail p95 / healthz p95 under load: {ratio} (target <= {RATIO_TARGET:g}: {verdict})"
    )
    audit = meta["audit"]
    print(f"audit trail: {audit['records']} records, chain intact: {audit['chain_intact']}")
    problems = meta["server_log_problems"]
    print(f"server log: {len(problems)} error line(s) (bench/results/web_load_server.log)")
    for sample in summary["error_samples"]:
        print(f"error: {sample}")


def write_json(summary: dict[str, Any], meta: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / "web_load.json"
    path.write_text(json.dumps({**meta, **summary}, indent=2) + "\n", encoding="utf-8")
    return path


# --- Main ---------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=120.0, help="load duration (120)")
    parser.add_argument("--cases", type=int, default=1000, help="cases to seed (1000)")
    parser.add_argument("--notes", type=int, default=50, help="notes per case (50)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (20)")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.clients < 1 or args.notes < 0:
        parser.error("--seconds and --clients must be positive, --notes not negative")
    if args.cases < 2 * N_CASEWORKERS:
        parser.error(f"--cases must be at least {2 * N_CASEWORKERS}")
    return args


def bench_env(data_dir: Path, pg_port: int) -> dict[str, str]:
    env = dict(os.environ)
    for name in (
        "COURSELINE_DEMO",
        "COURSELINE_DEBUG",
        "DATABASE_URL_FILE",
        "COURSELINE_SECRET_KEY_FILE",
        "DJANGO_SETTINGS_MODULE",
    ):
        env.pop(name, None)
    env.update(
        COURSELINE_ENVIRONMENT="development",
        COURSELINE_DATA_DIR=str(data_dir),
        # One key for this process (sessions, auth hashes) and the server.
        COURSELINE_SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL=f"postgresql://{DB_ROLE}:{DB_PASSWORD}@{HOST}:{pg_port}/{DB_NAME}",
        # gunicorn 27 opens a control socket under ~/.gunicorn by default; the bench server
        # must not touch the home directory or collide with another gunicorn on the machine.
        GUNICORN_CMD_ARGS=f"{env.get('GUNICORN_CMD_ARGS', '')} --no-control-socket".strip(),
    )
    return env


def _raise_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(f"stopped by signal {signum}")


def bench(args: argparse.Namespace, data_dir: Path) -> int:
    pg_port = ensure_postgres()
    reset_database()
    env = bench_env(data_dir, pg_port)
    print(f"Database {DB_NAME} recreated; migrating ...", flush=True)
    _run([courseline_bin(), "manage", "migrate", "--verbosity", "0"], env=env)
    setup_django(env)
    print(f"Seeding {args.cases} cases x {args.notes} notes ...", flush=True)
    plans, seeded = seed(args.cases, args.notes, args.clients)
    create_sessions(plans)
    close_db()
    print(f"Seeded in {seeded.seconds:.1f} s; starting gunicorn ...", flush=True)
    port = free_port()
    log_path = RESULTS_DIR / "web_load_server.log"
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    with gunicorn(env, port, log_path) as proc:
        boot = wait_healthy(proc, port, log_path)
        check_clients(port, plans)
        print(f"Server up in {boot:.1f} s on port {port}; probing pages alone ...", flush=True)
        solo = solo_probe(port, plans[-1], SOLO_ROUNDS)
        print(f"{args.clients} clients for {args.seconds:g} s ...", flush=True)
        results, elapsed = run_load(port, plans, args.seconds)
    summary = summarise(results, elapsed, solo)
    meta = {
        "at": dt.datetime.now(tz=dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "clients": args.clients,
        "seconds": args.seconds,
        "workers": GUNICORN_WORKERS,
        "notes_per_case": args.notes,
        "solo_rounds": SOLO_ROUNDS,
        "seed": seeded.__dict__ | {"seconds": round(seeded.seconds, 1)},
        "server_boot_s": round(boot, 1),
        "audit": audit_check(),
        "server_log_problems": server_log_problems(log_path)[:20],
    }
    print_report(summary, meta)
    print(f"results: {write_json(summary, meta).relative_to(ROOT)}")
    return 0 if summary["errors"] == 0 and summary["solo"]["errors"] == 0 else 1


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_on_sigterm)  # so that gunicorn is stopped on SIGTERM
    data_dir = Path(tempfile.mkdtemp(prefix="courseline-bench-"))
    try:
        return bench(args, data_dir)
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
