"""The resolver's shortcuts give exactly the scores the long way gives: the nearness sum with
the haversine written out, and a candidate's document score summed without its reasons (the
reasons are made only for ``--explain``). Exact float equality: the output must not move."""

from __future__ import annotations

import math
import re
import sys

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from geo import places
from geo.gazetteer import Candidate, Gazetteer
from geo.mentions import recognise
from geo.model import Entry, Span
from geo.weights import DEFAULT, Weights

_LAT = st.floats(min_value=-90, max_value=90, allow_nan=False)
_LON = st.floats(min_value=-180, max_value=180, allow_nan=False)
_WEIGHT = st.floats(min_value=0.1, max_value=5, allow_nan=False)


def _votes(points: list[tuple[float, float, float]]) -> places._Votes:
    kept = [(*places._point(lat, lon), weight) for lat, lon, weight in points]
    return places._Votes({}, 1.0, {}, 0.0, kept, sum(weight for *_, weight in kept))


@settings(max_examples=3000, deadline=None)
@given(st.floats(allow_nan=False) | st.floats(-360, 360))
@example(5e-324)  # the smallest subnormal
@example(-0.0)
def test_radians_is_the_product_the_nearness_sum_writes_out(degrees: float) -> None:
    assert math.copysign(1.0, math.radians(degrees)) == math.copysign(1.0, degrees * places._RADIAN)
    assert math.radians(degrees) == degrees * places._RADIAN


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


@pytest.mark.parametrize(
    "weights",
    [
        DEFAULT,
        Weights(country_focus=0.3, admin_focus=0.7, nearby=0.9, prior_city_log_population=0.1),
    ],
)
def test_document_scores_are_the_sums_of_the_explained_evidence(
    gazetteer: Gazetteer, weights: Weights
) -> None:
    spans = recognise(_TEXT, gazetteer)
    by_key, candidates = places._candidates_by_name(spans, gazetteer)
    kinds, _ = places._weight_tables(DEFAULT)
    profiles = {key: places._profile(found, kinds, DEFAULT) for key, found in candidates.items()}
    focus = places._anchors(profiles, by_key)
    assert focus.points and focus.admins and sum(map(len, candidates.values())) > 20
    everything = frozenset(candidates)  # no votes at all: no shares, no points
    for key, found in candidates.items():
        for skip in (frozenset({key}), everything):
            _check_document_values(found, places._votes(skip, focus), weights)


def _check_document_values(found: list[Candidate], votes: places._Votes, weights: Weights) -> None:
    priors = [places._prior(candidate, weights) for candidate in found]
    values = places._document_values(found, priors, votes, weights)
    for candidate, prior in zip(found, priors, strict=True):
        parts = places._document_parts(candidate, prior, votes, weights)
        assert values[candidate.entry.id] == sum(part for part, _ in parts)
        assert parts[0] == places.evidence_prior(candidate, weights)


def test_only_ascii_letters_match_the_cue_letters_and_s_is_isspace() -> None:
    """What ``places._kind_cue``'s pre-test rests on, over every code point: under
    ``re.IGNORECASE`` no other character matches o, f, t, h or e (as the Kelvin sign
    matches k), and ``\\s`` is ``str.isspace``."""
    letters = re.compile(r"[ofthe]", re.IGNORECASE)
    space = re.compile(r"\s")
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        assert char.isascii() or not letters.fullmatch(char), hex(code)
        assert bool(space.fullmatch(char)) == char.isspace(), hex(code)
    assert re.fullmatch(r"k", "\u212a", re.IGNORECASE)  # the check can see such a letter


_CUE_WORDS = st.sampled_from(
    ["state", "STATE", "City", "of", "Of", "oF", "OF", "the", "THE", "tHe", "off", "he",
     "lithe", "prof", "x", "Georgia", "kingdom", "ſtate", "\u212aingdom", "É"]
)  # fmt: skip
_GAPS = st.sampled_from([" ", "  ", "\n", "\t", "\u00a0", "\u2003", " \n", "", ",", "-"])


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.tuples(_CUE_WORDS, _GAPS), max_size=12), st.integers(0, 80))
@example([("state", " "), ("of", " "), ("the", " ")], 0)
@example([("City", "\n"), ("OF", "\u2003"), ("THE", " \n")], 0)
def test_the_kind_cue_pre_test_never_skips_a_cue(words: list[tuple[str, str]], at: int) -> None:
    text = "".join(word + gap for word, gap in words) + "Victoria"
    start = min(at, len(text)) if at else len(text) - len("Victoria")
    slow = places._KIND_CUE.search(text, max(0, start - 40), start)
    fast = places._kind_cue(text, start)
    assert (fast and (fast.span(), fast.group(1))) == (slow and (slow.span(), slow.group(1)))


