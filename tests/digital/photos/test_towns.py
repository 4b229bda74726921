"""The offline nearest-town index: same answers as reverse_geocode, without numpy or scipy."""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys

import pytest

from courseline.digital.photos import towns
from courseline.digital.photos.towns import Town, TownIndexError, nearest_towns


def planar_d2(point: tuple[float, float], lat: float, lon: float) -> float:
    return (point[0] - lat) ** 2 + (point[1] - lon) ** 2


def sample_points() -> list[tuple[float, float]]:
    rng = random.Random(20261128)
    anywhere = [(rng.uniform(-90, 90), rng.uniform(-180, 180)) for _ in range(150)]
    # where people live: close to a few known towns, where the grid is densest
    near = [
        (lat + rng.uniform(-0.3, 0.3), lon + rng.uniform(-0.3, 0.3))
        for lat, lon in [(53.35, -6.26), (51.51, -0.13), (28.61, 77.21), (-33.87, 151.21)]
        for _ in range(25)
    ]
    # grid edges, the poles and the antimeridian
    edges = [(0.0, 0.0), (90.0, 180.0), (-90.0, -180.0), (45.0, 179.999), (-12.0, -180.0)]
    return anywhere + near + edges


def test_it_finds_the_same_town_as_reverse_geocode_on_a_sample_of_points() -> None:
    reverse_geocode = pytest.importorskip("reverse_geocode")
    points = sample_points()
    ours = nearest_towns(points)
    theirs = reverse_geocode.search(points)
    for point, town, hit in zip(points, ours, theirs, strict=True):
        assert town is not None
        if town.label != f"{hit['city']}, {hit['country']}":
            # only acceptable when two towns are exactly as far away
            assert planar_d2(point, town.lat, town.lon) == planar_d2(
                point, hit["latitude"], hit["longitude"]
            ), (point, town, hit)


def test_a_point_in_dublin_is_near_dublin_ireland() -> None:
    (town,) = nearest_towns([(53.3498, -6.2603)])
    assert town == Town("Dublin", "Ireland", 53.33306, -6.24889)
    assert town.label == "Dublin, Ireland"


def test_a_point_far_out_at_sea_still_gets_the_nearest_town_however_far() -> None:
    (town,) = nearest_towns([(-48.88, -123.39)])  # the oceanic pole of inaccessibility
    assert town is not None
    assert math.dist((-48.88, -123.39), (town.lat, town.lon)) > 10


def test_invalid_coordinates_give_no_town() -> None:
    assert (
        nearest_towns([(math.nan, 0.0), (0.0, math.inf), (91.0, 0.0), (0.0, -181.0)]) == [None] * 4
    )
    assert nearest_towns([]) == []


@pytest.mark.parametrize(
    "blob",
    [
        b"",
        b"NOTTOWNS" + bytes(100),
        towns.MAGIC,
        towns.MAGIC + bytes(12),
        towns.MAGIC + b"\xff" * 64,
    ],
)
def test_a_damaged_index_is_refused_with_a_typed_error(blob: bytes) -> None:
    with pytest.raises(TownIndexError):
        towns._Index(blob)


def test_a_truncated_copy_of_the_real_index_is_refused() -> None:
    blob = towns.DATA.read_bytes()
    with pytest.raises(TownIndexError):
        towns._Index(blob[: len(blob) // 2])


def test_looking_up_towns_needs_neither_numpy_nor_scipy_nor_reverse_geocode() -> None:
    code = (
        "import sys, json\n"
        "from courseline.digital.photos.places import cluster_places\n"
        "from courseline.digital.photos.model import LocationSource, PhotoScan, SourceKind\n"
        "s = LocationSource(SourceKind.EXIF_GPS, lat=48.8566, lon=2.3522)\n"
        "(place,) = cluster_places([PhotoScan(path='a.jpg', format='jpeg', sources=(s,))])\n"
        "heavy = [m for m in ('numpy', 'scipy', 'reverse_geocode') if m in sys.modules]\n"
        "print(json.dumps([place.nearest_town, heavy]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    town, heavy = json.loads(done.stdout)
    assert town == "Paris, France"
    assert heavy == []
