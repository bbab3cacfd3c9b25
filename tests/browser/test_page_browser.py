"""What a reader does with the page, in a real browser (Debian's Chromium)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.page import render_page, write_page

from ..page_fixture import fixture_story
from .conftest import PageSession, box

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture story's page, rendered once: the tests read it, none changes it."""
    return write_page(render_page(fixture_story()), tmp_path_factory.mktemp("page"))


@pytest.fixture
def session(browser, page_file: Path):
    session = PageSession(browser, page_file)
    yield session
    session.close()


def visible_counts(page) -> dict[str, int]:
    return page.evaluate(
        """() => {
          const out = {};
          for (const [name, group] of Object.entries(window.storymap.groups)) {
            out[name] = window.storymap.map.hasLayer(group) ? group.getLayers().length : 0;
          }
          return out;
        }"""
    )


def test_loads_offline_without_errors(session: PageSession) -> None:
    page = session.page
    session.screenshot("page.png")
    assert session.errors == []
    assert session.blocked == []  # online tiles are only fetched when the reader asks
    assert visible_counts(page) == {"Places": 2, "Corridors": 1, "Conflicts": 1}
    assert page.locator(".leaflet-control-scale").count() == 1
    assert "GeoNames" in page.locator(".leaflet-control-attribution").inner_text()
    assert page.locator(".story-legend").is_visible()


def test_each_layer_toggle_hides_and_shows_its_features(session: PageSession) -> None:
    page = session.page
    for name in ("Places", "Corridors", "Conflicts"):
        box = page.get_by_role("checkbox", name=name)
        box.uncheck()
        assert visible_counts(page)[name] == 0
        box.check()
        assert visible_counts(page)[name] > 0
    page.get_by_role("checkbox", name="Places").uncheck()
    assert visible_counts(page) == {"Places": 0, "Corridors": 1, "Conflicts": 1}


def test_hiding_a_layer_closes_its_open_popup(session: PageSession) -> None:
    page = session.page
    page.evaluate("window.storymap.openPopup('places:geonames-587084')")
    page.locator(".leaflet-popup-content h3").wait_for(timeout=5000)
    page.get_by_role("checkbox", name="Corridors").uncheck()  # another layer: it stays
    assert page.locator(".leaflet-popup-content h3").count() == 1
    page.get_by_role("checkbox", name="Places").uncheck()
    page.locator(".leaflet-popup").wait_for(state="detached", timeout=5000)


def test_clicking_baku_opens_a_popup_quoting_the_passage(session: PageSession) -> None:
    page = session.page
    page.evaluate(
        """() => { const s = window.storymap; s.map.setView([40.377, 49.892], 7, {animate: false});
                   const marker = s.byKey['places:geonames-587084'].layer;
                   marker.fire('click', {latlng: marker.getLatLng()}); }"""
    )
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Baku" in popup.locator("h3").inner_text()
    assert popup.locator("blockquote").first.inner_text().startswith("Leaders met in Baku")
    assert popup.locator("mark").first.inner_text() == "Baku"
    session.screenshot("popup.png")


def test_a_story_passage_flies_the_map_to_its_place(session: PageSession) -> None:
    page = session.page
    page.locator(".story-passage", has_text="Leaders met in Baku").click()
    page.wait_for_function(
        "Math.abs(window.storymap.map.getCenter().lat - 40.377) < 0.5 &&"
        " Math.abs(window.storymap.map.getCenter().lng - 49.892) < 0.5",
        timeout=5000,
    )
    page.locator(".leaflet-popup-content").wait_for()


def test_keyboard_alone_selects_a_passage(session: PageSession) -> None:
    page = session.page
    passage = page.locator(".story-passage", has_text="Moscow answered")
    passage.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "Math.abs(window.storymap.map.getCenter().lat - 55.752) < 0.5", timeout=5000
    )
    page.locator("#story-search").focus()
    page.keyboard.type("bak")
    assert page.locator("#story-results li").count() == 1
    page.keyboard.press("Enter")
    page.wait_for_function(
        "Math.abs(window.storymap.map.getCenter().lat - 40.377) < 0.5", timeout=5000
    )
    assert page.locator("#story-results li").count() == 0  # the list does not cover the panel


def test_export_downloads_exactly_the_visible_features(session: PageSession) -> None:
    page = session.page
    page.get_by_role("checkbox", name="Corridors").uncheck()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export GeoJSON").click()
    data = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    layers = sorted(f["properties"]["layer"] for f in data["features"])
    assert layers == ["conflicts", "places", "places"]
    for feature in data["features"]:
        assert feature["geometry"]["type"] in ("Point", "Polygon")
        assert "_key" not in feature["properties"]
    # Sourced like the layer files: every mention's passage is quoted once, beside them.
    quoted = {(p["article"], p["index"]): p for p in data["passages"]}
    mentions = [m for f in data["features"] for m in f["properties"].get("mentions") or []]
    assert mentions and len(quoted) == len(data["passages"])
    for m in mentions:
        passage = quoted[(m["article"], m["passage"])]
        assert passage["text"][m["start"] - passage["start"] :].startswith(m["text"])


