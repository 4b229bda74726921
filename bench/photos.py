"""Photo benchmark: Courseline against exiftool (and mat2) on a synthetic camera roll.

Run with ``make bench`` (or ``.venv/bin/python bench/photos.py --help``). Steps, all offline:

1. build the corpus with ``../shared/bench/make_photo_corpus.py DIR --count 2000`` unless
   ``DIR/manifest.json`` exists (about 2 GB; the manifest holds the ground truth);
2. **scan**: whole-process wall time of ``courseline photos scan DIR --recursive --format json``
   against ``exiftool -r -n -json -GPSLatitude -GPSLongitude DIR``, run alternately
   ``--repeat`` times after one untimed warm-up each (page cache, Python bytecode); the ratio
   is of the medians. Courseline's JSON is checked against the manifest file by file;
3. **clean** 500 JPEGs from the corpus: ``courseline photos clean SRC --out OUT`` against
   ``exiftool -all= -o OUT/ SRC`` and ``mat2`` (on copies, as it writes next to its input).
   For reference, the same run times Courseline's start-up (the command on an empty folder)
   and a plain ``cp -r`` of the files: what any cleaner pays before doing any work.
   Every output is checked: exiftool must find no GPS position in it, and the JPEG image data
   (from the SOS marker to the end of the file) must be byte-identical to the original;
4. print a table of times and ratios and whether each target of the issue is met, and write
   ``bench/results/photos.json``.

Exit status: 0 when every correctness target is met (scan agrees with the manifest on every
file; no location left; image data unchanged), 1 when one is not or on a setup failure. Speed
targets are reported, never enforced: timings depend on the machine and on what else runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT.parent / "shared" / "bench" / "make_photo_corpus.py"
RESULTS = ROOT / "bench" / "results" / "photos.json"
DEFAULT_CORPUS = Path(tempfile.gettempdir()) / "photo-corpus"

SCAN_RATIO_TARGET = 15.0
CLEAN_RATIO_TARGET = 2.0
EXACT_TOLERANCE = 1e-6
"""EXIF rationals (1/10000 second) and XMP minutes (6 decimals) carry the corpus's 6-decimal
coordinates to better than 1e-7 degree."""
ISO6709_TOLERANCE = 5e-5 + 1e-9
"""The corpus writes QuickTime ISO 6709 strings with 4 decimals: half a unit of rounding."""
_ISO6709_KINDS = frozenset({"quicktime-xyz", "quicktime-keys"})
_POSITION_TAGS = ("GPSLatitude", "GPSLongitude", "GPSPosition", "GPSCoordinates")


# ---- agreement with the manifest ---------------------------------------------------------


@dataclass
class Agreement:
    total: int = 0
    agreed: int = 0
    problems: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    """Files in the scan output that the manifest does not describe (manifest.json itself)."""

    @property
    def percent(self) -> float:
        return 100.0 * self.agreed / self.total if self.total else 0.0


def _close(a: float | None, b: float, tolerance: float) -> bool:
    return a is not None and math.isfinite(a) and abs(a - b) <= tolerance


def _coordinates_problem(truth: dict[str, Any], got: dict[str, Any]) -> str | None:
    sources = [s for s in got.get("sources", []) if s.get("lat") is not None]
    gps = truth.get("gps")
    location = got.get("location")
    if gps is None:
        return "location reported where the manifest has none" if location or sources else None
    if location is None or not sources:
        return "location missing"
    kinds, expected = sorted({s["kind"] for s in sources}), sorted(truth.get("sources", []))
    if kinds != expected:
        return f"sources {kinds}, expected {expected}"
    for source in sources:
        tolerance = ISO6709_TOLERANCE if source["kind"] in _ISO6709_KINDS else EXACT_TOLERANCE
        if not (
            _close(source["lat"], gps[0], tolerance) and _close(source["lon"], gps[1], tolerance)
        ):
            return f"{source['kind']} at {source['lat']}, {source['lon']}, expected {gps}"
    if (location.get("lat"), location.get("lon")) != (sources[0]["lat"], sources[0]["lon"]):
        return "location is not the first source's coordinates"
    return None


def _file_problem(truth: dict[str, Any], got: dict[str, Any] | None) -> str | None:
    """Why one scanned file disagrees with its manifest entry, or None if it agrees."""
    if got is None:
        return "missing from the scan output"
    if truth.get("error"):
        if not got.get("error"):
            return "malformed file not reported as an error"
        return "malformed file reported with a location" if got.get("location") else None
    if got.get("error"):
        return f"unexpected error: {got['error']}"
    if got.get("format") != truth["format"]:
        return f"format {got.get('format')!r}, expected {truth['format']!r}"
    return _coordinates_problem(truth, got)


def agreement(manifest: dict[str, Any], scan: dict[str, Any], corpus: str) -> Agreement:
    """Compare ``courseline photos scan CORPUS --format json`` output with the manifest.

    A file agrees when: a malformed file is reported as an error without a location; any other
    file has no error, the right format, a location exactly when the manifest has one, the same
    set of coordinate source kinds, and every source's coordinates within the precision the
    corpus writes them with (``EXACT_TOLERANCE``, or ``ISO6709_TOLERANCE`` for QuickTime).
    """
    by_path: dict[str, dict[str, Any]] = {}
    for entry in scan.get("files", []):
        by_path[os.path.normpath(os.path.relpath(entry["path"], corpus))] = entry
    result = Agreement()
    for truth in manifest["files"]:
        key = os.path.normpath(truth["path"])
        problem = _file_problem(truth, by_path.pop(key, None))
        result.total += 1
        if problem is None:
            result.agreed += 1
        else:
            result.problems.append(f"{truth['path']}: {problem}")
    result.ignored = sorted(by_path)
    return result


# ---- JPEG image data ---------------------------------------------------------------------


def jpeg_image_data(data: bytes) -> bytes | None:
    """The bytes from the first SOS marker to the end of a JPEG (None if there is no SOS).

    Written independently of Courseline's reader, so that it checks the cleaner rather than
    agreeing with it by construction."""
    if data[:2] != b"\xff\xd8":
        return None
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker == 0xDA:
            return data[pos:]
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:
            pos += 2
            continue
        (length,) = struct.unpack_from(">H", data, pos + 2)
        pos += 2 + length
    return None


# ---- running tools -------------------------------------------------------------------------


def _child_env() -> dict[str, str]:
    """The environment for timed processes: as installed software runs, with bytecode caching
    (the warm-up run writes any missing .pyc files) and the development settings."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.setdefault("COURSELINE_ENVIRONMENT", "development")
    return env


