"""Corrections a journalist makes to a reviewed story, applied after resolution.

``layers/corrections.yaml`` lists fixes that survive rebuilds::

    corrections:
      - name: Paris              # as written in the article (case and accents folded)
        article: 003_paris-fair  # optional: only in this article (its file stem)
        gazetteer_id: geonames:4717560
      - name: Camp Lemonnier
        lat: 11.547
        lon: 43.159
      - name: Drone
        reject: true

A pin moves every matching mention to the gazetteer entry or the coordinates, and also
adds mentions where the name is written but was not recognised; a rejection removes the
matching mentions. The file is validated with pydantic; errors are one line naming the
file, the entry and the field. The build reports which corrections were used and which
matched nothing (a typo, or an article that changed).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from geo.gazetteer import Gazetteer, normalize
from geo.layer_schema import first_problem, read_yaml
from geo.model import Article, LayerError, Mention, counted

FILE_NAME = "corrections.yaml"
# Characters PyYAML refuses in a document or reads as line breaks, even inside quotes
# (C0/C1 controls, NEL, U+2028/2029, lone surrogates, U+FEFF, U+FFFE/FFFF): written as
# \uXXXX escapes. Everything else, accents included, stays readable.
_NOT_YAML_TEXT = re.compile(
    "[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)


class CorrectionError(Exception):
    """A corrections file that cannot be used; the message names the file and the field."""


class Correction(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    article: str | None = None
    gazetteer_id: str | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    reject: bool = False

    @model_validator(mode="after")
    def _one_action(self) -> Correction:
        pins = [self.gazetteer_id is not None, self.lat is not None or self.lon is not None]
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon go together")
        if sum(pins) + self.reject != 1:
            raise ValueError("give exactly one of gazetteer_id, lat/lon or reject: true")
        return self

    def matches(self, article: str, text: str) -> bool:
        return (self.article is None or self.article == article) and normalize(text) == normalize(
            self.name
        )


class CorrectionsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    corrections: list[Correction] = Field(default_factory=list)


@dataclass(slots=True)
class CorrectionReport:
    used: list[tuple[Correction, int]] = field(default_factory=list)  # (correction, mentions)
    unmatched: list[Correction] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"correction used ({counted(count, 'mention')}): {_describe(c)}"
            for c, count in self.used
        ]
        out += [f"correction matched nothing: {_describe(c)}" for c in self.unmatched]
        return out


def _describe(correction: Correction) -> str:
    where = f" in {correction.article}" if correction.article else ""
    if correction.reject:
        action = "reject"
    elif correction.gazetteer_id:
        action = f"→ {correction.gazetteer_id}"
    else:
        action = f"→ {correction.lat}, {correction.lon}"
    return f"{correction.name!r}{where} {action}"


def entry_line(correction: Correction) -> str:
    """``correction`` as one line of ``corrections.yaml``, to paste under ``corrections:``.

    The map page offers these lines ("Use this", "Not a place") for a reviewer to copy;
    ``load_corrections`` reads them back as the same ``Correction`` whatever the name holds
    (quotes, colons, ``#``, markup, line breaks), because every string is double-quoted.
    """
    fields = [f"name: {_quoted(correction.name)}"]
    if correction.article is not None:
        fields.append(f"article: {_quoted(correction.article)}")
    if correction.gazetteer_id is not None:
        fields.append(f"gazetteer_id: {_quoted(correction.gazetteer_id)}")
    elif correction.lat is not None and correction.lon is not None:
        fields += [f"lat: {correction.lat:.6f}", f"lon: {correction.lon:.6f}"]
    else:
        fields.append("reject: true")
    return "  - {" + ", ".join(fields) + "}"


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar: JSON's escapes, which YAML shares, plus ``\\uXXXX`` for
    what YAML cannot hold raw."""
    body = json.dumps(text, ensure_ascii=False)
    return _NOT_YAML_TEXT.sub(lambda match: f"\\u{ord(match.group()):04x}", body)


def load_corrections(path: Path) -> list[Correction]:
    """The corrections of ``path``; none when the file does not exist.

    Read like the layer definitions (size-, alias- and depth-bounded YAML, errors with a
    line number). An empty ``corrections:`` is no corrections, and lines pasted from the
    page without that heading (a bare list) are read as the list.
    """
    if not path.exists():
        return []
    try:
        data = read_yaml(path)
    except LayerError as error:
        raise CorrectionError(str(error)) from None
    if isinstance(data, list):
        data = {"corrections": data}
    elif isinstance(data, dict) and data.get("corrections") is None:
        data = {**data, "corrections": []}
    try:
        corrections = CorrectionsFile.model_validate(data or {}).corrections
    except ValidationError as error:
        problem = first_problem(error, Correction.model_fields)
        raise CorrectionError(f"{path}: {problem}") from None
    _refuse_contradictions(path, corrections)
    return corrections


def _refuse_contradictions(path: Path, corrections: Sequence[Correction]) -> None:
    """Two entries for the same name in the same articles that say different things: the
    build cannot know which one the reviewer meant."""
    seen: dict[tuple[str, str | None], int] = {}
    for number, correction in enumerate(corrections):
        key = (normalize(correction.name), correction.article)
        if key in seen and corrections[seen[key]] != correction:
            where = f"in {correction.article}" if correction.article else "in every article"
            raise CorrectionError(
                f"{path}: corrections[{seen[key]}] and corrections[{number}] both correct "
                f"{correction.name!r} {where}, differently; keep one"
            )
        seen.setdefault(key, number)


def apply_corrections(
    mentions: Sequence[Mention],
    articles: Sequence[Article],
    corrections: Sequence[Correction],
    gazetteer: Gazetteer,
) -> tuple[list[Mention], CorrectionReport]:
    """Mentions with the corrections applied (article, then offset order) and a report."""
    targets = _targets(corrections, gazetteer)
    result, counts = _corrected(mentions, corrections, targets)
    added, added_counts = _pinned_unrecognised(mentions, articles, corrections, targets)
    result += added
    counts += added_counts
    report = CorrectionReport()
    for number, correction in enumerate(corrections):
        if counts[number]:
            report.used.append((correction, counts[number]))
        else:
            report.unmatched.append(correction)
    result.sort(key=lambda m: (m.article, m.start))
    return result, report


def _targets(corrections: Sequence[Correction], gazetteer: Gazetteer) -> dict[int, Mention]:
    """Where each pin (by its number in the file) puts a mention; rejections have none."""
    targets: dict[int, Mention] = {}
    for number, correction in enumerate(corrections):
        if correction.gazetteer_id is not None:
            entry = gazetteer.get(correction.gazetteer_id)
            if entry is None:
                raise CorrectionError(
                    f"corrections[{number}].gazetteer_id: {correction.gazetteer_id!r} is not "
                    "in the gazetteer (storymap gazetteer lookup NAME lists ids)"
                )
            targets[number] = Mention(
                "", 0, 0, "", entry.name, entry.lat, entry.lon, entry.kind,
                entry.country_code, entry.id, 1.0,
            )  # fmt: skip
        elif correction.lat is not None and correction.lon is not None:
            slug = re.sub(r"[^a-z0-9]+", "-", normalize(correction.name)).strip("-")
            targets[number] = Mention(
                "", 0, 0, "", correction.name, correction.lat, correction.lon, "site", "",
                f"correction:{slug}", 1.0,
            )  # fmt: skip
    return targets


def _corrected(
    mentions: Sequence[Mention],
    corrections: Sequence[Correction],
    targets: dict[int, Mention],
) -> tuple[list[Mention], Counter[int]]:
    """The recognised mentions, moved by their pin or dropped by their rejection, and how
    many each correction (by number) matched."""
    counts: Counter[int] = Counter()
    result: list[Mention] = []
    for mention in mentions:
        matched = _first_match(corrections, mention.article, mention.text)
        if matched is None:
            result.append(mention)
            continue
        counts[matched] += 1
        if corrections[matched].reject:
            continue
        result.append(_moved(mention, targets[matched]))
    return result, counts


def _pinned_unrecognised(
    mentions: Sequence[Mention],
    articles: Sequence[Article],
    corrections: Sequence[Correction],
    targets: dict[int, Mention],
) -> tuple[list[Mention], Counter[int]]:
    """Pins also place the name where the recogniser missed it: every whole-word match
    that overlaps no recognised (or already added) mention; and how many each pin added."""
    counts: Counter[int] = Counter()
    taken: dict[str, list[tuple[int, int]]] = {}
    for mention in mentions:
        taken.setdefault(mention.article, []).append((mention.start, mention.end))
    added: list[Mention] = []
    for article in articles:
        for number, correction in enumerate(corrections):
            if number not in targets or correction.article not in (None, article.id):
                continue
            pattern = re.compile(rf"(?<!\w){re.escape(correction.name)}(?!\w)", re.IGNORECASE)
            for match in pattern.finditer(article.text):
                spans = taken.setdefault(article.id, [])
                if any(start < match.end() and match.start() < end for start, end in spans):
                    continue
                spans.append(match.span())
                counts[number] += 1
                added.append(dataclasses.replace(
                    targets[number], article=article.id, start=match.start(), end=match.end(),
                    text=match.group(),
                ))  # fmt: skip
    return added, counts


def _first_match(corrections: Sequence[Correction], article: str, text: str) -> int | None:
    """Article-specific corrections win over the ones for every article."""
    general = None
    for number, correction in enumerate(corrections):
        if correction.matches(article, text):
            if correction.article is not None:
                return number
            general = number if general is None else general
    return general


def _moved(mention: Mention, target: Mention) -> Mention:
    return dataclasses.replace(
        mention, name=target.name, lat=target.lat, lon=target.lon, kind=target.kind,
        country_code=target.country_code, gazetteer_id=target.gazetteer_id, score=1.0,
        alternatives=(), demonym=False,  # a reviewer's pin names the place: it is pinned
    )  # fmt: skip
