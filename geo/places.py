"""Stage 4: spans → resolved mentions (toponym resolution); ``geo.frames`` makes the layer.

A name is resolved once per document, so "Georgia" means one thing throughout an
article, using what the document says around it:

* prior: what kind of place it is (a country or a region beats a village of the same
  name), how many people live there, whether the name is its own or an alternate;
* "X, Y" and "X in Y" patterns (Springfield, Illinois; Astara, Iran) — decisive;
* the other places of the document: a candidate inside a country the article names, or
  near the places it resolved without doubt, gains (Georgia beside Armenia is the
  country; Georgia beside Atlanta is the state).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import is_, mul

from geo.gazetteer import Candidate, Gazetteer, normalize
from geo.lexicon import KIND_CUES, is_common_word
from geo.mentions import is_dateline
from geo.model import Entry, Mention, Span
from geo.weights import DEFAULT, Weights

_PATTERN_AFTER = re.compile(r"^\s*(?:,|\bin\b|\(|-)\s*$")
_CONTAINER_KINDS = ("country", "admin", "region")
_KIND_CUE = re.compile(
    r"\b(state|province|region|county|district|governorate|oblast|prefecture|territory|city|"
    r"town|village|capital|country|nation|republic|kingdom)\s+of\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_ALTERNATIVES = 3


def _prior(candidate: Candidate, weights: Weights = DEFAULT) -> float:
    """What kind of place it is, how many people live there, whether the name is its own."""
    return _prior_of(candidate, _kind_priors(weights), weights)


def _kind_priors(weights: Weights) -> dict[str, float]:
    """The prior of each kind scored by kind alone (admin areas and cities go by population)."""
    return {
        "country": weights.prior_country,
        "continent": weights.prior_continent,
        "region": weights.prior_region,
        "water": weights.prior_water,
        "landform": weights.prior_landform,
        "corridor": weights.prior_corridor,
        "site": weights.prior_site,
    }


def _prior_of(candidate: Candidate, kind_prior: dict[str, float], weights: Weights) -> float:
    """``_prior`` with the kind table made once (the resolver scores thousands of candidates)."""
    entry = candidate.entry
    if entry.kind in kind_prior:
        score = kind_prior[entry.kind]
    elif entry.kind == "admin":
        score = weights.prior_adm1 if entry.feature_code == "ADM1" else weights.prior_admin_other
        score += weights.prior_admin_log_population * math.log10(entry.population + 10) - 0.3
    else:  # city
        score = weights.prior_city_log_population * math.log10(entry.population + 10)
        if entry.feature_code == "PPLC":
            score += weights.prior_capital
    return score + (weights.prior_primary_name if candidate.primary else 0.0)


def rank_candidates(
    candidates: Sequence[Candidate], *, country: str | None = None, kind: str | None = None
) -> list[Candidate]:
    """Candidates best first by prior alone (no document context), optionally only those in
    ``country`` (ISO alpha-2) or of ``kind``. Equal priors: the smaller gazetteer id first,
    so the order never depends on how the gazetteer stored its rows."""
    kept = [
        c
        for c in candidates
        if (not country or c.entry.country_code == country) and (not kind or c.entry.kind == kind)
    ]
    return sorted(kept, key=lambda c: (-_prior(c), c.entry.id))


EARTH_MEAN_RADIUS_KM = 6371.0088  # IUGG mean radius


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance on a sphere of the Earth's mean radius."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    return _haversine_km((p1, math.cos(p1), lon1), (p2, math.cos(p2), lon2))


_Point = tuple[float, float, float]  # latitude in radians, its cosine, longitude in degrees


def _point(lat: float, lon: float) -> _Point:
    p = math.radians(lat)
    return p, math.cos(p), lon


_DIAMETER_KM = 2 * EARTH_MEAN_RADIUS_KM
_RADIAN = math.pi / 180.0  # ``math.radians(x)`` is ``x * _RADIAN`` (CPython's ``degToRad``)


def _haversine_km(one: _Point, other: _Point) -> float:
    """``distance_km`` on points whose radians and cosines are computed once (the resolver
    measures every candidate against the same few places); the same floats."""
    (p1, cos1, lon1), (p2, cos2, lon2) = one, other
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + cos1 * cos2 * math.sin(dl / 2) ** 2
    return _DIAMETER_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(slots=True)
class _Local:
    """What the words around one mention say: "X, Y" / "X in Y" / "the state of X"."""

    containers: set[tuple[str, str]] = field(default_factory=set)  # (country, admin1) of Y
    contents: list[list[Candidate]] = field(default_factory=list)  # candidates of X in "X, Y"
    kind: str = ""  # "admin", "city", "country" from "the state of X"

    def __bool__(self) -> bool:
        return bool(self.containers or self.contents or self.kind)


def resolve(
    spans: Sequence[Span],
    gazetteer: Gazetteer,
    *,
    article: str = "",
    text: str = "",
    weights: Weights = DEFAULT,
    trace: list[dict[str, object]] | None = None,
) -> list[Mention]:
    """Resolve every span to one gazetteer entry; spans with no candidate are dropped.

    One sense per name and article is the default ("Georgia" means one thing throughout),
    but a mention with its own local evidence ("Paris, Texas") is resolved on its own,
    and that evidence moves the article's default only in proportion to how many of the
    name's mentions carry it.
    """
    by_key, candidates = _candidates_by_name(spans, gazetteer)
    tables = _DEFAULT_TABLES if weights is DEFAULT else _weight_tables(weights)
    kinds, coefficients = tables
    # Pass 1: priors only, to learn which countries and points the document is about.
    profiles = {key: _profile_of(key, found, kinds, weights) for key, found in candidates.items()}
    datelines = frozenset(i for i, s in enumerate(spans) if text and _in_dateline(text, s))
    pairs = _qualified_pairs(text, spans)
    reading = _Reading(
        spans=spans,
        by_key=by_key,
        focus=_anchors(profiles, by_key),
        local=_local_evidence(text, spans, candidates, datelines, pairs),
        qualifiers=_qualifiers_only(spans, by_key, pairs),
        datelines=datelines,
        priors={key: profile.priors for key, profile in profiles.items()},
        weights=weights,
        coefficients=coefficients,
        trace=trace,
    )
    picks: dict[int, _Pick] = {}
    for key, found in candidates.items():
        picks.update(_resolve_name(reading, key, found))
    return [_mention(article, span, *picks[i]) for i, span in enumerate(spans) if i in picks]


def _weight_tables(weights: Weights) -> tuple[dict[str, float], tuple[float, ...]]:
    """The kind priors and calibration coefficients (in ``CALIBRATION_FEATURES`` order)
    ``resolve`` reads from ``weights``."""
    return _kind_priors(weights), tuple(calibration_coefficients(weights).values())


def _first_best(values: list[float]) -> int:
    """The index of the largest value, the first of equals (as ``max`` picks)."""
    return max(range(len(values)), key=values.__getitem__)


@dataclass(slots=True)
class _Profile:
    """What a name's candidates say before its article is read (nothing writes to it)."""

    found: tuple[Candidate, ...]
    priors: list[float]  # each candidate's prior (both passes read it)
    first: int  # the index of the best by prior alone, the first of equals
    ambiguous: bool  # candidates in more than one country
    one_admin1: bool  # all in one country and one admin-1 area


