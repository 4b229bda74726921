"""`courseline network …`: check a packet capture for contact with monitoring-app servers."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from courseline.cli.paths import data_dir

network_app = typer.Typer(
    help="Network captures: look for traffic to stalkerware and watchware servers.",
    no_args_is_help=True,
)
# Everything read from a capture or an indicator set is printed with markup=False or as Text,
# never read as Rich markup; emoji codes such as ":warning:" in it are left as they are.
out = Console(soft_wrap=True, highlight=False, emoji=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


@network_app.callback()
def network_group() -> None:
    """Network captures: look for traffic to stalkerware and watchware servers."""


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"


def _watchlist(indicators: Path | None) -> Any:
    from courseline.digital.indicators import IndicatorError
    from courseline.digital.network import default_watchlist

    try:
        return default_watchlist(indicators, data_dir=data_dir())
    except IndicatorError as exc:
        err.print(f"Cannot load the indicator set: {exc}", markup=False)
        raise typer.Exit(2) from None


def _run(capture: Path, watchlist: Any, list_domains: bool) -> Any:
    from courseline.digital.network import check_capture

    if not sys.stderr.isatty():
        return check_capture(capture, watchlist, list_queries=list_domains)
    try:
        total = capture.stat().st_size
    except OSError:
        total = None
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TransferSpeedColumn,
    )

    columns = (TextColumn("Reading"), BarColumn(), DownloadColumn(), TransferSpeedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("read", total=total)

        def advance(done: int) -> None:
            progress.update(task, completed=done)

        return check_capture(capture, watchlist, list_queries=list_domains, progress=advance)


def _when(hit: Any) -> str:
    if hit.first_seen is None:
        return "time unknown"
    first = hit.first_seen.strftime("%Y-%m-%d %H:%M:%S")
    last = hit.last_seen.strftime("%Y-%m-%d %H:%M:%S")
    return first if first == last else f"{first} to {last}"


def _print_hits(title: str, hits: Any) -> None:
    from rich.table import Table

    table = Table(
        "App", "Seen as", "Name or address", "Count", "When (UTC)", "Clients", title=title
    )
    for hit in hits:
        clients = ", ".join(hit.clients) + (f" (+{hit.more_clients})" if hit.more_clients else "")
        value = hit.value + (f" (resolved from {hit.via})" if hit.via else "")
        # Text, not str: app names come from the indicator set, names and addresses from the
        # capture; a cell given as str would be read as markup.
        table.add_row(
            Text(f"{hit.app} ({hit.app_kind})"), hit.seen_as.value, Text(value), str(hit.count),
            _when(hit), Text(clients),
        )  # fmt: skip
    out.print(table, markup=False)


def _print_text(report: Any) -> None:
    from courseline.digital.network import NO_HIT, to_findings

    s = report.summary
    duration = f"{s.duration_seconds:.0f} s" if s.duration_seconds is not None else "unknown"
    out.print(
        f"{report.path}: {s.format}, {s.packets} packets, {s.file_bytes} bytes, over {duration}; "
        f"{s.dns_queries} DNS queries ({s.distinct_domains}"
        f"{'+' if s.distinct_domains_capped else ''} names), {s.tls_client_hellos} TLS "
        f"ClientHellos, {s.http_requests} HTTP requests. Indicators: {report.indicator_version}.",
        markup=False,
    )
    for warning in s.warnings:
        out.print(f"Warning: {warning}", markup=False)
    if report.c2_hits:
        _print_hits("Contact with monitoring-app servers (C2)", report.c2_hits)
        explained: set[str] = set()
        for finding in to_findings(report):
            if finding.check != "network.c2-contact" or finding.title in explained:
                continue
            explained.add(finding.title)
            out.print(f"{finding.severity.value.upper()}: {finding.title}", markup=False)
            out.print(f"  What this means: {finding.meaning}", markup=False)
            out.print(f"  What it does not mean: {finding.not_meaning}", markup=False)
            out.print(f"  Next step: {finding.next_step}", markup=False)
    else:
        out.print(f"{NO_HIT[0]} {NO_HIT[1]}", markup=False)
    if report.vendor_hits:
        _print_hits("Vendor websites (lower category, not an infection)", report.vendor_hits)
        out.print(
            "Visiting a vendor's website is not a sign of infection: anyone on the network, "
            "including the person or someone helping them, may have read about the product.",
            markup=False,
        )
    if report.hits_dropped:
        out.print(f"{report.hits_dropped} further hits were not kept (limit reached).")
    out.print("Not checked:", markup=False)
    for item in report.not_checked:
        out.print(f"  - {item}", markup=False)
    if report.query_names is not None:
        out.print("DNS query names (count):", markup=False)
        for name, count in report.query_names:
            out.print(f"  {count} {name}", markup=False)


@network_app.command("check")
def check_command(
    capture: Annotated[Path, typer.Argument(help="A pcap or pcapng file (any size).")],
    output: Annotated[Format, typer.Option("--format", help="text or json.")] = Format.TEXT,
    indicators: Annotated[
        Path | None,
        typer.Option("--indicators", help="An indicator set file instead of the active set."),
    ] = None,
    list_domains: Annotated[
        bool, typer.Option("--list-domains", help="Also list every DNS query name with its count.")
    ] = False,
    consent_owner: Annotated[
        str | None,
        typer.Option(
            "--consent",
            metavar="OWNER",
            help="Name of the owner of the device whose traffic was captured, who is present "
            "and agrees to the check (required).",
        ),
    ] = None,
    consultant: Annotated[
        str | None, typer.Option(help="Who is carrying out the check (recorded).")
    ] = None,
) -> None:
    """Look for DNS lookups, TLS server names, HTTP hosts and addresses of stalkerware and
    watchware servers (C2) in a capture; vendor websites are listed apart, as a lower category.

    The file is only read, in constant memory. A capture cut short inside its last packet is
    checked up to that point, with a warning. Refuses to run without --consent: a capture is
    someone's traffic, so only check one made from a device in its owner's hands. Exit status:
    0 when the capture was read (with or without hits), 2 when it or the indicator set cannot
    be read or consent is missing.
    """
    from courseline.digital.devices import ConsentError
    from courseline.digital.devices.consent import Consent
    from courseline.digital.network import CaptureError, report_json

    try:
        consent = Consent(owner=consent_owner or "", consultant=consultant)
    except ConsentError:
        err.print(
            'A network check needs the owner\'s consent: give --consent "NAME" with the name of '
            "the owner of the device whose traffic was captured, who must be present and agree.",
            markup=False,
        )
        raise typer.Exit(2) from None
    watchlist = _watchlist(indicators)
    try:
        report = _run(capture, watchlist, list_domains)
    except CaptureError as exc:
        err.print(f"Cannot check {capture}: {exc}", markup=False)
        raise typer.Exit(2) from None
    if output is Format.JSON:
        document = {**report_json(report), "consent": consent.to_json()}
        sys.stdout.write(json.dumps(document, ensure_ascii=False) + "\n")
        for warning in report.summary.warnings:
            err.print(f"Warning: {warning}", markup=False)
        return
    _print_text(report)
    out.print(f"Consent: {consent.owner}, {consent.recorded_at.isoformat()}", markup=False)
