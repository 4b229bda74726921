"""`courseline evidence …`: check an evidence bundle against its manifest, offline."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

evidence_app = typer.Typer(
    help="Evidence bundles: check that every file is the one the manifest lists.",
    no_args_is_help=True,
)
# Paths, manifest fields and file names inside the zip are escape()d, never read as Rich markup;
# emoji codes such as ":warning:" in them are left as they are.
out = Console(soft_wrap=True, highlight=False, emoji=False)
err = Console(stderr=True, soft_wrap=True, highlight=False, emoji=False)

MEANING = (
    "Matching hashes show the files are the ones listed when the bundle was made. They do not "
    "show who made the files or that their content is true."
)


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"


@evidence_app.callback()
def _group() -> None:
    """Evidence bundles: check that every file is the one the manifest lists."""


@evidence_app.command("verify")
def verify_command(
    bundle: Annotated[Path, typer.Argument(help="The bundle .zip to check.")],
    output: Annotated[Format, typer.Option("--format", help="text or json.")] = Format.TEXT,
) -> None:
    """Recompute every SHA-256 in a bundle and report every changed, missing or added file.

    Exit status: 0 when every file matches, 1 when any problem is found, 2 when the file cannot
    be checked at all (not found, not a zip, over the safety limits). Nothing is extracted.
    """
    from courseline.evidence.bundle import BundleUnreadable, verify_bundle

    try:
        report = verify_bundle(bundle)
    except BundleUnreadable as exc:
        if output is Format.JSON:
            sys.stdout.write(json.dumps({"ok": False, "unusable": str(exc)}) + "\n")
        else:
            err.print(f"[bold red]Cannot check this bundle:[/] {escape(str(exc))}")
        raise typer.Exit(2) from None
    if output is Format.JSON:
        document = {
            "ok": report.ok,
            "case_reference": report.case_reference,
            "created_at": report.created_at,
            "generator": report.generator,
            "copies": report.copies,
            "items_listed": report.items_listed,
            "files_checked": report.files_checked,
            "manifest_sha256": report.manifest_sha256,
            "problems": [
                {"kind": p.kind.value, "file": p.file, "detail": p.detail} for p in report.problems
            ],
        }
        sys.stdout.write(json.dumps(document, ensure_ascii=False) + "\n")
        raise typer.Exit(0 if report.ok else 1)
    if report.case_reference:
        made = f", made {report.created_at}" if report.created_at else ""
        out.print(escape(f"Bundle for case {report.case_reference}{made}"))
    for problem in report.problems:
        line = escape(f"{problem.file}: {problem.detail}")
        out.print(f"[bold red]{problem.kind.value.upper()}[/] {line}")
    if report.manifest_sha256:
        out.print(f"SHA-256 of manifest.json: {report.manifest_sha256}")
    if not report.ok:
        out.print(
            f"[bold red]{len(report.problems)} problem(s) found[/] "
            f"({report.files_checked} file(s) hashed, {report.items_listed} exhibit(s) listed)."
        )
        raise typer.Exit(1)
    out.print(
        f"[bold green]Bundle verified:[/] {report.items_listed} exhibit(s) and every other "
        f"file match the manifest ({report.files_checked} file(s) hashed). "
        "Compare the manifest hash above with the one sent with the bundle."
    )
    out.print(MEANING)
