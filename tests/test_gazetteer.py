"""The embedded gazetteer, the GeoNames dump import and the geopy interface."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.cli import main
from geo.gazetteer import Gazetteer, normalize

FIXTURES = Path(__file__).parent / "fixtures" / "geonames"


def test_normalize_folds_case_accents_dashes_and_periods() -> None:
    assert normalize("U.S.") == "us"
    assert normalize("Naxçıvan") == normalize("NAXCIVAN") == "naxcivan"
    assert normalize("North–South  Corridor") == "north-south corridor"
    assert normalize("Russia’s") == "russia's"


@pytest.mark.parametrize(
    ("name", "kind", "country"),
    [
        ("Baku", "city", "AZ"), ("Kursk Oblast", "admin", "RU"), ("Naxçıvan", "city", "AZ"),
        ("Nakhichevan", "city", "AZ"), ("Zangezur", "region", "AM"), ("Garabagh", "region", "AZ"),
        ("Makhachkala", "city", "RU"), ("Dagestan", "admin", "RU"),
        ("Absheron Peninsula", "landform", "AZ"), ("Caspian Sea", "water", ""),
        ("Persian Gulf", "water", ""), ("Beslan", "city", "RU"), ("U.S.", "country", "US"),
        ("UAE", "country", "AE"), ("EU", "region", ""), ("Türkiye", "country", "TR"),
        ("South Caucasus", "region", ""), ("The Hague", "city", "NL"),
    ],
)  # fmt: skip
def test_embedded_gazetteer_knows_the_story_places(
    gazetteer: Gazetteer, name: str, kind: str, country: str
) -> None:
    assert any(
        c.entry.kind == kind and c.entry.country_code == country for c in gazetteer.lookup(name)
    )


def test_countries_sit_at_their_reference_point(gazetteer: Gazetteer) -> None:
    russia = next(c.entry for c in gazetteer.lookup("Russia") if c.entry.kind == "country")
    assert (russia.lat, russia.lon) == (60.0, 100.0)
    assert "xyzzy" not in gazetteer and "Baku" in gazetteer


def test_geopy_interface_returns_locations(gazetteer: Gazetteer) -> None:
    from geopy.location import Location

    from geo.geocoders import EmbeddedGazetteer

    geocoder = EmbeddedGazetteer(gazetteer)
    baku = geocoder.geocode("Baku")
    assert isinstance(baku, Location)
    assert abs(baku.latitude - 40.38) < 0.05 and abs(baku.longitude - 49.89) < 0.05
    kazan = geocoder.geocode("Kazan", exactly_one=False)
    assert kazan[0].raw["country_code"] == "RU"
    assert geocoder.geocode("Kazan", country_codes="tr").raw["country_code"] == "TR"
    assert geocoder.geocode("Nowhere-on-Earth-xyz") is None


def test_geonames_dump_import_is_used_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEO_STORYMAP_CACHE", str(tmp_path))
    monkeypatch.setattr(Gazetteer, "_default", None)
    code = main(
        [
            "gazetteer", "import", str(FIXTURES / "allCountries.txt"),
            "--alternate-names", str(FIXTURES / "alternateNamesV2.txt"),
        ]
    )  # fmt: skip
    assert code == 0
    imported = Gazetteer.default()
    crossing = imported.lookup("Samur-Yalama crossing")
    assert [c.entry.id for c in crossing] == ["geonames:9999001"]
    assert crossing[0].entry.kind == "site"
    assert imported.lookup("Old Samur") == []  # historic names are left out
    assert imported.lookup("Nakhichevan")[0].entry.feature_code == "PPLA"
    assert any(c.entry.kind == "water" for c in imported.lookup("Caspian Sea"))
    assert any(c.entry.kind == "corridor" for c in imported.lookup("INSTC"))  # curated kept
    monkeypatch.setattr(Gazetteer, "_default", None)


def test_malformed_dump_names_the_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GEO_STORYMAP_CACHE", str(tmp_path))
    bad = tmp_path / "allCountries.txt"
    bad.write_text((FIXTURES / "allCountries.txt").read_text("utf-8") + "1\tBroken\n", "utf-8")
    assert main(["gazetteer", "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "allCountries.txt: line 8" in err
    assert not (tmp_path / "geonames-import.sqlite").exists()
