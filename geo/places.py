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

from geo.gazetteer import Candidate, Gazetteer, normalize
from geo.lexicon import KIND_CUES, is_common_word, is_demonym
from geo.mentions import is_dateline
from geo.model import Mention, Span
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
    entry = candidate.entry
    kind_prior = {
        "country": weights.prior_country,
        "continent": weights.prior_continent,
        "region": weights.prior_region,
        "water": weights.prior_water,
        "landform": weights.prior_landform,
        "corridor": weights.prior_corridor,
        "site": weights.prior_site,
    }
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


def _haversine_km(one: _Point, other: _Point) -> float:
    """``distance_km`` on points whose radians and cosines are computed once (the resolver
    measures every candidate against the same few places); the same floats."""
    (p1, cos1, lon1), (p2, cos2, lon2) = one, other
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + cos1 * cos2 * math.sin(dl / 2) ** 2
    return 2 * EARTH_MEAN_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


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
    # Pass 1: priors only, to learn which countries and points the document is about.
    first = {key: max(found, key=lambda c: _prior(c, weights)) for key, found in candidates.items()}
    reading = _Reading(
        spans=spans,
        by_key=by_key,
        focus=_anchors(first, candidates, by_key),
        local=_local_evidence(text, spans, candidates),
        qualifiers=_qualifiers_only(text, spans, by_key),
        datelines=frozenset(i for i, s in enumerate(spans) if text and _in_dateline(text, s)),
        weights=weights,
        trace=trace,
    )
    picks: dict[int, _Pick] = {}
    for key, found in candidates.items():
        picks.update(_resolve_name(reading, key, found))
    return [_mention(article, span, *picks[i]) for i, span in enumerate(spans) if i in picks]


_Pick = tuple[Candidate, float, list[dict[str, object]]]  # best, probability, alternatives


@dataclass(frozen=True, slots=True)
class _Reading:
    """What the whole article says, shared by the resolution of each of its names."""

    spans: Sequence[Span]
    by_key: dict[str, list[int]]  # name key → indexes of its spans
    focus: _Focus
    local: dict[int, _Local]  # span index → its own "X, Y" / "the state of X" evidence
    qualifiers: dict[str, set[str]]  # name → names used only to qualify it
    datelines: frozenset[int]  # span indexes of the article's dateline
    weights: Weights
    trace: list[dict[str, object]] | None


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
    group = reading.by_key[key]
    skip = frozenset({key, *reading.qualifiers.get(key, ())})
    votes = _votes(skip, reading.focus)
    base = {c.entry.id: _document_score(c, votes, reading.weights) for c in found}
    default = _rank(found, _default_scores(reading, group, found, base))
    picks = {}
    for index in group:
        pick = _resolve_mention(reading, index, found, base, default)
        if pick is not None:
            picks[index] = pick
    return picks


_Scored = dict[str, tuple[float, list[tuple[float, str]]]]  # entry id → (score, evidence)


def _default_scores(
    reading: _Reading, group: list[int], found: list[Candidate], base: _Scored
) -> dict[str, float]:
    """Document score plus the name's local evidence, in proportion to the mentions that
    carry it (one "Paris, Texas" among four "Paris" moves the default a quarter)."""
    local, weights = reading.local, reading.weights
    share = weights.local_share * sum(bool(local.get(i)) for i in group) / len(group)
    default_local = {
        c.entry.id: share * _mean(_local_score(c, local[i], weights)[0] for i in group
                                  if local.get(i))
        for c in found
    }  # fmt: skip
    dateline = [i for i in group if i in reading.datelines and local.get(i)]
    for candidate in found if dateline else ():
        score = weights.dateline_share * _local_score(candidate, local[dateline[0]], weights)[0]
        default_local[candidate.entry.id] = max(default_local[candidate.entry.id], score)
    return {k: base[k][0] + default_local[k] for k in base}


def _resolve_mention(
    reading: _Reading,
    index: int,
    found: list[Candidate],
    base: _Scored,
    default: list[tuple[float, Candidate]],
) -> _Pick | None:
    """The best candidate for one mention, its probability and alternatives (None for a
    stray alternate name of a village)."""
    weights, evidence = reading.weights, reading.local.get(index)
    if evidence:
        scores = {c.entry.id: base[c.entry.id][0] + _local_score(c, evidence, weights)[0]
                  for c in found}  # fmt: skip
        ranked = _rank(found, scores)
    else:
        ranked = default
    best_score, best = ranked[0]
    if not best.primary and best.entry.kind == "city" and best.entry.population < 5000:
        if best_score < weights.min_alternate_score:
            return None  # a stray alternate name of a village: not worth a map pin
    span = reading.spans[index]
    mentions = len(reading.by_key[normalize(span.name)])
    probability, alternatives = _calibrated(ranked, span, mentions, bool(evidence), weights)
    if reading.trace is not None:
        record = _explain(span, ranked, base, evidence, probability, weights)
        record["features"] = calibration_features(ranked, span, mentions, bool(evidence))
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
    points: list[tuple[str, float, float, float]] = field(default_factory=list)


