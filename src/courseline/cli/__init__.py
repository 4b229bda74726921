"""The `courseline` command: a thin Typer shell over the core and the web layer.

This is the only package that imports Typer and Rich.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from courseline.cli.conduct import conduct_app
from courseline.cli.device import device_app, indicators_app
from courseline.cli.evidence import evidence_app
from courseline.cli.network import network_app
from courseline.cli.photos import photos_app
from courseline.cli.risk import risk_app
from courseline.cli.vault import export_app, keys_app

app = typer.Typer(
    help="Courseline: casework, evidence and digital-safety toolkit for stalking support.",
    no_args_is_help=True,
    add_completion=False,
)
demo_app = typer.Typer(help="Fictional demo data.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit trail.", no_args_is_help=True)
retention_app = typer.Typer(help="Deleting closed cases after the retention period.")
org_app = typer.Typer(help="Setting up an organisation.", no_args_is_help=True)
app.add_typer(demo_app, name="demo")
app.add_typer(audit_app, name="audit")
app.add_typer(retention_app, name="retention", no_args_is_help=True)
app.add_typer(org_app, name="org")
app.add_typer(conduct_app, name="conduct")
app.add_typer(risk_app, name="risk")
app.add_typer(photos_app, name="photos")
app.add_typer(network_app, name="network")
app.add_typer(device_app, name="device")
app.add_typer(indicators_app, name="indicators")
app.add_typer(evidence_app, name="evidence")
app.add_typer(export_app, name="export")
app.add_typer(keys_app, name="keys")

# Names, references, paths and messages printed here can come from files, the database or the
# command line: they are printed with markup=False or escape(), never read as Rich markup, and
# emoji codes such as ":warning:" in them are left as they are.
out = Console(emoji=False)
err = Console(stderr=True, emoji=False)


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "courseline.web.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        err.print(f"[bold red]Configuration error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from None


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(2, help="Gunicorn worker processes."),
    timeout: int = typer.Option(
        300, min=30, help="Seconds a request may take (large photo and evidence uploads)."
    ),
) -> None:
    """Migrate the database, collect static files and serve the web app with gunicorn."""
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    out.print(f"Courseline is serving at http://{host}:{port}/ (Ctrl+C to stop)", markup=False)
    sys.stdout.flush()
    args = [
        sys.executable, "-m", "gunicorn", "courseline.web.wsgi:application",
        "--bind", f"{host}:{port}", "--workers", str(workers),
        "--timeout", str(timeout),
        "--worker-tmp-dir", "/dev/shm" if os.path.isdir("/dev/shm") else "/tmp",  # noqa: S108
        "--forwarded-allow-ips", os.environ.get("COURSELINE_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        "--error-logfile", "-",
        "--no-control-socket",  # gunicorn 27 would otherwise share ~/.gunicorn/gunicorn.ctl
    ]  # fmt: skip
    # No access log: request lines can carry search terms typed about a case.
    os.execv(sys.executable, args)  # noqa: S606


@demo_app.command("seed")
def demo_seed() -> None:
    """Create the fictional demo organisation, users and cases (safe to run twice)."""
    _django()
    from django.conf import settings
    from django.core.management import call_command

    from courseline.web.demo import seed_demo

    if settings.PRODUCTION:
        err.print(
            "[bold red]Refused:[/] demo accounts have a published password; "
            "`demo seed` runs only with COURSELINE_ENVIRONMENT=development."
        )
        raise typer.Exit(2)
    call_command("migrate", interactive=False, verbosity=0)
    for reference in seed_demo():
        out.print(f"case: {reference}", highlight=False, markup=False)


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the audit trail's hash chain and every exhibit's custody log; exit 1 naming the
    first bad record."""
    _django()
    from courseline.web.audit.log import verify
    from courseline.web.evidence.actions import verify_all_custody

    checked, broken = verify_all_custody()
    for item, custody in broken:
        assert custody.problem is not None
        err.print(
            "[bold red]Custody log broken[/] "
            + escape(
                f"for {item.case.reference} at {custody.problem.label}: {custody.problem.reason}"
            ),
            highlight=False,
        )
    report = verify()
    if report.problem is not None:
        err.print(
            "[bold red]Audit trail broken[/] "
            + escape(
                f"at {report.problem.label}: {report.problem.reason}"
                f" ({report.entries_checked} records verified before it)"
            ),
            highlight=False,
        )
        raise typer.Exit(1)
    if broken:
        raise typer.Exit(1)
    out.print(f"Audit trail intact: {report.entries_checked} records verified.")
    out.print(f"Custody logs intact: {checked} exhibit(s) verified.")
    # Kept outside the database (in a ticket, a log, a printout), this hash lets a later
    # verification show that the chain was not rebuilt from scratch since.
    out.print(f"Last record hash: {report.last_hash}", highlight=False, soft_wrap=True)


@retention_app.command("run")
def retention_run(
    dry_run: bool = typer.Option(
        False, "--dry-run", help="List what would be purged, change nothing."
    ),
    days: int = typer.Option(
        0, help="Override COURSELINE_RETENTION_DAYS for this run (0 = use it)."
    ),
) -> None:
    """Purge closed cases older than the retention period; keep one audit record of each purge."""
    _django()
    from django.conf import settings
    from django.utils import timezone

    from courseline.web.cases.actions import cases_due_for_purge, do_purge_case

    retention = days or settings.RETENTION_DAYS
    due = cases_due_for_purge(timezone.now(), retention)
    for case in due:
        if dry_run:
            out.print(
                f"would purge: {case.reference} (closed {case.closed_at:%Y-%m-%d})", markup=False
            )
            continue
        result = do_purge_case(case, retention_days=retention)
        out.print(f"purged: {result.reference} ({result.rows_deleted} rows)", markup=False)
    verb = "would be purged" if dry_run else "purged"
    out.print(f"{len(due)} case(s) {verb}; retention period {retention} days.")
    if not dry_run:
        from courseline.web.evidence.storage import sweep_leftovers, sweep_work_dir

        swept = sweep_leftovers() + sweep_work_dir()
        if swept:
            out.print(f"Removed {swept} temporary file(s) left by interrupted uploads.")


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def manage(ctx: typer.Context) -> None:
    """Run a Django management command, e.g. `courseline manage check --deploy`."""
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["courseline manage", *ctx.args])


@org_app.command("create")
def org_create(
    name: str = typer.Argument(
        ..., help="The organisation's name, e.g. 'Northshire ISAC service'."
    ),
    admin_email: str = typer.Option(..., "--admin-email", help="The first administrator's e-mail."),
    admin_name: str = typer.Option(..., "--admin-name", help="The first administrator's name."),
    team: Annotated[
        list[str] | None, typer.Option("--team", help="A team to create (repeat it).")
    ] = None,
) -> None:
    """Create an organisation with its teams and its first administrator (who must set up 2FA)."""
    _django()
    from courseline.web.accounts.setup import SetupError, do_create_organisation

    # Asked at the prompt only: a password on the command line stays in the shell history.
    password: str = typer.prompt(
        "Password for the first administrator", hide_input=True, confirmation_prompt=True
    )

    try:
        org = do_create_organisation(name, team or [], admin_email, admin_name, password)
    except SetupError as exc:
        err.print(f"[bold red]Not created:[/] {escape(str(exc))}")
        raise typer.Exit(1) from None
    teams = ", ".join(org.teams.values_list("name", flat=True)) or "none yet"
    out.print(
        f"Created {org.name} (teams: {teams}). {admin_email} can now sign in and will "
        "be asked to set up two-factor sign-in.",
        markup=False,
    )


def main() -> None:
    app()
