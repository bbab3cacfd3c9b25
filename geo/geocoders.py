"""geopy's interface over our gazetteer, and opt-in online geocoding that degrades safely.

``EmbeddedGazetteer`` is a geopy ``Geocoder`` like any other, so code written against
geopy can use the offline gazetteer, and geopy's online geocoders can be swapped in.
Online geocoding (``--geocoder nominatim``) never replaces the offline answer blindly:
each distinct name is asked once, at most once a second (geopy's ``RateLimiter``),
answers are cached on disk (atomic writes), and any timeout or error keeps the
offline answer.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from geopy.exc import GeocoderServiceError, GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geo.atomic import write_text
from geo.gazetteer import Gazetteer, cache_dir
from geo.model import Mention

log = logging.getLogger(__name__)


class EmbeddedGazetteer(Geocoder):
    """Offline geocoding against the embedded gazetteer, with geopy's ``geocode`` API.

    Candidates are ranked as the resolver ranks a name with no context: own names over
    alternates, countries and regions over towns, more people over fewer.
    """

    def __init__(self, gazetteer: Gazetteer | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.gazetteer = Gazetteer.default() if gazetteer is None else gazetteer

    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        country_codes: str | Sequence[str] | None = None,
        limit: int | None = None,
        **_: Any,
    ) -> Location | list[Location] | None:
        from geo.places import rank_candidates

        codes = {country_codes} if isinstance(country_codes, str) else set(country_codes or ())
        codes = {code.upper() for code in codes}
        candidates = [
            c for c in self.gazetteer.lookup(query) if not codes or c.entry.country_code in codes
        ]
        candidates = rank_candidates(candidates)
        locations = [
            Location(
                ", ".join(filter(None, (c.entry.name, c.entry.country_code))),
                (c.entry.lat, c.entry.lon),
                dataclasses.asdict(c.entry) | {"primary": c.primary},
            )
            for c in candidates[: limit or None]
        ]
        if not locations:
            return None
        return locations[0] if exactly_one else locations

    def reverse(self, query: Any, **kwargs: Any) -> Location | None:
        raise NotImplementedError("the embedded gazetteer answers names, not coordinates")


ONLINE_GEOCODERS = ("nominatim",)  # beside "offline", the choices of --geocoder


def online_geocoder(
    name: str, *, user_agent: str | None, url: str | None = None, timeout: float = 10
) -> Geocoder:
    """An opt-in online geocoder; ``url`` points it at another server (tests use 127.0.0.1)."""
    if name not in ONLINE_GEOCODERS:
        raise ValueError(f"unknown online geocoder {name!r}")
    if not user_agent:
        raise ValueError("Nominatim needs a user agent naming your application")
    from geopy.geocoders import Nominatim

    if url:
        scheme, _, domain = url.partition("://")
        return Nominatim(user_agent=user_agent, domain=domain, scheme=scheme, timeout=timeout)
    return Nominatim(user_agent=user_agent, timeout=timeout)


def default_cache_path() -> Path:
    return cache_dir() / "online-geocoder-cache.json"


def valid_answer(answer: Any) -> bool:
    """A reply we may put on the map: finite latitude within ±90, longitude within ±180."""
    if not isinstance(answer, dict) or not isinstance(answer.get("id"), str):
        return False
    lat, lon = answer.get("lat"), answer.get("lon")
    if not isinstance(lat, int | float) or not isinstance(lon, int | float):
        return False
    if isinstance(lat, bool) or isinstance(lon, bool):
        return False
    return math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180


def _raw_point(raw: dict[str, Any]) -> dict[str, Any]:
    """The reply's own coordinates: geopy wraps a longitude of 400 to 40, hiding the error."""
    try:
        return {"lat": float(raw.get("lat", 0)), "lon": float(raw.get("lon", 0))}
    except (TypeError, ValueError):
        return {"lat": math.nan, "lon": math.nan}


def relocate(
    mentions: list[Mention],
    geocoder: Geocoder,
    cache_path: Path,
    *,
    min_delay_seconds: float = 1.0,
) -> list[Mention]:
    """Re-place mentions with an online geocoder; on any failure keep the offline answer."""
    cache = _read_cache(cache_path)
    limited = RateLimiter(
        geocoder.geocode,
        min_delay_seconds=min_delay_seconds,
        max_retries=0,
        swallow_exceptions=False,
    )
    answers: dict[str, dict[str, Any] | None] = {}
    changed = False
    for mention in mentions:
        key = f"{mention.name}|{mention.country_code}"
        if key in answers:
            continue
        if key in cache and (cache[key] is None or valid_answer(cache[key])):
            answers[key] = cache[key]
            continue
        answers[key], asked = _ask(limited, mention)
        if asked:
            cache[key] = answers[key]
            changed = True
    if changed:
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        write_text(cache_path, json.dumps(cache, ensure_ascii=False, indent=1, sort_keys=True))
    relocated = []
    for mention in mentions:
        answer = answers.get(f"{mention.name}|{mention.country_code}")
        if answer:
            mention = dataclasses.replace(
                mention, lat=answer["lat"], lon=answer["lon"], gazetteer_id=answer["id"]
            )
        relocated.append(mention)
    return relocated


def _read_cache(cache_path: Path) -> dict[str, Any]:
    """Earlier answers; a missing, unreadable or damaged cache is simply empty."""
    try:
        cache = json.loads(cache_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return cache if isinstance(cache, dict) else {}


def _ask(limited: Callable[..., Any], mention: Mention) -> tuple[dict[str, Any] | None, bool]:
    """``(answer, worth caching)``: a failed or off-the-globe reply is ``None`` and not cached."""
    query: dict[str, Any] = {"exactly_one": True}
    if mention.country_code:
        query["country_codes"] = mention.country_code.lower()
    try:
        location = limited(mention.name, **query)
    except (GeopyError, GeocoderServiceError, OSError, ValueError) as error:
        # ValueError: geopy refuses a reply whose latitude is outside ±90
        log.warning("online geocoding of %r failed (%s); keeping the offline answer",
                    mention.name, error)  # fmt: skip
        return None, False
    if location is None:
        return None, True  # the geocoder does not know it: remember that
    raw = location.raw if isinstance(location.raw, dict) else {}
    osm = f"nominatim:{raw.get('osm_type', '')}/{raw.get('osm_id', '')}"
    answer = {"lat": location.latitude, "lon": location.longitude, "id": osm}
    if not valid_answer(answer) or not valid_answer({**answer, **_raw_point(raw)}):
        log.warning("online geocoder placed %r at %r, %r; keeping the offline answer",
                    mention.name, answer["lat"], answer["lon"])  # fmt: skip
        return None, False
    return answer, True
