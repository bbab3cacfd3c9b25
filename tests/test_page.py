"""The page without a browser: self-contained, escaped, reproducible."""

from __future__ import annotations

import re

from geo.page import render_page

from .page_fixture import HOSTILE, story


def render(**kw) -> str:
    articles, passages, places, corridors, conflicts = story()
    return render_page(places, corridors, conflicts, articles, passages, **kw)


def test_no_script_or_stylesheet_comes_from_a_cdn() -> None:
    html = render()
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=\"?https?:", html)
    assert "cdn.jsdelivr" not in html and "code.jquery.com" not in html
    assert "tile.openstreetmap.org" in html  # base tiles are the one online part
    assert "tile.openstreetmap.org" not in render(tiles="none")


def test_article_text_cannot_break_out_of_the_data_block() -> None:
    html = render()
    assert HOSTILE not in html
    assert "<script>window.__pwned" not in html
    assert "\\u003cscript\\u003ewindow.__pwned" in html
    assert "Moscow <b>bold</b>" not in html


def test_same_input_gives_byte_identical_html() -> None:
    assert render() == render()


def test_layers_are_named_for_the_reader() -> None:
    html = render()
    for label in ("Places", "Corridors", "Conflicts", "Export GeoJSON"):
        assert label in html
