"""The ``storymap geoparse --jsonl`` line, made with one shared encoder and records written
as literals, is the text ``json.dumps`` made of the records built key by key."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from geo.mention_store import MENTION_KEYS, geoparse_line, mention_record
from geo.model import Article, Mention
from geo.parallel import ArticleResult

_TEXT = st.text(max_size=12)
_NUMBER = st.floats(allow_nan=True, allow_infinity=True) | st.integers() | st.none()
_ALTERNATIVE = st.dictionaries(_TEXT, _NUMBER | _TEXT, max_size=6)
_MENTIONS = st.builds(
    Mention, _TEXT, st.integers(0, 10**6), st.integers(0, 10**6), _TEXT, _TEXT,
    st.floats(allow_nan=True, allow_infinity=True), st.floats(allow_nan=True, allow_infinity=True),
    _TEXT, _TEXT, _TEXT, st.floats(-1e6, 1e6), st.lists(_ALTERNATIVE, max_size=3).map(tuple),
    st.booleans(),
)  # fmt: skip


def _record_key_by_key(mention: Mention) -> dict[str, Any]:
    record = {key: getattr(mention, key) for key in MENTION_KEYS}
    record["gazetteer_id"] = mention.gazetteer_id
    record["score"] = round(mention.score, 4)
    record["alternatives"] = [dict(alternative) for alternative in mention.alternatives]
    record["demonym"] = mention.demonym
    return record


@settings(max_examples=500, deadline=None)
@given(_TEXT, st.lists(_MENTIONS, max_size=4))
def test_lines_are_what_json_dumps_makes_of_the_records(article_id: str, mentions: list) -> None:
    result = ArticleResult(Article(article_id, ""), [], mentions)
    records = [_record_key_by_key(m) for m in mentions]
    assert [mention_record(m) for m in mentions] == records
    assert [list(mention_record(m)) for m in mentions] == [list(r) for r in records]  # order
    expected = json.dumps({"id": article_id, "mentions": records}, ensure_ascii=False)
    assert geoparse_line(result) == expected


def test_the_collector_skips_what_the_first_article_loaded_until_the_command_ends() -> None:
    from geo.cli import _frozen_after_the_first

    def outcomes() -> Iterator[int]:
        for _ in range(3):
            yield gc.get_freeze_count()  # frozen objects when this outcome is made

    frozen = list(_frozen_after_the_first(outcomes()))
    assert frozen[0] == 0 and frozen[1] > 0 and frozen[2] > 0
    assert gc.get_freeze_count() == 0
    stopped = _frozen_after_the_first(outcomes())
    next(stopped), next(stopped)
    stopped.close()  # a reader that went away (a closed pipe) ends it early
    assert gc.get_freeze_count() == 0
