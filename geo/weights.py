"""Every weight and threshold of the geoparser, in one frozen dataclass.

Why one place: recognition and resolution are rules whose strengths are numbers; keeping
the numbers together makes them visible, documented and sweepable
(``storymap evaluate CORPUS --weights nearby=0.8,container=2``). ``Weights()`` is what the
tool ships; nothing here was fitted to one corpus' gold except the calibration constants,
whose provenance is written beside them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# Demonyms and adjectives ("Russian officials", "Sri Lankans") count as mentions of their
# place unless a caller turns them off (``--no-demonyms``). Why on: the gold corpora this
# tool is measured on (GeoWebNews, LGL) annotate them as toponyms, and a passage about
# "Russian forces" is a source about Russia. The map pins only places the articles *name*
# (``geo.frames.named_places``); a demonym adds its passage to a named place's pin.
COUNT_DEMONYMS = True


@dataclass(frozen=True, slots=True)
class Weights:
    # -- recognition: word knowledge ----------------------------------------------------
    common_word_zipf: float = 4.3  # "Reading", "Nice": needs a locative cue or a big place
    very_common_word_zipf: float = 5.3  # "Man", "Well": only countries, states, curated
    english_word_zipf: float = 3.0  # a capitalised word this common is a word, not a surname
    alternate_word_zipf: float = 3.5  # an alternate name this common is a word ("Drone")
    well_known_population: int = 100_000  # a city this big keeps a common-word name
    known_alternate_population: int = 1_000_000  # "Bombay": alternates of big cities count

    # -- resolution: prior (what kind of place, how many people) -------------------------
    prior_country: float = 1.6
    prior_continent: float = 1.0
    prior_region: float = 0.95
    prior_water: float = 0.95
    prior_landform: float = 0.9
    prior_corridor: float = 0.9
    prior_site: float = 0.7
    prior_adm1: float = 0.95
    prior_admin_other: float = 0.55
    prior_admin_log_population: float = 0.05
    prior_city_log_population: float = 0.12
    prior_capital: float = 0.35
    prior_primary_name: float = 0.35

    # -- resolution: document evidence -------------------------------------------------
    country_focus: float = 0.5  # inside a country the article names
    admin_focus: float = 0.5  # in the same state as the article's other places
    nearby: float = 0.6  # near the article's unambiguous places
    nearby_scale_km: float = 800.0
    container: float = 1.5  # "X, Y" / "X in Y": X inside Y (this mention)
    contained: float = 1.5  # "X, Y": Y contains X ("Atlanta, Georgia" → the state)
    kind_cue: float = 1.2  # "the state of X", "the city of X"
    # Local evidence spills over to the article's default sense only in proportion to
    # the share of the name's mentions that carry it ("Paris, Texas" once in four).
    local_share: float = 1.0
    # A dateline's own "CITY, State" is the article's default sense of that name: later
    # bare mentions ("the City Council") follow it unless their own evidence says otherwise.
    dateline_share: float = 1.0
    min_alternate_score: float = 1.0  # below this, a village's alternate name is dropped

    # -- calibration: score = 1 / (1 + exp(-(b0 + b·features))) ------------------------
    # Fitted with `storymap evaluate lgl.xml --fit-calibration` (L2 logistic regression on
    # the 4,298 resolved LGL mentions, "right" = within 161 km of gold), then checked on
    # GeoWebNews, which the fit never saw (ECE 0.040); refitted 2026-12-01 after the
    # recognition fixes of issue 11; see docs/evaluation.md.
    calibration_intercept: float = -2.9942
    calibration_margin: float = -0.3748
    calibration_log_margin: float = 3.509
    calibration_country: float = -0.2234
    calibration_admin: float = 0.4192
    calibration_population: float = 2.8511
    calibration_alternate: float = -0.9078
    calibration_common_word: float = -0.4058
    calibration_local_evidence: float = 0.9552
    calibration_single_candidate: float = -1.4703
    calibration_mentions: float = 0.5798

    def replace(self, **changes: float) -> Weights:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]  # all floats


class WeightsError(ValueError):
    """A bad ``--weights`` value; the message names the field and the reason."""


def _fields() -> dict[str, type]:
    return {f.name: type(getattr(Weights(), f.name)) for f in dataclasses.fields(Weights)}


def weights_from(overrides: Mapping[str, object], *, source: str = "--weights") -> Weights:
    """``Weights()`` with the named fields replaced; unknown names and non-numbers are errors."""
    known = _fields()
    changes: dict[str, float] = {}
    for name, value in overrides.items():
        if name not in known:
            raise WeightsError(f"{source}: {name}: not a weight (see geo/weights.py)")
        try:
            changes[name] = known[name](float(value))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise WeightsError(f"{source}: {name}: {value!r} is not a number") from None
    return Weights().replace(**changes)


def parse_weights(spec: str) -> Weights:
    """``k=v,k=v`` or the path of a YAML file mapping weight names to numbers."""
    path = Path(spec)
    if spec.endswith((".yaml", ".yml")) or path.is_file():
        import yaml

        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            raise WeightsError(f"{path}: cannot be read as YAML ({error})") from None
        if not isinstance(data, dict):
            raise WeightsError(f"{path}: expected a mapping of weight names to numbers")
        return weights_from(data, source=str(path))
    pairs: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, sep, value = item.partition("=")
        if not sep:
            raise WeightsError(f"--weights: {item!r}: expected name=value")
        pairs[name.strip()] = value.strip()
    return weights_from(pairs)


DEFAULT = Weights()
