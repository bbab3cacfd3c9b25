"""Score the geoparser on gold corpora (GeoWebNews, LGL and others in the LGL schema).

Metrics follow Gritta et al., "A Pragmatic Guide to Geoparsing Evaluation" (2019):
recognition precision/recall/F1 (exact spans, and lenient: any overlap), resolution error
over the recognised gold toponyms (accuracy@161 km, mean and median km, AUC of the
log-error curve: 0 is perfect, 1 is as far away as possible), and end to end: the share
of all gold toponyms with coordinates that were recognised and placed within 161 km.
"""

from __future__ import annotations

import math
import re
import statistics
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from geo.model import Mention
from geo.places import distance_km

# GeoWebNews types that are toponyms; the *_Expression and Non_Toponym types are not scored.
GWN_TOPONYM_TYPES = frozenset(
    "Literal Metonymic Mixed Coercion Literal_Modifier Non_Literal_Modifier Embedded_Literal "
    "Embedded_Non_Lit Demonym Homonym Language".split()
)
ACCURACY_KM = 161.0
MAX_ERROR_KM = 20039.0  # half the Earth's circumference


@dataclass(frozen=True, slots=True)
class GoldToponym:
    start: int
    end: int
    name: str
    lat: float | None = None
    lon: float | None = None
    scored: bool = True  # False: a span predictions may overlap without counting either way
    type: str = ""


@dataclass(frozen=True, slots=True)
class GoldDocument:
    id: str
    text: str
    toponyms: tuple[GoldToponym, ...]