def _profile(found: Sequence[Candidate], kinds: dict[str, float], weights: Weights) -> _Profile:
    priors = [_prior_of(c, kinds, weights) for c in found]
    # In more than one country: read until the first that differs (a name can have
    # hundreds of candidates, and an ambiguous one soon shows it).
    code = found[0].entry.country_code
    ambiguous = any(c.entry.country_code != code for c in found)
    one_admin1 = not ambiguous and _one_admin1(found)
    return _Profile(tuple(found), priors, _first_best(priors), ambiguous, one_admin1)


def _one_admin1(found: Sequence[Candidate]) -> bool:
    """Do all the candidates share one admin-1 code (read until one differs)?"""
    admin1 = found[0].entry.admin1
    return all(c.entry.admin1 == admin1 for c in found)


_PROFILES: dict[str, _Profile] = {}  # name key → its last profile (the default weights)
_PROFILES_KEPT = 65_536  # bounded: a long run's memory stays flat


def _profile_of(
    key: str, found: list[Candidate], kinds: dict[str, float], weights: Weights
) -> _Profile:
    """``_profile``, kept per name key for the default weights: names recur across news
    articles (55 % of the names of 788 distinct articles came up in an earlier one). A
    profile depends only on the candidates and the weights, and a kept one is used only
    for the very same candidate objects (compared one by one; another gazetteer, or a
    refilled lookup cache, hands out new ones)."""
    if weights is not DEFAULT:
        return _profile(found, kinds, weights)
    kept = _PROFILES.get(key)
    if kept is not None and len(kept.found) == len(found) and all(map(is_, kept.found, found)):
        return kept
    if len(_PROFILES) >= _PROFILES_KEPT:
        _PROFILES.clear()
    profile = _PROFILES[key] = _profile(found, kinds, weights)
    return profile


_Pick = tuple[Candidate, float, list[dict[str, object]]]  # best, probability, alternatives