def courseline_command() -> list[str]:
    script = Path(sys.executable).with_name("courseline")
    if script.exists():
        return [str(script)]
    found = shutil.which("courseline")
    return [found] if found else [sys.executable, "-m", "courseline.cli"]


def timed(cmd: Sequence[str], *, stdout: Path | None = None) -> float:
    """Wall time of one whole process (its output to ``stdout`` or discarded); raises if the
    process fails."""
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(stdout.open("wb")) if stdout else subprocess.DEVNULL
        start = time.perf_counter()
        done = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE, env=_child_env())  # noqa: S603
        elapsed = time.perf_counter() - start
    if done.returncode != 0:
        tail = done.stderr.decode(errors="replace")[-800:]
        raise RuntimeError(f"{' '.join(cmd[:3])}... exited {done.returncode}: {tail}")
    return elapsed


@dataclass
class Timing:
    tool: str
    runs: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.runs) if self.runs else math.nan


# ---- steps ---------------------------------------------------------------------------------


def ensure_corpus(corpus: Path, count: int, generator: Path) -> dict[str, Any]:
    manifest = corpus / "manifest.json"
    if not manifest.exists():
        if not generator.exists():
            raise RuntimeError(f"corpus generator not found: {generator}")
        print(f"Building the corpus ({count} files, about {count} MB) in {corpus} ...")
        subprocess.run(
            [sys.executable, str(generator), str(corpus), "--count", str(count)], check=True
        )  # noqa: S603
    loaded: dict[str, Any] = json.loads(manifest.read_text("utf-8"))
    return loaded


