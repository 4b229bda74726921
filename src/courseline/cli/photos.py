"""`courseline photos …`: find what photos and videos reveal about where they were taken."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

photos_app = typer.Typer(
    help="Photo and video location privacy: scan what files reveal.", no_args_is_help=True
)
# File names, paths and errors quoting them are printed as Text, with markup=False or as plain
# lines: never read as Rich markup; emoji codes such as ":warning:" in them are left as they are.
out = Console(soft_wrap=True, emoji=False)
err = Console(stderr=True, emoji=False)


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"


def _collect(paths: list[str], recursive: bool, jobs: int) -> list[Any]:
    from courseline.digital.photos.scan import scan_paths

    results = []
    if sys.stderr.isatty():
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        columns = (TextColumn("Scanning"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task("scan", total=None)
            for scan in scan_paths(paths, recursive=recursive, jobs=jobs):
                results.append(scan)
                progress.advance(task)
    else:
        results = list(scan_paths(paths, recursive=recursive, jobs=jobs))
    return results


@photos_app.command("scan")
def scan_command(
    paths: Annotated[list[str], typer.Argument(help="Files or folders to scan.")],
    recursive: Annotated[bool, typer.Option("--recursive", "-r", help="Go into folders.")] = False,
    output: Annotated[Format, typer.Option("--format", help="text or json.")] = Format.TEXT,
    jobs: Annotated[
        int,
        typer.Option("--jobs", min=0, max=64, help="Parallel processes (0: automatic)."),
    ] = 0,
) -> None:
    """Find every location source (EXIF GPS, XMP, IPTC places, QuickTime...) in photos and videos.

    Files are only read, never changed. A location is what the file says, which may be wrong
    or old; no location found does not prove a picture is safe to share.
    """
    from courseline.digital.photos.places import cluster_places
    from courseline.digital.photos.report import build_report, summary_json

    scans = _collect(paths, recursive, jobs)
    places = cluster_places(scans)
    if output is Format.JSON:
        document = build_report(scans, places)
        sys.stdout.write(json.dumps(document, ensure_ascii=False) + "\n")
        return
    summary = summary_json(scans, places)
    from rich.table import Table
    from rich.text import Text

    table = Table("File", "Format", "Location", "Found in", "Taken", title="Photos and videos")
    for scan in scans:
        where = f"{scan.location[0]:.5f}, {scan.location[1]:.5f}" if scan.location else ""
        kinds = ", ".join(sorted({s.kind.value for s in scan.sources}))
        taken = scan.taken_at.isoformat(sep=" ") if scan.taken_at else ""
        found = kinds or (f"error: {scan.error.message}" if scan.error else "nothing")
        # Text(), not str: a file name such as "[/b].jpg" is shown as it is, never read as markup.
        table.add_row(Text(scan.path), scan.format or "?", where, Text(found), taken)
    out.print(table)
    for place in places:
        likely = f" (may be {place.likely}: {place.reason})" if place.likely else ""
        town = f" near {place.nearest_town}" if place.nearest_town else ""
        text = f"Place {place.lat:.5f}, {place.lon:.5f}{town}: {place.count} photo(s){likely}"
        out.print(text, markup=False)
    out.print(
        f"{summary['files']} files, {summary['with_location']} reveal a location, "
        f"{summary['errors']} could not be read, {summary['places']} place(s)."
    )


class Profile(StrEnum):
    LOCATION = "location"
    ALL = "all"


def _files_below(paths: list[str]) -> list[tuple[Path, Path]]:
    """(file, path relative to what was given) for files given or found in given folders."""
    found: list[tuple[Path, Path]] = []
    for given in map(Path, paths):
        if given.is_dir():
            for file in sorted(p for p in given.rglob("*") if p.is_file() and not p.is_symlink()):
                found.append((file, file.relative_to(given)))
        else:
            found.append((given, Path(given.name)))
    return found


@photos_app.command("clean")
def clean_command(
    paths: Annotated[list[str], typer.Argument(help="Files or folders (searched recursively).")],
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Folder for the cleaned copies.")
    ] = None,
    profile: Annotated[
        Profile, typer.Option("--profile", help="location: only where; all: all identifying data.")
    ] = Profile.LOCATION,
    in_place: Annotated[
        bool, typer.Option("--in-place", help="Replace the originals (after verification).")
    ] = False,
    jobs: Annotated[
        int, typer.Option("--jobs", min=0, max=64, help="Parallel processes (0: one per CPU).")
    ] = 0,
) -> None:
    """Remove location (or all identifying) metadata losslessly from photos and videos.

    JPEG, PNG, WebP, TIFF/DNG, HEIC/AVIF and MP4/MOV/3GP: picture and sound data are copied
    byte for byte; every cleaned file is re-read and verified before it is kept. What cannot
    be cleaned losslessly is refused with the reason, and the original is never changed unless
    --in-place is given. Exits 1 if any file was refused.
    """
    import os
    import stat
    import tempfile

    from courseline.digital.photos.clean import Profile as CleanProfile
    from courseline.digital.photos.clean import clean_files

    if (out_dir is None) == (not in_place):
        err.print("Give --out DIR, or --in-place to replace the originals (not both).")
        raise typer.Exit(2)
    files = _files_below(paths)
    tasks: list[tuple[Path, Path]] = []
    for source, relative in files:
        if in_place:
            handle, spare = tempfile.mkstemp(dir=source.parent, prefix=".courseline-")
            os.close(handle)
            os.unlink(spare)
            tasks.append((source, Path(spare)))
        else:
            assert out_dir is not None
            target = out_dir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            tasks.append((source, target))
    workers = jobs or (min(os.cpu_count() or 1, 8) if len(tasks) >= 32 else 1)
    # Copies beside untouched originals are not flushed one by one (a crash loses only a copy,
    # which is simply made again); replacing originals (--in-place) flushes every file first.
    results = clean_files(
        tasks, profile=CleanProfile(profile.value), durable=in_place, jobs=workers
    )
    refused = 0
    for (original, temporary), result in zip(tasks, results, strict=True):
        if in_place and result.output:
            # The copy was written private (0600); the file it replaces keeps the permissions
            # its owner gave it (a shared folder stays readable by those it was shared with).
            # Read/write/execute bits only: never set-user/group-ID on a file we just wrote.
            os.chmod(temporary, stat.S_IMODE(os.stat(original).st_mode) & 0o777)
            os.replace(temporary, original)
        # Plain lines, not Rich: file names are printed as they are (never read as markup), and
        # a camera roll of thousands of files is not slowed down by rendering.
        if result.refused:
            refused += 1
            sys.stdout.write(f"refused: {original}: {result.refused}\n")
        else:
            removed = ", ".join(result.removed) or "nothing to remove"
            where = original if in_place else result.output
            sys.stdout.write(f"cleaned: {original} -> {where} ({removed})\n")
    if refused:
        raise typer.Exit(1)