# The resolver's own records (_Reading, _Name, _Votes) are not frozen: a frozen dataclass
# sets each field through ``object.__setattr__`` (about 1 µs more per record, and one is
# made per document and two per name); nothing writes to them once made.
@dataclass(slots=True)
class _Reading:
    """What the whole article says, shared by the resolution of each of its names."""

    spans: Sequence[Span]
    by_key: dict[str, list[int]]  # name key → indexes of its spans
    focus: _Focus
    local: dict[int, _Local]  # span index → its own "X, Y" / "the state of X" evidence
    qualifiers: dict[str, set[str]]  # name → names used only to qualify it
    datelines: frozenset[int]  # span indexes of the article's dateline
    priors: dict[str, list[float]]  # name key → the prior of each of its candidates
    weights: Weights
    coefficients: tuple[float, ...]  # calibration_coefficients(weights), their values
    trace: list[dict[str, object]] | None


@dataclass(slots=True)  # not frozen: see _Reading
class _Name:
    """One name's candidates scored against the document, shared by all its mentions."""

    found: list[Candidate]
    mentions: int  # how many times the article names it
    base: dict[str, float]  # entry id → prior plus document evidence
    local: dict[int, list[float]]  # span index → ``_local_values`` (mentions with evidence)
    default: list[tuple[float, Candidate]]  # ranked with the name's shared local evidence
    default_spread: float  # ``_spread(default)``, the same for every mention that uses it
    parts: dict[str, list[tuple[float, str]]] | None  # entry id → evidence, for --explain


def _candidates_by_name(
    spans: Sequence[Span], gazetteer: Gazetteer
) -> tuple[dict[str, list[int]], dict[str, list[Candidate]]]:
    """Span indexes per name key, and each name's fitting candidates (names with none out)."""
    by_key: dict[str, list[int]] = defaultdict(list)
    for index, span in enumerate(spans):
        by_key[normalize(span.name)].append(index)
    candidates = {
        key: _fitting(gazetteer.lookup(spans[group[0]].name), [spans[i] for i in group])
        for key, group in by_key.items()
    }
    return by_key, {key: found for key, found in candidates.items() if found}


def _resolve_name(reading: _Reading, key: str, found: list[Candidate]) -> dict[int, _Pick]:
    """One name's mentions: the article's default sense, unless a mention's own evidence
    says otherwise."""
    group, weights = reading.by_key[key], reading.weights
    if reading.trace is None and len(found) == 1 and not _stray_alternate(found[0]):
        return _sole_candidate_picks(reading, group, found[0])
    skip = frozenset({key, *reading.qualifiers.get(key, ())})
    votes = _votes(skip, reading.focus)
    priors = reading.priors[key]
    base = _document_values(found, priors, votes, weights)
    local = {  # each mention with its own evidence: every candidate's local score
        i: _local_values(found, evidence, weights)
        for i in group
        if (evidence := reading.local.get(i))
    }
    default = _rank(found, _default_scores(reading, group, found, base, local))
    parts = None
    if reading.trace is not None:
        parts = {
            c.entry.id: _document_parts(c, p, votes, weights)
            for c, p in zip(found, priors, strict=True)
        }
    name = _Name(found, len(group), base, local, default, _spread(default), parts)
    picks = {}
    shared: dict[str, _Pick | None] = {}  # span name → pick, for mentions without evidence
    for index in group:
        if reading.trace is not None or reading.local.get(index):
            pick = _resolve_mention(reading, index, name)
        elif (spelled := reading.spans[index].name) in shared:
            pick = _pick_copy(shared[spelled])
        else:
            pick = shared[spelled] = _resolve_mention(reading, index, name)
        if pick is not None:
            picks[index] = pick
    return picks


def _pick_copy(pick: _Pick | None) -> _Pick | None:
    """A name's mentions without local evidence share its default ranking, and their
    calibration reads of the span only its name, so one spelled alike gets the same pick
    (with its own alternatives' dicts: each mention owns them, as when worked out again)."""
    if pick is None:
        return None
    best, probability, alternatives = pick
    return best, probability, [dict(alternative) for alternative in alternatives]


def _stray_alternate(candidate: Candidate) -> bool:
    """An alternate name of a village: kept only when its score reaches a threshold."""
    entry = candidate.entry
    return not candidate.primary and entry.kind == "city" and entry.population < 5000


def _sole_candidate_picks(reading: _Reading, group: list[int], only: Candidate) -> dict[int, _Pick]:
    """A name with one candidate that is no stray alternate: nothing reads its score (no
    ranking, no threshold, a margin of 2 in the calibration, no alternatives), so the
    document's votes and the candidate's score are not worked out (41 % of the names of
    1,000 news articles). ``_resolve_mention`` gives the same picks the long way."""
    picks: dict[int, _Pick] = {}
    ranked = [(0.0, only)]  # the score is never read with one candidate
    # The calibration reads of a mention only whether it has local evidence and its name.
    probabilities: dict[tuple[bool, str], float] = {}
    for index in group:
        local, span = bool(reading.local.get(index)), reading.spans[index]
        probability = probabilities.get((local, span.name))
        if probability is None:
            values = _feature_values(ranked, span, len(group), local)
            probability = _probability(reading.coefficients, values, reading.weights)
            probabilities[(local, span.name)] = probability
        picks[index] = (only, probability, [])
    return picks


