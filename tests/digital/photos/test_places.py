"""Grouping photo locations into places, offline."""

from __future__ import annotations

import datetime as dt

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
