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
from collections.abc import Sequence
from dataclasses import dataclass, field

from geo.gazetteer import Candidate, Gazetteer, normalize
from geo.model import Mention, Span

_KIND_PRIOR = {
    "country": 1.6,
    "continent": 1.0,
    "region": 0.95,
    "water": 0.95,
    "landform": 0.9,
    "corridor": 0.9,
    "site": 0.7,
}
_PATTERN_AFTER = re.compile(r"^\s*(?:,|\bin\b|\(|-)\s*$")
_CONTAINER_KINDS = ("country", "admin", "region")


def _prior(candidate: Candidate) -> float:
    entry = candidate.entry
    if entry.kind in _KIND_PRIOR:
        score = _KIND_PRIOR[entry.kind]
    elif entry.kind == "admin":
        score = 0.95 if entry.feature_code == "ADM1" else 0.55
        score += 0.05 * math.log10(entry.population + 10) - 0.3
    else:  # city
        score = 0.12 * math.log10(entry.population + 10)
        if entry.feature_code == "PPLC":
            score += 0.35
    return score + (0.35 if candidate.primary else 0.0)


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
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_MEAN_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def resolve(
    spans: Sequence[Span], gazetteer: Gazetteer, *, article: str = "", text: str = ""
) -> list[Mention]:
    """Resolve every span to one gazetteer entry; spans with no candidate are dropped."""
    by_key: dict[str, list[Span]] = defaultdict(list)
    for span in spans:
        by_key[normalize(span.name)].append(span)
    candidates = {
        key: _fitting(gazetteer.lookup(group[0].name), group) for key, group in by_key.items()
    }
    candidates = {key: found for key, found in candidates.items() if found}

    # Pass 1: priors only, to learn which countries and points the document is about.
    first = {key: max(found, key=_prior) for key, found in candidates.items()}
    anchors = _anchors(first, candidates, by_key)
    containers = _containers(text, spans, candidates, first)

    chosen: dict[str, tuple[Candidate, float]] = {}
    for key, found in candidates.items():
        scored = sorted(
            ((_score(c, key, anchors, containers), c) for c in found),
            key=lambda pair: (-pair[0], pair[1].entry.id),
        )
        best_score, best = scored[0]
        runner_up = scored[1][0] if len(scored) > 1 else best_score - 2.0
        confidence = 1.0 / (1.0 + math.exp(-3.0 * (best_score - runner_up)))
        if not best.primary and best.entry.kind == "city" and best.entry.population < 5000:
            if best_score < 1.0:
                continue  # a stray alternate name of a village: not worth a map pin
        chosen[key] = (best, confidence)

    mentions = []
    for span in spans:
        pick = chosen.get(normalize(span.name))
        if pick is None:
            continue
        candidate, confidence = pick
        entry = candidate.entry
        mentions.append(
            Mention(
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
                score=round(confidence, 4),
            )
        )
    return mentions


@dataclass(slots=True)
class _Focus:
    """Where the document is: country and admin-1 weights, and its confident points."""

    countries: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    admins: dict[tuple[str, str, str], float] = field(default_factory=lambda: defaultdict(float))
    points: list[tuple[str, float, float, float]] = field(default_factory=list)


_ACRONYM = re.compile(r"^(?:[A-Z]\.?){2,4}$")


def _fitting(found: list[Candidate], spans: list[Span]) -> list[Candidate]:
    """Acronyms ("EU", "U.S.", "UAE") name countries, unions and states, not towns (Eu)."""
    if not all(_ACRONYM.match(span.text) for span in spans):
        return found
    big = [
        c for c in found
        if c.entry.kind in ("country", "region", "continent") or c.entry.feature_code == "ADM1"
    ]  # fmt: skip
    return big or found


def _anchors(
    first: dict[str, Candidate],
    candidates: dict[str, list[Candidate]],
    by_key: dict[str, list[Span]],
) -> _Focus:
    """The document's focus from the first, prior-only reading of its names."""
    focus = _Focus()
    for key, best in first.items():
        entry = best.entry
        count = len(by_key[key])
        ambiguous = len({c.entry.country_code for c in candidates[key]}) > 1
        weight = (0.5 if ambiguous else 1.0) * (1.0 + math.log(count))
        if entry.country_code:
            focus.countries[entry.country_code] += weight
        # A state named outright, or a town every candidate of which lies in one state.
        admins = {(c.entry.country_code, c.entry.admin1) for c in candidates[key]}
        if entry.admin1 and (entry.feature_code == "ADM1" or len(admins) == 1):
            focus.admins[(key, entry.country_code, entry.admin1)] += weight
        if not ambiguous and entry.kind != "continent":
            focus.points.append((key, entry.lat, entry.lon, weight))
    return focus


def _containers(
    text: str,
    spans: Sequence[Span],
    candidates: dict[str, list[Candidate]],
    first: dict[str, Candidate],
) -> dict[str, set[tuple[str, str]]]:
    """ "X, Y" / "X in Y": span key → {(country, admin1)} of the container Y."""
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    ordered = sorted(spans, key=lambda s: s.start)
    for here, nxt in zip(ordered, ordered[1:], strict=False):
        if not text or not _PATTERN_AFTER.match(text[here.end : nxt.start]):
            continue
        key, container_key = normalize(here.name), normalize(nxt.name)
        for candidate in candidates.get(container_key, []):
            entry = candidate.entry
            if entry.kind in _CONTAINER_KINDS and key != container_key:
                admin = entry.admin1 if entry.kind == "admin" else ""
                found[key].add((entry.country_code, admin))
    return found


def _score(
    candidate: Candidate,
    key: str,
    focus: _Focus,
    containers: dict[str, set[tuple[str, str]]],
) -> float:
    entry = candidate.entry
    score = _prior(candidate)
    total = sum(focus.countries.values()) or 1.0
    if entry.country_code and entry.kind != "country":
        score += 0.5 * focus.countries.get(entry.country_code, 0.0) / total
    if entry.admin1:
        # Same state as the other places named: Gainesville beside Atlanta is in Georgia.
        votes = same = 0.0
        for (other, country, admin1), weight in focus.admins.items():
            if other != key:
                votes += weight
                same += weight if (country, admin1) == (entry.country_code, entry.admin1) else 0
        if votes:
            score += 0.5 * same / votes
    others = [point for point in focus.points if point[0] != key]  # never a vote for itself
    if others:
        nearby = sum(
            weight * math.exp(-distance_km(entry.lat, entry.lon, lat, lon) / 800.0)
            for _, lat, lon, weight in others
        )
        score += 0.6 * nearby / sum(weight for *_, weight in others)
    for country, admin in containers.get(key, ()):
        if entry.country_code == country and (not admin or entry.admin1 == admin):
            score += 1.5
    return score
