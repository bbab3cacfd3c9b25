"""The evaluation metrics and corpus readers, on tiny hand-made corpora (not the gold ones)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.cli import main
from geo.evaluate import (
    CorpusError,
    GoldDocument,
    GoldToponym,
    auc_of_errors,
    evaluate,
    great_circle_km,
    read_corpus,
)
from geo.model import Mention

TEXT = "Flights from Paris to Baku and Springfield resumed."


def mention(text: str, start: int, name: str, lat: float, lon: float) -> Mention:
    return Mention("", start, start + len(name), name, name, lat, lon, "city", "", "", 1.0)


def test_metrics_on_a_hand_scored_document() -> None:
    paris, baku, spring = TEXT.index("Paris"), TEXT.index("Baku"), TEXT.index("Springfield")
    gold = GoldDocument("d", TEXT, (
        GoldToponym(paris, paris + 5, "Paris", 48.85, 2.35),
        GoldToponym(baku, baku + 4, "Baku", 40.38, 49.89),
        GoldToponym(spring, spring + 11, "Springfield", 39.80, -89.64),  # Illinois
    ))  # fmt: skip
    predicted = [
        mention(TEXT, paris, "Paris", 48.85, 2.35),  # exact, right place
        mention(TEXT, baku, "Bak", 40.38, 49.89),  # overlaps only
        mention(TEXT, spring, "Springfield", 37.21, -93.29),  # Missouri: ~470 km off
        mention(TEXT, 0, "Flights", 0.0, 0.0),  # a false positive
    ]
    result = evaluate([gold], lambda text: predicted, progress=False)
    assert (result.gold, result.predicted, result.exact_matches) == (3, 4, 2)
    assert result.precision == 0.5 and result.recall == pytest.approx(0.6667, abs=1e-4)
    assert result.lenient_recall == 1.0 and result.lenient_precision == 0.75
    assert result.resolved == 3 and result.accuracy_161 == pytest.approx(0.6667, abs=1e-4)
    assert result.end_to_end_161 == pytest.approx(0.6667, abs=1e-4)
    missouri_km = great_circle_km(39.80, -89.64, 37.21, -93.29)
    assert 400 < missouri_km < 500 and result.median_error_km == 0.0
    assert result.mean_error_km == pytest.approx(missouri_km / 3, abs=0.01)


def test_non_toponym_spans_count_neither_way() -> None:
    gold = GoldDocument("d", TEXT, (GoldToponym(13, 18, "Paris", scored=False),))
    result = evaluate([gold], lambda text: [mention(TEXT, 13, "Paris", 0, 0)], progress=False)
    assert (result.gold, result.predicted) == (0, 0)


def test_auc_is_zero_for_perfect_and_one_for_antipodal_answers() -> None:
    assert auc_of_errors([0.0, 0.0, 0.0]) == 0.0
    assert auc_of_errors([20039.0, 20039.0]) == pytest.approx(1.0)
    assert 0.0 < auc_of_errors([0.0, 100.0, 5000.0]) < 1.0
    assert great_circle_km(0, 0, 0, 180) == pytest.approx(20015, rel=0.01)


LGL = """<articles><article docid="7"><title>t</title><text>Rain hit Dublin, Ohio.</text>
<toponyms><toponym><start>9</start><end>15</end><phrase>Dublin</phrase>
<gaztag geonameid="4511263"><name>Dublin</name><fclass>P</fclass><lat>40.09923</lat>
<lon>-83.11408</lon></gaztag></toponym>
<toponym><start>18</start><end>22</end><phrase>Ohio</phrase></toponym></toponyms>
</article></articles>"""
GWN = """<articles><article file="3"><title>t</title><text>The Kenyan capital Nairobi.</text>
<toponyms><toponym><extractedName>Kenyan</extractedName><type>Demonym</type>
<start>4</start><end>10</end><latitude>1</latitude><longitude>38</longitude></toponym>
<toponym><extractedName>Nairobi</extractedName><type>Literal</type><start>18</start>
<end>26</end><latitude>-1.28</latitude><longitude>36.82</longitude></toponym>
<toponym><extractedName>capital</extractedName><type>Non_Toponym</type><start>11</start>
<end>18</end></toponym></toponyms></article></articles>"""


def test_both_schemas_are_read_and_detected(tmp_path: Path) -> None:
    (tmp_path / "lgl.xml").write_text(LGL, encoding="utf-8")
    (tmp_path / "gwn.xml").write_text(GWN, encoding="utf-8")
    lgl, _ = read_corpus(tmp_path / "lgl.xml")
    assert lgl[0].id == "7"
    assert [(t.name, t.lat) for t in lgl[0].toponyms] == [("Dublin", 40.09923), ("Ohio", None)]
    gwn, stats = read_corpus(tmp_path / "gwn.xml")
    # The gold says 18-26 for "Nairobi" (19-26): the reader moves it onto the name.
    assert [(t.name, t.start, t.end, t.scored) for t in gwn[0].toponyms] == [
        ("Kenyan", 4, 10, True), ("Nairobi", 19, 26, True), ("capital", 11, 18, False),
    ]  # fmt: skip
    assert stats["repaired"] == 1 and gwn[0].toponyms[0].type == "Demonym"


def test_unreadable_corpus_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.xml"
    bad.write_text("<articles><article>", encoding="utf-8")
    with pytest.raises(CorpusError, match="broken.xml"):
        read_corpus(bad)


def test_cli_json_gives_the_same_numbers_as_the_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], gazetteer: object
) -> None:
    corpus = tmp_path / "gwn.xml"
    corpus.write_text(GWN, encoding="utf-8")
    assert main(["evaluate", str(corpus), "--json", "--demonyms"]) == 0
    numbers = json.loads(capsys.readouterr().out)
    assert numbers["gold"] == 2 and numbers["documents"] == 1
    assert numbers["recall"] == 1.0 and numbers["end_to_end_161"] == 1.0
    assert main(["evaluate", str(corpus)]) == 0
    table = capsys.readouterr().out
    assert "recognition P / R / F1 (exact)" in table and "end-to-end accuracy@161 km" in table
    assert main(["evaluate", str(tmp_path / "missing.xml")]) == 2