_ACRONYM = re.compile(r"^(?:[A-Z]\.?){2,4}$")


def _fitting(found: list[Candidate], spans: list[Span]) -> list[Candidate]:
    """Acronyms ("EU", "U.S.", "UAE") and demonyms ("Ontarians") name countries, unions,
    regions and states, not towns (Eu; Ontario, California)."""
    if not all(_ACRONYM.match(span.text) or is_demonym(span.text) for span in spans):
        return found
    big = [
        c for c in found
        if c.entry.kind in ("country", "region", "continent", "landform")
        or c.entry.feature_code == "ADM1"
    ]  # fmt: skip
    return big or found


def _anchors(
    first: dict[str, Candidate],
    candidates: dict[str, list[Candidate]],
    by_key: dict[str, list[int]],
) -> _Focus:
    """The document's focus from the first, prior-only reading of its names."""
    focus = _Focus()
    for key, best in first.items():
        entry = best.entry
        count = len(by_key[key])
        ambiguous = len({c.entry.country_code for c in candidates[key]}) > 1
        weight = (0.5 if ambiguous else 1.0) * (1.0 + math.log(count))
        if entry.country_code:
            focus.countries[(key, entry.country_code)] += weight
        # A state named outright, or a town every candidate of which lies in one state.
        admins = {(c.entry.country_code, c.entry.admin1) for c in candidates[key]}
        if entry.admin1 and (entry.feature_code == "ADM1" or len(admins) == 1):
            focus.admins[(key, entry.country_code, entry.admin1)] += weight
        if not ambiguous and entry.kind != "continent":
            focus.points.append((key, entry.lat, entry.lon, weight))
    return focus


def _qualifiers_only(
    text: str, spans: Sequence[Span], by_key: dict[str, list[int]]
) -> dict[str, set[str]]:
    """name X → names Y that the article uses only to qualify X ("Paris, Texas")."""
    qualifying: dict[str, set[str]] = defaultdict(set)  # Y → the X it qualifies
    uses: dict[str, int] = defaultdict(int)
    order = sorted(range(len(spans)), key=lambda i: spans[i].start)
    for here, nxt in zip(order, order[1:], strict=False):
        a, b = spans[here], spans[nxt]
        if text and _PATTERN_AFTER.match(text[a.end : b.start]):
            qualifying[normalize(b.name)].add(normalize(a.name))
            uses[normalize(b.name)] += 1
    result: dict[str, set[str]] = defaultdict(set)
    for qualifier, qualified in qualifying.items():
        if uses[qualifier] == len(by_key.get(qualifier, ())) and len(qualified) == 1:
            result[next(iter(qualified))].add(qualifier)
    return result


def _local_evidence(
    text: str, spans: Sequence[Span], candidates: dict[str, list[Candidate]]
) -> dict[int, _Local]:
    """Per mention: "X, Y" / "X in Y" (X inside Y, Y contains X) and "the state of X"."""
    found: dict[int, _Local] = defaultdict(_Local)
    if not text:
        return found
    order = sorted(range(len(spans)), key=lambda i: spans[i].start)
    for here, nxt in zip(order, order[1:], strict=False):
        a, b = spans[here], spans[nxt]
        if not _PATTERN_AFTER.match(text[a.end : b.start]):
            continue
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
        cue = _KIND_CUE.search(text, max(0, span.start - 40), span.start)
        if cue is not None:
            found[index].kind = KIND_CUES.get(cue.group(1).casefold(), "")
        elif _in_dateline(text, span):
            found[index].kind = "city"
    return {index: local for index, local in found.items() if local}


def _in_dateline(text: str, span: Span) -> bool:
    """ "NEW YORK (AP) —": a dateline names the city the story was filed from."""
    letters = [ch for ch in span.text if ch.isalpha()]
    return (
        len(letters) > 2
        and all(ch.isupper() for ch in letters)
        and is_dateline(text, span.start, span.end)
    )


# -- evidence: each returns (score, reason) for one candidate --------------------------------
def evidence_prior(candidate: Candidate, weights: Weights) -> tuple[float, str]:
    entry = candidate.entry
    own = "its own name" if candidate.primary else "an alternate name"
    return _prior(candidate, weights), f"prior: {entry.kind}, {entry.population:,} people, {own}"


@dataclass(frozen=True, slots=True)
class _Votes:
    """The document's votes without the skipped names, summed once per name (not once per
    candidate: a name can have dozens). Sums keep the order of the per-candidate loops they
    replace, so the scores are the same floats."""

    countries: dict[str, float]  # country code → its votes
    countries_total: float
    admins: dict[tuple[str, str], float]  # (country, admin1) → its votes
    admins_total: float
    points: list[tuple[_Point, float]]  # the confident places and their weights
    points_total: float


