"""Fitting the score calibration: a logistic map from resolution features to P(right).

Why: a score is only useful to a journalist if 0.9 means "right nine times in ten". The
features (margin over the runner-up, kind of place, population, alternate name, common
word, local evidence, number of mentions) come from ``geo.places.calibration_features``;
"right" means the mention overlaps a gold toponym and lies within 161 km of its gold point
(a mention on no gold toponym is wrong). The fitted constants are pasted into
``geo.weights.Weights`` (``storymap evaluate CORPUS --fit-calibration`` prints them).
"""

from __future__ import annotations

from collections.abc import Sequence

from geo.evaluate import ACCURACY_KM, GoldDocument, _overlaps, great_circle_km
from geo.gazetteer import Gazetteer
from geo.model import Article
from geo.weights import COUNT_DEMONYMS, DEFAULT, Weights

FEATURES = (
    "margin", "log_margin", "country", "admin", "population", "alternate", "common_word",
    "local_evidence", "single_candidate", "mentions",
)  # fmt: skip


def samples(
    documents: Sequence[GoldDocument],
    gazetteer: Gazetteer,
    *,
    weights: Weights = DEFAULT,
    demonyms: bool = COUNT_DEMONYMS,
) -> list[tuple[dict[str, float], bool]]:
    """(features, right) for every resolved mention that says something about its score."""
    from geo.pipeline import geoparse_article

    found = []
    for document in documents:
        explain: dict[str, list] = {}
        geoparse_article(
            Article(id=document.id, text=document.text),
            gazetteer=gazetteer, demonyms=demonyms, weights=weights, explain=explain,
        )  # fmt: skip
        gold = [t for t in document.toponyms if t.scored]
        ignored = [t for t in document.toponyms if not t.scored]
        for record in explain.get("resolution", []):
            start, end = record["start"], record["end"]
            match = next((t for t in gold if _overlaps(start, end, t.start, t.end)), None)
            if match is None:
                if any(_overlaps(start, end, t.start, t.end) for t in ignored):
                    continue
                found.append((record["features"], False))
            elif match.lat is not None and match.lon is not None:
                best = record["candidates"][0]
                error = great_circle_km(match.lat, match.lon, best["lat"], best["lon"])
                found.append((record["features"], error <= ACCURACY_KM))
    return found


def fit(data: Sequence[tuple[dict[str, float], bool]], l2: float = 1.0) -> dict[str, float]:
    """L2-regularised logistic regression by Newton's method: Weights field → value."""
    import numpy as np

    x = np.array([[1.0, *(features[name] for name in FEATURES)] for features, _ in data])
    y = np.array([float(right) for _, right in data])
    beta = np.zeros(x.shape[1])
    penalty = np.eye(x.shape[1]) * l2
    penalty[0, 0] = 0.0  # the intercept is not shrunk
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(x @ beta)))
        gradient = x.T @ (p - y) + penalty @ beta
        hessian = (x * (p * (1 - p))[:, None]).T @ x + penalty
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    names = ["calibration_intercept", *(f"calibration_{name}" for name in FEATURES)]
    return {name: round(float(value), 4) for name, value in zip(names, beta, strict=True)}
