"""`storymap evaluate FOLDER`: the annotated-article format and the regression set."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.cli import main
from geo.evaluate import calibration, evaluate, parse_annotated, read_annotated_folder
from geo.gazetteer import Gazetteer
from geo.pipeline import geoparse

FIXTURES = Path(__file__).parent / "fixtures" / "annotated"


def test_inline_markup_gives_clean_text_and_offsets() -> None:
    doc = parse_annotated("From [[Paris|48.85,2.35]] to [[Nowhere]].", "x")
    assert doc.text == "From Paris to Nowhere."
    first, second = doc.toponyms
    assert doc.text[first.start : first.end] == "Paris" and (first.lat, first.lon) == (48.85, 2.35)
    assert doc.text[second.start : second.end] == "Nowhere" and second.lat is None


def test_calibration_error_and_reliability_table() -> None:
    perfect = [(0.95, True)] * 19 + [(0.95, False)]
    error, table = calibration(perfect)
    assert error == pytest.approx(0.0)
    assert table == [{"low": 0.9, "high": 1.0, "count": 20, "mean_score": 0.95, "accuracy": 0.95}]
    overconfident, _ = calibration([(1.0, False)] * 3 + [(1.0, True)])
    assert overconfident == pytest.approx(0.75)


def test_regression_set_holds(gazetteer: Gazetteer) -> None:
    """New-topic articles (Andes, Gulf shipping, Paris/Texas/Georgia, Australian fires, and
    local news: a flood in Iowa with a dateline, institutions, streets and a legislator)."""
    documents = read_annotated_folder(FIXTURES)
    assert len(documents) >= 4
    result = evaluate(documents, lambda text: geoparse(text, gazetteer=gazetteer), progress=False)
    assert result.recall >= 0.95
    assert result.precision >= 0.95
    assert result.end_to_end_161 >= 0.85


def test_cli_evaluates_a_folder(capsys) -> None:
    assert main(["evaluate", str(FIXTURES), "--json"]) == 0
    out = capsys.readouterr().out
    assert '"calibration_error"' in out and '"reliability"' in out


def test_a_folder_of_plain_articles_is_not_scored_as_gold(tmp_path: Path, capsys) -> None:
    (tmp_path / "a.txt").write_text("Talks in Baku ended.", encoding="utf-8")
    assert main(["evaluate", str(tmp_path)]) == 2
    assert "no article marks a place; mark them as [[Paris|" in capsys.readouterr().err


def test_cli_rejects_unknown_weights(capsys) -> None:
    assert main(["evaluate", str(FIXTURES), "--weights", "nearbyy=1"]) == 2
    assert "nearbyy: not a weight" in capsys.readouterr().err


def test_weights_change_the_result(gazetteer: Gazetteer) -> None:
    from geo.weights import parse_weights

    text = "Talks in Springfield, Illinois ended."
    base = geoparse(text, gazetteer=gazetteer)
    weaker = geoparse(text, gazetteer=gazetteer, weights=parse_weights("container=0,nearby=0"))
    assert base[0].country_code == "US"
    assert base[0].score != weaker[0].score


def test_geoparse_explain_prints_rules_and_candidates(tmp_path: Path, capsys) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Drone strikes hit Springfield, Illinois.", encoding="utf-8")
    assert main(["geoparse", "--explain", str(article)]) == 0
    out = capsys.readouterr().out
    assert "'Drone': not a place" in out and "rule_alternate_word" in out
    assert "'Springfield': place" in out and "inside the place named after it" in out
    assert "probability right" in out
