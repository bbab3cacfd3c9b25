"""Stage 3: passages → place-name spans (recognition), rule-based and fast.

Why rules and not a model: nothing can be downloaded at run time, and the tool must read
a thousand articles faster than a regex geoparser. Proper names are found as runs of
capitalised words; inside a run the longest gazetteer name wins; then cues any news
reader uses reject what is not a place here: a title or first name makes a person
("President Aliyev", "George Washington"), a leading non-place name makes an
organisation ("Radio Free Europe"), a document or event word after it makes a document
("Rome Statute"), and a common English word needs more than a capital letter.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from geo.gazetteer import Gazetteer, normalize
from geo.lexicon import (
    CONNECTORS,
    DOCUMENT_HEADS,
    FUNCTION_WORDS,
    GENERIC_SUFFIXES,
    MEDIA_HEADS,
    QUALIFIERS,
    TITLES,
    area_abbreviation_keys,
    area_abbreviations,
    demonym_countries,
    is_common_word,
    is_first_name,
    is_very_common_word,
)
from geo.model import Passage, Span

# Words, with internal apostrophes or periods ("Baku's", "U.S.", "Naxçıvan"); invisible
# zero-width characters and soft hyphens inside a word do not split it ("Mos\u200bcow").
_WORD = r"[^\W\d_]\w*(?:[\u00ad\u200b-\u200d\u2060\ufeff]+\w+)*"
_TOKEN = re.compile(rf"{_WORD}(?:[.'’]{_WORD})*\.?|\d+")
_POSSESSIVE = re.compile(r"['’]s$|s['’]$")
_SENTENCE_OPENERS = set('.!?:;"“‘«([•–—\n')


@dataclass(slots=True)
class _Token:
    start: int
    end: int  # end of the name part (possessive and sentence period excluded)
    word: str  # text[start:end]
    capital: bool
    possessive: bool
    gap: str  # text between the previous token and this one


def recognise(
    text: str,
    gazetteer: Gazetteer,
    *,
    passages: Sequence[Passage] | None = None,
    demonyms: bool = False,
) -> list[Span]:
    """Place-name spans in ``text``, only inside ``passages`` when given, in text order."""
    ranges = [(p.start, p.end) for p in passages] if passages is not None else [(0, len(text))]
    tokenised = [_tokens(text, start, end) for start, end in ranges]
    passage_runs = [(tokens, _runs(tokens)) for tokens in tokenised]
    surnames = _person_names(passage_runs)
    spans: list[Span] = []
    for tokens, runs in passage_runs:
        spans.extend(_recognise_passage(text, tokens, runs, gazetteer, demonyms, surnames))
    return spans


def _person_names(passage_runs: list[tuple[list[_Token], list[list[int]]]]) -> frozenset[str]:
    """Surnames of the people a document names ("Rod Nelson", "Senator Moore").

    News writes a person's full name once and the surname alone afterwards, so a lone
    "Nelson" or "Moore" later in the same article is that person, not the town.
    """
    found: set[str] = set()
    for tokens, runs in passage_runs:
        for run in runs:
            words = [tokens[index] for index in run]
            for position, token in enumerate(words[:-1]):
                following = words[position + 1]
                if not following.capital or token.possessive:
                    continue
                key = normalize(token.word)
                if key in TITLES or (is_first_name(token.word) and key not in QUALIFIERS):
                    # The name ends at the last capitalised word of the run (at most two).
                    tail = [w for w in words[position + 1 : position + 3] if w.capital]
                    found.add(normalize(tail[-1].word))
    return frozenset(found)


def _tokens(text: str, start: int, end: int) -> list[_Token]:
    tokens: list[_Token] = []
    previous_end = start
    append = tokens.append
    for match in _TOKEN.finditer(text, start, end):
        word_start, word_end = match.span()
        word = match.group()
        possessive = (
            ("'" in word or "’" in word) and len(word) > 3 and bool(_POSSESSIVE.search(word))
        )
        if possessive:
            word_end -= 2
        elif word[-1] == "." and "." not in word[:-1]:
            if word[:-1].casefold() not in {"st", "mt", "ft"}:
                word_end -= 1  # a sentence period, not part of the name
        name = text[word_start:word_end]
        # Positional arguments: this runs for every word of every article.
        append(_Token(word_start, word_end, name, name[:1].isupper(), possessive,
                      text[previous_end:word_start]))  # fmt: skip
        previous_end = match.end()
    return tokens


def _runs(tokens: list[_Token]) -> list[list[int]]:
    """Indexes of tokens forming capitalised runs (connectors allowed inside)."""
    runs: list[list[int]] = []
    current: list[int] = []
    for index, token in enumerate(tokens):
        joined = token.gap in (" ", "-", "‑", "\u00a0") and bool(current)
        joined = joined and not tokens[index - 1].possessive
        inside = (
            not token.capital
            and token.word.casefold() in CONNECTORS
            and joined
            and index + 1 < len(tokens)
            and tokens[index + 1].capital
            and tokens[index + 1].gap in (" ", "-")
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


def _recognise_passage(
    text: str,
    tokens: list[_Token],
    runs: list[list[int]],
    gazetteer: Gazetteer,
    demonyms: bool,
    surnames: frozenset[str],
) -> list[Span]:
    if not tokens:
        return []
    title_case = _is_title_case(tokens)
    spans: list[Span] = []
    limit = gazetteer.max_name_tokens
    for run in runs:
        position = 0
        boundary = 0  # names before this run position do not qualify what follows
        while position < len(run):
            match = _longest_match(text, tokens, run, position, limit, gazetteer)
            # A demonym is never the town of the same name ("Canadian", Texas; "English").
            found = _demonym_span(text, tokens, run, position)
            if found is not None and (match is None or match[0] <= found[1]):
                if demonyms:
                    spans.append(found[0])
                position = found[1] + 1
                continue
            if match is None:
                if tokens[run[position]].word.casefold() in ("and", "or", "&"):
                    boundary = position + 1
                position += 1
                continue
            last, span_end, name = match
            first_token = tokens[run[position]]
            if normalize(name) in area_abbreviation_keys():
                span_end = (
                    _abbreviation_end(text, tokens, run[position]) if last == position else None
                )
                written = text[first_token.start : span_end] if span_end is not None else ""
                if written in area_abbreviations():
                    spans.append(
                        Span(first_token.start, span_end, text[first_token.start : span_end], name)
                    )
                    boundary = last + 1
            elif _is_place_here(
                text, tokens, run, (boundary, position, last), name, title_case, gazetteer
            ) and not _is_surname_here(text, tokens, run, (position, last), surnames, gazetteer):
                spans.append(
                    Span(first_token.start, span_end, text[first_token.start : span_end], name)
                )
                boundary = last + 1
            position = last + 1
    return spans


def _longest_match(
    text: str,
    tokens: list[_Token],
    run: list[int],
    position: int,
    limit: int,
    gazetteer: Gazetteer,
) -> tuple[int, int, str] | None:
    """(last run position, span end, lookup name) of the longest name starting here."""
    first = tokens[run[position]]
    if not first.capital:
        return None
    for last in range(min(len(run), position + limit) - 1, position - 1, -1):
        token = tokens[run[last]]
        if not token.capital:
            continue  # a name never ends on a connector
        if last > position and any(tokens[run[k]].possessive for k in range(position, last)):
            continue
        suffix = _generic_suffix(text, tokens, run[last]) if last == len(run) - 1 else None
        if suffix is not None:
            name = text[first.start : suffix]
            if name in gazetteer:
                return last, suffix, name
        name = text[first.start : token.end]
        plausible = (
            _plausible_name(name)
            or _is_dateline(text, first.start, token.end)
            or _names_country(gazetteer, name)  # "DPRK"
        )
        if plausible and name in gazetteer:
            return last, token.end, name
    return None


def _generic_suffix(text: str, tokens: list[_Token], index: int) -> int | None:
    """End of "<Name> region/province/oblast…" when the next word is such a suffix."""
    if index + 1 >= len(tokens) or tokens[index].possessive:
        return None
    following = tokens[index + 1]
    if following.gap == " " and following.word.casefold() in GENERIC_SUFFIXES:
        return following.end
    return None


def _plausible_name(name: str) -> bool:
    """All-caps words longer than three letters are headlines or acronyms, not names."""
    letters = [ch for ch in name if ch.isalpha()]
    return not (len(letters) > 3 and all(ch.isupper() for ch in letters) and " " not in name)


_DATELINE_END = re.compile(r"\s*(?:,|\(|—|–|-)")


def _is_dateline(text: str, start: int, end: int) -> bool:
    """ "WASHINGTON —", "BEIRUT (AP) -": an all-caps place opening a line, then a mark."""
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip(" \t\u00a0*_#"):
        return False
    return _DATELINE_END.match(text, end) is not None


def _is_place_here(
    text: str,
    tokens: list[_Token],
    run: list[int],
    where: tuple[int, int, int],
    name: str,
    title_case: bool,
    gazetteer: Gazetteer,
) -> bool:
    """The context cues that separate "Georgia" the country from "Georgia Brown"."""
    boundary, position, last = where
    first = tokens[run[position]]
    words = [tokens[run[k]].word for k in range(position, last + 1)]
    key = normalize(name)
    single = len(words) == 1
    strong = _is_well_known(gazetteer, name)

    # Short all-caps forms (US, UK, EU, UAE) only for countries and unions.
    if single and words[0].replace(".", "").isupper() and len(words[0].replace(".", "")) <= 3:
        if not any(c.entry.kind in ("country", "region") for c in gazetteer.lookup(name)):
            return False
    if single and (key in FUNCTION_WORDS or key in QUALIFIERS):
        return False  # "West", "North": directions, not places
    if all(normalize(word) in TITLES for word in words):
        return False

    previous = _previous_token(tokens, run, position)
    if previous is not None and normalize(previous.word) in TITLES:
        return False  # "President Aliyev", "Mr Jordan"
    before = [tokens[run[k]] for k in range(boundary, position)]
    names_before = [
        t
        for t in before
        if t.capital
        and normalize(t.word) not in QUALIFIERS
        and not (t is tokens[run[0]] and _sentence_initial(text, t) and is_common_word(t.word))
    ]
    if names_before:
        if any(is_first_name(t.word) for t in names_before[-1:]):
            return False  # "George Washington"
        if not any(normalize(t.word) in QUALIFIERS for t in before[-1:]):
            return False  # "Radio Free Europe", "Slavic University of Baku"-like names
    after = [tokens[run[k]] for k in range(last + 1, len(run))]
    if after and not tokens[run[last]].possessive:
        head = normalize(after[0].word)
        if head in DOCUMENT_HEADS or head in MEDIA_HEADS:
            return False  # "Rome Statute", "European Games", "Washington Post"
        if single and head not in TITLES and after[0].word not in gazetteer:
            if is_first_name(words[0]) and after[0].word.istitle():
                return False  # "Jordan Peterson", "Georgia Brown"
            if not _is_area(gazetteer, name):
                return False  # "Vladimir Putin", "Kavkaz Files": part of a longer name
    if single and not strong and is_first_name(words[0]):
        if not _has_locative_cue(text, tokens, run[position]):
            return False  # "Patrick said…": a person, not the town of that name
    if single and is_common_word(words[0]):
        sentence_start = _sentence_initial(text, first) and position == 0
        if (sentence_start or title_case) and not strong:
            return False
        if not strong and not _has_locative_cue(text, tokens, run[position]):
            return False
    return True


def _abbreviation_end(text: str, tokens: list[_Token], index: int) -> int | None:
    """End of "Ga." in "Gainesville, Ga." or of "W.Va." anywhere; None if not that use.

    "Ill", "Mass" and "Pa" are words too, so a bare form never counts: it needs its
    period, and either inner periods or a place name and a comma before it.
    """
    token = tokens[index]
    end = token.end + 1 if text[token.end : token.end + 1] == "." else None
    if token.word.endswith("."):
        end = token.end
    if end is None:
        return None
    if "." in text[token.start : end - 1]:
        return end
    if index > 0 and token.gap == ", " and tokens[index - 1].capital:
        return end
    return None


def _is_surname_here(
    text: str,
    tokens: list[_Token],
    run: list[int],
    where: tuple[int, int],
    surnames: frozenset[str],
    gazetteer: Gazetteer,
) -> bool:
    """A lone word that is the surname of someone the article names, not a locative use."""
    position, last = where
    if position != last or normalize(tokens[run[position]].word) not in surnames:
        return False
    if _names_country(gazetteer, tokens[run[position]].word):
        return False  # "Jordan" stays the country even after "Michael Jordan"
    return not _has_locative_cue(text, tokens, run[position])


def _names_country(gazetteer: Gazetteer, name: str) -> bool:
    return any(c.entry.kind == "country" for c in gazetteer.lookup(name))


def _is_well_known(gazetteer: Gazetteer, name: str) -> bool:
    """Countries, continents, first-level areas, big cities and curated features.

    Only these keep a capitalised common word ("Reading", "Mobile") or a first name
    ("George") a place without a locative cue such as "in". The very commonest words
    ("Man", "Nice") need more than a city: a country, a state or a curated feature.
    """
    everyday = is_very_common_word(name)
    for candidate in gazetteer.lookup(name):
        entry = candidate.entry
        if not candidate.primary and entry.kind == "city":
            continue
        if entry.kind in ("country", "continent", "region", "water", "landform", "corridor"):
            return True
        if entry.population >= 100_000 and (entry.feature_code == "ADM1" or not everyday):
            return True  # a state of any size people live in; a city unless an everyday word
    return False


def _is_area(gazetteer: Gazetteer, name: str) -> bool:
    """Countries and areas modify nouns ("Azerbaijan Service"); towns rarely do."""
    return any(c.primary and c.entry.kind not in ("city", "site") for c in gazetteer.lookup(name))


def _has_locative_cue(text: str, tokens: list[_Token], index: int) -> bool:
    """ "in X", "near X", "X, Y": evidence that a common word is used as a place name."""
    if index > 0 and normalize(tokens[index - 1].word) in {
        "in", "near", "to", "from", "at", "outside", "across", "towards", "via",
    }:  # fmt: skip
        return True
    after = text[tokens[index].end : tokens[index].end + 3]
    return after.startswith(", ") and after[2:3].isupper()


def _previous_token(tokens: list[_Token], run: list[int], position: int) -> _Token | None:
    index = run[position] - 1
    if index < 0:
        return None
    previous = tokens[index]
    if position == 0 and previous.gap.strip():
        return previous if tokens[run[0]].gap == " " else None
    return previous


def _sentence_initial(text: str, token: _Token) -> bool:
    cursor = token.start - 1
    while cursor >= 0 and text[cursor] in " \t\u00a0\"“‘'«(":
        cursor -= 1
    return cursor < 0 or text[cursor] in _SENTENCE_OPENERS


def _is_title_case(tokens: list[_Token]) -> bool:
    """Headlines capitalise every word, so a capital letter proves nothing there."""
    long_words = [t for t in tokens if len(t.word) > 3]
    if len(long_words) < 4:
        return False
    return sum(t.capital for t in long_words) / len(long_words) > 0.8


def _demonym_span(
    text: str, tokens: list[_Token], run: list[int], position: int
) -> tuple[Span, int] | None:
    """("Sri Lankan" | "Russians" span, last run position), the longer form first."""
    table = demonym_countries()
    for last in (position + 1, position):
        if last >= len(run) or not tokens[run[last]].capital:
            continue
        start, end = tokens[run[position]].start, tokens[run[last]].end
        place = table.get(normalize(text[start:end]))
        if place is not None:
            return Span(start, end, text[start:end], place), last
    return None