def test_hostile_article_text_is_shown_not_run(session: PageSession) -> None:
    page = session.page
    passage = page.locator(".story-passage", has_text="Moscow answered")
    assert "<script>window.__pwned = 1</script>" in passage.inner_text()
    page.evaluate(
        """() => { const m = window.storymap.byKey['places:geonames-524901'].layer;
                   m.fire('click', {latlng: m.getLatLng()}); }"""
    )
    page.locator(".leaflet-popup-content").wait_for()
    assert page.locator(".leaflet-popup-content h3").inner_text() == "Moscow <b>bold</b>"
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned") is None
    assert session.dialogs == [] and session.errors == []


def test_a_375_px_screen_shows_map_and_panel(browser, page_file: Path) -> None:
    phone = PageSession(browser, page_file, width=375, height=812)
    try:
        page = phone.page
        map_box = box(page.locator(".folium-map"))
        panel = box(page.locator("#story-panel"))
        assert map_box["width"] == 375 and panel["width"] <= 375
        assert panel["y"] > 300  # the panel sits below the map, not over all of it
        page.get_by_role("button", name="Story").click()
        assert not page.locator("#story-panel").is_visible()
        phone.screenshot("phone.png")
        assert phone.errors == []
    finally:
        phone.close()


def test_search_finds_a_place_by_any_spelling_the_articles_use(browser, tmp_path: Path) -> None:
    story = fixture_story()
    places = story.places
    places.loc[places["name"] == "Baku", "name"] = "Bakı"  # the gazetteer's spelling
    html = render_page(story)
    page_file = write_page(html, tmp_path)
    session = PageSession(browser, page_file)
    try:
        search = session.page.locator("#story-search")
        for query in ("Baku", "baki", "BAKI"):  # the article's spelling; accents and case folded
            search.fill(query)
            assert session.page.locator("#story-results li").all_inner_texts() == ["Bakı"]
        search.fill("Yerevan")
        assert session.page.locator("#story-results li").count() == 0
        assert session.errors == []
    finally:
        session.close()


def test_hostile_names_in_tooltips_are_text(browser, tmp_path: Path) -> None:
    """Leaflet writes string tooltips as HTML; names from YAML or a gazetteer must not run."""
    story = fixture_story()
    hostile = '<img src=x onerror="window.__pwned = 3">'
    story.places.loc[story.places["name"] == "Baku", "name"] = hostile
    story.corridors.loc[0, "name"] = hostile
    story.conflicts.loc[0, "name"] = hostile
    html = render_page(story)
    page_file = write_page(html, tmp_path)
    session = PageSession(browser, page_file)
    try:
        page = session.page
        shown = page.evaluate(
            """() => Object.values(window.storymap.byKey).map(item => {
                 item.layer.openTooltip(item.layer.getLatLng ? item.layer.getLatLng()
                                        : item.layer.getBounds().getCenter());
                 const tip = item.layer.getTooltip();
                 return tip ? tip.getElement().textContent : null; })"""
        )
        page.wait_for_timeout(200)
        session.screenshot("hostile-tooltips.png")
        assert shown.count(hostile) == 3
        assert page.locator(".leaflet-tooltip img").count() == 0
        assert page.evaluate("window.__pwned") is None and session.dialogs == []
    finally:
        session.close()


def test_a_mangled_or_hostile_link_is_harmless(browser, page_file: Path) -> None:
    hostile = "#place=%E0%A4%A&chapter=1e9&from=9999-99&to=x&place=<img src=x onerror=alert(1)>"
    session = PageSession(browser, page_file.resolve().as_uri() + hostile)
    try:
        page = session.page
        assert page.evaluate("window.storymap.state().place") is None
        assert page.locator(".leaflet-popup").count() == 0
        assert visible_counts(page)["Places"] == 2
        assert session.errors == [] and session.dialogs == []
    finally:
        session.close()


def test_an_html_article_reads_as_its_page_shows_it(browser, tmp_path: Path) -> None:
    """Links, emphasis and entities inside a sentence (HTML and Markdown): one passage, no
    stray gaps, no markup."""
    from ..helpers import build

    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "floods.html").write_text(
        "<html><head><title>Floods</title></head><body><p>Water rose in "
        '<a href="https://example.org/karachi">Karachi</a>, then in <b>Lahore</b>. '
        "Karachi&rsquo;s port closed.</p></body></html>",
        encoding="utf-8",
    )
    (tmp_path / "seeds" / "rain.md").write_text(
        "Rain hit [Sukkur](https://example.org/sukkur_floods), then *Larkana*; "
        "roads to **Hyderabad** (`Sindh`) closed.\n",
        encoding="utf-8",
    )
    assert build(tmp_path) == 0
    session = PageSession(browser, tmp_path / "site" / "index.html")
    try:
        texts = session.page.locator(".story-passage").all_inner_texts()
        assert "Water rose in Karachi, then in Lahore." in texts
        assert "Karachi’s port closed." in texts
        assert "Rain hit Sukkur, then Larkana; roads to Hyderabad (Sindh) closed." in texts
        session.page.locator(".story-passage mark", has_text="Lahore").first.click()
        popup = session.page.locator(".leaflet-popup-content")
        assert popup.locator("h3").inner_text() == "Lahore"  # the name clicked, not the first
        quoted = popup.locator("blockquote.is-current").inner_text()
        assert quoted.startswith("Water rose in Karachi, then in Lahore.\n")
        session.screenshot("html-article-passages.png")
        assert session.errors == []
    finally:
        session.close()
