"""The resolver's shortcuts give exactly the scores the long way gives: the nearness sum with
the haversine written out, and a candidate's document score summed without its reasons (the
reasons are made only for ``--explain``). Exact float equality: the output must not move."""

from __future__ import annotations

import math

from hypothesis import example, given, settings
from hypothesis import strategies as st

from geo import places
from geo.gazetteer import Gazetteer
from geo.mentions import recognise
from geo.model import Entry
from geo.weights import DEFAULT

_LAT = st.floats(min_value=-90, max_value=90, allow_nan=False)
_LON = st.floats(min_value=-180, max_value=180, allow_nan=False)
_WEIGHT = st.floats(min_value=0.1, max_value=5, allow_nan=False)


def _votes(points: list[tuple[float, float, float]]) -> places._Votes:
    kept = [(places._point(lat, lon), weight) for lat, lon, weight in points]
    return places._Votes({}, 1.0, {}, 0.0, kept, sum(weight for _, weight in kept))


@settings(max_examples=800, deadline=None)
@given(_LAT, _LON, st.lists(st.tuples(_LAT, _LON, _WEIGHT), min_size=1, max_size=6))
@example(0.0, 0.0, [(0.0, 180.0, 1.0), (0.0, -180.0, 2.0)])  # antipodes: the root reaches 1
@example(90.0, 0.0, [(-90.0, 0.0, 1.0), (90.0, 45.0, 1.0)])  # poles
@example(12.5, 179.9, [(-12.5, -0.1, 1.0), (12.5, 179.9, 1.0)])  # nearly antipodal, and itself
def test_nearness_is_the_distance_weighted_sum(
    lat: float, lon: float, points: list[tuple[float, float, float]]
) -> None:
    entry = Entry("test:1", "Here", lat, lon, "city")
    scale = DEFAULT.nearby_scale_km
    long_way = sum(
        weight * math.exp(-places.distance_km(lat, lon, other_lat, other_lon) / scale)
        for other_lat, other_lon, weight in points
    ) / sum(weight for _, _, weight in points)
    assert places._nearness(entry, _votes(points), scale) == long_way


_TEXT = (
    "Flooding hit Georgia on Monday. Officials in Atlanta and Savannah said roads near "
    "Macon were closed, while in Paris, Texas, and in Springfield the rain stopped. "
    "Tbilisi, the capital of Georgia, sent help to Armenia and Azerbaijan."
)


def test_document_scores_are_the_sums_of_the_explained_evidence(gazetteer: Gazetteer) -> None:
    spans = recognise(_TEXT, gazetteer)
    by_key, candidates = places._candidates_by_name(spans, gazetteer)
    first = {key: max(found, key=places._prior) for key, found in candidates.items()}
    focus = places._anchors(first, candidates, by_key)
    assert focus.points and sum(len(found) for found in candidates.values()) > 20
    for key, found in candidates.items():
        votes = places._votes(frozenset({key}), focus)
        for candidate in found:
            prior = places._prior(candidate)
            parts = places._document_parts(candidate, prior, votes, DEFAULT)
            value = places._document_value(candidate, prior, votes, DEFAULT)
            assert value == sum(part for part, _ in parts)
            assert parts[0] == places.evidence_prior(candidate, DEFAULT)
