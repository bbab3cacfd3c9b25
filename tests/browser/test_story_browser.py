"""The story as a reader follows it, on the page ``storymap build`` writes for the seeds.

Network cut off (see conftest): the base map, chapters, timeline and deep links must all
work from the one file. Screenshots of each state go to test-artifacts/.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from geo.page import render_page, write_page

from ..page_fixture import fixture_story
from .conftest import PageSession, box

if TYPE_CHECKING:  # pragma: no cover
    from playwright.sync_api import FloatRect

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def seeds_page(seeds_build: Path) -> Path:
    return seeds_build / "site" / "index.html"


@pytest.fixture
def seeds(browser, seeds_page: Path):
    session = PageSession(browser, seeds_page)  # downloads are accepted (export)
    yield session
    session.close()


def key_of(page, name: str, layer: str = "places") -> str:
    return page.evaluate(
        """([name, layer]) => Object.keys(window.storymap.byKey).find(k =>
             window.storymap.byKey[k].layerName === layer &&
             window.storymap.byKey[k].feature.properties.name === name)""",
        [name, layer],
    )


def screen_point(page, lat: float, lng: float) -> tuple[float, float]:
    point = page.evaluate(
        """([lat, lng]) => { const m = window.storymap.map;
             const p = m.latLngToContainerPoint([lat, lng]);
             const r = m.getContainer().getBoundingClientRect();
             return [r.left + p.x, r.top + p.y]; }""",
        [lat, lng],
    )
    return point[0], point[1]


def open_place(page, name: str) -> str:
    """Open the popup of the place called ``name``, as a click on its marker would; the
    title the popup shows."""
    page.evaluate(f"window.storymap.openPopup({key_of(page, name)!r})")
    return popup_title(page)


def popup_title(page) -> str:
    popup = page.locator(".leaflet-popup-content h3").last  # one may still be fading out
    popup.wait_for(timeout=5000)
    page.wait_for_timeout(250)  # let it fade in before a screenshot
    return popup.inner_text()


def settle(page) -> None:
    page.wait_for_timeout(1200)  # flights last 0.6-0.8 s


def test_the_seeds_page_stays_within_its_size_budget(seeds_page: Path) -> None:
    # Review lines for every place included (README: the seeds page budget is 1.5 MB).
    assert seeds_page.stat().st_size < 1_500_000


def test_the_base_map_is_drawn_with_no_tiles(seeds: PageSession) -> None:
    page = seeds.page
    painted = page.evaluate(
        """() => { const canvas = window.storymap.map.getPane('storyBase').querySelector('canvas');
             const ctx = canvas.getContext('2d');
             const d = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
             let land = 0, lines = 0;
             for (let i = 0; i < d.length; i += 4 * 7) {
               if (d[i + 3] > 0 && d[i] === 243 && d[i + 1] === 239 && d[i + 2] === 228) land++;
               else if (d[i + 3] > 0) lines++;
             }
             return {land, lines}; }"""
    )
    seeds.screenshot("story-offline-base-map.png")
    assert painted["land"] > 1000 and painted["lines"] > 100  # land fill and coast/borders
    assert page.locator(".story-country").count() > 3  # country names at this zoom
    assert seeds.blocked == [] and seeds.errors == []


def test_the_first_view_fits_the_story_beside_the_panel(seeds: PageSession) -> None:
    page = seeds.page
    baku = page.evaluate(
        "(() => { const s = window.storymap, m = s.map; const p = m.latLngToContainerPoint("
        "[40.377, 49.892]); return [p.x, p.y, m.getSize().x, m.getSize().y, m.getZoom()]; })()"
    )
    panel = box(page.locator("#story-panel"))
    timeline = box(page.locator("#story-timeline"))
    x, y, width, height, zoom = baku
    assert zoom >= 4  # not the whole world
    assert panel["width"] < x < width and 0 < y < timeline["y"]  # not under panel or timeline


def test_a_click_at_bakus_position_opens_baku_and_on_a_route_opens_the_route(
    seeds: PageSession,
) -> None:
    page = seeds.page
    baku = key_of(page, "Baku")
    for zoom in (4, 5, 8):
        page.evaluate(
            f"void window.storymap.map.setView([40.377, 49.892], {zoom}, {{animate: false}})"
        )
        page.wait_for_timeout(100)
        lat, lng = page.evaluate(
            f"(() => {{ const l = window.storymap.byKey['{baku}'].layer.getLatLng();"
            " return [l.lat, l.lng]; })()"
        )
        page.mouse.click(*screen_point(page, lat, lng))
        assert popup_title(page) == "Baku", f"zoom {zoom}"
        seeds.screenshot(f"story-click-baku-z{zoom}.png")
        page.keyboard.press("Escape")
    # A point on the western route, far from any drawn place, opens the route.
    route = key_of(page, "International North–South Transport Corridor (western route)",
                   "corridors")  # fmt: skip
    assert route, "the seeds' layers define the western route"
    lat, lng = page.evaluate(
        f"""(() => {{ const s = window.storymap, m = s.map;
             m.setView([50, 44], 5, {{animate: false}});
             const places = Object.values(s.byKey).filter(i => i.layerName === 'places'
               && s.groups.Places.hasLayer(i.layer))
               .map(i => m.latLngToContainerPoint(i.layer.getLatLng()));
             let best = null;
             s.byKey['{route}'].layer.eachLayer(part => {{ if (!part.getLatLngs) return;
               part.getLatLngs().forEach(ll => {{ const p = m.latLngToContainerPoint(ll);
                 const size = m.getSize();
                 if (p.x < 420 || p.y < 40 || p.x > size.x - 240 || p.y > size.y - 140) return;
                 const gap = Math.min(...places.map(q => q.distanceTo(p)));
                 if (!best || gap > best[0]) best = [gap, ll.lat, ll.lng]; }}); }});
             return [best[1], best[2]]; }})()"""
    )
    page.mouse.click(*screen_point(page, lat, lng))
    assert "western route" in popup_title(page)
    seeds.screenshot("story-click-route.png")


def test_the_panel_heads_articles_with_headlines_dates_and_bylines(seeds: PageSession) -> None:
    page = seeds.page
    headlines = page.locator(".story-article h2").all_text_contents()
    assert "Russian President Putin visits Azerbaijan to discuss regional stability" in headlines
    assert any(h.startswith("Putin’s Visit to Baku: Assessing") for h in headlines)
    assert not any(h.startswith(("000_", "001_")) for h in headlines)  # no file names
    first = page.locator(".story-article").first
    assert first.locator("time").get_attribute("datetime") == "2024-08-20"
    assert first.locator("time").inner_text() == "20 August 2024"  # dated article first
    bylines = " ".join(page.locator(".story-byline").all_text_contents())
    assert "by Giuliano Bifolchi" in bylines and "Kavkaz Files" in bylines
    assert page.title() == "Russian President Putin visits Azerbaijan to discuss regional stability"
    headline = first.locator("h2")  # said once, its names marked like any passage's
    assert headline.inner_text() == page.title()
    assert headline.locator("mark", has_text="Azerbaijan").count() == 1
    assert page.title() not in first.locator("ol").inner_text()
    open_place(page, "Baku")
    cites = page.locator(".leaflet-popup-content cite").all_text_contents()
    assert (  # each quoted passage names its article by headline and date, not by file
        "Russian President Putin visits Azerbaijan to discuss regional stability"
        " · 20 August 2024" in cites
    )
    assert not any(c.startswith("00") for c in cites)
    with page.expect_download() as download:
        page.get_by_role("button", name="Export GeoJSON").click()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    dated = [m for f in exported["features"] for m in f["properties"].get("mentions") or []
             if m["article"] == "001_f280eb33a990aed2"]  # fmt: skip
    assert dated and all(m["date"] == "2024-08-20" for m in dated)
    assert all(m["headline"].startswith("Russian President Putin visits") for m in dated)
    everything = len(exported["features"])
    page.evaluate("window.storymap.setPeriod(2024 * 12 + 7, 2024 * 12 + 7)")  # August 2024
    august = page.evaluate("window.storymapExport()")
    assert 0 < len(august["features"]) < everything  # what the slider hides is not exported
    assert "Beslan" not in json.dumps(august)  # the 2004 siege lies outside the period
    seeds.screenshot("story-panel-headlines.png")


@pytest.mark.slow  # every chapter's flight, waited for: ~5 s
def test_next_and_the_arrow_keys_step_through_chapters(seeds: PageSession) -> None:
    page = seeds.page
    before = page.evaluate("window.storymap.map.getBounds().toBBoxString()")
    page.get_by_role("button", name="Next →").click()
    settle(page)
    after = page.evaluate("window.storymap.map.getBounds().toBBoxString()")
    assert after != before
    assert page.locator("#story-chapter").inner_text().startswith("Chapter 1 of 5")
    assert page.locator(".story-article.is-current h2").inner_text().startswith("Russian President")
    dimmed = page.evaluate(
        """() => Object.values(window.storymap.byKey).filter(i => i.layerName === 'places'
             && i.layer.options.fillOpacity < 0.5).length"""
    )
    assert dimmed > 0  # places of other chapters step back
    seeds.screenshot("story-chapter-1.png")
    page.locator("#story-title").click()
    page.keyboard.press("ArrowRight")
    settle(page)
    assert page.evaluate("window.storymap.state().chapter") == 2
    assert page.evaluate("location.hash") == "#chapter=2"
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("window.storymap.state().chapter") == 1
    # A passage stays clickable in a chapter and opens its place.
    page.locator(".story-article.is-current .story-passage").first.click()
    settle(page)
    page.locator(".leaflet-popup-content").wait_for()
    assert seeds.errors == []


def test_the_period_slider_changes_what_the_map_shows(seeds: PageSession) -> None:
    page = seeds.page
    # Drawn markers and the places merged into them ("Also here: …" in their popups).
    shown = """() => { const s = window.storymap;
                 return s.groups.Places.getLayers().flatMap(layer => {
                   const item = Object.values(s.byKey).find(i => i.layer === layer);
                   return [item.feature.properties.name].concat(
                     item.nearby.map(k => s.byKey[k].feature.properties.name)); }).sort(); }"""
    everything = page.evaluate(shown)
    end = page.get_by_role("slider", name="Period end")
    end.focus()
    page.keyboard.press("Home")  # the period shrinks to its first month, January 1993
    early = page.evaluate(shown)
    assert page.locator("#story-period").inner_text() == "Jan 1993 – Jan 1993"
    assert end.get_attribute("aria-valuetext") == "January 1993"
    assert "from=1993-01&to=1993-01" in page.evaluate("location.hash")
    assert page.locator(".story-passage.is-outside").count() > 0  # dimmed, still listed
    seeds.screenshot("story-period-1993.png")
    page.get_by_role("button", name="All dates").click()
    assert page.evaluate(shown) == everything
    start = page.get_by_role("slider", name="Period start")
    start.focus()
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    assert start.get_attribute("aria-valuetext") == "November 2026"
    page.evaluate("window.storymap.setPeriod(2024 * 12 + 7, 2024 * 12 + 7)")  # August 2024
    visit = page.evaluate(shown)
    assert set(early) < set(everything) and set(visit) < set(everything)
    assert "Baku" in visit and "Baku" not in early  # the visit is in 2024, not in 1993
    seeds.screenshot("story-period-2024-08.png")


def test_a_dated_passage_on_the_timeline_takes_the_map_there(seeds: PageSession) -> None:
    page = seeds.page
    page.locator(".story-event[aria-label^='February 2022']").first.click()
    settle(page)
    highlighted = page.locator(".story-passage.is-highlighted").first.inner_text()
    assert "February 2022" in highlighted
    in_view = page.evaluate(
        """() => { const s = window.storymap, view = s.map.getBounds();
             return ['Moscow', 'Baku'].map(name => Object.values(s.byKey).find(i =>
               i.feature.properties.name === name))
               .map(i => view.contains(i.layer.getLatLng())); }"""
    )
    assert in_view == [True, True]  # the cities the passage names


@pytest.mark.slow  # two pages and their flights: ~5 s
def test_a_copied_link_reopens_the_same_chapter_place_and_period(browser, seeds_page) -> None:
    first = PageSession(browser, seeds_page)
    try:
        page = first.page
        page.get_by_role("button", name="Next →").click()
        page.get_by_role("button", name="Next →").click()
        settle(page)
        open_place(page, "Baku")
        page.locator("#story-search").fill("Yerevan")  # a second popup replaces the first
        page.keyboard.press("Enter")
        settle(page)
        popup_title(page)
        page.get_by_role("slider", name="Period start").focus()
        page.keyboard.press("ArrowRight")
        link, state = page.evaluate("[location.href, window.storymap.state()]")
    finally:
        first.close()
    assert "chapter=2" in link and "place=" in link and "from=" in link
    second = PageSession(browser, link)
    try:
        page = second.page
        assert page.evaluate("window.storymap.state()") == state
        assert popup_title(page) == "Yerevan"
        assert page.locator(".story-article.is-current").count() == 1
        centre = page.evaluate("window.storymap.map.getCenter()")
        assert abs(centre["lat"] - 40.18) < 1 and abs(centre["lng"] - 44.51) < 1
        second.screenshot("story-deep-link.png")
        assert second.errors == []
    finally:
        second.close()


@pytest.mark.slow  # every popup opened in turn: ~7 s
def test_on_a_375_px_screen_popups_stay_inside_and_nothing_overlaps(browser, seeds_page) -> None:
    phone = PageSession(browser, seeds_page, width=375, height=812)
    try:
        page = phone.page
        boxes = {name: box(page.locator(selector)) for name, selector in {
            "attribution": ".leaflet-control-attribution", "scale": ".leaflet-control-scale",
            "story": "#story-toggle", "timeline": "#story-timeline", "panel": "#story-panel",
            "layers": ".leaflet-control-layers", "export": ".story-export",
        }.items()}  # fmt: skip
        assert boxes["export"]["y"] < 60  # beside Layers, not below it where popups go
        names = sorted(boxes)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                assert not overlaps(boxes[a], boxes[b]), f"{a} overlaps {b}"
        for name in ("Baku", "Moscow", "Azerbaijan", "Yerevan", "Tehran"):
            page.evaluate(f"window.storymap.select({key_of(page, name)!r}, true)")
            settle(page)
            popup = box(page.locator(".leaflet-popup").last)
            assert popup["x"] >= 0 and popup["x"] + popup["width"] <= 375, name
            assert popup["y"] >= 0 and popup["y"] + popup["height"] <= 812, name
            phone.screenshot(f"story-phone-popup-{name.lower()}.png")
        assert phone.errors == []
    finally:
        phone.close()


def overlaps(a: FloatRect, b: FloatRect) -> bool:
    across = a["x"] < b["x"] + b["width"] - 1 and b["x"] < a["x"] + a["width"] - 1
    down = a["y"] < b["y"] + b["height"] - 1 and b["y"] < a["y"] + a["height"] - 1
    return across and down


@pytest.mark.slow
@pytest.mark.parametrize("width", [1280, 375])
def test_axe_finds_no_serious_or_critical_violation(browser, seeds_page, width: int) -> None:
    from axe_playwright_python.sync_playwright import Axe

    session = PageSession(browser, seeds_page, width=width, height=800)
    try:
        session.page.get_by_role("button", name="Next →").click()
        settle(session.page)
        results = Axe().run(session.page)
        bad = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert bad == [], json.dumps(bad, indent=1)
    finally:
        session.close()


def test_print_shows_map_legend_and_the_current_chapter(seeds: PageSession) -> None:
    page = seeds.page
    page.get_by_role("button", name="Next →").click()
    settle(page)
    page.emulate_media(media="print")
    assert page.locator(".folium-map").is_visible()
    assert page.locator(".story-legend").is_visible()
    assert not page.locator("#story-timeline").is_visible()
    assert not page.locator(".story-chapters").is_visible()
    visible = page.locator(".story-article").evaluate_all(
        "nodes => nodes.filter(n => n.offsetParent !== null).map(n => n.dataset.article)"
    )
    assert visible == [page.evaluate("window.storymap.state().chapter && "
                                     "document.querySelector('.story-article.is-current')"
                                     ".dataset.article")]  # fmt: skip
    seeds.screenshot("story-print.png")


def test_empty_layers_and_absent_kinds_are_not_offered(browser, tmp_path: Path) -> None:
    story = fixture_story()
    story = dataclasses.replace(story, corridors=story.corridors.iloc[0:0])
    page_file = write_page(render_page(story), tmp_path)
    session = PageSession(browser, page_file)
    try:
        page = session.page
        assert page.get_by_role("checkbox", name="Corridors").count() == 0
        assert page.get_by_role("checkbox", name="Conflicts").count() == 1
        legend = page.locator(".story-legend").inner_text()
        assert "city" in legend and "conflict zone" in legend
        assert "country" not in legend and "corridor" not in legend
    finally:
        session.close()


def test_online_tiles_that_fail_fall_back_to_the_offline_map(browser, tmp_path: Path) -> None:
    page_file = write_page(render_page(fixture_story()), tmp_path)
    session = PageSession(browser, page_file)
    try:
        page = session.page
        page.get_by_role("checkbox", name="OpenStreetMap (online)").check()
        page.wait_for_function("document.getElementById('story-status').textContent !== ''")
        page.wait_for_function(
            "!document.querySelector('.leaflet-tile-pane .leaflet-layer')", timeout=5000
        )
        assert not page.get_by_role("checkbox", name="OpenStreetMap (online)").is_checked()
        assert session.blocked and all("tile.openstreetmap.org" in u for u in session.blocked)
        # Every reader sees why the box unchecked itself, not only a screen reader.
        notice = page.locator("#story-status")
        box, viewport = notice.bounding_box(), page.viewport_size
        assert box and viewport and 0 <= box["x"] and box["x"] + box["width"] <= viewport["width"]
        assert 0 <= box["y"] < viewport["height"] / 2
        assert "online map could not be loaded" in notice.inner_text()
        session.screenshot("story-online-tiles-failed.png")
        notice.click()
        assert notice.inner_text() == "" and notice.bounding_box()["x"] < 0  # type: ignore[index]
    finally:
        session.close()


def test_the_legend_follows_the_layers_the_reader_turns_on_and_off(seeds: PageSession) -> None:
    page = seeds.page
    legend = page.locator(".story-legend")
    route, zone = "corridor (dashed: sea)", "conflict zone"
    assert route in legend.inner_text() and zone in legend.inner_text()
    page.locator(".leaflet-control-layers").hover()  # the layer list may be collapsed
    page.get_by_role("checkbox", name="Corridors").uncheck()
    page.get_by_role("checkbox", name="Conflicts").uncheck()
    assert route not in legend.inner_text() and zone not in legend.inner_text()
    assert "city" in legend.inner_text()
    page.get_by_role("checkbox", name="Places").uncheck()
    assert not legend.is_visible()  # nothing left on the map to explain
    page.get_by_role("checkbox", name="Corridors").check()
    assert legend.is_visible() and route in legend.inner_text()
    assert "city" not in legend.inner_text()
    seeds.screenshot("story-legend-corridors-only.png")


def test_a_passage_clicked_is_the_quote_the_popup_shows(seeds: PageSession) -> None:
    """Baku is quoted in dozens of passages: the one the reader clicked is shown, marked."""
    page = seeds.page
    passage = page.locator(".story-article").last.locator(".story-passage", has=page.locator(
        "mark", has_text="Baku")).last  # fmt: skip
    passage.scroll_into_view_if_needed()
    clicked = " ".join(passage.inner_text().split())
    passage.locator("mark", has_text="Baku").first.click()
    settle(page)
    popup = page.locator(".leaflet-popup-content")
    assert popup.locator("h3").inner_text() == "Baku"
    current = popup.locator("blockquote.is-current").first
    assert " ".join(current.inner_text().split()).startswith(clicked)
    scroller, shown = box(popup.locator(".story-popup")), box(current)
    assert scroller["y"] <= shown["y"] < scroller["y"] + scroller["height"]  # scrolled to it
    assert popup.locator(".story-popup").evaluate("e => e.scrollTop") > 0
    heading = box(popup.locator("h3"))  # the place's name stays in view above the quote
    assert scroller["y"] - 1 <= heading["y"] and heading["y"] + heading["height"] <= shown["y"] + 1
    seeds.screenshot("story-popup-clicked-passage.png")


def test_names_go_on_any_free_side_and_never_under_the_controls(seeds: PageSession) -> None:
    page = seeds.page
    labels = page.locator(".story-place-label span")
    names = labels.all_inner_texts()
    assert {"Moscow", "Baku", "Yerevan", "Tehran"} <= set(names)  # Yerevan's right is Baku
    assert page.locator(".story-place-label.is-left").count() >= 1
    boxes = [box(labels.nth(i)) for i in range(labels.count())]
    controls = page.locator(".leaflet-control")
    covers = [box(controls.nth(i)) for i in range(controls.count()) if controls.nth(i).is_visible()]
    for i, a in enumerate(boxes):
        assert not any(overlaps(a, b) for b in boxes[i + 1 :]), names[i]
        assert not any(overlaps(a, c) for c in covers), names[i]


def test_a_demonym_is_a_source_of_its_place_not_a_pin(seeds: PageSession) -> None:
    """ "Armenian separatists" quotes that passage under Armenia, and says so."""
    page = seeds.page
    passage = page.locator(".story-passage", has=page.locator("mark", has_text="Armenian")).first
    passage.scroll_into_view_if_needed()
    passage.locator("mark", has_text="Armenian").first.click()
    settle(page)
    popup = page.locator(".leaflet-popup-content")
    assert popup.locator("h3").inner_text() == "Armenia"
    assert "as demonyms)" in popup.inner_text()
    seeds.screenshot("story-popup-demonym.png")


def test_a_passage_naming_a_place_twice_is_quoted_once(seeds: PageSession) -> None:
    """ "Armenia" and "Armenians" in one sentence: one quote, both words marked."""
    page = seeds.page
    assert open_place(page, "Armenia") == "Armenia"
    quotes = page.locator(".leaflet-popup-content blockquote")
    ids = quotes.evaluate_all("qs => qs.map(q => q.dataset.passage)")
    marks = quotes.evaluate_all("qs => qs.map(q => q.querySelectorAll('mark').length)")
    assert len(ids) == len(set(ids))  # no passage twice
    assert max(marks) >= 2  # "… Armenia … Armenians …": both marked in one quote
    distinct = page.evaluate(
        """key => new Set(window.storymap.byKey[key].feature.properties.mentions
             .map(m => m.article + "/" + m.passage)).size""",
        key_of(page, "Armenia"),
    )
    heading = page.locator(".leaflet-popup-content strong", has_text="Passages").inner_text()
    assert heading == f"Passages ({distinct})" and len(ids) == min(distinct, 50)
    seeds.screenshot("story-popup-one-quote-per-passage.png")


def test_a_sure_place_offers_no_near_zero_namesakes(seeds: PageSession) -> None:
    """Russia (97 %) does not offer "Russia, US (0%)"; it can still be rejected."""
    page = seeds.page
    assert open_place(page, "Russia") == "Russia"
    popup = page.locator(".leaflet-popup-content")
    assert "Also possible" not in popup.inner_text()
    assert popup.get_by_role("button", name="Not a place: “Russia”").is_visible()