def _default_scores(
    reading: _Reading,
    group: list[int],
    found: list[Candidate],
    base: dict[str, float],
    local: dict[int, list[float]],
) -> dict[str, float]:
    """Document score plus the name's local evidence, in proportion to the mentions that
    carry it (one "Paris, Texas" among four "Paris" moves the default a quarter); ``local``
    holds the local scores of the mentions that carry it, in the group's order."""
    weights = reading.weights
    carrying = list(local)
    share = weights.local_share * len(carrying) / len(group)
    if not carrying:  # the same floats as the mean of no local scores, without the loop
        none = share * _mean(())
        return {k: base[k] + none for k in base}
    default_local = {
        c.entry.id: share * _mean(local[i][position] for i in carrying)
        for position, c in enumerate(found)
    }
    dateline = [i for i in carrying if i in reading.datelines]
    for position, candidate in enumerate(found) if dateline else ():
        score = weights.dateline_share * local[dateline[0]][position]
        default_local[candidate.entry.id] = max(default_local[candidate.entry.id], score)
    return {k: base[k] + default_local[k] for k in base}


def _resolve_mention(reading: _Reading, index: int, name: _Name) -> _Pick | None:
    """The best candidate for one mention, its probability and alternatives (None for a
    stray alternate name of a village)."""
    weights, evidence = reading.weights, reading.local.get(index)
    if evidence:
        scores = {c.entry.id: name.base[c.entry.id] + value
                  for c, value in zip(name.found, name.local[index], strict=True)}  # fmt: skip
        ranked = _rank(name.found, scores)
        spread = _spread(ranked)
    else:
        ranked, spread = name.default, name.default_spread
    best_score, best = ranked[0]
    if _stray_alternate(best):
        if best_score < weights.min_alternate_score:
            return None  # a stray alternate name of a village: not worth a map pin
    span, mentions = reading.spans[index], name.mentions
    values = _feature_values(ranked, span, mentions, bool(evidence))
    probability = _probability(reading.coefficients, values, weights)
    alternatives = _alternatives(ranked, probability, spread)
    if reading.trace is not None:
        assert name.parts is not None, "parts are kept when there is a trace"
        record = _explain(span, ranked, name.parts, evidence, probability, weights)
        record["features"] = dict(zip(CALIBRATION_FEATURES, values, strict=True))
        reading.trace.append(record)
    return best, probability, alternatives


def _mention(
    article: str,
    span: Span,
    candidate: Candidate,
    probability: float,
    alternatives: list[dict[str, object]],
) -> Mention:
    entry = candidate.entry
    return Mention(
        article=article,
        start=span.start,
        end=span.end,
        text=span.text,
        name=entry.name,
        lat=entry.lat,
        lon=entry.lon,
        kind=entry.kind,
        country_code=entry.country_code,
        gazetteer_id=entry.id,
        score=round(probability, 4),
        alternatives=tuple(alternatives),
        demonym=span.demonym,
    )


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def _rank(found: list[Candidate], scores: dict[str, float]) -> list[tuple[float, Candidate]]:
    return sorted(((scores[c.entry.id], c) for c in found), key=lambda p: (-p[0], p[1].entry.id))


@dataclass(slots=True)
class _Focus:
    """Where the document is: country and admin-1 weights, and its confident points."""

    countries: dict[tuple[str, str], float] = field(default_factory=lambda: defaultdict(float))
    admins: dict[tuple[str, str, str], float] = field(default_factory=lambda: defaultdict(float))
    # key, (latitude in radians, its cosine, longitude, weight): ``_Votes.points``' tuples
    points: list[tuple[str, tuple[float, float, float, float]]] = field(default_factory=list)


_ACRONYM = re.compile(r"^(?:[A-Z]\.?){2,4}$")


def _fitting(found: list[Candidate], spans: list[Span]) -> list[Candidate]:
    """Acronyms ("EU", "U.S.", "UAE") and demonyms ("Ontarians") name countries, unions,
    regions and states, not towns (Eu; Ontario, California)."""
    if not all(span.demonym or _ACRONYM.match(span.text) for span in spans):
        return found
    big = [
        c for c in found
        if c.entry.kind in ("country", "region", "continent", "landform")
        or c.entry.feature_code == "ADM1"
    ]  # fmt: skip
    return big or found


