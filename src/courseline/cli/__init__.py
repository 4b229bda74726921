"""The `courseline` command: a thin Typer shell over the core and the web layer.

This is the only package that imports Typer and Rich.
"""

from __future__ import annotations

import os
import sys

import typer
from rich.console import Console

app = typer.Typer(
    help="Courseline: casework, evidence and digital-safety toolkit for stalking support.",
    no_args_is_help=True,
    add_completion=False,
)
demo_app = typer.Typer(help="Fictional demo data.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit trail.", no_args_is_help=True)
retention_app = typer.Typer(help="Deleting closed cases after the retention period.")
app.add_typer(demo_app, name="demo")
app.add_typer(audit_app, name="audit")
app.add_typer(retention_app, name="retention", no_args_is_help=True)

out = Console()
err = Console(stderr=True)


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "courseline.web.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        err.print(f"[bold red]Configuration error:[/] {exc}")
        raise typer.Exit(2) from None


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(2, help="Gunicorn worker processes."),
) -> None:
    """Migrate the database, collect static files and serve the web app with gunicorn."""
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    out.print(f"Courseline is serving at http://{host}:{port}/ (Ctrl+C to stop)")
    sys.stdout.flush()
    args = [
        sys.executable, "-m", "gunicorn", "courseline.web.wsgi:application",
        "--bind", f"{host}:{port}", "--workers", str(workers),
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
    from django.core.management import call_command

    from courseline.web.demo import seed_demo

    call_command("migrate", interactive=False, verbosity=0)
    for reference in seed_demo():
        out.print(f"case: {reference}", highlight=False)


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the audit trail's hash chain; exit 1 naming the first bad record."""
    _django()
    from courseline.web.audit.log import verify

    report = verify()
    if report.problem is not None:
        err.print(
            f"[bold red]Audit trail broken[/] at {report.problem.label}: {report.problem.reason}"
            f" ({report.entries_checked} records verified before it)",
            highlight=False,
        )
        raise typer.Exit(1)
    out.print(f"Audit trail intact: {report.entries_checked} records verified.")


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
            out.print(f"would purge: {case.reference} (closed {case.closed_at:%Y-%m-%d})")
            continue
        result = do_purge_case(case, retention_days=retention)
        out.print(f"purged: {result.reference} ({result.rows_deleted} rows)")
    verb = "would be purged" if dry_run else "purged"
    out.print(f"{len(due)} case(s) {verb}; retention period {retention} days.")


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def manage(ctx: typer.Context) -> None:
    """Run a Django management command, e.g. `courseline manage check --deploy`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "courseline.web.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["courseline manage", *ctx.args])


def main() -> None:
    app()
