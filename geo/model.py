"""Plain data that flows through the pipeline: articles → passages → mentions → places.

Every offset is a Python string index into ``Article.text``: the article file decoded as
UTF-8 (a leading BOM removed, line endings untouched), so ``text[start:end]`` is exactly
the quoted text. Nothing here knows about files, HTML or geometry.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Article:
    """One input file, decoded. ``id`` is the file stem and names the article everywhere."""

    id: str
    text: str
    path: Path | None = None


@dataclass(frozen=True, slots=True)
class Passage:
    """A sentence or paragraph of an article worth quoting (noise is never a passage)."""

    article: str
    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Span:
    """A recognised place name, not yet resolved.

    ``name`` is the form looked up in the gazetteer (possessive stripped, variants kept),
    ``text`` is exactly ``article.text[start:end]``.
    """

    start: int
    end: int
    text: str
    name: str
    demonym: bool = False  # "Russians": the people or adjective of ``name``, not its name


@dataclass(frozen=True, slots=True)
class Entry:
    """One gazetteer record. ``id`` is namespaced: ``geonames:524901``, ``curated:caspian-sea``."""

    id: str
    name: str
    lat: float
    lon: float
    kind: str  # country, admin, city, region, water, landform, site, continent, corridor
    country_code: str = ""  # ISO 3166-1 alpha-2, "" when none (seas, continents)
    admin1: str = ""
    population: int = 0
    feature_code: str = ""


@dataclass(frozen=True, slots=True)
class Mention:
    """A resolved place mention: where it is in the article and where it is on Earth."""

    article: str
    start: int
    end: int
    text: str
    name: str
    lat: float
    lon: float
    kind: str
    country_code: str
    gazetteer_id: str
    score: float
    # The next most likely places: dicts with name, country_code, lat, lon, score and
    # gazetteer_id, best first (filled by geo.places.resolve).
    alternatives: tuple[dict[str, object], ...] = ()
    # Found as a demonym ("Russian"): a source about the place, not a naming of it; the map
    # pins only named places (geo.frames.named_places).
    demonym: bool = False


@dataclass(frozen=True, slots=True)
class Quote:
    """Where a layer feature is named: the exact words, and the passage they sit in.

    ``passage`` is the :class:`Passage` ``index`` within ``article`` (``None`` when the
    words lie in no passage). Layers store each passage's text once and quotes refer to
    it by index, so output grows with the input, not with mentions × passage length.
    """

    article: str
    start: int
    end: int
    text: str
    passage: int | None

    def as_dict(self) -> dict[str, object]:
        return {
            "article": self.article,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "passage": self.passage,
        }


def counted(count: int, noun: str) -> str:
    """``1 article``, ``2 articles``: for messages a reader reads."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


class LayerError(Exception):
    """A story definition or layer that cannot be built; names the file, field and reason."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}".translate(_ONE_LINE))
        self.path = Path(path)
        self.reason = reason


# Line breaks from a file name or a YAML key are shown escaped: an error is one line.
_ONE_LINE = {ord(c): repr(c)[1:-1] for c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"}


class InputError(Exception):
    """An input file that could not be used, with the reason a user can act on.

    Raised by the reader (``geo.articles.read_article``) and collected, as a value, by
    everything that reads many files and goes on past a bad one.
    """

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(path, reason)  # args, so that workers can pickle it back
        self.path = Path(path)
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, InputError):
            return NotImplemented
        return (self.path, self.reason) == (other.path, other.reason)

    def __hash__(self) -> int:
        return hash((self.path, self.reason))