def _votes(skip: frozenset[str], focus: _Focus) -> _Votes:
    countries: dict[str, float] = {}
    kept = {(k, cc): w for (k, cc), w in focus.countries.items() if k not in skip}
    for (_, cc), weight in kept.items():
        countries[cc] = countries.get(cc, 0) + weight
    admins: dict[tuple[str, str], float] = {}
    admins_total = 0.0
    for (other, country, admin1), weight in focus.admins.items():
        if other not in skip:
            admins_total += weight
            admins[(country, admin1)] = admins.get((country, admin1), 0.0) + weight
    points = [(_point(lat, lon), w) for key, lat, lon, w in focus.points if key not in skip]
    return _Votes(
        countries, sum(kept.values()) or 1.0, admins, admins_total,
        points, sum(weight for _, weight in points),
    )  # fmt: skip


def evidence_country_focus(
    candidate: Candidate, votes: _Votes, weights: Weights
) -> tuple[float, str]:
    """Inside a country the article names."""
    entry = candidate.entry
    if not entry.country_code or entry.kind == "country":
        return 0.0, ""
    share = votes.countries.get(entry.country_code, 0) / votes.countries_total
    return weights.country_focus * share, f"article's countries: {share:.0%} {entry.country_code}"


def evidence_admin_focus(
    candidate: Candidate, votes: _Votes, weights: Weights
) -> tuple[float, str]:
    """Same state as the other places named: Gainesville beside Atlanta is in Georgia."""
    entry = candidate.entry
    if not entry.admin1 or not votes.admins_total:
        return 0.0, ""
    share = votes.admins.get((entry.country_code, entry.admin1), 0.0) / votes.admins_total
    return weights.admin_focus * share, f"article's states: {share:.0%} same state"


def evidence_nearby(candidate: Candidate, votes: _Votes, weights: Weights) -> tuple[float, str]:
    """Near the places the article names without doubt (never a vote for itself)."""
    entry = candidate.entry
    if not votes.points:
        return 0.0, ""
    here = _point(entry.lat, entry.lon)
    nearby = (
        sum(
            weight * math.exp(-_haversine_km(here, point) / weights.nearby_scale_km)
            for point, weight in votes.points
        )
        / votes.points_total
    )
    return weights.nearby * nearby, f"near the article's other places: {nearby:.2f}"


def evidence_container(candidate: Candidate, local: _Local, weights: Weights) -> tuple[float, str]:
    """ "Springfield, Illinois", "Astara in Iran": this mention lies inside Y."""
    entry = candidate.entry
    for country, admin in local.containers:
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


def _document_score(
    candidate: Candidate, votes: _Votes, weights: Weights
) -> tuple[float, list[tuple[float, str]]]:
    """Prior and document evidence; ``votes`` leave out the names that do not count here
    (the name itself, and a "Texas" that only qualifies one "Paris, Texas")."""
    parts = [
        evidence_prior(candidate, weights),
        evidence_country_focus(candidate, votes, weights),
        evidence_admin_focus(candidate, votes, weights),
        evidence_nearby(candidate, votes, weights),
    ]
    return sum(value for value, _ in parts), parts


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
def calibration_features(
    ranked: list[tuple[float, Candidate]], span: Span, mentions: int, local: bool
) -> dict[str, float]:
    """What predicts that a mention is a real place placed right (see docs/evaluation.md)."""
    best_score, best = ranked[0]
    margin = best_score - ranked[1][0] if len(ranked) > 1 else 2.0
    entry = best.entry
    return {
        "margin": min(margin, 2.0),
        "log_margin": math.log1p(max(margin, 0.0)),
        "country": float(entry.kind in ("country", "continent")),
        "admin": float(entry.kind in ("admin", "region", "water", "landform")),
        "population": math.log10(entry.population + 10) / 7.0,
        "alternate": float(not best.primary),
        "common_word": float(is_common_word(span.name.split()[0]) and " " not in span.name),
        "local_evidence": float(local),
        "single_candidate": float(len(ranked) == 1),
        "mentions": math.log1p(mentions),
    }


def calibrated_probability(features: dict[str, float], weights: Weights) -> float:
    logit = weights.calibration_intercept + sum(
        getattr(weights, f"calibration_{name}") * value for name, value in features.items()
    )
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logit))))


def _calibrated(
    ranked: list[tuple[float, Candidate]],
    span: Span,
    mentions: int,
    local: bool,
    weights: Weights,
) -> tuple[float, list[dict[str, object]]]:
    """The best candidate's probability, and the next candidates sharing what is left."""
    probability = calibrated_probability(
        calibration_features(ranked, span, mentions, local), weights
    )
    rest = ranked[1 : 1 + _ALTERNATIVES]
    best_score = ranked[0][0]
    shares = [math.exp(3.0 * (score - best_score)) for score, _ in rest]
    total = 1.0 + sum(math.exp(3.0 * (score - best_score)) for score, _ in ranked[1:])
    alternatives = [
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
    return probability, alternatives


def _explain(
    span: Span,
    ranked: list[tuple[float, Candidate]],
    base: dict[str, tuple[float, list[tuple[float, str]]]],
    local: _Local | None,
    probability: float,
    weights: Weights,
) -> dict[str, object]:
    candidates = []
    for score, candidate in ranked[:5]:
        parts = list(base[candidate.entry.id][1])
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
