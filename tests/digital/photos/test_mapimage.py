"""The map image: drawn locally, deterministic, numbered like the report, no external refs."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from courseline.digital.photos.mapimage import render_map_svg
from courseline.digital.photos.places import Place


def _place(lat: float, lon: float, count: int = 1, town: str | None = "Paris, France") -> Place:
    return Place(lat, lon, count, ("a.jpg",) * count, town, None, "reason")


def test_it_draws_one_numbered_circle_per_place_with_a_scale_bar() -> None:
    svg = render_map_svg([_place(48.8583, 2.2945, 5), _place(48.8606, 2.3376, 2)])
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f"{ns}circle")) == 2
    labels = [t.text for t in root.findall(f"{ns}text")]
    assert "1" in labels and "2" in labels
    assert any(label and re.fullmatch(r"[\d.]+ k?m", label) for label in labels)
    assert "5 photo(s) near Paris, France" in root.attrib["aria-label"]


def test_it_contacts_nothing_and_runs_no_script() -> None:
    svg = render_map_svg([_place(51.5, -0.12)])
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<script" not in svg and "style=" not in svg and "href" not in svg


def test_it_escapes_town_names_and_is_deterministic() -> None:
    places = [_place(10.0, 10.0, town='<b>"Town"</b>')]
    assert render_map_svg(places) == render_map_svg(places)
    assert "<b>" not in render_map_svg(places)


def test_places_far_apart_and_a_single_place_both_fit_the_picture() -> None:
    for places in ([_place(-33.86, 151.21), _place(51.5, -0.12)], [_place(0.0, 0.0)]):
        root = ET.fromstring(render_map_svg(places))  # noqa: S314 - our own output
        for circle in root.iter("{http://www.w3.org/2000/svg}circle"):
            assert 0 <= float(circle.attrib["cx"]) <= 640
            assert 0 <= float(circle.attrib["cy"]) <= 400


def test_no_places_gives_a_plain_message() -> None:
    assert "No locations found" in render_map_svg([])