def bench_scan(
    corpus: Path, manifest: dict[str, Any], repeat: int, work: Path
) -> tuple[list[Timing], Agreement]:
    ours = [*courseline_command(), "photos", "scan", str(corpus), "--recursive", "--format", "json"]
    theirs = ["exiftool", "-r", "-n", "-json", "-GPSLatitude", "-GPSLongitude", str(corpus)]
    output = work / "scan.json"
    timed(ours, stdout=output)  # warm-up: page cache, bytecode
    timed(theirs, stdout=work / "exiftool.json")
    timings = [Timing("courseline photos scan"), Timing("exiftool -r -n -json -GPS…")]
    for _ in range(repeat):
        timings[0].runs.append(timed(ours, stdout=output))
        timings[1].runs.append(timed(theirs, stdout=work / "exiftool.json"))
    scanned = json.loads(output.read_text("utf-8"))
    return timings, agreement(manifest, scanned, str(corpus))


def pick_jpegs(corpus: Path, manifest: dict[str, Any], count: int) -> list[Path]:
    """The first ``count`` well-formed JPEGs of the manifest (with and without locations)."""
    chosen = [
        corpus / f["path"]
        for f in manifest["files"]
        if f["format"] == "jpeg" and not f.get("error")
    ]
    return chosen[:count]


def gps_left(directory: Path) -> list[str]:
    """Files below ``directory`` in which exiftool finds a GPS position."""
    cmd = [
        "exiftool",
        "-r",
        "-n",
        "-json",
        "-a",
        *(f"-{t}" for t in _POSITION_TAGS),
        str(directory),
    ]
    done = subprocess.run(cmd, capture_output=True, env=_child_env())  # noqa: S603
    if not done.stdout.strip():
        return []
    found = json.loads(done.stdout)
    return sorted(entry["SourceFile"] for entry in found if any(t in entry for t in _POSITION_TAGS))


def changed_image_data(pairs: Sequence[tuple[Path, Path]]) -> list[str]:
    """Outputs whose JPEG image data differs from their original's (missing ones excluded)."""
    changed = []
    for original, output in pairs:
        if not output.exists():
            continue
        before = jpeg_image_data(original.read_bytes())
        if before is None or jpeg_image_data(output.read_bytes()) != before:
            changed.append(output.name)
    return changed


@dataclass
class CleanResult:
    tool: str
    timing: Timing
    gps_left: list[str] | None = None
    changed: list[str] | None = None
    missing: list[str] | None = None
    skipped: str | None = None


def _fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def _clean_runs(result: CleanResult, repeat: int, run: Callable[[], float]) -> None:
    """One untimed warm-up run, then ``repeat`` timed runs."""
    run()
    for _ in range(repeat):
        result.timing.runs.append(run())


def _check(result: CleanResult, pairs: list[tuple[Path, Path]], folder: Path) -> None:
    result.gps_left = gps_left(folder)
    result.changed = changed_image_data(pairs)
    result.missing = [output.name for _, output in pairs if not output.exists()]


def _clean_courseline(source: Path, originals: list[Path], repeat: int, work: Path) -> CleanResult:
    result = CleanResult("courseline photos clean", Timing("courseline photos clean"))
    out = work / "clean-courseline"

    def run() -> float:
        shutil.rmtree(out, ignore_errors=True)
        return timed([*courseline_command(), "photos", "clean", str(source), "--out", str(out)])

    _clean_runs(result, repeat, run)
    _check(result, [(f, out / f.name) for f in originals], out)
    return result


def _clean_exiftool(source: Path, originals: list[Path], repeat: int, work: Path) -> CleanResult:
    result = CleanResult("exiftool -all=", Timing("exiftool -all="))
    out = work / "clean-exiftool"

    def run() -> float:
        _fresh(out)
        return timed(["exiftool", "-q", "-all=", "-o", f"{out}/", str(source)])

    _clean_runs(result, repeat, run)
    _check(result, [(f, out / f.name) for f in originals], out)
    return result