def _anchors(profiles: dict[str, _Profile], by_key: dict[str, list[int]]) -> _Focus:
    """The document's focus from the first, prior-only reading of its names."""
    focus = _Focus()
    for key, profile in profiles.items():
        entry, ambiguous = profile.found[profile.first].entry, profile.ambiguous
        count = len(by_key[key])
        weight = (0.5 if ambiguous else 1.0) * (1.0 + math.log(count))
        if entry.country_code:
            focus.countries[(key, entry.country_code)] += weight
        # A state named outright, or a town every candidate of which lies in one state.
        if entry.admin1 and (entry.feature_code == "ADM1" or profile.one_admin1):
            focus.admins[(key, entry.country_code, entry.admin1)] += weight
        if not ambiguous and entry.kind != "continent":
            focus.points.append((key, (*_point(entry.lat, entry.lon), weight)))
    return focus


def _qualified_pairs(text: str, spans: Sequence[Span]) -> list[tuple[int, int]]:
    """Span indexes (X, Y) of "X, Y" / "X in Y" / "X (Y)" / "X - Y", X right before Y, in
    text order; found once for both readers of the pattern (qualifiers, local evidence)."""
    if not text:
        return []
    order = sorted(range(len(spans)), key=lambda i: spans[i].start)
    return [
        (here, nxt)
        for here, nxt in zip(order, order[1:], strict=False)
        if _PATTERN_AFTER.match(text[spans[here].end : spans[nxt].start])
    ]


def _qualifiers_only(
    spans: Sequence[Span], by_key: dict[str, list[int]], pairs: list[tuple[int, int]]
) -> dict[str, set[str]]:
    """name X → names Y that the article uses only to qualify X ("Paris, Texas");
    ``pairs`` is ``_qualified_pairs``."""
    qualifying: dict[str, set[str]] = defaultdict(set)  # Y → the X it qualifies
    uses: dict[str, int] = defaultdict(int)
    for here, nxt in pairs:
        a, b = spans[here], spans[nxt]
        qualifying[normalize(b.name)].add(normalize(a.name))
        uses[normalize(b.name)] += 1
    result: dict[str, set[str]] = defaultdict(set)
    for qualifier, qualified in qualifying.items():
        if uses[qualifier] == len(by_key.get(qualifier, ())) and len(qualified) == 1:
            result[next(iter(qualified))].add(qualifier)
    return result


def _local_evidence(
    text: str,
    spans: Sequence[Span],
    candidates: dict[str, list[Candidate]],
    datelines: frozenset[int],
    pairs: list[tuple[int, int]],
) -> dict[int, _Local]:
    """Per mention: "X, Y" / "X in Y" (X inside Y, Y contains X) and "the state of X";
    ``pairs`` is ``_qualified_pairs``."""
    found: dict[int, _Local] = defaultdict(_Local)
    if not text:
        return found
    for here, nxt in pairs:
        a, b = spans[here], spans[nxt]
        key, container_key = normalize(a.name), normalize(b.name)
        if key == container_key:
            continue
        for candidate in candidates.get(container_key, []):
            entry = candidate.entry
            if entry.kind in _CONTAINER_KINDS:
                admin = entry.admin1 if entry.kind == "admin" else ""
                found[here].containers.add((entry.country_code, admin))
        if text[a.end : b.start].strip() in (",", "(") and key in candidates:
            found[nxt].contents.append(candidates[key])
    for index, span in enumerate(spans):
        cue = _kind_cue(text, span.start)
        if cue is not None:
            found[index].kind = KIND_CUES.get(cue.group(1).casefold(), "")
        elif index in datelines:
            found[index].kind = "city"
    return {index: local for index, local in found.items() if local}


def _kind_cue(text: str, start: int) -> re.Match[str] | None:
    """``_KIND_CUE`` in the 40 characters before ``start``. The cue ends in "of", white
    space and perhaps "the" and white space, so only windows that do are searched (one
    span in ten: "of" often comes before a place name): under ``re.IGNORECASE`` only the
    ASCII letters match those letters, and ``\\s`` is ``str.isspace`` (both checked over
    every code point in the tests)."""
    window = max(0, start - 40)
    last = text[window:start].rstrip()
    if last[-3:].lower() == "the":
        last = last[:-3].rstrip()
    if last[-2:].lower() != "of":
        return None
    return _KIND_CUE.search(text, window, start)


def _in_dateline(text: str, span: Span) -> bool:
    """ "NEW YORK (AP) —": a dateline names the city the story was filed from. The mark
    after the name is tested first: one regex step, where reading the letters takes a
    step per letter, and 97 % of spans have no such mark (both tests only read)."""
    if not is_dateline(text, span.start, span.end):
        return False
    letters = [ch for ch in span.text if ch.isalpha()]
    return len(letters) > 2 and all(ch.isupper() for ch in letters)


# -- evidence: each returns (score, reason) for one candidate --------------------------------
def evidence_prior(candidate: Candidate, weights: Weights) -> tuple[float, str]:
    return _prior_evidence(candidate, _prior(candidate, weights))


