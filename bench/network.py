"""Network capture check against tshark: same DNS names, throughput and peak memory.

Run with ``make bench`` or ``.venv/bin/python bench/network.py [--capture PATH] [--mb 500]``.

1. builds the capture with ``../shared/bench/make_capture.py PATH MB`` if it is missing (mostly
   bulk TCP with a DNS query every 200th packet), keeping its printed ground truth next to it
   (``PATH.truth``);
2. runs ``tshark -r PATH -Y dns -T fields -e dns.qry.name`` once, and ``courseline network
   check PATH --format json --list-domains`` (the full check, indicators included) ``--repeat``
   times, each as a child process whose wall time and peak RSS (``wait4``) are measured;
3. compares the DNS query names and their counts (ours, tshark's, the ground truth), prints
   throughput, the ratio to tshark and peak memory against the targets (at least 10x tshark's
   throughput, under 100 MB), and writes ``bench/results/network.json``.

Exit status: 0 when the names agree and both targets are met, 1 otherwise. Needs the Debian
package ``tshark`` (``scripts/ensure_network_bench_deps.sh`` installs it when run as root).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAKE_CAPTURE = ROOT.parent / "shared" / "bench" / "make_capture.py"
RESULTS = ROOT / "bench" / "results" / "network.json"
RATIO_TARGET = 10.0
MEMORY_TARGET_MB = 100.0


@dataclass
class Run:
    seconds: float
    peak_mb: float
    output: str


def _measure(command: list[str]) -> Run:
    """Wall time and peak resident memory of one child process; its stdout as text."""
    with tempfile.TemporaryFile() as sink:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.PIPE)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
        if process.returncode != 0:
            sys.exit(f"{command[0]} failed ({process.returncode}): {stderr[-2000:]}")
        sink.seek(0)
        return Run(seconds, usage.ru_maxrss / 1024, sink.read().decode(errors="replace"))


def _capture(path: Path, megabytes: int) -> Counter[str]:
    truth_file = path.with_name(path.name + ".truth")
    if not (path.is_file() and truth_file.is_file()):
        print(f"Building {path} ({megabytes} MB) with {MAKE_CAPTURE} ...", flush=True)
        done = subprocess.run(
            [sys.executable, str(MAKE_CAPTURE), str(path), str(megabytes)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        truth_file.write_text(done.stdout)
    truth: Counter[str] = Counter()
    for line in truth_file.read_text().splitlines()[1:]:
        count, name = line.split(" ", 1)
        truth[name] = int(count)
    return truth


def _our_command(path: Path) -> list[str]:
    """The installed CLI if ``network`` is registered in it, else the network sub-app alone."""
    registered = subprocess.run(
        [sys.executable, "-m", "courseline.cli", "network", "--help"], capture_output=True
    )
    args = ["check", str(path), "--format", "json", "--list-domains", "--consent", "Bench"]
    if registered.returncode == 0:
        return [sys.executable, "-m", "courseline.cli", "network", *args]
    code = "import sys; from courseline.cli.network import network_app; network_app(sys.argv[1:])"
    return [sys.executable, "-c", code, *args]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--capture", type=Path, default=Path("/tmp/bench-capture.pcap"))  # noqa: S108
    parser.add_argument("--mb", type=int, default=500, help="capture size when building it")
    parser.add_argument("--repeat", type=int, default=3, help="runs of our checker (median)")
    args = parser.parse_args()
    if shutil.which("tshark") is None:
        print("tshark is missing: run scripts/ensure_network_bench_deps.sh", file=sys.stderr)
        return 1
    truth = _capture(args.capture, args.mb)
    size_mb = args.capture.stat().st_size / 1e6
    print(
        f"Capture: {args.capture} ({size_mb:.0f} MB), ground truth: {dict(sorted(truth.items()))}"
    )

    tshark_command = ["tshark", "-r", str(args.capture), "-Y", "dns", "-T", "fields"]
    tshark = _measure([*tshark_command, "-e", "dns.qry.name"])
    tshark_names: Counter[str] = Counter()
    for line in tshark.output.splitlines():
        for name in filter(None, line.strip().split(",")):
            tshark_names[name.lower()] += 1

    command = _our_command(args.capture)
    runs = [_measure(command) for _ in range(args.repeat)]
    ours = runs[0]
    report = json.loads(ours.output)
    our_names = Counter({e["name"]: e["count"] for e in report["dns_query_names"]})
    our_seconds = statistics.median(r.seconds for r in runs)
    our_peak = max(r.peak_mb for r in runs)

    ratio = tshark.seconds / our_seconds
    same = our_names == truth == tshark_names
    print(f"{'tool':<12}{'seconds':>9}{'MB/s':>9}{'peak MB':>9}  names = ground truth")
    for label, seconds, peak, names in (
        ("tshark", tshark.seconds, tshark.peak_mb, tshark_names),
        ("courseline", our_seconds, our_peak, our_names),
    ):
        print(f"{label:<12}{seconds:>9.2f}{size_mb / seconds:>9.1f}{peak:>9.1f}  {names == truth}")
    print(f"courseline runs: {', '.join(f'{r.seconds:.2f}s' for r in runs)} (median shown)")
    c2 = sorted({(h["app"], h["value"]) for h in report["hits"] if h["category"] == "c2"})
    print(f"C2 hits found by courseline: {c2}")
    speed_ok, memory_ok = ratio >= RATIO_TARGET, our_peak < MEMORY_TARGET_MB
    print(f"Throughput ratio: {ratio:.1f}x tshark (target >= {RATIO_TARGET:.0f}x): "
          f"{'met' if speed_ok else 'NOT met'}")  # fmt: skip
    print(f"Peak memory: {our_peak:.1f} MB (target < {MEMORY_TARGET_MB:.0f} MB): "
          f"{'met' if memory_ok else 'NOT met'}")  # fmt: skip
    print(f"Same DNS names and counts (ours, tshark, ground truth): {same}")
    if not same:
        print(f"  ours-truth: {our_names - truth}, truth-ours: {truth - our_names}")
        print(f"  tshark-truth: {tshark_names - truth}, truth-tshark: {truth - tshark_names}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "capture": str(args.capture), "capture_mb": size_mb, "packets_truth": sum(truth.values()),
        "tshark": {"seconds": tshark.seconds, "peak_mb": tshark.peak_mb},
        "courseline": {
            "seconds": our_seconds, "runs": [r.seconds for r in runs], "peak_mb": our_peak,
        },
        "ratio": ratio, "same_names": same, "speed_target_met": speed_ok,
        "memory_target_met": memory_ok,
    }, indent=2) + "\n")  # fmt: skip
    return 0 if same and speed_ok and memory_ok else 1


if __name__ == "__main__":
    sys.exit(main())