def _clean_mat2(originals: list[Path], repeat: int, work: Path) -> CleanResult:
    """mat2 writes FILE.cleaned.EXT next to each input, so it runs on fresh copies each time
    (copying is not timed), and only its outputs are checked."""
    result = CleanResult("mat2", Timing("mat2"))
    if shutil.which("mat2") is None:
        result.skipped = "mat2 is not installed (Debian: apt-get install mat2)"
        return result
    copies = work / "clean-mat2"

    def run() -> float:
        _fresh(copies)
        inputs = []
        for file in originals:
            shutil.copyfile(file, copies / file.name)
            inputs.append(str(copies / file.name))
        return timed(["mat2", *inputs])

    _clean_runs(result, repeat, run)
    outputs = _fresh(work / "clean-mat2-out")
    pairs = []
    for original in originals:
        cleaned = copies / f"{original.stem}.cleaned{original.suffix}"
        if cleaned.exists():
            shutil.move(cleaned, outputs / original.name)
        pairs.append((original, outputs / original.name))
    _check(result, pairs, outputs)
    return result


def _reference_timings(source: Path, repeat: int, work: Path) -> list[Timing]:
    """What any cleaner pays on this machine, timed in the same run: Courseline's start-up (the
    same command on an empty folder: interpreter, Typer and its parameter parsing, imports) and
    copying the files' bytes with nothing else done (``cp -r``, one process)."""
    empty, copy = _fresh(work / "empty"), work / "clean-cp"

    def startup() -> float:
        return timed([*courseline_command(), "photos", "clean", str(empty), "--out", str(copy)])

    def copy_only() -> float:
        shutil.rmtree(copy, ignore_errors=True)
        return timed(["cp", "-r", str(source), str(copy)])

    timings = [Timing("courseline start-up"), Timing("cp -r (copy only)")]
    for timing, run in zip(timings, (startup, copy_only), strict=True):
        run()  # warm-up
        timing.runs.extend(run() for _ in range(repeat))
    return timings


def bench_clean(
    files: list[Path], repeat: int, work: Path
) -> tuple[list[CleanResult], list[Timing]]:
    source = _fresh(work / "clean-src")
    for file in files:
        shutil.copyfile(file, source / file.name)
    originals = sorted(source.iterdir())
    results = [
        _clean_courseline(source, originals, repeat, work),
        _clean_exiftool(source, originals, repeat, work),
        _clean_mat2(originals, repeat, work),
    ]
    return results, _reference_timings(source, repeat, work)


# ---- report --------------------------------------------------------------------------------


def _seconds(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.2f} s"


Targets = list[tuple[str, bool]]


def report_scan(timings: list[Timing], agreed: Agreement, files: int, targets: Targets) -> Any:
    ours, theirs = timings
    ratio = theirs.median / ours.median
    print(f"\nScan of {files} files (median of {len(ours.runs)} runs, whole processes)")
    print(f"  {'tool':30} {'median':>9}   runs")
    for t in timings:
        print(f"  {t.tool:30} {_seconds(t.median):>9}   {', '.join(f'{r:.2f}' for r in t.runs)}")
    print(f"  courseline is {ratio:.1f}x faster than exiftool")
    print(f"  agreement with the manifest: {agreed.agreed}/{agreed.total} = {agreed.percent:.2f}%")
    for problem in agreed.problems[:20]:
        print(f"    {problem}")
    if agreed.ignored:
        print(f"  not in the manifest (ignored): {', '.join(agreed.ignored)}")
    targets.append(("scan agrees with the manifest on 100% of files", not agreed.problems))
    targets.append(
        (f"scan >= {SCAN_RATIO_TARGET:.0f}x faster than exiftool", ratio >= SCAN_RATIO_TARGET)
    )
    return {
        "timings": [asdict(t) for t in timings],
        "ratio": ratio,
        "agreement": {"agreed": agreed.agreed, "total": agreed.total, "problems": agreed.problems},
    }