def _prior_evidence(candidate: Candidate, prior: float) -> tuple[float, str]:
    entry = candidate.entry
    own = "its own name" if candidate.primary else "an alternate name"
    return prior, f"prior: {entry.kind}, {entry.population:,} people, {own}"


@dataclass(slots=True)  # not frozen: see _Reading
class _Votes:
    """The document's votes without the skipped names, summed once per name (not once per
    candidate: a name can have dozens). Sums keep the order of the per-candidate loops they
    replace, so the scores are the same floats."""

    countries: dict[str, float]  # country code → its votes
    countries_total: float
    admins: dict[tuple[str, str], float]  # (country, admin1) → its votes
    admins_total: float
    # The confident places and their weights: latitude in radians, its cosine, longitude
    # in degrees, weight (a ``_Point`` and its weight in one flat tuple, read per pair).
    points: list[tuple[float, float, float, float]]
    points_total: float


def _votes(skip: frozenset[str], focus: _Focus) -> _Votes:
    countries: dict[str, float] = {}
    countries_total = 0.0  # the kept weights summed in order, as ``sum`` adds them
    for (other, cc), weight in focus.countries.items():
        if other not in skip:
            countries_total += weight
            countries[cc] = countries.get(cc, 0) + weight
    admins: dict[tuple[str, str], float] = {}
    admins_total = 0.0
    for (other, country, admin1), weight in focus.admins.items():
        if other not in skip:
            admins_total += weight
            admins[(country, admin1)] = admins.get((country, admin1), 0.0) + weight
    points = [point for key, point in focus.points if key not in skip]
    return _Votes(
        countries, countries_total or 1.0, admins, admins_total,
        points, sum(point[3] for point in points),
    )  # fmt: skip


def _country_share(entry: Entry, votes: _Votes) -> float | None:
    if not entry.country_code or entry.kind == "country":
        return None
    return votes.countries.get(entry.country_code, 0) / votes.countries_total


def evidence_country_focus(
    candidate: Candidate, votes: _Votes, weights: Weights
) -> tuple[float, str]:
    """Inside a country the article names."""
    entry = candidate.entry
    share = _country_share(entry, votes)
    if share is None:
        return 0.0, ""
    return weights.country_focus * share, f"article's countries: {share:.0%} {entry.country_code}"


def _admin_share(entry: Entry, votes: _Votes) -> float | None:
    if not entry.admin1 or not votes.admins_total:
        return None
    return votes.admins.get((entry.country_code, entry.admin1), 0.0) / votes.admins_total


def evidence_admin_focus(
    candidate: Candidate, votes: _Votes, weights: Weights
) -> tuple[float, str]:
    """Same state as the other places named: Gainesville beside Atlanta is in Georgia."""
    share = _admin_share(candidate.entry, votes)
    if share is None:
        return 0.0, ""
    return weights.admin_focus * share, f"article's states: {share:.0%} same state"


def _nearness(entry: Entry, votes: _Votes, scale_km: float) -> float:
    """Weighted mean of e^(-distance / scale) to the confident places. It runs for every
    candidate and confident place of a document, so ``_haversine_km`` is written out here
    (the same operations in the same order: the same floats, without a call per pair;
    ``root if root < 1.0 else 1.0`` is ``min(1.0, root)``, NaN included; ``x * _RADIAN``
    is ``math.radians(x)``, which multiplies by the same constant)."""
    p1 = math.radians(entry.lat)
    cos1, lon1 = math.cos(p1), entry.lon
    sin, asin, sqrt, exp = math.sin, math.asin, math.sqrt, math.exp
    # A loop, not ``sum`` of a generator (cheaper per pair): ``sum`` adds floats in order
    # from 0.0, as this does.
    total = 0.0
    for p2, cos2, lon2, weight in votes.points:
        root = sqrt(sin((p2 - p1) / 2) ** 2 + cos1 * cos2 * sin((lon2 - lon1) * _RADIAN / 2) ** 2)
        total += weight * exp(-(_DIAMETER_KM * asin(root if root < 1.0 else 1.0)) / scale_km)
    return total / votes.points_total


def evidence_nearby(candidate: Candidate, votes: _Votes, weights: Weights) -> tuple[float, str]:
    """Near the places the article names without doubt (never a vote for itself)."""
    if not votes.points:
        return 0.0, ""
    nearby = _nearness(candidate.entry, votes, weights.nearby_scale_km)
    return weights.nearby * nearby, f"near the article's other places: {nearby:.2f}"


