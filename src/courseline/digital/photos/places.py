"""Group the locations found in photos into places, and say what each place may be.

Clustering is greedy and deterministic: each point joins the nearest existing place within
``radius_m`` of that place's first point, else starts a new place. Places are filed in bands of
latitude ``radius_m`` wide, so a point is only measured against places in its own band and the
two next to it (no place further away in latitude can be within ``radius_m``). Nearest towns come
from an offline GeoNames index shipped with Courseline (``towns``); nothing is sent anywhere.
Home and work are only *likely*: guessed from how often and when photos were taken.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from courseline.digital.photos.model import PhotoScan

EARTH_RADIUS_M = 6_371_000.0
MIN_PHOTOS_FOR_GUESS = 3


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))


@dataclass(frozen=True, slots=True)
class Place:
    lat: float
    lon: float
    count: int
    paths: tuple[str, ...]
    nearest_town: str | None
    likely: str | None
    """'home' or 'work' when the timing suggests it (a guess to check with the client)."""
    reason: str

    @property
    def osm_url(self) -> str:
        """A link the person can choose to open; Courseline itself never contacts a map server."""
        return (
            f"https://www.openstreetmap.org/?mlat={self.lat:.5f}&mlon={self.lon:.5f}"
            f"#map=17/{self.lat:.5f}/{self.lon:.5f}"
        )


def _hours(scans: Sequence[PhotoScan]) -> tuple[int, int, int]:
    """(photos with a time, taken at night 20:00-07:00, taken on weekdays 09:00-17:00)."""
    timed = night = office = 0
    for scan in scans:
        if scan.taken_at is None:
            continue
        timed += 1
        hour = scan.taken_at.hour
        night += hour >= 20 or hour < 7
        office += scan.taken_at.weekday() < 5 and 9 <= hour < 17
    return timed, night, office


def _guess(scans: Sequence[PhotoScan]) -> tuple[str | None, str]:
    timed, night, office = _hours(scans)
    if len(scans) < MIN_PHOTOS_FOR_GUESS or timed < MIN_PHOTOS_FOR_GUESS:
        return None, f"{len(scans)} photo(s): too few with times to guess what this place is"
    if night / timed >= 0.4:
        return "home", f"{night} of {timed} photos here were taken in the evening or at night"
    if office / timed >= 0.6:
        return "work", f"{office} of {timed} photos here were taken on weekdays in office hours"
    return None, f"{timed} photos here at varied times"


def _towns(points: Sequence[tuple[float, float]]) -> list[str | None]:
    if not points:
        return []
    from courseline.digital.photos.towns import TownIndexError, nearest_towns

    try:
        found = nearest_towns(points)
    except TownIndexError:
        return [None] * len(points)
    return [town.label if town else None for town in found]


def cluster_places(scans: Iterable[PhotoScan], *, radius_m: float = 150.0) -> list[Place]:
    """Places with at least one photo, most photos first."""
    centres: list[tuple[float, float]] = []
    members: list[list[PhotoScan]] = []
    band_deg = max(radius_m, 1.0) / EARTH_RADIUS_M * 180 / math.pi
    bands: dict[int, list[int]] = {}
    for scan in scans:
        point = scan.location
        if point is None:
            continue
        band = math.floor(point[0] / band_deg) if math.isfinite(point[0]) else 0
        nearby = sorted(bands.get(band - 1, []) + bands.get(band, []) + bands.get(band + 1, []))
        best, best_distance = None, radius_m
        for index in nearby:
            gap = distance_m(centres[index], point)
            if gap <= best_distance:
                best, best_distance = index, gap
        if best is None:
            bands.setdefault(band, []).append(len(centres))
            centres.append(point)
            members.append([scan])
        else:
            members[best].append(scan)
    means = [
        (
            round(sum(s.location[0] for s in group if s.location) / len(group), 6),
            round(sum(s.location[1] for s in group if s.location) / len(group), 6),
        )
        for group in members
    ]
    towns = _towns(means)
    places = []
    for (lat, lon), group, town in zip(means, members, towns, strict=True):
        likely, reason = _guess(group)
        paths = tuple(scan.path for scan in group)
        places.append(Place(lat, lon, len(group), paths, town, likely, reason))
    return sorted(places, key=lambda place: (-place.count, place.lat, place.lon))
