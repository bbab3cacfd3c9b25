"""geo-storymap: news articles → sourced places, story layers and one map page.

``geo.geoparse(text)`` is the one-call API; the stages live in their own modules
(articles → passages → mentions → places → layers → page). Names are imported lazily so
``import geo`` stays cheap for the CLI and for benchmarks that time start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Gazetteer", "Mention", "geoparse", "geoparse_article", "places_frame"]

if TYPE_CHECKING:  # pragma: no cover
    from geo.frames import places_frame
    from geo.gazetteer import Gazetteer
    from geo.model import Mention
    from geo.pipeline import geoparse, geoparse_article

_HOMES = {
    "Gazetteer": "geo.gazetteer",
    "Mention": "geo.model",
    "geoparse": "geo.pipeline",
    "geoparse_article": "geo.pipeline",
    "places_frame": "geo.frames",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'geo' has no attribute {name!r}")
