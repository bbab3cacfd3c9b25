"""geo-storymap: news articles → sourced places, story layers and one map page."""

__version__ = "0.1.0"