@dataclass(slots=True)
class EvaluationResult:
    documents: int = 0
    gold: int = 0
    predicted: int = 0
    exact_matches: int = 0
    lenient_gold_found: int = 0
    lenient_predicted_right: int = 0
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    lenient_precision: float = 0.0
    lenient_recall: float = 0.0
    lenient_f1: float = 0.0
    resolved: int = 0
    accuracy_161: float = 0.0
    mean_error_km: float = 0.0
    median_error_km: float = 0.0
    auc: float = 0.0
    gold_with_coordinates: int = 0
    end_to_end_161: float = 0.0
    seconds: float = 0.0
    documents_per_second: float = 0.0
    repaired_offsets: int = 0
    dropped_offsets: int = 0
    recall_by_type: dict[str, float] = field(default_factory=dict)
    # Calibration: is a mention's score the probability that it is a place placed right?
    calibration_error: float = 0.0  # expected calibration error over 10 equal-width bins
    reliability: list[dict[str, float]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


# -- reading corpora ----------------------------------------------------------------------
CORPUS_FORMATS = ("lgl", "gwn")  # LGL and GeoWebNews XML (storymap evaluate --format)


class CorpusError(Exception):
    """A corpus file that cannot be read; the message names the file."""


def detect_format(root: ET.Element) -> str:
    article = root.find("article")
    if article is not None and article.get("docid") is not None:
        return "lgl"
    if article is not None and article.find("toponyms/toponym/extractedName") is not None:
        return "gwn"
    return "lgl" if root.find(".//gaztag") is not None else "gwn"


def read_corpus(path: Path, fmt: str | None = None) -> tuple[list[GoldDocument], Counter[str]]:
    """Gold documents, and counts of gold offsets that had to be repaired or dropped."""
    if fmt is not None and fmt not in CORPUS_FORMATS:
        raise CorpusError(f"unknown corpus format {fmt!r}; choose from {', '.join(CORPUS_FORMATS)}")
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as error:
        raise CorpusError(f"{path}: cannot be read as corpus XML ({error})") from error
    fmt = fmt or detect_format(root)
    stats: Counter[str] = Counter()
    documents = []
    for number, article in enumerate(root.iter("article")):
        text = article.findtext("text") or ""
        doc_id = article.get("docid") or article.get("file") or str(number)
        toponyms = []
        for node in article.iter("toponym"):
            toponym = _read_toponym(node, fmt)
            if toponym is None:
                continue
            fixed = _repair(text, toponym)
            if fixed is None:
                stats["dropped"] += 1
                continue
            if fixed is not toponym:
                stats["repaired"] += 1
            toponyms.append(fixed)
        documents.append(GoldDocument(doc_id, text, tuple(toponyms)))
    return documents, stats


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def _read_toponym(node: ET.Element, fmt: str) -> GoldToponym | None:
    start, end = node.findtext("start"), node.findtext("end")
    if start is None or end is None:
        return None
    if fmt == "gwn":
        kind = node.findtext("type") or ""
        return GoldToponym(
            start=int(start),
            end=int(end),
            name=node.findtext("extractedName") or "",
            lat=_number(node.findtext("latitude")),
            lon=_number(node.findtext("longitude")),
            scored=kind in GWN_TOPONYM_TYPES,
            type=kind,
        )
    return GoldToponym(
        start=int(start),
        end=int(end),
        name=node.findtext("phrase") or "",
        lat=_number(node.findtext("gaztag/lat")),
        lon=_number(node.findtext("gaztag/lon")),
        type=node.findtext("gaztag/fclass") or "",
    )


def _repair(text: str, toponym: GoldToponym) -> GoldToponym | None:
    """Gold offsets that do not point at the name are moved to the nearest occurrence."""
    if not toponym.name or text[toponym.start : toponym.end] == toponym.name:
        return toponym
    best = None
    at = text.find(toponym.name)
    while at != -1:
        if best is None or abs(at - toponym.start) < abs(best - toponym.start):
            best = at
        at = text.find(toponym.name, at + 1)
    if best is None or abs(best - toponym.start) > 200:
        return None
    return GoldToponym(
        best, best + len(toponym.name), toponym.name, toponym.lat, toponym.lon,
        toponym.scored, toponym.type,
    )  # fmt: skip


# -- metrics ------------------------------------------------------------------------------
great_circle_km = distance_km  # one haversine, one Earth radius (geo.places)


def auc_of_errors(errors_km: Sequence[float]) -> float:
    """Area under the curve of sorted log(1 + error) / log(1 + 20039): 0 best, 1 worst."""
    if not errors_km:
        return 0.0
    top = math.log(1 + MAX_ERROR_KM)
    scaled = sorted(min(1.0, math.log(1 + e) / top) for e in errors_km)
    if len(scaled) == 1:
        return scaled[0]
    # Trapezoids over evenly spaced x from 0 to 1.
    step = 1 / (len(scaled) - 1)
    return sum((a + b) / 2 * step for a, b in zip(scaled, scaled[1:], strict=False))


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


@dataclass(slots=True)
class _Tally:
    """What the documents add up to before the ratios are taken."""

    outcomes: list[tuple[float, bool]] = field(default_factory=list)
    errors: list[float] = field(default_factory=list)
    placed_right: int = 0
    found_by_type: Counter[str] = field(default_factory=Counter)
    total_by_type: Counter[str] = field(default_factory=Counter)


def evaluate(
    documents: Sequence[GoldDocument],
    geoparse: Callable[[str], list[Mention]],
    *,
    progress: bool = True,
) -> EvaluationResult:
    """Run ``geoparse`` on every document and score it against the gold toponyms."""
    from tqdm import tqdm

    result, tally = EvaluationResult(documents=len(documents)), _Tally()
    started = time.perf_counter()
    for document in tqdm(documents, desc="evaluating", unit="doc", disable=not progress):
        _score_document(document, geoparse(document.text), result, tally)
    result.seconds = round(time.perf_counter() - started, 3)
    result.documents_per_second = round(len(documents) / result.seconds, 2) if result.seconds else 0
    _finish(result, tally)
    return result


def _score_document(
    document: GoldDocument, predictions: list[Mention], result: EvaluationResult, tally: _Tally
) -> None:
    """Count one document: exact and lenient matches, and the distance of each placed one.

    Predictions inside a gold span the corpus does not score (``ignored``) count neither
    for nor against, unless they also overlap a scored toponym.
    """
    gold = [t for t in document.toponyms if t.scored]
    ignored = [t for t in document.toponyms if not t.scored]
    counted = [
        p
        for p in predictions
        if not any(_overlaps(p.start, p.end, t.start, t.end) for t in ignored)
        or any(_overlaps(p.start, p.end, t.start, t.end) for t in gold)
    ]
    result.gold += len(gold)
    result.predicted += len(counted)
    tally.outcomes.extend(prediction_outcomes(counted, gold))
    spans = {(p.start, p.end) for p in counted}
    result.exact_matches += sum((t.start, t.end) in spans for t in gold)
    result.lenient_predicted_right += sum(
        any(_overlaps(p.start, p.end, t.start, t.end) for t in gold) for p in counted
    )
    for toponym in gold:
        tally.total_by_type[toponym.type] += 1
        match = next(
            (p for p in counted if _overlaps(p.start, p.end, toponym.start, toponym.end)), None
        )
        if match is None:
            if toponym.lat is not None:
                result.gold_with_coordinates += 1
            continue
        result.lenient_gold_found += 1
        tally.found_by_type[toponym.type] += 1
        if toponym.lat is None or toponym.lon is None:
            continue
        result.gold_with_coordinates += 1
        error = great_circle_km(toponym.lat, toponym.lon, match.lat, match.lon)
        tally.errors.append(error)
        tally.placed_right += error <= ACCURACY_KM


def _finish(result: EvaluationResult, tally: _Tally) -> None:
    """Ratios, distances and calibration from the counts, rounded to four places."""
    result.precision = result.exact_matches / result.predicted if result.predicted else 0.0
    result.recall = result.exact_matches / result.gold if result.gold else 0.0
    result.f1 = _f1(result.precision, result.recall)
    result.lenient_precision = (
        result.lenient_predicted_right / result.predicted if result.predicted else 0.0
    )
    result.lenient_recall = result.lenient_gold_found / result.gold if result.gold else 0.0
    result.lenient_f1 = _f1(result.lenient_precision, result.lenient_recall)
    result.resolved = len(tally.errors)
    if tally.errors:
        result.accuracy_161 = tally.placed_right / len(tally.errors)
        result.mean_error_km = statistics.fmean(tally.errors)
        result.median_error_km = statistics.median(tally.errors)
        result.auc = auc_of_errors(tally.errors)
    if result.gold_with_coordinates:
        result.end_to_end_161 = tally.placed_right / result.gold_with_coordinates
    result.calibration_error, result.reliability = calibration(tally.outcomes)
    result.recall_by_type = {
        kind: round(tally.found_by_type[kind] / total, 4)
        for kind, total in sorted(tally.total_by_type.items())
        if kind
    }
    for name in (
        "precision", "recall", "f1", "lenient_precision", "lenient_recall", "lenient_f1",
        "accuracy_161", "mean_error_km", "median_error_km", "auc", "end_to_end_161",
    ):  # fmt: skip
        setattr(result, name, round(getattr(result, name), 4))


def prediction_outcomes(
    predictions: Sequence[Mention], gold: Sequence[GoldToponym]
) -> list[tuple[float, bool]]:
    """(score, right) per prediction: right when it overlaps a gold toponym placed within
    161 km of the gold point; wrong when it overlaps none or lies farther. Predictions on
    gold toponyms without coordinates say nothing about the score and are left out."""
    found = []
    for prediction in predictions:
        match = next(
            (t for t in gold if _overlaps(prediction.start, prediction.end, t.start, t.end)), None
        )
        if match is None:
            found.append((prediction.score, False))
        elif match.lat is not None and match.lon is not None:
            error = great_circle_km(match.lat, match.lon, prediction.lat, prediction.lon)
            found.append((prediction.score, error <= ACCURACY_KM))
    return found


def calibration(
    outcomes: Sequence[tuple[float, bool]], bins: int = 10
) -> tuple[float, list[dict[str, float]]]:
    """Expected calibration error and the reliability table (equal-width score bins).

    ECE = Σ over bins of (share of predictions in the bin) × |mean score − share right|.
    """
    table = []
    total = len(outcomes)
    error = 0.0
    for index in range(bins):
        low, high = index / bins, (index + 1) / bins
        inside = [
            (score, right)
            for score, right in outcomes
            if low <= score < high or (index == bins - 1 and score == 1.0)
        ]
        if not inside:
            continue
        mean_score = sum(score for score, _ in inside) / len(inside)
        accuracy = sum(right for _, right in inside) / len(inside)
        error += len(inside) / total * abs(mean_score - accuracy)
        table.append(
            {"low": low, "high": high, "count": len(inside),
             "mean_score": round(mean_score, 4), "accuracy": round(accuracy, 4)}
        )  # fmt: skip
    return round(error, 4), table


# -- annotated folders ----------------------------------------------------------------------
_MARKUP = re.compile(r"\[\[([^\[\]|]+?)(?:\|\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*)?\]\]")


def parse_annotated(text: str, doc_id: str = "") -> GoldDocument:
    """``[[Paris|48.85,2.35]]`` marks a toponym and its gold point; ``[[Name]]`` a toponym
    without coordinates (counted for recognition only). The markup is removed from the text
    the geoparser sees; offsets point into that clean text."""
    clean: list[str] = []
    toponyms = []
    cursor = length = 0
    for match in _MARKUP.finditer(text):
        before = text[cursor : match.start()]
        clean.append(before)
        length += len(before)
        name = match.group(1)
        lat = float(match.group(2)) if match.group(2) else None
        lon = float(match.group(3)) if match.group(3) else None
        toponyms.append(GoldToponym(length, length + len(name), name, lat, lon))
        clean.append(name)
        length += len(name)
        cursor = match.end()
    clean.append(text[cursor:])
    return GoldDocument(doc_id, "".join(clean), tuple(toponyms))


def read_annotated_folder(folder: Path) -> list[GoldDocument]:
    """Every ``*.txt`` file of ``folder`` (sorted by name), in the inline markup above."""
    files = sorted(folder.glob("*.txt"))
    if not files:
        raise CorpusError(f"{folder}: no annotated .txt article in this folder")
    documents = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CorpusError(f"{path}: cannot be read as UTF-8 text ({error})") from error
        documents.append(parse_annotated(text, path.stem))
    if not any(document.toponyms for document in documents):  # plain articles, not a gold set
        raise CorpusError(
            f"{folder}: no article marks a place; mark them as [[Paris|48.85,2.35]] or [[Paris]]"
        )
    return documents


def format_table(result: EvaluationResult, corpus: str) -> str:
    rows = [
        ("documents", result.documents),
        ("gold toponyms / predicted", f"{result.gold} / {result.predicted}"),
        ("recognition P / R / F1 (exact)",
         f"{result.precision:.3f} / {result.recall:.3f} / {result.f1:.3f}"),
        ("recognition P / R / F1 (overlap)",
         f"{result.lenient_precision:.3f} / {result.lenient_recall:.3f} / "
         f"{result.lenient_f1:.3f}"),
        ("resolution accuracy@161 km", f"{result.accuracy_161:.3f} (of {result.resolved})"),
        ("mean / median error km", f"{result.mean_error_km:.0f} / {result.median_error_km:.0f}"),
        ("AUC (lower is better)", f"{result.auc:.3f}"),
        ("end-to-end accuracy@161 km",
         f"{result.end_to_end_161:.3f} (of {result.gold_with_coordinates})"),
        ("speed", f"{result.documents_per_second:.1f} documents/s"),
    ]  # fmt: skip
    rows.append(("calibration error (ECE, 10 bins)", f"{result.calibration_error:.3f}"))
    width = max(len(label) for label, _ in rows)
    lines = [f"{corpus}"] + [f"  {label:<{width}}  {value}" for label, value in rows]
    if result.reliability:
        lines.append("  reliability (score bin: predictions, mean score, share right):")
        for row in result.reliability:
            lines.append(
                f"    {row['low']:.1f}-{row['high']:.1f}  {row['count']:>6}  "
                f"{row['mean_score']:.3f}  {row['accuracy']:.3f}"
            )
    if result.recall_by_type and len(result.recall_by_type) > 1:
        lines.append("  recall by gold type (overlap):")
        for kind, value in result.recall_by_type.items():
            lines.append(f"    {kind:<22} {value:.3f}")
    return "\n".join(lines)
