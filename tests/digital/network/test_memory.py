"""Constant memory: reading many packets allocates no more than a fixed budget (the 4 MiB read
buffer plus small bounded tables), whatever the number of packets."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

from courseline.digital.network import check_capture
from tests.digital.network import fixtures as fx


def _write(path: Path, packets: int) -> None:
    bulk = fx.bulk_frame(1000)
    with path.open("wb") as out:
        out.write(fx.pcap([]))
        header = fx.pcap([(fx.T0, bulk)])[24:40]
        for i in range(packets):
            if i % 100 == 0:
                out.write(
                    fx.pcap([(fx.T0 + i, fx.dns_query_frame(f"n{(i // 100) % 50}.spyic.com"))])[24:]
                )
            else:
                out.write(header + bulk)


def _peak(path: Path) -> int:
    tracemalloc.start()
    try:
        report = check_capture(path, fx.watchlist(), list_queries=True)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.summary.packets > 0 and len(report.hits) == 50
    return peak


def test_peak_memory_does_not_grow_with_the_number_of_packets(tmp_path: Path) -> None:
    small, large = tmp_path / "small.pcap", tmp_path / "large.pcap"
    _write(small, 5_000)  # about 5 MB: more than one read buffer
    _write(large, 40_000)  # about 42 MB: ten read buffers
    peak_small, peak_large = _peak(small), _peak(large)
    assert peak_large < 12 * 1024 * 1024  # the buffer, one moved tail, small tables
    assert peak_large < peak_small + 1024 * 1024
