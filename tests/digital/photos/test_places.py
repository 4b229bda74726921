"""Grouping photo locations into places, offline."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from courseline.digital.photos import towns
from courseline.digital.photos.model import LocationSource, PhotoScan, SourceKind
from courseline.digital.photos.places import cluster_places, distance_m

HOME = (53.3498, -6.2603)  # Dublin city centre
WORK = (53.3438, -6.2546)  # about 0.75 km away


def photo(name: str, point: tuple[float, float], hour: int, day: int = 2) -> PhotoScan:
    source = LocationSource(SourceKind.EXIF_GPS, lat=point[0], lon=point[1])
    taken = dt.datetime(2026, 3, day, hour, 0)  # noqa: DTZ001 - camera clocks have no zone
    return PhotoScan(path=name, format="jpeg", sources=(source,), taken_at=taken)


def test_distance_is_in_metres() -> None:
    assert 700 < distance_m(HOME, WORK) < 800
    assert distance_m(HOME, HOME) == 0


def test_photos_within_150_m_form_one_place_and_home_is_guessed_from_evening_photos() -> None:
    near_home = (HOME[0] + 0.0005, HOME[1])  # about 55 m north
    scans = [
        photo("a.jpg", HOME, 21), photo("b.jpg", near_home, 22), photo("c.jpg", HOME, 23),
        photo("d.jpg", WORK, 10, day=3), photo("e.jpg", WORK, 11, day=4),
        photo("f.jpg", WORK, 14, day=5),
        PhotoScan(path="none.jpg", format="jpeg"),
    ]  # fmt: skip
    places = cluster_places(scans)
    assert [p.count for p in places] == [3, 3]
    by_likely = {p.likely: p for p in places}
    assert set(by_likely) == {"home", "work"}
    assert by_likely["home"].paths == ("a.jpg", "b.jpg", "c.jpg")
    assert "Dublin" in (by_likely["home"].nearest_town or "")
    assert by_likely["home"].osm_url.startswith("https://www.openstreetmap.org/?mlat=53.3")


def test_too_few_photos_are_not_guessed() -> None:
    (place,) = cluster_places([photo("a.jpg", HOME, 22)])
    assert place.likely is None and "too few" in place.reason


def brute_force_groups(points: list[tuple[float, float]], radius_m: float) -> list[list[int]]:
    """The clustering rule measured against every place, with no index (the reference)."""
    centres: list[tuple[float, float]] = []
    groups: list[list[int]] = []
    for i, point in enumerate(points):
        best, best_distance = None, radius_m
        for index, centre in enumerate(centres):
            gap = distance_m(centre, point)
            if gap <= best_distance:
                best, best_distance = index, gap
        if best is None:
            centres.append(point)
            groups.append([i])
        else:
            groups[best].append(i)
    return groups


@pytest.mark.parametrize("radius_m", [150.0, 20.0, 5000.0])
def test_the_latitude_band_index_groups_exactly_like_measuring_every_place(
    radius_m: float,
) -> None:
    rng = random.Random(7)
    hubs = [(89.999, 10.0), (-89.9995, -170.0), (0.0, 179.9995), (0.0, -179.9995), (51.5, -0.1)]
    points = [
        (
            max(-90.0, min(90.0, lat + rng.uniform(-0.004, 0.004))),
            ((lon + rng.uniform(-0.004, 0.004) + 180) % 360) - 180,
        )
        for lat, lon in hubs
        for _ in range(60)
    ]
    rng.shuffle(points)
    scans = [photo(f"{i}.jpg", point, 12) for i, point in enumerate(points)]
    places = cluster_places(scans, radius_m=radius_m)
    expected = sorted(
        tuple(f"{i}.jpg" for i in group) for group in brute_force_groups(points, radius_m)
    )
    assert sorted(place.paths for place in places) == expected


def test_no_photos_with_coordinates_give_no_places_and_load_no_town_index() -> None:
    towns._index.cache_clear()
    assert cluster_places([PhotoScan(path="none.jpg", format="jpeg")]) == []
    assert towns._index.cache_info().currsize == 0
