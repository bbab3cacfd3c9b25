"""The embedded gazetteer, the GeoNames dump import and the geopy interface."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.cli import main
from geo.gazetteer import Gazetteer, normalize

FIXTURES = Path(__file__).parent / "fixtures" / "geonames"


@pytest.fixture(scope="module", autouse=True)
def countries_read_once() -> Iterator[None]:
    """An import writes the embedded country records before the dump's rows, and reading
    them from the packages' data takes seconds; they are the same for every import in
    this module, so they are read once here and replayed."""
    import geo.gazetteer_sources as sources

    records = list(sources.country_records())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sources, "country_records", lambda: iter(records))
        yield


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
    assert isinstance(kazan, list) and kazan[0].raw["country_code"] == "RU"
    turkish = geocoder.geocode("Kazan", country_codes="tr")
    assert isinstance(turkish, Location) and turkish.raw["country_code"] == "TR"
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


# -- the import is checked, and never breaks a working gazetteer -------------------------
ROW = "9999002\tNowhere Hill\tNowhere Hill\t\t{lat}\t{lon}\tT\tHLL\tAZ\t\t09\t\t\t\t0\t\t0\tAsia/Baku\t2023-01-01\n"  # noqa: E501


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cache folder with a good import already in it."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("GEO_STORYMAP_CACHE", str(folder))
    monkeypatch.setattr(Gazetteer, "_default", None)
    assert main(["gazetteer", "import", str(FIXTURES / "allCountries.txt")]) == 0
    yield folder
    Gazetteer._default = None


def _refused(dump: Path, cache: Path, capsys: pytest.CaptureFixture[str]) -> str:
    before = (cache / "geonames-import.sqlite").read_bytes()
    capsys.readouterr()
    assert main(["gazetteer", "import", str(dump)]) == 2
    err = capsys.readouterr().err
    assert err.count("storymap: error: ") == 1 and "Traceback" not in err
    err = err.strip().splitlines()[-1]  # the line after the progress bar
    assert err.startswith("storymap: error: ")
    assert (cache / "geonames-import.sqlite").read_bytes() == before  # previous one kept
    assert not list(cache.glob("*.tmp"))
    return err


@pytest.mark.parametrize("content", ["", "\n\n", "# just a comment line\n"])
def test_empty_or_foreign_dump_is_refused_and_previous_import_kept(
    cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str
) -> None:
    dump = tmp_path / "allCountries.txt"
    dump.write_text(content, encoding="utf-8")
    err = _refused(dump, cache, capsys)
    assert "allCountries.txt" in err and ("no places" in err or "columns" in err)
    assert Gazetteer.default().lookup("Baku")  # the previous import still answers


@pytest.mark.parametrize(
    ("lat", "lon", "reason"),
    [("95", "10", "latitude 95.0"), ("10", "400", "longitude 400.0"), ("nan", "1", "latitude")],
)
def test_coordinates_off_the_globe_refuse_the_dump_with_the_line(
    cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], lat: str, lon: str, reason: str
) -> None:
    dump = tmp_path / "allCountries.txt"
    good = (FIXTURES / "allCountries.txt").read_text("utf-8")
    dump.write_text(good + ROW.format(lat=lat, lon=lon), encoding="utf-8")
    err = _refused(dump, cache, capsys)
    assert f"line 8: {reason}" in err


def test_non_utf8_dump_is_one_line_with_the_line_number(
    cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = tmp_path / "allCountries.txt"
    good = (FIXTURES / "allCountries.txt").read_bytes()
    dump.write_bytes(good + ROW.format(lat=1, lon=2).replace("Nowhere", "N\xe9").encode("latin-1"))
    err = _refused(dump, cache, capsys)
    assert "line 8 is not valid UTF-8 (byte 0xe9)" in err


def test_a_fifo_is_not_a_dump(cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    import os

    os.mkfifo(tmp_path / "allCountries.txt")
    assert "FIFO" in _refused(tmp_path / "allCountries.txt", cache, capsys)


def test_rebuild_returns_to_the_embedded_gazetteer(
    cache: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import geo.gazetteer as gazetteer_module

    monkeypatch.delenv("GEO_STORYMAP_CACHE")
    embedded = gazetteer_module.build_default_index()  # the shared, already built index
    monkeypatch.setenv("GEO_STORYMAP_CACHE", str(cache))
    monkeypatch.setattr(gazetteer_module, "build_default_index", lambda **kw: embedded)
    assert [c.entry.id for c in Gazetteer.default().lookup("Yalama")] == ["geonames:9999001"]
    assert main(["gazetteer", "rebuild"]) == 0
    assert "removed the imported gazetteer" in capsys.readouterr().err
    assert not (cache / "geonames-import.sqlite").exists()
    assert Gazetteer.default().path == embedded
    assert "geonames:9999001" not in [c.entry.id for c in Gazetteer.default().lookup("Yalama")]


@pytest.mark.slow  # a subprocess that imports (and reads the country records) again
def test_import_killed_midway_keeps_the_old_one_and_next_run_cleans_its_temp(
    cache: Path, tmp_path: Path
) -> None:
    import os
    import subprocess
    import sys

    before = (cache / "geonames-import.sqlite").read_bytes()
    die_midway = (
        "import os, signal, sys, geo.gazetteer as g\n"
        "real = g.write_index\n"
        "def dying(db, records, extra=()):\n"
        "    real(db, records, extra)\n"  # the temp file is complete, the rename not done
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "g.write_index = dying\n"
        "from geo.cli import main\n"
        "main(['gazetteer', 'import', sys.argv[1]])\n"
    )
    dump = FIXTURES / "allCountries.txt"
    env = {**os.environ, "GEO_STORYMAP_CACHE": str(cache)}
    killed = subprocess.run([sys.executable, "-c", die_midway, str(dump)], env=env, timeout=120)
    assert killed.returncode == -9
    assert (cache / "geonames-import.sqlite").read_bytes() == before
    assert [p.name for p in cache.glob("*.tmp")] == [f"geonames-import.{killed_pid(cache)}.tmp"]
    assert main(["gazetteer", "import", str(dump)]) == 0
    assert not list(cache.glob("*.tmp"))


def killed_pid(cache: Path) -> str:
    return next(cache.glob("geonames-import.*.tmp")).name.split(".")[1]


def test_a_temp_file_of_a_running_process_is_left_alone(cache: Path) -> None:
    import os

    from geo.gazetteer import remove_stale_temp_files

    alive = cache / f"gazetteer-0123456789abcdef.{os.getppid()}.tmp"
    alive.write_bytes(b"being written")
    foreign = cache / "notes.1.tmp"  # not our name: never touched
    foreign.write_bytes(b"")
    assert remove_stale_temp_files(cache) == []
    assert alive.exists() and foreign.exists()
