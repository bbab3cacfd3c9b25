"""The recogniser's shortcuts of issue 12's session 13 answer what the long ways answer:
the substring test for "counties", "parishes" and "boroughs" is the regex it replaced."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from geo import mentions

_PLURAL_AREA_WORD = re.compile("counties|parishes|boroughs")  # the long way


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(["counties", "countie", "ounties", "parishes", "Boroughs", "boroughs",
                         "s", "c", " ", "parish", "x"])
    ).map("".join),
    st.data(),
)  # fmt: skip
def test_the_plural_area_word_test_is_the_regex(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    expected = _PLURAL_AREA_WORD.search(text, start, end) is not None
    assert mentions._holds_plural_area_word(text, start, end) == expected