_NAMES = st.sampled_from(
    ["Georgia", "GEORGIA", "Paris", "PARIS", "Texas", "Reading", "Nice", "Victoria",
     "Springfield", "Illinois", "Atlanta", "Armenia", "St. Louis", "St Louis", "Zürich",
     "Zurich", "Washington", "Cambridge", "Mobile"]
)  # fmt: skip
_BETWEEN = st.sampled_from([", ", " in ", ". ", " and the state of ", " (", " - ", "\n", " met "])


def _article(parts: list[tuple[str, str]]) -> tuple[str, list[Span]]:
    text, spans = "", []
    for name, between in parts:
        spans.append(Span(len(text), len(text) + len(name), name, name))
        text += name + between
    return text, spans


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_NAMES, _BETWEEN), min_size=1, max_size=16))
@example([("Paris", " met "), ("Paris", ", "), ("Texas", ". "), ("PARIS", " "), ("Paris", "\n")])
def test_mentions_spelled_alike_share_a_pick_as_the_long_way_gives_it(
    gazetteer: Gazetteer, parts: list[tuple[str, str]]
) -> None:
    """Without a trace, a name's mentions without local evidence spelled alike are worked
    out once; with one (``--explain``) every mention is worked out on its own."""
    text, spans = _article(parts)
    short = places.resolve(spans, gazetteer, article="a", text=text)
    assert short == places.resolve(spans, gazetteer, article="a", text=text, trace=[])
    dicts = [id(alternative) for mention in short for alternative in mention.alternatives]
    assert len(dicts) == len(set(dicts)), "each mention owns its alternatives"


_ENTRIES = [
    Entry(f"t:{i}", f"E{i}", 0.0, 0.0, kind, code, admin1)
    for i, (kind, code, admin1) in enumerate(
        [("country", "US", ""), ("admin", "US", "GA"), ("admin", "US", "TX"),
         ("city", "US", "GA"), ("city", "US", ""), ("region", "GE", ""), ("city", "GE", "01"),
         ("admin", "GE", "01"), ("water", "", ""), ("country", "GE", ""), ("city", "FR", "11"),
         ("city", "FR", "01")]
    )
]  # fmt: skip
_CANDIDATE = st.builds(Candidate, st.sampled_from(_ENTRIES), st.booleans())
_PLACE = st.tuples(st.sampled_from(["US", "GE", "FR", ""]), st.sampled_from(["", "GA", "01"]))
_LOCAL = st.builds(
    places._Local,
    st.sets(_PLACE, max_size=3),
    st.lists(st.lists(_CANDIDATE, max_size=3), max_size=2),
    st.sampled_from(["", "city", "admin", "country", "region"]),
)
_ODD_WEIGHTS = Weights(container=0.7, contained=-0.3, kind_cue=1e-17)  # sums that round


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(_CANDIDATE, min_size=1, max_size=8), _LOCAL, st.sampled_from([DEFAULT, _ODD_WEIGHTS])
)
def test_local_values_are_the_explained_local_scores(
    found: list[Candidate], local: places._Local, weights: Weights
) -> None:
    assert places._local_values(found, local, weights) == [
        places._local_score(candidate, local, weights)[0] for candidate in found
    ]


def _anchors_long_way(
    first: dict[str, Candidate], candidates: dict[str, list[Candidate]], counts: dict[str, int]
) -> places._Focus:
    """``places._anchors`` as it read before: the candidates' sets of countries and of
    (country, admin-1) pairs."""
    focus = places._Focus()
    for key, best in first.items():
        entry = best.entry
        ambiguous = len({c.entry.country_code for c in candidates[key]}) > 1
        weight = (0.5 if ambiguous else 1.0) * (1.0 + math.log(counts[key]))
        if entry.country_code:
            focus.countries[(key, entry.country_code)] += weight
        admins = {(c.entry.country_code, c.entry.admin1) for c in candidates[key]}
        if entry.admin1 and (entry.feature_code == "ADM1" or len(admins) == 1):
            focus.admins[(key, entry.country_code, entry.admin1)] += weight
        if not ambiguous and entry.kind != "continent":
            focus.points.append((key, (*places._point(entry.lat, entry.lon), weight)))
    return focus


_ADM1 = Entry("t:adm1", "A", 1.0, 2.0, "admin", "US", "GA", feature_code="ADM1")


