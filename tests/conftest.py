"""Shared fixtures: a tiny hand-made gazetteer, and the real embedded one (built once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.cli import main
from geo.gazetteer import Gazetteer
from geo.model import Entry
from tests.big_diffs import pytest_assertrepr_compare  # noqa: F401 - a pytest hook

from .helpers import REPO, story_definitions


def entry(gid: str, name: str, lat: float, lon: float, kind: str, cc: str = "", **kw) -> Entry:
    return Entry(id=gid, name=name, lat=lat, lon=lon, kind=kind, country_code=cc, **kw)


# Ambiguous names on purpose: two Georgias, two Parises, a US state beside a country.
TINY_RECORDS = [
    (entry("t:ge", "Georgia", 42.0, 43.5, "country", "GE", population=3_700_000,
           feature_code="PCLI"), []),
    (entry("t:us-ga", "Georgia", 32.75, -83.5, "admin", "US", admin1="GA",
           population=10_000_000, feature_code="ADM1"), []),
    (entry("t:am", "Armenia", 40.25, 45.0, "country", "AM", population=3_000_000,
           feature_code="PCLI"), []),
    (entry("t:us", "United States", 39.76, -98.5, "country", "US",
           population=327_000_000, feature_code="PCLI"), ["US", "U.S.", "USA"]),
    (entry("t:atlanta", "Atlanta", 33.749, -84.388, "city", "US", admin1="GA",
           population=463_000, feature_code="PPLA"), []),
    (entry("t:paris", "Paris", 48.853, 2.349, "city", "FR", population=2_138_000,
           feature_code="PPLC"), []),
    (entry("t:paris-tx", "Paris", 33.66, -95.555, "city", "US", admin1="TX",
           population=25_000), []),
    (entry("t:tx", "Texas", 31.25, -99.25, "admin", "US", admin1="TX",
           population=22_000_000, feature_code="ADM1"), []),
    (entry("t:baku", "Baku", 40.377, 49.892, "city", "AZ", population=2_300_000,
           feature_code="PPLC"), ["Baki", "Bakı"]),
    (entry("t:az", "Azerbaijan", 40.5, 47.5, "country", "AZ", population=9_900_000,
           feature_code="PCLI"), []),
    (entry("t:moscow", "Moscow", 55.752, 37.616, "city", "RU", population=10_000_000,
           feature_code="PPLC"), []),
    (entry("t:yerevan", "Yerevan", 40.18, 44.51, "city", "AM", population=1_000_000,
           feature_code="PPLC"), []),
    (entry("t:ru", "Russia", 60.0, 100.0, "country", "RU", population=144_000_000,
           feature_code="PCLI"), []),
    (entry("t:rome", "Rome", 41.89, 12.48, "city", "IT", population=2_300_000,
           feature_code="PPLC"), []),
    (entry("t:europe", "Europe", 48.7, 9.1, "continent", population=700_000_000,
           feature_code="CONT"), []),
    (entry("t:sc", "South Caucasus", 41.0, 45.0, "region", population=17_000_000), []),
    (entry("t:hague", "The Hague", 52.08, 4.3, "city", "NL", population=474_000), []),
    (entry("t:nak", "Nakhchivan", 39.21, 45.41, "city", "AZ", population=97_000),
     ["Naxçıvan", "Nakhichevan"]),
    (entry("t:garabagh", "Karabakh", 39.82, 46.75, "region", "AZ", population=150_000),
     ["Garabagh", "Qarabağ", "Nagorno-Karabakh"]),
    (entry("t:jordan", "Jordan", 31.0, 36.0, "country", "JO", population=10_000_000,
           feature_code="PCLI"), []),
    (entry("t:reading", "Reading", 51.456, -0.969, "city", "GB", population=18_000), []),
    (entry("t:gba", "Guinea-Bissau", 12.0, -15.0, "country", "GW", population=1_900_000,
           feature_code="PCLI"), []),
    (entry("t:guinea", "Guinea", 10.8, -10.9, "country", "GN", population=12_000_000,
           feature_code="PCLI"), []),
    (entry("t:heydar", "Heydar Aliyev International Airport", 40.4675, 50.0467, "site",
           "AZ", population=10_000), []),
]  # fmt: skip


@pytest.fixture(scope="session")
def tiny_gazetteer() -> Gazetteer:
    """A gazetteer of ``TINY_RECORDS`` only."""
    return Gazetteer.from_records(TINY_RECORDS)


@pytest.fixture(scope="session", autouse=True)
def gazetteer() -> Gazetteer:
    """The real embedded gazetteer, opened (and on a fresh machine built, ~30 s) once per
    session, here, so that the cold build shows as this fixture's set-up and not inside
    whichever CLI test happens to run first."""
    return Gazetteer.default()


@pytest.fixture(scope="session")
def seeds_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``storymap build`` of the repository's seeds, as a user runs it (default tiles),
    built once for the seed tests and the browser tests; read it, never change it."""
    root = tmp_path_factory.mktemp("seeds-build")
    story_definitions(root / "layers")
    code = main(["build", "--seeds", str(REPO / "seeds"), "--layers", str(root / "layers"),
                 "--site", str(root / "site")])  # fmt: skip
    assert code == 0
    return root
