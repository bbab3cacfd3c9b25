"""A reviewer checks uncertain places in a real browser (Debian's Chromium, network cut off):
hollow markers, "Also possible", and the correction line to paste into corrections.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.page import render_page, story_data, write_page

from ..page_fixture import HOSTILE_NAME, review_story
from .conftest import PageSession

pytestmark = pytest.mark.browser
SPRINGFIELD, LYON = "places:geonames-4409896", "places:geonames-2996944"
# The browser refuses both ways of copying: the Clipboard API and the old execCommand.
DENY_CLIPBOARD = """() => { Object.defineProperty(navigator, "clipboard", { configurable: true,
    value: { writeText: () => Promise.reject(new DOMException("Write permission denied.",
                                                              "NotAllowedError")) } });
  document.execCommand = () => false; }"""


@pytest.fixture(scope="module")
def review_page(tmp_path_factory) -> Path:
    return write_page(render_page(review_story()), tmp_path_factory.mktemp("review"))


@pytest.fixture
def session(browser, review_page: Path):
    session = PageSession(browser, review_page)
    yield session
    session.close()


def fix_of(key: str) -> dict:
    features = story_data(review_story())["layers"]["places"]["features"]
    return next(f["properties"]["_fix"] for f in features if f["properties"]["_key"] == key)


def show(page, key: str) -> tuple[float, float]:
    """Centre the map on a place (no animation); its marker's point on the screen."""
    return page.evaluate(
        """(key) => { const s = window.storymap, layer = s.byKey[key].layer;
             s.map.setView(layer.getLatLng(), 6, {animate: false});
             const p = s.map.latLngToContainerPoint(layer.getLatLng());
             const r = s.map.getContainer().getBoundingClientRect();
             return [r.left + p.x, r.top + p.y]; }""",
        key,
    )


def pixel(page, key: str, dx: float = 0) -> list[int]:
    """The colour drawn on the places canvas at the marker's centre (plus ``dx`` pixels)."""
    return page.evaluate(
        """([key, dx]) => { const s = window.storymap, layer = s.byKey[key].layer;
             const canvas = layer._renderer._container, box = canvas.getBoundingClientRect();
             const map = s.map.getContainer().getBoundingClientRect();
             const p = s.map.latLngToContainerPoint(layer.getLatLng());
             const x = (map.left + p.x + dx - box.left) * canvas.width / box.width;
             const y = (map.top + p.y - box.top) * canvas.height / box.height;
             const ctx = canvas.getContext("2d");
             return Array.from(ctx.getImageData(Math.round(x), Math.round(y), 1, 1).data); }""",
        [key, dx],
    )


def open_springfield(page) -> None:
    x, y = show(page, SPRINGFIELD)
    page.wait_for_timeout(100)
    page.mouse.click(x, y)  # a real click in the middle of the hollow ring
    page.locator(".leaflet-popup-content h3", has_text="Springfield").wait_for(timeout=5000)
    page.wait_for_timeout(250)  # let it fade in before a screenshot


def test_an_uncertain_place_is_hollow_and_the_legend_says_why(session: PageSession) -> None:
    page = session.page
    show(page, LYON)
    page.wait_for_timeout(100)
    assert pixel(page, LYON)[3] > 200  # a sure place is filled
    show(page, SPRINGFIELD)
    page.wait_for_timeout(100)
    centre = pixel(page, SPRINGFIELD)
    radius = page.evaluate("(k) => window.storymap.byKey[k].layer.getRadius()", SPRINGFIELD)
    ring = pixel(page, SPRINGFIELD, radius)
    session.screenshot("review-hollow-marker.png")
    assert centre[3] < 100  # the middle of the ring lets the map through
    assert ring[3] > 200 and ring[0] > 150 and ring[1] < 100  # the ring: a city's red
    legend = page.locator(".story-legend")
    assert "uncertain place" in legend.inner_text()
    assert legend.locator("i.hollow").count() == 1
    assert session.errors == []


def test_use_this_shows_and_copies_the_correction_line(session: PageSession) -> None:
    page = session.page
    session.context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_springfield(page)
    popup = page.locator(".leaflet-popup-content")
    assert "Confidence: 31% (uncertain place)" in popup.inner_text()
    assert popup.get_by_text("Also possible:").is_visible()
    first = popup.locator(".story-alternatives li").first
    assert first.locator("span").first.inner_text() == f"{HOSTILE_NAME}, US (20%)"
    assert popup.locator("img").count() == 0  # the hostile name is text
    first.get_by_role("button", name=f"Use this: {HOSTILE_NAME}, US (20%)").click()
    box = popup.locator(".story-correction textarea")
    expected = fix_of(SPRINGFIELD)["use"][0]
    assert box.input_value() == expected
    assert box.evaluate("b => b.readOnly && document.activeElement === b && "
                        "b.selectionStart === 0 && b.selectionEnd === b.value.length")  # fmt: skip
    popup.get_by_text("Copied to the clipboard.").wait_for(timeout=5000)
    assert page.evaluate("navigator.clipboard.readText()") == expected
    session.screenshot("review-use-this.png")
    assert session.errors == [] and session.dialogs == []
    assert page.evaluate("window.__pwned") is None


def test_a_refused_clipboard_leaves_the_line_selected_without_errors(
    session: PageSession,
) -> None:
    page = session.page
    page.evaluate(DENY_CLIPBOARD)
    open_springfield(page)
    popup = page.locator(".leaflet-popup-content")
    popup.get_by_role("button", name="Not a place: “Springfield”").click()
    box = popup.locator(".story-correction textarea")
    assert box.input_value() == fix_of(SPRINGFIELD)["reject"]
    popup.get_by_text("press Ctrl+C").wait_for(timeout=5000)
    assert box.evaluate("b => document.activeElement === b && b.selectionEnd === b.value.length")
    # The second alternative has coordinates only: its line pins them.
    popup.locator(".story-alternatives li").nth(1).locator(".story-use").click()
    assert box.input_value() == fix_of(SPRINGFIELD)["use"][1]
    assert "lat: -33.400000" in box.input_value()
    session.screenshot("review-clipboard-refused.png")
    assert session.errors == []


def test_export_leaves_out_the_review_fields(session: PageSession) -> None:
    exported = session.page.evaluate("window.storymapExport()")
    for feature in exported["features"]:
        assert not [k for k in feature["properties"] if k.startswith("_")]
        assert "alternatives" in feature["properties"]