@settings(max_examples=1000, deadline=None)
@given(
    st.lists(
        st.tuples(st.lists(_CANDIDATE | st.just(Candidate(_ADM1, True)), min_size=1, max_size=6),
                  st.integers(1, 4)),
        max_size=5,
    )
)  # fmt: skip
@example([([Candidate(_ENTRIES[-1], True), Candidate(_ENTRIES[6], True)], 1)])  # 01 twice
def test_anchors_read_until_a_candidate_differs(names: list[tuple[list[Candidate], int]]) -> None:
    """The anchors from names' profiles (candidates read until one differs) are the
    anchors from the candidates' sets."""
    candidates = {f"n{i}": found for i, (found, _) in enumerate(names)}
    counts = {f"n{i}": count for i, (_, count) in enumerate(names)}
    by_key = {key: list(range(count)) for key, count in counts.items()}
    kinds, _ = places._weight_tables(DEFAULT)
    profiles = {key: places._profile(found, kinds, DEFAULT) for key, found in candidates.items()}
    first = {key: max(found, key=places._prior) for key, found in candidates.items()}
    assert places._anchors(profiles, by_key) == _anchors_long_way(first, candidates, counts)


def test_the_default_weights_tables_are_made_once_and_only_for_them(gazetteer: Gazetteer) -> None:
    assert places._DEFAULT_TABLES == places._weight_tables(Weights())
    spans = recognise(_TEXT, gazetteer)
    default = places.resolve(spans, gazetteer, text=_TEXT)
    assert places.resolve(spans, gazetteer, text=_TEXT, weights=Weights()) == default
    for other in (Weights(calibration_mentions=2.0), Weights(prior_country=0.1)):
        assert places.resolve(spans, gazetteer, text=_TEXT, weights=other) != default


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.tuples(st.floats(-5, 5), _CANDIDATE), min_size=1, max_size=4),
    st.sampled_from(["Reading", "New York", "Georgia", "Nice"]),
    st.integers(1, 9),
    st.booleans(),
)
def test_the_resolvers_calibration_reads_the_features_in_their_order(
    ranked: list[tuple[float, Candidate]], name: str, mentions: int, local: bool
) -> None:
    """The resolver's probability (feature values and coefficients as tuples) is the one
    ``calibrated_probability`` gives from the named features."""
    span = Span(0, len(name), name, name)
    features = places.calibration_features(ranked, span, mentions, local)
    assert tuple(features) == places.CALIBRATION_FEATURES
    for weights in (DEFAULT, Weights(calibration_margin=-1.0, calibration_mentions=0.3)):
        _, coefficients = places._weight_tables(weights)
        values = places._feature_values(ranked, span, mentions, local)
        assert places._probability(coefficients, values, weights) == (
            places.calibrated_probability(features, weights)
        )


def _two_springfields(first: str, second: str, population: int = 900_000) -> Gazetteer:
    """A gazetteer whose "Springfield" is two cities in two countries: the first of
    ``population``, the second a village."""
    return Gazetteer.from_records([
        (Entry(f"t:{first}", "Springfield", 10.0, 10.0, "city", first, population=population), []),
        (Entry(f"t:{second}", "Springfield", 50.0, 50.0, "city", second, population=200), []),
    ])  # fmt: skip


def test_a_kept_profile_serves_only_the_same_candidates() -> None:
    """Another gazetteer's candidates for the same name are other objects: their profile is
    made again, so resolving there gives what a fresh process gives."""
    span = [Span(0, 11, "Springfield", "Springfield")]
    text = "Springfield is quiet."
    first, second = _two_springfields("US", "GB"), _two_springfields("DE", "FR", population=20)
    places._PROFILES.clear()
    fresh = places.resolve(span, second, text=text)
    assert fresh[0].country_code == "FR"  # the first by prior differs from the first's
    places._PROFILES.clear()
    places.resolve(span, first, text=text)  # keeps the profile of the first's candidates
    assert places.resolve(span, second, text=text) == fresh
    found = second.lookup("Springfield")
    kinds, _ = places._weight_tables(DEFAULT)
    kept = places._profile_of("springfield", found, kinds, DEFAULT)
    assert places._profile_of("springfield", list(found), kinds, DEFAULT) is kept
    assert kept == places._profile(found, kinds, DEFAULT)
    other = Weights(prior_city_log_population=0.2)  # other weights: never kept
    assert places._profile_of("springfield", found, kinds, other) is not kept


def test_kept_profiles_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(places, "_PROFILES_KEPT", 2)
    places._PROFILES.clear()
    kinds, _ = places._weight_tables(DEFAULT)
    found = _two_springfields("US", "GB").lookup("Springfield")
    for key in ("a", "b", "c"):
        places._profile_of(key, found, kinds, DEFAULT)
    assert list(places._PROFILES) == ["c"]
