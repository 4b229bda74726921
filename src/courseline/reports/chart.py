"""A small, dependency-free SVG stacked bar chart for printed reports.

It draws what it is given and nothing else: one bar per period, one coloured block per series,
with a legend and a plain total above each bar. Every text is escaped. The SVG is inline, so a
PDF made from it fetches nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

PALETTE = (
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442",
    "#332288", "#882255", "#44aa99", "#999933", "#aa4499", "#117733", "#888888",
)  # fmt: skip
"""Okabe-Ito colours first (readable with common colour-vision differences), then Tol's."""


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    values: tuple[int, ...]
    """One value per period, in the order of the chart's periods."""


@dataclass(frozen=True, slots=True)
class StackedBars:
    title: str
    periods: tuple[str, ...]
    series: tuple[Series, ...]
    totals: tuple[int, ...] | None = None
    """Numbers printed above the bars (e.g. incidents, when the blocks count behaviours)."""
    y_label: str = ""


WIDTH = 640
PLOT_TOP = 30
PLOT_HEIGHT = 200
LEFT = 40
RIGHT = 10
LEGEND_ROW = 16


def _nice_step(maximum: int) -> int:
    if maximum <= 5:
        return 1
    raw = maximum / 5
    magnitude = 10 ** int(math.floor(math.log10(raw)))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return int(factor * magnitude)
    return int(10 * magnitude)  # pragma: no cover - the loop always returns


def _label_every(periods: int, plot_width: float) -> int:
    room = plot_width / max(periods, 1)
    return max(1, math.ceil(44 / room))


def stacked_bars_svg(chart: StackedBars) -> str:
    """Render the chart as an inline ``<svg>`` element."""
    count = len(chart.periods)
    for series in chart.series:
        if len(series.values) != count:
            raise ValueError(f"series {series.label!r} has {len(series.values)} values for "
                             f"{count} periods")  # fmt: skip
    stacks = [sum(s.values[i] for s in chart.series) for i in range(count)]
    step = _nice_step(max([*stacks, 1]))
    top = math.ceil(max([*stacks, 1]) / step) * step
    legend_rows = math.ceil(len(chart.series) / 2)
    height = PLOT_TOP + PLOT_HEIGHT + 40 + legend_rows * LEGEND_ROW + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-label="{escape(chart.title)}" font-family="sans-serif">',
        f"<title>{escape(chart.title)}</title>",
        *_axis(chart, top, step),
        *_bars(chart, top, stacks),
        *_legend(chart),
        "</svg>",
    ]
    return "".join(parts)


def _axis(chart: StackedBars, top: int, step: int) -> list[str]:
    base = PLOT_TOP + PLOT_HEIGHT
    parts = []
    for tick in range(0, top + 1, step):
        y = base - tick / top * PLOT_HEIGHT
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     'stroke="#d0d0d0" stroke-width="0.5"/>')  # fmt: skip
        parts.append(f'<text x="{LEFT - 4}" y="{y + 3:.1f}" font-size="9" '
                     f'text-anchor="end">{tick}</text>')  # fmt: skip
    if chart.y_label:
        parts.append(f'<text x="{LEFT}" y="{PLOT_TOP - 16}" font-size="9">'
                     f"{escape(chart.y_label)}</text>")  # fmt: skip
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}" '
                 'stroke="#0b0c0c" stroke-width="1"/>')  # fmt: skip
    return parts


def _bars(chart: StackedBars, top: int, stacks: list[int]) -> list[str]:
    base = PLOT_TOP + PLOT_HEIGHT
    plot_width = WIDTH - LEFT - RIGHT
    slot = plot_width / max(len(chart.periods), 1)
    bar = max(1.0, slot * 0.7)
    every = _label_every(len(chart.periods), plot_width)
    colours = _colours(len(chart.series))
    parts = []
    for index, period in enumerate(chart.periods):
        x = LEFT + index * slot + (slot - bar) / 2
        y = float(base)
        for colour, series in zip(colours, chart.series, strict=True):
            if series.values[index] <= 0:
                continue
            h = series.values[index] / top * PLOT_HEIGHT
            y -= h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                         f'fill="{colour}"/>')  # fmt: skip
        total = chart.totals[index] if chart.totals is not None else stacks[index]
        if total and slot >= 9:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{y - 2:.1f}" font-size="7" '
                         f'text-anchor="middle">{total}</text>')  # fmt: skip
        if index % every == 0:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{base + 12}" font-size="8" '
                         f'text-anchor="middle">{escape(period)}</text>')  # fmt: skip
    return parts


def _legend(chart: StackedBars) -> list[str]:
    plot_width = WIDTH - LEFT - RIGHT
    legend_top = PLOT_TOP + PLOT_HEIGHT + 30
    parts = []
    colours = _colours(len(chart.series))
    for number, (colour, series) in enumerate(zip(colours, chart.series, strict=True)):
        lx = LEFT + (number % 2) * (plot_width / 2)
        ly = legend_top + (number // 2) * LEGEND_ROW
        parts.append(f'<rect x="{lx:.1f}" y="{ly:.1f}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{lx + 14:.1f}" y="{ly + 9:.1f}" font-size="9">'
                     f"{escape(series.label)}</text>")  # fmt: skip
    return parts


def _colours(count: int) -> Sequence[str]:
    return [PALETTE[i % len(PALETTE)] for i in range(count)]