def evidence_container(candidate: Candidate, local: _Local, weights: Weights) -> tuple[float, str]:
    """ "Springfield, Illinois", "Astara in Iran": this mention lies inside Y."""
    entry = candidate.entry
    for country, admin in sorted(local.containers):  # a set: its order varies by process
        if entry.country_code == country and (not admin or entry.admin1 == admin):
            return weights.container, f"inside the place named after it ({country} {admin})"
    return 0.0, ""


def evidence_contained(candidate: Candidate, local: _Local, weights: Weights) -> tuple[float, str]:
    """ "Atlanta, Georgia": Georgia is the one that contains an Atlanta."""
    entry = candidate.entry
    if entry.kind not in _CONTAINER_KINDS:
        return 0.0, ""
    for inner in local.contents:
        for other in inner:
            if other.entry.country_code != entry.country_code or other.entry is entry:
                continue
            if entry.kind == "admin" and other.entry.admin1 != entry.admin1:
                continue
            return weights.contained, f"contains {other.entry.name}, named just before it"
    return 0.0, ""


def evidence_kind_cue(candidate: Candidate, local: _Local, weights: Weights) -> tuple[float, str]:
    """ "the state of Victoria", "the city of Victoria": the kind the text names."""
    if local.kind and candidate.entry.kind == local.kind:
        return weights.kind_cue, f"the text calls it a {local.kind}"
    return 0.0, ""


def _document_parts(
    candidate: Candidate, prior: float, votes: _Votes, weights: Weights
) -> list[tuple[float, str]]:
    """Prior and document evidence with their reasons (for --explain); ``votes`` leave out
    the names that do not count here (the name itself, and a "Texas" that only qualifies
    one "Paris, Texas")."""
    return [
        _prior_evidence(candidate, prior),
        evidence_country_focus(candidate, votes, weights),
        evidence_admin_focus(candidate, votes, weights),
        evidence_nearby(candidate, votes, weights),
    ]


def _document_values(
    found: list[Candidate], priors: list[float], votes: _Votes, weights: Weights
) -> dict[str, float]:
    """Each candidate's sum of ``_document_parts``' values, by entry id, without making
    their reasons: the same values summed in the same order, so the same floats. One loop
    with the votes and weights read once, as a name can have hundreds of candidates
    (``_country_share`` and ``_admin_share`` written out)."""
    countries, countries_total = votes.countries, votes.countries_total
    admins, admins_total = votes.admins, votes.admins_total
    country_focus, admin_focus = weights.country_focus, weights.admin_focus
    nearby, scale_km = weights.nearby, weights.nearby_scale_km
    values = {}
    for candidate, prior in zip(found, priors, strict=True):
        entry = candidate.entry
        code, admin1 = entry.country_code, entry.admin1
        country = (
            0.0
            if not code or entry.kind == "country"
            else country_focus * (countries.get(code, 0) / countries_total)
        )
        admin = (
            0.0
            if not admin1 or not admins_total
            else admin_focus * (admins.get((code, admin1), 0.0) / admins_total)
        )
        near = nearby * _nearness(entry, votes, scale_km) if votes.points else 0.0
        values[entry.id] = sum((prior, country, admin, near))
    return values


def _local_values(found: list[Candidate], local: _Local, weights: Weights) -> list[float]:
    """``_local_score(c, local, weights)[0]`` of each candidate, without the reasons and with
    the evidence read once (a name can have hundreds of candidates): the same three values
    summed in the same order, so the same floats. Only whether a container or content
    fits counts here, not which one (the reason names the first)."""
    containers, kind = local.containers, local.kind
    contents = [other.entry for inner in local.contents for other in inner]
    values = []
    for candidate in found:
        entry = candidate.entry
        code, admin1 = entry.country_code, entry.admin1
        inside = 0.0  # evidence_container
        for country, admin in containers:
            if code == country and (not admin or admin1 == admin):
                inside = weights.container
                break
        holds = 0.0  # evidence_contained
        if entry.kind in _CONTAINER_KINDS:
            for other in contents:
                if (
                    other.country_code == code
                    and other is not entry
                    and (entry.kind != "admin" or other.admin1 == admin1)
                ):
                    holds = weights.contained
                    break
        cue = weights.kind_cue if kind and entry.kind == kind else 0.0  # evidence_kind_cue
        values.append(sum((inside, holds, cue)))
    return values


def _local_score(
    candidate: Candidate, local: _Local, weights: Weights
) -> tuple[float, list[tuple[float, str]]]:
    parts = [
        evidence_container(candidate, local, weights),
        evidence_contained(candidate, local, weights),
        evidence_kind_cue(candidate, local, weights),
    ]
    return sum(value for value, _ in parts), parts


# -- calibration: the score is the probability of being right --------------------------------
CALIBRATION_FEATURES = (
    "margin", "log_margin", "country", "admin", "population", "alternate", "common_word",
    "local_evidence", "single_candidate", "mentions",
)  # fmt: skip


