"""The photo-check report as JSON: one shape for the CLI's ``--format json`` and the web pages.

``build_report`` turns scans (and the places they form) into plain JSON types, so a report can
be printed, stored with a case and shown again later without the photos themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from courseline.digital.photos.model import PhotoScan
from courseline.digital.photos.places import Place, cluster_places

Json = dict[str, Any]


def file_json(scan: PhotoScan) -> Json:
    """One file: ``{"path", "format", "location", "sources", "taken_at", "device", "error"}``."""
    location = scan.location
    device = scan.device
    return {
        "path": scan.path,
        "format": scan.format,
        "location": {"lat": location[0], "lon": location[1]} if location else None,
        "sources": [
            {"kind": s.kind.value, "lat": s.lat, "lon": s.lon}
            if s.has_coordinates
            else {"kind": s.kind.value, "text": s.text}
            for s in scan.sources
        ],
        "taken_at": scan.taken_at.isoformat() if scan.taken_at else None,
        "device": None
        if device.empty
        else {
            "make": device.make,
            "model": device.model,
            "serial": device.serial,
            "owner": device.owner,
        },
        "error": scan.error.message if scan.error else None,
    }


def place_json(place: Place) -> Json:
    return {
        "lat": place.lat,
        "lon": place.lon,
        "photos": place.count,
        "nearest_town": place.nearest_town,
        "likely": place.likely,
        "reason": place.reason,
        "paths": list(place.paths),
        "openstreetmap": place.osm_url,
    }


def summary_json(scans: Sequence[PhotoScan], places: Sequence[Place]) -> Json:
    return {
        "files": len(scans),
        "with_location": sum(1 for s in scans if s.reveals_location),
        "with_coordinates": sum(1 for s in scans if s.location),
        "errors": sum(1 for s in scans if s.error),
        "places": len(places),
    }


def build_report(scans: Sequence[PhotoScan], places: Sequence[Place] | None = None) -> Json:
    """``{"files": [...], "places": [...], "summary": {...}}`` for ``scans``.

    ``places`` defaults to ``cluster_places(scans)`` (about 150 m apart, nearest town offline).
    """
    if places is None:
        places = cluster_places(scans)
    return {
        "files": [file_json(scan) for scan in scans],
        "places": [place_json(place) for place in places],
        "summary": summary_json(scans, places),
    }
