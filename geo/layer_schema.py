"""The schema of a story definition (``layers/**/*.yaml``), checked field by field.

A definition is curated by hand and may be edited by anyone who sends a pull request,
so it is read like untrusted input: a bounded file, YAML without aliases or deep
nesting (a "billion laughs" file is refused at its first alias), and every field typed
and ranged by pydantic. A bad file gives one line naming the file, the field (as
``waypoints[2].lat``) and the reason.

Lists are lists: ``aliases: Baku`` is refused with a hint, not read as B, a, k, u.
"""

from __future__ import annotations

import datetime
import difflib
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from geo.model import LayerError

MAX_FILE_BYTES = 1 << 20  # 1 MiB: the largest definition today is 2 KB
MAX_DEPTH = 10  # mapping/list nesting; a definition needs 4 (polygon → ring → pair)
MAX_AREA_KM2 = 2e7  # a circle this large already spans a continent
MAX_NAME_CHARS = 200
MAX_TEXT_CHARS = 10_000
PlaceKind = Literal[
    "country", "admin", "city", "region", "water", "landform", "site", "continent", "corridor"
]

# A name someone could write in an article: not blank, at least one letter or digit.
Name = Annotated[
    str, StringConstraints(strict=True, min_length=1, max_length=MAX_NAME_CHARS, pattern=r"[^\W_]")
]
Identifier = Annotated[
    str,
    StringConstraints(strict=True, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$"),
]
Text = Annotated[str, StringConstraints(strict=True, max_length=MAX_TEXT_CHARS)]
Latitude = Annotated[float, Field(strict=True, ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(strict=True, ge=-180, le=180, allow_inf_nan=False)]
Area = Annotated[float, Field(strict=True, gt=0, le=MAX_AREA_KM2, allow_inf_nan=False)]
DateText = Annotated[str, StringConstraints(max_length=40)]


class _Strict(BaseModel):
    """Unknown keys are typos (``centre``, ``lng``): refused rather than silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, regex_engine="python-re")


class Source(_Strict):
    publication: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=500)]
    date: DateText | None = None
    url: Annotated[str, StringConstraints(strict=True, max_length=2000)] | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return _date_text(value)


class Waypoint(_Strict):
    """``Baku`` or ``{name: Astara, country: IR, sea: true}`` or ``{name, lat, lon}``."""

    name: Name
    country: Annotated[str, StringConstraints(strict=True, pattern=r"^[A-Z]{2}$")] | None = None
    kind: PlaceKind | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    sea: StrictBool = False

    @model_validator(mode="before")
    @classmethod
    def _from_name(cls, value: Any) -> Any:
        return {"name": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _both_coordinates(self) -> Waypoint:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        return self


class Center(_Strict):
    lat: Latitude
    lon: Longitude


class _Definition(_Strict):
    id: Identifier
    name: Name
    aliases: Annotated[list[Name], Field(max_length=100)] = []
    start_date: DateText | None = None
    description: Text | None = None
    sources: Annotated[list[Source], Field(min_length=1, max_length=100)]

    @field_validator("aliases", "sources", mode="before")
    @classmethod
    def _a_list(cls, value: Any) -> Any:
        if isinstance(value, str | dict):
            raise ValueError(f"must be a list (write [{value}] for one item)")
        return [] if value is None else value

    @field_validator("start_date", "end_date", mode="before", check_fields=False)
    @classmethod
    def _dates(cls, value: Any) -> Any:
        return _date_text(value)


class CorridorDefinition(_Definition):
    kind: Literal["corridor"]
    waypoints: Annotated[list[Waypoint], Field(min_length=2, max_length=1000)]

    @field_validator("waypoints", mode="before")
    @classmethod
    def _waypoint_list(cls, value: Any) -> Any:
        if isinstance(value, str | dict):
            raise ValueError("must be a list of at least two waypoints")
        return value


class ConflictDefinition(_Definition):
    """An area: ``polygon`` (an exterior ring of [lon, lat]), or ``center`` and ``area_km2``."""

    kind: Literal["conflict"]
    end_date: DateText | None = None
    approximate: StrictBool = False
    polygon: (
        Annotated[list[tuple[Longitude, Latitude]], Field(min_length=3, max_length=10_000)] | None
    ) = None
    center: Center | None = None
    area_km2: Area | None = None

    @model_validator(mode="after")
    def _one_shape(self) -> ConflictDefinition:
        if self.polygon is None and (self.center is None or self.area_km2 is None):
            raise ValueError("a conflict needs a polygon, or a center and an area_km2")
        if self.polygon is not None and (self.center is not None or self.area_km2 is not None):
            raise ValueError("give a polygon, or a center and an area_km2, not both")
        return self


Definition = CorridorDefinition | ConflictDefinition
_MODELS: dict[str, type[_Definition]] = {
    "corridor": CorridorDefinition,
    "conflict": ConflictDefinition,
}


def _date_text(value: Any) -> Any:
    """YAML reads an unquoted 2024-08-06 as a date; the layer keeps it as text."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value == "":
        return None
    return value


# -- reading ------------------------------------------------------------------------------
class _Refused(yaml.YAMLError):
    """YAML a definition may not use, with the field where it was found."""

    def __init__(self, field: str, reason: str, mark: Any) -> None:
        super().__init__(reason)
        self.field, self.reason, self.mark = field, reason, mark


class _BoundedLoader(yaml.SafeLoader):
    """Safe YAML without aliases and with bounded nesting.

    Aliases are what a "billion laughs" file multiplies; a definition never needs one,
    so the first alias stops the load. PyYAML composes nodes recursively, so nesting is
    bounded too (5,000 levels would otherwise end in RecursionError). The loader keeps
    the path of the node it is composing, so a refusal names the field.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._path: list[str] = []

    def compose_node(self, parent: Any, index: Any) -> Any:
        if isinstance(index, yaml.ScalarNode):  # the value of a mapping key
            step = f".{index.value}" if any(self._path) else str(index.value)
        elif isinstance(index, int):  # an item of a sequence
            step = f"[{index}]"
        else:  # the document root or a mapping key
            step = ""
        self._path.append(step)
        try:
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent):
                self._refuse("aliases (*name) are not allowed in a layer definition", event)
            if len(self._path) > MAX_DEPTH:
                self._refuse(f"nesting deeper than {MAX_DEPTH} levels", event)
            return super().compose_node(parent, index)
        finally:
            self._path.pop()

    def _refuse(self, reason: str, event: Any) -> None:
        raise _Refused("".join(self._path)[:200], reason, event.start_mark)


def read_yaml(path: Path) -> Any:
    """The YAML document in ``path``, size-, alias- and depth-bounded."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise LayerError(path, "is not a regular file")
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise LayerError(path, f"is larger than {MAX_FILE_BYTES // 1024} KiB")
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise LayerError(path, f"cannot be read: {error}") from error
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    except _Refused as error:
        where = f" (line {error.mark.line + 1})" if error.mark is not None else ""
        raise LayerError(path, f"{error.field or 'document'}: {error.reason}{where}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(error, "problem", None) or error
        raise LayerError(path, f"is not valid YAML{where}: {problem}") from None
    except (ValueError, OverflowError) as error:  # e.g. an integer of 5,000 digits
        raise LayerError(path, f"is not valid YAML: {error}") from None
    finally:
        loader.dispose()


def parse_definition(path: Path, data: Any) -> Definition:
    """A checked definition, or ``LayerError`` naming the file, the field and the reason."""
    if not isinstance(data, dict):
        raise LayerError(path, "must be a YAML mapping with kind, id, name, …")
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in _MODELS:
        raise LayerError(path, f"kind: must be 'corridor' or 'conflict', not {_shown(kind)}")
    try:
        return _MODELS[kind].model_validate(data)  # type: ignore[return-value]
    except ValidationError as error:
        raise LayerError(path, first_problem(error, _MODELS[kind].model_fields)) from None


def load_definition(path: Path) -> Definition:
    """Read and check one definition file."""
    return parse_definition(path, read_yaml(path))


def first_problem(error: ValidationError, fields: Iterable[str] = ()) -> str:
    """The problem to fix first, in one line. A misspelt field ("nam:", "centre:") is named
    before the field it left missing, with the known field it looks like."""
    problems = sorted(error.errors(include_url=False), key=lambda p: p["type"] != "extra_forbidden")
    first = problems[0]
    field = _field_path(first["loc"])
    reason = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        reason = "is not a known field" + _did_you_mean(first, problems, fields)
    elif first["type"] not in ("missing", "value_error") and "input" in first:
        reason += f" (got {_shown(first['input'])})"
    more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
    return f"{field}: {reason}{more}" if field else f"{reason}{more}"


def _did_you_mean(extra: Any, problems: list[Any], fields: Iterable[str]) -> str:
    """A known or missing field spelt like the unknown one: "nam" → "name"."""
    missing = [str(p["loc"][-1]) for p in problems if p["type"] == "missing" and p["loc"]]
    close = difflib.get_close_matches(str(extra["loc"][-1]), [*missing, *fields], n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _field_path(loc: tuple[int | str, ...]) -> str:
    """``('waypoints', 2, 'lat')`` → ``waypoints[2].lat``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