def report_clean(
    results: list[CleanResult], reference: list[Timing], files: int, targets: Targets
) -> Any:
    ours, exiftool = results[0], results[1]
    print(f"\nClean of {files} JPEGs (median of {len(ours.timing.runs)} runs, whole processes)")
    columns = f"{'median':>9} {'time / ours':>12} {'GPS left':>9} {'data changed':>13}"
    print(f"  {'tool':24} {columns} {'missing':>8}")
    for c in results:
        if c.skipped:
            print(f"  {c.tool:24} skipped: {c.skipped}")
            continue
        share = c.timing.median / ours.timing.median
        counts = [len(c.gps_left or []), len(c.changed or []), len(c.missing or [])]
        print(
            f"  {c.tool:24} {_seconds(c.timing.median):>9} {share:>11.1f}x"
            f" {counts[0]:>9} {counts[1]:>13} {counts[2]:>8}"
        )
    print("  (data changed: JPEG image data from SOS on differs from the original's)")
    ratio = exiftool.timing.median / ours.timing.median
    budget = exiftool.timing.median / CLEAN_RATIO_TARGET
    print(f"  For reference, on this machine ({os.cpu_count()} CPUs):")
    for t in reference:
        print(f"  {t.tool:24} {_seconds(t.median):>9}   {', '.join(f'{r:.2f}' for r in t.runs)}")
    print(
        f"  {CLEAN_RATIO_TARGET:.0f}x exiftool leaves {budget:.2f} s for start-up, reading,"
        " copying, rewriting and re-reading every file"
    )
    targets.append(
        (
            f"clean >= {CLEAN_RATIO_TARGET:.0f}x faster than exiftool -all=",
            ratio >= CLEAN_RATIO_TARGET,
        )
    )
    targets.append(("clean leaves no location exiftool can find", not ours.gps_left))
    targets.append(
        ("clean keeps the image data byte-identical", not ours.changed and not ours.missing)
    )
    return {
        "ratio_vs_exiftool": ratio,
        "reference": [asdict(t) for t in reference],
        "tools": [
            {"tool": c.tool, "runs": c.timing.runs, "median": c.timing.median,
             "gps_left": c.gps_left, "image_data_changed": c.changed, "missing": c.missing,
             "skipped": c.skipped}
            for c in results
        ],
    }  # fmt: skip


_CORRECTNESS = ("agrees", "leaves no location", "byte-identical")


def report(
    scan: tuple[list[Timing], Agreement] | None,
    clean: tuple[list[CleanResult], list[Timing]] | None,
    files: int,
    clean_files: int,
) -> tuple[dict[str, Any], bool]:
    """Print the tables; return the JSON summary and whether every correctness target is met."""
    summary: dict[str, Any] = {"machine": platform.platform(), "cpus": os.cpu_count()}
    targets: Targets = []
    if scan is not None:
        summary["scan"] = report_scan(scan[0], scan[1], files, targets)
    if clean is not None:
        summary["clean"] = report_clean(clean[0], clean[1], clean_files, targets)
    print("\nTargets (speed is reported, not enforced)")
    for label, met in targets:
        print(f"  [{'met' if met else 'NOT MET'}] {label}")
    summary["targets"] = dict(targets)
    correct = all(met for label, met in targets if any(k in label for k in _CORRECTNESS))
    return summary, correct


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus folder")
    parser.add_argument("--count", type=int, default=2000, help="files to generate if missing")
    parser.add_argument("--clean-count", type=int, default=500, help="JPEGs for the clean test")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per tool")
    parser.add_argument("--generator", type=Path, default=GENERATOR)
    parser.add_argument("--skip-scan", action="store_true")
    parser.add_argument("--skip-clean", action="store_true")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where to write the JSON")
    args = parser.parse_args(argv)
    if shutil.which("exiftool") is None:
        print("exiftool is not installed: run scripts/ensure_bench_deps.sh", file=sys.stderr)
        return 1
    try:
        manifest = ensure_corpus(args.corpus, args.count, args.generator)
        with tempfile.TemporaryDirectory(prefix="courseline-photo-bench-") as tmp:
            work = Path(tmp)
            scan = None if args.skip_scan else bench_scan(args.corpus, manifest, args.repeat, work)
            clean = None
            files = pick_jpegs(args.corpus, manifest, args.clean_count)
            if not args.skip_clean:
                clean = bench_clean(files, args.repeat, work)
            summary, correct = report(scan, clean, len(manifest["files"]), len(files))
    except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(summary, indent=1) + "\n", "utf-8")
    print(f"\nWrote {args.results}")
    return 0 if correct else 1


if __name__ == "__main__":
    sys.exit(main())
