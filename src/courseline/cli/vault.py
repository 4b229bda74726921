"""`courseline export case` and `courseline keys …`: evidence commands that need the database."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

keys_app = typer.Typer(help="The evidence encryption key.", no_args_is_help=True)
export_app = typer.Typer(help="Exporting a case's evidence bundle.", no_args_is_help=True)
# References, e-mails, paths, key ids and error messages are printed with markup=False: never
# read as Rich markup. Emoji codes such as ":warning:" in them are left as they are.
out = Console(soft_wrap=True, highlight=False, emoji=False)
err = Console(stderr=True, highlight=False, emoji=False)


class Copies(StrEnum):
    ORIGINALS = "originals"
    STRIPPED = "location-stripped"


def _django() -> None:
    from courseline.cli import _django as setup

    setup()


@keys_app.command("generate")
def keys_generate() -> None:
    """Print a new random evidence key (base64 of 32 bytes) for COURSELINE_EVIDENCE_KEY."""
    from courseline.evidence.crypto import generate_key_text

    out.print(generate_key_text())


@keys_app.command("rotate")
def keys_rotate(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would be re-wrapped; change nothing.")
    ] = False,
) -> None:
    """Re-wrap every evidence file's key with the current COURSELINE_EVIDENCE_KEY.

    Keys wrapped by an older key are read with COURSELINE_EVIDENCE_OLD_KEYS. File bodies are
    not rewritten; safe to run again. Exits 1 if any file's key could not be re-wrapped.
    """
    _django()
    from courseline.web.evidence.keys import do_rotate_keys

    result = do_rotate_keys(dry_run=dry_run)
    for key_id, count in sorted(result.by_old_key.items()):
        out.print(f"{count} record(s) wrapped by older key {key_id}", markup=False)
    for problem in result.failed:
        err.print(f"not re-wrapped: {problem}", markup=False)
    if dry_run:
        out.print(f"Dry run: {sum(result.by_old_key.values())} record(s) would be re-wrapped.")
    else:
        out.print(
            f"Re-wrapped {result.rewrapped} record(s) with key {result.current_key_id}; "
            f"{result.already_current} already used it.",
            markup=False,
        )
    if result.failed:
        raise typer.Exit(1)


@export_app.command("case")
def export_case_command(
    reference: Annotated[str, typer.Argument(help="The case reference, e.g. CL-2026-000001.")],
    out_path: Annotated[Path, typer.Option("--out", help="Where to write the bundle (.zip).")],
    by: Annotated[str, typer.Option("--by", help="E-mail of the staff member exporting it.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the custody log).")],
    copies: Annotated[
        Copies, typer.Option("--copies", help="originals, or location-stripped copies.")
    ] = Copies.ORIGINALS,
    prepared_for: Annotated[
        str, typer.Option("--for", help="Who the bundle is for (shown on its cover).")
    ] = "",
) -> None:
    """Write a case's evidence bundle: exhibits, PDF chronology and manifests.

    The person named by --by must be able to see the case; the export is logged in every
    exhibit's custody log. Prints the manifest's SHA-256, to send apart from the bundle.
    """
    _django()
    from django.http import Http404

    from courseline.evidence.crypto import EvidenceError
    from courseline.web.accounts.models import User
    from courseline.web.cases.access import get_case_for_user
    from courseline.web.evidence.export import ORIGINALS, STRIPPED, export_case, failure_cause

    user = User.objects.filter(email__iexact=by, is_active=True).first()
    try:
        if user is None:
            raise Http404
        case = get_case_for_user(user, reference)
    except Http404:
        err.print(f"{by} cannot see a case {reference} (or there is no such case).", markup=False)
        raise typer.Exit(2) from None
    if out_path.exists():
        err.print(f"{out_path} exists already; choose another file name.", markup=False)
        raise typer.Exit(2)
    chosen = STRIPPED if copies is Copies.STRIPPED else ORIGINALS
    try:
        done = export_case(
            case, user, out_path, copies=chosen, reason=reason, prepared_for=prepared_for
        )
    except (EvidenceError, OSError) as exc:
        # A damaged or unreadable stored file, or a bundle that could not be written: nothing
        # was left at --out, and export_case has audited the failure.
        problem = (
            "a stored file failed its integrity check (restore it from a backup)"
            if failure_cause(exc) == "integrity"
            else "a stored file could not be read, or the bundle could not be written"
        )
        err.print(f"Not exported: {problem}: {exc}", markup=False)
        raise typer.Exit(1) from None
    out.print(f"Wrote {out_path}: {len(done.included)} exhibit(s), {chosen}.", markup=False)
    if done.withheld:
        refs = ", ".join(i.exhibit_ref for i in done.withheld)
        out.print(f"Left out (location could not be removed): {refs}", markup=False)
    out.print(f"Manifest SHA-256: {done.bundle.manifest_sha256}")
    out.print(f"Check it with: courseline evidence verify {out_path}", markup=False)
