"""Draw places on a small map image (SVG) without contacting any map or tile server.

The picture shows where places lie relative to each other: numbered circles sized by the
number of photos, a latitude/longitude grid and a scale bar. It has no streets or coastlines
(those would need map data from elsewhere); each place's nearest town is in the legend, and
a person may choose to open a point in OpenStreetMap themselves.

The projection is equirectangular around the middle latitude, which is accurate enough for the
few kilometres a photo check usually spans. Output is deterministic and self-contained: no
scripts, no external references, colours as presentation attributes (allowed by a strict CSP).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from courseline.digital.photos.places import EARTH_RADIUS_M, Place

WIDTH = 640
HEIGHT = 400
MARGIN = 36
MIN_SPAN_M = 800.0
"""A single place (or places close together) is shown with at least this much around it."""

_METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180


def _nice(value: float) -> float:
    """The largest 1, 2 or 5 × 10^n not above ``value``."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    base = 10.0**exponent
    for step in (5.0, 2.0, 1.0):
        if step * base <= value:
            return step * base
    return base


def _format_distance(metres: float) -> str:
    if metres >= 1000:
        km = metres / 1000
        return f"{km:g} km"
    return f"{metres:g} m"


class _Frame:
    """Maps latitude/longitude to picture coordinates, keeping distances true on both axes."""

    def __init__(self, points: Sequence[tuple[float, float]]) -> None:
        lats = [p[0] for p in points]
        lons = [p[1] for p in points]
        self.mid_lat = (min(lats) + max(lats)) / 2
        self.cos = max(math.cos(math.radians(self.mid_lat)), 0.01)
        mid_lon = (min(lons) + max(lons)) / 2
        # Spans in metres, padded, never smaller than MIN_SPAN_M.
        height_m = max((max(lats) - min(lats)) * _METRES_PER_DEGREE * 1.3, MIN_SPAN_M)
        width_m = max((max(lons) - min(lons)) * _METRES_PER_DEGREE * self.cos * 1.3, MIN_SPAN_M)
        inner_w, inner_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN
        self.scale = min(inner_w / width_m, inner_h / height_m)  # pixels per metre
        self.mid = (self.mid_lat, mid_lon)

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        dx = (lon - self.mid[1]) * _METRES_PER_DEGREE * self.cos * self.scale
        dy = (lat - self.mid[0]) * _METRES_PER_DEGREE * self.scale
        return WIDTH / 2 + dx, HEIGHT / 2 - dy

    def lat_at(self, y: float) -> float:
        return self.mid[0] + (HEIGHT / 2 - y) / self.scale / _METRES_PER_DEGREE

    def lon_at(self, x: float) -> float:
        return self.mid[1] + (x - WIDTH / 2) / self.scale / _METRES_PER_DEGREE / self.cos


def _grid(frame: _Frame) -> list[str]:
    parts: list[str] = []
    lat_lo, lat_hi = frame.lat_at(HEIGHT), frame.lat_at(0)
    lon_lo, lon_hi = frame.lon_at(0), frame.lon_at(WIDTH)
    step = _nice((lat_hi - lat_lo) / 4)
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    value = math.ceil(lat_lo / step) * step
    while value <= lat_hi:
        _, y = frame.xy(value, frame.mid[1])
        parts.append(
            f'<line x1="0" y1="{y:.1f}" x2="{WIDTH}" y2="{y:.1f}" stroke="#b1b4b6" '
            'stroke-width="1"/>'
            f'<text x="4" y="{y - 3:.1f}" font-size="11" fill="#505a5f">'
            f"{value:.{decimals}f}°</text>"
        )
        value += step
    step = _nice((lon_hi - lon_lo) / 5)
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    value = math.ceil(lon_lo / step) * step
    while value <= lon_hi:
        x, _ = frame.xy(frame.mid[0], value)
        parts.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{HEIGHT}" stroke="#b1b4b6" '
            'stroke-width="1"/>'
            f'<text x="{x + 3:.1f}" y="{HEIGHT - 4}" font-size="11" fill="#505a5f">'
            f"{value:.{decimals}f}°</text>"
        )
        value += step
    return parts


def _scale_bar(frame: _Frame) -> str:
    metres = _nice((WIDTH / 4) / frame.scale)
    length = metres * frame.scale
    x0, y0 = WIDTH - MARGIN - length, MARGIN / 2
    return (
        f'<rect x="{x0 - 6:.1f}" y="{y0 - 14:.1f}" width="{length + 12:.1f}" height="24" '
        'fill="#ffffff" opacity="0.85"/>'
        f'<line x1="{x0:.1f}" y1="{y0 + 4:.1f}" x2="{x0 + length:.1f}" y2="{y0 + 4:.1f}" '
        'stroke="#0b0c0c" stroke-width="3"/>'
        f'<text x="{x0:.1f}" y="{y0 - 2:.1f}" font-size="12" fill="#0b0c0c">'
        f"{_format_distance(metres)}</text>"
    )


def render_map_svg(places: Sequence[Place], *, title: str = "Places found in the photos") -> str:
    """An SVG image of ``places``, numbered 1, 2, … in the order given (as in the report)."""
    heading = escape(title)
    if not places:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} 60" role="img" '
            f'aria-label="{heading}: none"><text x="10" y="35" font-size="14" fill="#0b0c0c">'
            "No locations found.</text></svg>"
        )
    frame = _Frame([(p.lat, p.lon) for p in places])
    described = "; ".join(
        f"{index}: {p.count} photo(s){' near ' + p.nearest_town if p.nearest_town else ''}"
        for index, p in enumerate(places, start=1)
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-label="{heading}: {escape(described)}">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#f3f2f1"/>',
        *_grid(frame),
    ]
    biggest = max(p.count for p in places)
    # Draw the largest first so that small places stay visible on top.
    order = sorted(enumerate(places, start=1), key=lambda item: -item[1].count)
    for index, place in order:
        x, y = frame.xy(place.lat, place.lon)
        radius = 7 + 13 * math.sqrt(place.count / biggest)
        colour = "#d4351c" if place.likely else "#1d70b8"
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{colour}" '
            'fill-opacity="0.8" stroke="#ffffff" stroke-width="2"/>'
            f'<text x="{x:.1f}" y="{y + 4:.1f}" font-size="12" font-weight="bold" '
            f'fill="#ffffff" text-anchor="middle">{index}</text>'
        )
    parts.append(_scale_bar(frame))
    parts.append("</svg>")
    return "".join(parts)
