"""The recogniser's fast tokeniser and run finder answer exactly what the word-by-word
versions they replaced answered (kept here as the reference), on text made of the
characters that decide where words, possessives, sentence periods and runs begin and end.
Same input, same output: any difference would move or drop a place name."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from geo import mentions
from geo.lexicon import CONNECTORS

_POSSESSIVE = re.compile(r"['’]s$|s['’]$")
# The token pattern before its quantifiers were made possessive (same matches).
_WORD = r"[^\W\d_]\w*(?:[\u00ad\u200b-\u200d\u2060\ufeff]+\w+)*"
_GREEDY_TOKEN = re.compile(rf"{_WORD}(?:[.'’]{_WORD})*\.?|\d+")


def _reference_tokens(text: str, start: int, end: int) -> list[tuple[object, ...]]:
    """The tokeniser before it was made fast: one Python step per regex match."""
    tokens: list[tuple[object, ...]] = []
    previous_end = start
    for match in _GREEDY_TOKEN.finditer(text, start, end):
        word_start, word_end = match.span()
        word = match.group()
        possessive = (
            ("'" in word or "’" in word) and len(word) > 3 and bool(_POSSESSIVE.search(word))
        )
        if possessive:
            word_end -= 2
        elif word[-1] == "." and "." not in word[:-1]:
            if word[:-1].casefold() not in {"st", "mt", "ft"}:
                word_end -= 1
        name = text[word_start:word_end]
        tokens.append((word_start, word_end, name, name[:1].isupper(), possessive,
                       text[previous_end:word_start]))  # fmt: skip
        previous_end = match.end()
    return tokens


def _reference_runs(tokens: list[mentions._Token]) -> list[list[int]]:
    """The run finder before it jumped from capital to capital: every token read."""
    runs: list[list[int]] = []
    current: list[int] = []
    for index, token in enumerate(tokens):
        joined = token.gap in (" ", "-", "‑", "\u00a0") and bool(current)
        joined = joined and not tokens[index - 1].possessive
        inside = (
            not token.capital
            and token.word.casefold() in CONNECTORS
            and joined
            and mentions._connects_to_capital(tokens, index + 1)
        )
        inside = inside or (
            not token.capital
            and bool(current)
            and token.gap in ("-", "‑")
            and index + 1 < len(tokens)
            and tokens[index + 1].capital
            and tokens[index + 1].gap in ("-", "‑")
        )
        if token.capital or inside:
            if not joined:
                if current:
                    runs.append(current)
                current = []
            current.append(index)
        else:
            if current:
                runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


# Words of both cases and scripts, connectors, digits, letters that fold ("ı", "ß", "ǅ",
# "Ⅻ", "ʼ"), between the marks that join or split them: apostrophes, periods, hyphens,
# no-break and zero-width spaces, soft hyphens, "_".
_WORDS = st.sampled_from(
    ["Baku", "baku", "NEW", "York", "of", "the", "de", "la", "au", "and", "upon", "St", "Mt",
     "U", "S", "Va", "Ga", "D", "R", "x", "3", "42", "Ⅻ", "ǅ", "ı", "İ", "ß", "ʼ", "É",
     "counties", "Russia", "Port", "Prince", "Ocilla"]
)  # fmt: skip
_MARKS = st.sampled_from(
    [" ", " ", " ", "-", "‑", "\u00a0", ". ", ".", ", ", "'s ", "’s ", "s' ", "'", "’",
     "\u00ad", "\u200b", "_", " _", "", "  ", "\n", " — ", "(", " & "]
)  # fmt: skip
_TEXT = st.lists(st.tuples(_WORDS, _MARKS).map("".join), max_size=30).map("".join)


@settings(max_examples=500, deadline=None)
@given(_TEXT, st.data())
def test_tokens_and_runs_are_the_word_by_word_ones(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    tokens = mentions._tokens(text, start, end)
    assert [tuple(token) for token in tokens] == _reference_tokens(text, start, end)
    assert mentions._runs(tokens) == _reference_runs(tokens)


def test_a_headline_and_a_possessive_keep_their_words() -> None:
    text = "Baku's mayor met U.S. envoys in Port-au-Prince; St. Louis said."
    tokens = mentions._tokens(text, 0, len(text))
    assert [token.word for token in tokens] == [
        "Baku", "mayor", "met", "U.S.", "envoys", "in", "Port", "au", "Prince", "St.",
        "Louis", "said",
    ]  # fmt: skip
    assert tokens[0].possessive and not tokens[3].possessive
    assert [[tokens[i].word for i in run] for run in mentions._runs(tokens)] == [
        ["Baku"], ["U.S."], ["Port", "au", "Prince"], ["St.", "Louis"],
    ]  # fmt: skip