def calibration_features(
    ranked: list[tuple[float, Candidate]], span: Span, mentions: int, local: bool
) -> dict[str, float]:
    """What predicts that a mention is a real place placed right (see docs/evaluation.md)."""
    values = _feature_values(ranked, span, mentions, local)
    return dict(zip(CALIBRATION_FEATURES, values, strict=True))


def _feature_values(
    ranked: list[tuple[float, Candidate]], span: Span, mentions: int, local: bool
) -> tuple[float, ...]:
    """``calibration_features``' values in ``CALIBRATION_FEATURES`` order: the resolver
    reads them for every mention it works out, without a dict (or names) of them."""
    best_score, best = ranked[0]
    margin = best_score - ranked[1][0] if len(ranked) > 1 else 2.0
    entry = best.entry
    return (
        min(margin, 2.0),  # margin
        math.log1p(max(margin, 0.0)),  # log_margin
        float(entry.kind in ("country", "continent")),  # country
        float(entry.kind in ("admin", "region", "water", "landform")),  # admin
        math.log10(entry.population + 10) / 7.0,  # population
        float(not best.primary),  # alternate
        float(" " not in span.name and is_common_word(span.name.split()[0])),  # common_word
        float(local),  # local_evidence
        float(len(ranked) == 1),  # single_candidate
        math.log1p(mentions),  # mentions
    )


def calibrated_probability(
    features: dict[str, float], weights: Weights, coefficients: dict[str, float] | None = None
) -> float:
    """``coefficients`` is ``calibration_coefficients(weights)``, when made once beforehand."""
    if coefficients is None:
        coefficients = calibration_coefficients(weights)
    return _probability(map(coefficients.__getitem__, features), features.values(), weights)


def _probability(coefficients: Iterable[float], values: Iterable[float], weights: Weights) -> float:
    """The logistic map of the features' ``values``: each coefficient times its feature,
    summed in the features' order."""
    logit = weights.calibration_intercept + sum(map(mul, coefficients, values))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logit))))


def calibration_coefficients(weights: Weights) -> dict[str, float]:
    """Each calibration feature's weight (``Weights.calibration_<feature>``)."""
    return {name: getattr(weights, f"calibration_{name}") for name in CALIBRATION_FEATURES}


def _spread(ranked: list[tuple[float, Candidate]]) -> float:
    """What the alternatives' scores are shares of: 1 for the best plus each other
    candidate's e^(3 (score - best)). Made once per ranking (a name's default ranking
    serves all its mentions), since a name can have hundreds of candidates."""
    best_score = ranked[0][0]
    return 1.0 + sum(math.exp(3.0 * (score - best_score)) for score, _ in ranked[1:])


def _alternatives(
    ranked: list[tuple[float, Candidate]], probability: float, total: float
) -> list[dict[str, object]]:
    """The next candidates sharing what the best one's ``probability`` leaves (``total`` is
    ``_spread(ranked)``)."""
    rest = ranked[1 : 1 + _ALTERNATIVES]
    best_score = ranked[0][0]
    shares = [math.exp(3.0 * (score - best_score)) for score, _ in rest]
    return [
        {
            "name": c.entry.name,
            "country_code": c.entry.country_code,
            "lat": c.entry.lat,
            "lon": c.entry.lon,
            # What the best one leaves, shared by rank score; part of it stays with "none
            # of these" (not a place, or not in the gazetteer), as the best one's own share.
            "score": round((1.0 - probability) * share / total, 4),
            "gazetteer_id": c.entry.id,
        }
        for share, (_, c) in zip(shares, rest, strict=True)
    ]


def _explain(
    span: Span,
    ranked: list[tuple[float, Candidate]],
    document_parts: dict[str, list[tuple[float, str]]],
    local: _Local | None,
    probability: float,
    weights: Weights,
) -> dict[str, object]:
    candidates = []
    for score, candidate in ranked[:5]:
        parts = list(document_parts[candidate.entry.id])
        if local:
            parts += _local_score(candidate, local, weights)[1]
        candidates.append(
            {
                "gazetteer_id": candidate.entry.id,
                "name": candidate.entry.name,
                "kind": candidate.entry.kind,
                "country_code": candidate.entry.country_code,
                "lat": candidate.entry.lat,
                "lon": candidate.entry.lon,
                "score": round(score, 3),
                "evidence": [
                    f"{value:+.2f} {reason}" for value, reason in parts if reason and value
                ],
            }
        )
    return {
        "start": span.start,
        "end": span.end,
        "text": span.text,
        "probability": round(probability, 4),
        "local_evidence": bool(local),
        "candidates": candidates,
    }


# The default weights' tables, made once (``resolve`` runs per document; a frozen
# ``Weights`` cannot change them, and nothing writes to them).
_DEFAULT_TABLES = _weight_tables(DEFAULT)
