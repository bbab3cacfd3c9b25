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
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, compress, product, repeat
from operator import attrgetter, itemgetter
from typing import Generic, NamedTuple, TypeVar

from geo.gazetteer import Candidate, Gazetteer, normalize
from geo.lexicon import (
    CONNECTORS,
    DOCUMENT_HEADS,
    FEATURE_AFTER_HEADS,
    FEATURE_HEADS,
    FEATURE_NOT_TOWN_HEADS,
    FUNCTION_WORDS,
    GENERIC_SUFFIXES,
    INSTITUTION_HEADS,
    INSTITUTION_OF_HEADS,
    MEDIA_HEADS,
    PARTY_CODES,
    QUALIFIERS,
    RESIDENT_NOUNS,
    SPEECH_VERBS,
    STREET_ABBREVIATIONS,
    STREET_HEADS,
    TITLES,
    area_abbreviation_keys,
    area_abbreviations,
    demonym_countries,
    is_common_word,
    is_first_name,
    is_surname,
    is_very_common_word,
    zipf,
)
from geo.model import Passage, Span
from geo.weights import COUNT_DEMONYMS, DEFAULT, Weights

# Words, with internal apostrophes or periods ("Baku's", "U.S.", "Naxçıvan"); invisible
# zero-width characters and soft hyphens inside a word do not split it ("Mos\u200bcow").
# Every quantifier is possessive: what follows each is optional, so a greedy one never
# gives anything back and the matches are the greedy ones, found without backtracking
# marks (the split over every passage takes about 15 % less time).
_WORD = r"[^\W\d_]\w*+(?:[\u00ad\u200b-\u200d\u2060\ufeff]++\w++)*+"
_TOKEN = re.compile(rf"{_WORD}(?:[.'’]{_WORD})*+\.?+|\d++")
# The same tokens and the text before each, as one flat list made by one C-speed split:
# gap, token, gap, …, then the text after the last token. A token starts at any word
# character but "_", so a gap is exactly a run of non-word characters and underscores.
_TOKEN_SPLIT = re.compile(f"({_TOKEN.pattern})").split
_RUN_JOINERS = (" ", "-", "‑", "\u00a0")
_HYPHENS = ("-", "‑")
_POSSESSIVE = re.compile(r"['’]s$|s['’]$")
_SENTENCE_OPENERS = set('.!?:;"“‘«([•–—\n')
_T = TypeVar("_T")


class _Later(Generic[_T]):
    """A value worked out the first time a rule asks for it: most passages and articles
    never need it (whether a passage is a headline)."""

    __slots__ = ("_make", "_value")

    def __init__(self, make: Callable[[], _T]) -> None:
        self._make: Callable[[], _T] | None = make
        self._value: _T | None = None

    def __call__(self) -> _T:
        if self._make is not None:
            self._value, self._make = self._make(), None
        return self._value  # type: ignore[return-value]


class _Token(NamedTuple):
    """A word of a passage (a tuple: a passage's tokens are all made at C speed)."""

    start: int
    end: int  # end of the name part (possessive and sentence period excluded)
    word: str  # text[start:end]
    capital: bool
    possessive: bool
    gap: str  # text between the previous token and this one


def _tokens(text: str, start: int, end: int) -> list[_Token]:
    """The words of ``text[start:end]``, each with the gap before it.

    One regex pass finds the words and gaps; offsets, capitals and the tokens themselves
    are made by C-level ``map``s, and only words with an apostrophe or a final period (a
    possessive or a sentence end to trim) take a Python step.
    """
    passage = text[start:end]
    parts: list[str] = _TOKEN_SPLIT(passage)
    # Gap i starts at bounds[2i], word i at bounds[2i + 1] and ends at bounds[2i + 2];
    # the last part is no gap. Starts and ends share the offsets' int objects.
    bounds = list(accumulate(map(len, parts), initial=start))
    starts, ends = bounds[1:-1:2], bounds[2::2]
    words = parts[1::2]
    possessives = [False] * len(words)
    for index in _to_trim(passage, start, starts, ends):
        words[index], possessives[index] = _trimmed(words[index])
        ends[index] = starts[index] + len(words[index])
    capitals = map(str.isupper, map(itemgetter(0), words))
    fields = zip(starts, ends, words, capitals, possessives, parts[0:-1:2], strict=True)
    return list(map(tuple.__new__, repeat(_Token), fields))


_TRIM_MARK = re.compile(r"['’.]")


def _to_trim(passage: str, start: int, starts: list[int], ends: list[int]) -> list[int]:
    """Indexes of the words with an apostrophe or a final period (a possessive or a
    sentence end, maybe), found from the passage's few such marks (not by a search in
    every word)."""
    found: list[int] = []
    for mark in _TRIM_MARK.finditer(passage):
        at = mark.start() + start
        index = bisect_right(starts, at) - 1
        if index < 0 or at >= ends[index] or (found and found[-1] == index):
            continue  # in a gap, or a word already taken
        if mark.group() != "." or at == ends[index] - 1:
            found.append(index)
    return found


def _trimmed(word: str) -> tuple[str, bool]:
    """(the name part of a matched word, is it a possessive): "Baku's" → ("Baku", True);
    a sentence period goes, the period of "St." or "U.S." stays."""
    if ("'" in word or "’" in word) and len(word) > 3 and _POSSESSIVE.search(word):
        return word[:-2], True
    if word[-1] == "." and "." not in word[:-1] and word[:-1].casefold() not in {"st", "mt", "ft"}:
        return word[:-1], False  # a sentence period, not part of the name
    return word, False


def recognise(
    text: str,
    gazetteer: Gazetteer,
    *,
    passages: Sequence[Passage] | None = None,
    demonyms: bool = COUNT_DEMONYMS,
    weights: Weights = DEFAULT,
    trace: list[dict[str, object]] | None = None,
) -> list[Span]:
    """Place-name spans in ``text``, only inside ``passages`` when given, in text order.

    With a ``trace`` list, every gazetteer match considered is appended to it with the
    rules that accepted or rejected it (``storymap geoparse --explain``).
    """
    ranges = [(p.start, p.end) for p in passages] if passages is not None else [(0, len(text))]
    lists_areas = _holds_plural_area_word(text, 0, len(text))
    tokenised = [
        [] if _holds_no_name(text, (start, end), gazetteer, lists_areas, trace is not None)
        else _tokens(text, start, end)
        for start, end in ranges
    ]  # fmt: skip
    passage_runs = [(tokens, _runs(tokens)) for tokens in tokenised]
    context = _Context(
        text, gazetteer, demonyms, weights, trace,
        surnames=_person_names(passage_runs),
        local_names=_LocalNames(text, passage_runs),
        lists_areas=lists_areas,
    )  # fmt: skip
    spans: list[Span] = []
    for tokens, runs in passage_runs:
        spans.extend(_recognise_passage(context, tokens, runs))
    return spans


def _holds_no_name(
    text: str, bounds: tuple[int, int], gazetteer: Gazetteer, lists_areas: bool, traced: bool
) -> bool:
    """True when the passage ``text[start:end]`` can give no span, trace, surname or
    locative name, so its words need no tokens (a third of news passages: "He said the
    plan was late."): no word after the first begins with a capital, and the first is
    no capitalised gazetteer name (but one rejected wherever it stands alone, when no
    trace asks why) or demonym, before no generic word ("… region") and in no list of
    "counties".

    A lone capitalised first word is a run of one word (runs need capitals to go on),
    which names no person; the article's one-word names with a locative cue are only
    read for gazetteer names, whose keys a word that is no name cannot share (and for
    one always rejected alone, the answer changes no verdict).
    """
    start, end = bounds
    first = _TOKEN.search(text, start, end)
    if first is None:
        return True  # no word at all
    rest = text[first.end() : end]
    if rest and not rest.islower():
        return False  # a later word may begin with a capital (or no letter has a case)
    word = _trimmed(first.group())[0]
    if not word[0].isupper():
        return True  # no capitalised word: no run
    if word in gazetteer and (traced or not _rejected_alone(word)):
        return False
    if normalize(word) in demonym_countries():
        return False
    if lists_areas and _holds_plural_area_word(text, start, end):
        return False  # "Clarke counties": "Clarke County" may be a name
    following = _TOKEN.search(text, first.end(), end)
    return (
        following is None
        or text[first.end() : following.start()] != " "
        or _trimmed(following.group())[0].casefold() not in GENERIC_SUFFIXES
    )


# One-word matches ``rule_direction_or_function_word`` rejects wherever they stand: with
# no trace (no reasons to give) they are dropped without asking the rules.
_REJECTED_ALONE = FUNCTION_WORDS | QUALIFIERS | GENERIC_SUFFIXES | TITLES


@lru_cache(maxsize=1 << 12)
def _rejected_alone(word: str) -> bool:
    """Is a one-word match of ``word`` rejected in every context ("He", "But", "North")?
    An area abbreviation ("In": Indiana) is judged by its own path, not by the rules."""
    key = normalize(word)
    return key in _REJECTED_ALONE and key not in area_abbreviation_keys()


@dataclass(frozen=True, slots=True)
class _Context:
    """What every passage of one article shares while its names are recognised."""

    text: str
    gazetteer: Gazetteer
    demonyms: bool
    weights: Weights
    trace: list[dict[str, object]] | None
    surnames: frozenset[str]  # people the article names ("Rod Nelson" → "nelson")
    local_names: _LocalNames  # one-word names with a locative cue somewhere
    lists_areas: bool  # "counties", "parishes" or "boroughs" is somewhere in the text


def _person_names(passage_runs: list[tuple[list[_Token], list[list[int]]]]) -> frozenset[str]:
    """Surnames of the people a document names ("Rod Nelson", "Senator Moore").

    News writes a person's full name once and the surname alone afterwards, so a lone
    "Nelson" or "Moore" later in the same article is that person, not the town.
    """
    found: set[str] = set()
    for tokens, runs in passage_runs:
        for run in runs:
            if len(run) == 1:
                continue  # one word names no one
            words = [tokens[index] for index in run]
            for position, token in enumerate(words[:-1]):
                following = words[position + 1]
                if not following.capital or token.possessive:
                    continue
                if _opens_a_personal_name(token.word):
                    # The name ends at the last capitalised word of the run (at most two).
                    tail = [w for w in words[position + 1 : position + 3] if w.capital]
                    found.add(normalize(tail[-1].word))
    return frozenset(found)


@lru_cache(maxsize=1 << 14)
def _opens_a_personal_name(word: str) -> bool:
    """A title or a first name ("Senator", "Rod"; not "North"): a capitalised word after
    it is a person's name. Kept per word: the same words open names in every article."""
    key = normalize(word)
    return key in TITLES or (is_first_name(word) and key not in QUALIFIERS)


def _runs(tokens: list[_Token]) -> list[list[int]]:
    """Indexes of tokens forming capitalised runs (connectors allowed inside).

    A run can only begin at a capitalised word, so the search jumps from one to the next
    and reads only the words of runs and the one that ends each.
    """
    runs: list[list[int]] = []
    size = len(tokens)
    after = 0  # the first index no run has read yet
    for first in compress(range(size), map(attrgetter("capital"), tokens)):
        if first < after:
            continue
        current = [first]
        index = first + 1
        while index < size:
            token = tokens[index]
            if not token.capital and token.gap not in _HYPHENS:
                if token.word.casefold() not in CONNECTORS:
                    break  # how most runs end: a lower-case word, no connector or hyphen
            member, joined = _run_member(tokens, index)
            if not member:
                break
            if not joined:  # a new run starts here
                runs.append(current)
                current = []
            current.append(index)
            index += 1
        runs.append(current)
        after = index
    return runs


def _run_member(tokens: list[_Token], index: int) -> tuple[bool, bool]:
    """(belongs to a run, joined to the previous word's run) for the word after a run word."""
    token = tokens[index]
    joined = token.gap in _RUN_JOINERS and not tokens[index - 1].possessive
    if token.capital:
        return True, joined
    inside = (
        token.word.casefold() in CONNECTORS and joined and _connects_to_capital(tokens, index + 1)
    )
    # "Port-au-Prince", "Aix-en-Provence": a lower-case word between hyphens joins.
    inside = inside or (
        token.gap in _HYPHENS
        and index + 1 < len(tokens)
        and tokens[index + 1].capital
        and tokens[index + 1].gap in _HYPHENS
    )
    return inside, joined


def _connects_to_capital(tokens: list[_Token], index: int) -> bool:
    """ "of the Congo": more connectors may follow a connector before the next name word."""
    while index < len(tokens) and tokens[index].gap in (" ", "-"):
        token = tokens[index]
        if token.capital:
            return True
        if token.word.casefold() not in CONNECTORS:
            return False
        index += 1
    return False


class _LocalNames:
    """The one-word names an article uses as places at least once ("in Greer", "GREER —"),
    asked by key: ``normalize(name) in local_names``.

    One sense per article: a town named like a person ("Greer", "Chapin") that the
    article once places with a cue is that town in its other mentions too. A rule asks
    about one or two names in a few articles, so the article's capitalised run words are
    indexed by key the first time, and only the words of an asked key are looked at for
    a cue (not every word of every run).
    """

    __slots__ = ("_text", "_passage_runs", "_by_key", "_answers")

    def __init__(self, text: str, passage_runs: list[tuple[list[_Token], list[list[int]]]]) -> None:
        self._text = text
        self._passage_runs = passage_runs
        self._by_key: dict[str, list[tuple[list[_Token], int]]] | None = None
        self._answers: dict[str, bool] = {}

    def __contains__(self, key: str) -> bool:
        answer = self._answers.get(key)
        if answer is None:
            answer = self._answers[key] = any(
                _has_locative_cue(self._text, tokens, index)
                or is_dateline(self._text, tokens[index].start, tokens[index].end)
                for tokens, index in self._words_by_key().get(key, ())
            )
        return answer

    def _words_by_key(self) -> dict[str, list[tuple[list[_Token], int]]]:
        """Every capitalised run word of the article, by its key (made once)."""
        if self._by_key is None:
            self._by_key = {}
            for tokens, runs in self._passage_runs:
                for run in runs:
                    for index in run:
                        token = tokens[index]
                        if token.capital:
                            key = normalize(token.word)
                            self._by_key.setdefault(key, []).append((tokens, index))
        return self._by_key


def _recognise_passage(
    context: _Context, tokens: list[_Token], runs: list[list[int]]
) -> list[Span]:
    if not tokens:
        return []
    title_case = _Later(lambda: _is_title_case(tokens))
    listed = _listed_areas(context, tokens)
    spans: list[Span] = []
    if not listed:
        for run in runs:
            spans.extend(_recognise_run(context, tokens, run, title_case))
        return spans
    spans.extend(span for span, _ in listed)
    taken = {index for _, group in listed for index in group}
    for run in runs:
        for part in _split_run(run, taken):
            spans.extend(_recognise_run(context, tokens, part, title_case))
    return sorted(spans, key=lambda span: span.start)


_PLURAL_AREAS = {"counties": "County", "parishes": "Parish", "boroughs": "Borough"}


def _holds_plural_area_word(text: str, start: int, end: int) -> bool:
    """Is "counties", "parishes" or "boroughs" in ``text[start:end]``? Three C substring
    searches: the regex alternation took about 50 µs over a whole article."""
    return any(text.find(word, start, end) >= 0 for word in _PLURAL_AREAS)


def _listed_areas(context: _Context, tokens: list[_Token]) -> list[tuple[Span, list[int]]]:
    """ "Clarke, Madison and Oconee counties": each name of such a list is "<Name> County"
    (the spans, and the token indexes they take)."""
    found: list[tuple[Span, list[int]]] = []
    first, last = tokens[0].start, tokens[-1].end  # every word lies in between
    if not context.lists_areas or not _holds_plural_area_word(context.text, first, last):
        return found  # no "counties" anywhere: no token can be that word
    for index, token in enumerate(tokens):
        suffix = _PLURAL_AREAS.get(token.word)
        if suffix is None or index == 0 or token.gap != " ":
            continue
        for group in _names_listed_before(tokens, index):
            for first in range(len(group)):  # "In Clarke": the longest part that is a county
                start, end = tokens[group[first]].start, tokens[group[-1]].end
                written = context.text[start:end]
                if f"{written} {suffix}" in context.gazetteer:
                    span = Span(start, end, written, f"{written} {suffix}")
                    _note(context.trace, span, True, [f"named in a list before {token.word!r}"])
                    found.append((span, group[first:]))
                    break
    return found


def _names_listed_before(tokens: list[_Token], index: int) -> list[list[int]]:
    """Token groups of the names in "A, B C and D" ending just before ``index``."""
    groups: list[list[int]] = []
    cursor = index - 1
    while cursor >= 0 and tokens[cursor].capital:
        group = [cursor]
        while len(group) < 3 and tokens[group[0]].gap == " " and tokens[group[0] - 1].capital:
            group.insert(0, group[0] - 1)
        groups.append(group)
        start = group[0]
        if tokens[start].gap == ", ":
            cursor = start - 1
        elif start > 1 and tokens[start - 1].word in ("and", "or") and tokens[start].gap == " ":
            cursor = start - 2
        else:
            break
    return groups


def _split_run(run: list[int], taken: set[int]) -> list[list[int]]:
    """The run without the tokens a listed area took, as runs of what is left."""
    if not taken or not any(index in taken for index in run):
        return [run]
    parts: list[list[int]] = [[]]
    for index in run:
        if index in taken:
            parts.append([])
        else:
            parts[-1].append(index)
    return [part for part in parts if part]


def _recognise_run(
    context: _Context, tokens: list[_Token], run: list[int], title_case: Callable[[], bool]
) -> list[Span]:
    """The places of one capitalised run: at each position the longest gazetteer name (or
    a demonym), judged by the rules; an accepted name qualifies none of what follows."""
    spans: list[Span] = []
    position = boundary = 0  # names before run position ``boundary`` do not qualify
    text, gazetteer = context.text, context.gazetteer
    limit = gazetteer.max_name_tokens
    # Worked out once per run, not once per position: the generic word after the run's
    # last word ("… region") and whether the run is ASCII (see ``_may_begin_demonym``).
    suffix = _generic_suffix(text, tokens, run[-1])
    if len(run) == 1 and suffix is None and _names_nothing(tokens[run[0]].word, gazetteer):
        return spans  # how most runs end: one word, no name and no demonym
    ascii_run = text[tokens[run[0]].start : tokens[run[-1]].end].isascii()
    while position < len(run):
        word = tokens[run[position]].word
        if word in PARTY_CODES and _party_prefix(tokens, run, position):
            position += 1  # "D-W. Va.": the party letter starts no name
            continue
        match = _longest_match(text, tokens, run, position, limit, suffix, gazetteer)
        demonym = None
        if not ascii_run or _may_begin_demonym(word):
            demonym = _demonym_here(context, tokens, run, position, match)
        if demonym is not None:
            span, last = demonym
            if context.demonyms:
                spans.append(span)
            reasons = ["demonym: the people or adjective of a place"]
            _note(context.trace, span, context.demonyms, reasons)
            position = last + 1
            continue
        if match is None:
            if word.casefold() in ("and", "or", "&"):
                boundary = position + 1
            position += 1
            continue
        accepted = _judge(context, tokens, run, (boundary, position), match, title_case)
        if accepted is not None:
            spans.append(accepted)
            boundary = match[0] + 1
        position = match[0] + 1
    return spans


def _names_nothing(word: str, gazetteer: Gazetteer) -> bool:
    """A capitalised word alone (no generic word after it) that is no gazetteer name and
    can begin no demonym: its run has nothing to match or judge. (Alone, a word is a
    demonym only by its own key, in any script: ``_demonym_span`` tries a longer key
    only with a second word.)"""
    return word not in gazetteer and not _may_begin_demonym(word)


def _party_prefix(tokens: list[_Token], run: list[int], position: int) -> bool:
    """A party code joined by a hyphen to the next word of the run ("R-Ocilla")."""
    following = run[position] + 1
    return (
        tokens[run[position]].word in PARTY_CODES
        and position + 1 < len(run)
        and run[position + 1] == following
        and tokens[following].gap in ("-", "‑")
    )


def _demonym_here(
    context: _Context,
    tokens: list[_Token],
    run: list[int],
    position: int,
    match: tuple[int, int, str] | None,
) -> tuple[Span, int] | None:
    """A demonym starting here that no longer name overrides: a demonym is never the town
    of the same name ("Canadian", Texas), but a country's name is never a demonym
    ("Philippines", "Djibouti"), nor an area's longer name ("the Somali region": Ethiopia's,
    where "Somali officials" are Somalia's)."""
    found = _demonym_span(context.text, tokens, run, position)
    if found is None:
        return None
    if match is not None and match[0] >= found[1]:
        longer = match[1] > found[0].end or (
            _generic_suffix(context.text, tokens, run[found[1]]) is not None  # "… region"
        )
        if _names_country(context.gazetteer, match[2]) or (
            longer and _is_area(context.gazetteer, match[2])
        ):
            return None
    return found if match is None or match[0] <= found[1] else None


def _judge(
    context: _Context,
    tokens: list[_Token],
    run: list[int],
    where: tuple[int, int],
    match: tuple[int, int, str],
    title_case: Callable[[], bool],
) -> Span | None:
    """The span of a gazetteer match if the rules accept it here, else None (traced)."""
    boundary, position = where
    last, span_end, name = match
    if context.trace is None and position == last and _rejected_alone(name):
        return None  # "He", "In", "March": the rules reject it wherever it stands alone
    start = tokens[run[position]].start
    if normalize(name) in area_abbreviation_keys():
        span = Span(start, span_end, context.text[start:span_end], name)
        return _abbreviation_span(context, tokens, (run[position], run[last]), span)
    here = _Here(
        context.text, tokens, run, boundary, position, last, name, title_case,
        context.gazetteer, context.weights, context.surnames, context.local_names,
    )  # fmt: skip
    reasons: list[str] = []
    if context.trace is None:  # no reasons to give, and no span for what is no place
        accepted = not _rejected(here)
        if not accepted:
            return None
    else:
        accepted, reasons = _verdict(here)
    span = Span(start, span_end, context.text[start:span_end], name)
    _note(context.trace, span, accepted, reasons)
    return span if accepted else None


def _abbreviation_span(
    context: _Context, tokens: list[_Token], first_last: tuple[int, int], span: Span
) -> Span | None:
    """ "Ga." after "Gainesville, ", "W. Va." after "D-" or "W.Va." anywhere; a bare "Ga" or
    "Ill" is a word."""
    first, last = first_last
    dotted_end = _abbreviation_end(context.text, tokens, first)
    if first != last and dotted_end is not None:  # "W. Va.": the period after the last word
        dotted_end = _abbreviation_end(context.text, tokens, last, spaced=True)
    written = context.text[span.start : dotted_end] if dotted_end is not None else ""
    if dotted_end is not None and written in area_abbreviations():
        found = Span(span.start, dotted_end, written, span.name)
        _note(context.trace, found, True, ["area abbreviation with its period"])
        return found
    _note(context.trace, span, False, ["bare abbreviation: a word, not a state"])
    return None


def _note(
    trace: list[dict[str, object]] | None, span: Span, accepted: bool, reasons: list[str]
) -> None:
    if trace is not None:
        trace.append(
            {"start": span.start, "end": span.end, "text": span.text, "name": span.name,
             "accepted": accepted, "rules": reasons}
        )  # fmt: skip


def _longest_match(
    text: str,
    tokens: list[_Token],
    run: list[int],
    position: int,
    limit: int,
    suffix: int | None,
    gazetteer: Gazetteer,
) -> tuple[int, int, str] | None:
    """(last run position, span end, lookup name) of the longest name starting here, of at
    most ``limit`` words; ``suffix`` is ``_generic_suffix`` of the run's last word.

    A run never goes on after a possessive ("Baku's"), so no name tried here holds one
    before its last word.
    """
    first = tokens[run[position]]
    if not first.capital:
        return None
    start, final = first.start, len(run) - 1
    for last in range(min(final, position + limit - 1), position - 1, -1):
        token = tokens[run[last]]
        if not token.capital:
            continue  # a name never ends on a connector
        if last == final and suffix is not None and text[start:suffix] in gazetteer:
            return last, suffix, text[start:suffix]
        name = text[start : token.end]
        if name in gazetteer and (
            _plausible_name(name)
            or is_dateline(text, start, token.end)
            or _names_country(gazetteer, name)  # "DPRK"
        ):
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
    if " " in name:
        return True
    if name.isascii():  # the same test without a list: here letters are A-Z and a-z only
        return not name.isupper() or sum(1 for ch in name if "A" <= ch <= "Z") <= 3
    letters = [ch for ch in name if ch.isalpha()]
    return not (len(letters) > 3 and all(ch.isupper() for ch in letters) and " " not in name)


_DATELINE_END = re.compile(r"\s*(?:,|\(|—|–|-|:\s)")


def is_dateline(text: str, start: int, end: int) -> bool:
    """ "WASHINGTON —", "BEIRUT (AP) -": an all-caps place opening a line or following
    the headline's period or a date ("… kiss pig. CHARLESTON, W.Va. -"), then a mark.

    The mark after the name is checked first: it is one regex step, while the line before
    it is read back to its start.
    """
    if _DATELINE_END.match(text, end) is None:
        return False
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start].rstrip(" \t\u00a0*_#")
    return not before or before[-1] in ".!?" or before[-1].isdigit()  # "March 15, 2009"


@dataclass(slots=True)
class _Here:
    """One gazetteer match in its context: what every recognition rule looks at."""

    text: str
    tokens: list[_Token]
    run: list[int]
    boundary: int  # run position before which names do not qualify this one
    position: int  # first run position of the match
    last: int  # last run position of the match
    name: str
    title_case: Callable[[], bool]  # is the passage a headline (worked out if a rule asks)
    gazetteer: Gazetteer
    weights: Weights
    surnames: frozenset[str]
    local_names: _LocalNames
    # Read by nearly every rule (fields: a property would be a call each time).
    single: bool = field(init=False)  # a one-word match
    first: _Token = field(init=False)  # the match's first token
    # Worked out once per match, the first time a rule asks (several rules ask).
    _words: list[str] | None = field(default=None, init=False)
    _after: list[_Token] | None = field(default=None, init=False)
    _candidates: list[Candidate] | None = field(default=None, init=False)
    _strong: bool | None = field(default=None, init=False)
    _locative: bool | None = field(default=None, init=False)

    @property
    def words(self) -> list[str]:
        """The match's words (a list the rules share: they never change it)."""
        if self._words is None:
            run, tokens = self.run, self.tokens
            self._words = [tokens[run[k]].word for k in range(self.position, self.last + 1)]
        return self._words

    def __post_init__(self) -> None:
        self.single = self.position == self.last
        self.first = self.tokens[self.run[self.position]]

    @property
    def after(self) -> list[_Token]:
        """The run's tokens after the match (shared, never changed)."""
        if self._after is None:
            run, tokens = self.run, self.tokens
            self._after = list(map(tokens.__getitem__, run[self.last + 1 :]))  # no frame
        return self._after

    def candidates(self) -> list[Candidate]:
        if self._candidates is None:
            self._candidates = self.gazetteer.lookup(self.name)
        return self._candidates

    def common(self, word: str) -> bool:
        return is_common_word(word, self.weights.common_word_zipf)

    def strong(self) -> bool:
        if self._strong is None:
            self._strong = _is_well_known(self.gazetteer, self.name, self.weights)
        return self._strong

    def locative(self) -> bool:
        if self._locative is None:
            self._locative = _has_locative_cue(self.text, self.tokens, self.run[self.position])
        return self._locative


# -- recognition rules: each returns why the match is NOT a place here, or None -----------
def rule_short_caps_not_country(here: _Here) -> str | None:
    """Short all-caps forms (US, UK, EU, UAE) only for countries and unions."""
    if not here.single:
        return None
    word = here.first.word.replace(".", "")
    if word.isupper() and len(word) <= 3:
        if not any(c.entry.kind in ("country", "region") for c in here.candidates()):
            return "short capitals that name no country"
    return None


def rule_direction_or_function_word(here: _Here) -> str | None:
    """ "West", "North", "The": directions and function words, not places; nor is a
    generic word alone ("Region", "Province": an alternate name of some place somewhere)."""
    key = normalize(here.name)
    if here.single and (key in FUNCTION_WORDS or key in QUALIFIERS):
        return "direction or function word"
    if here.single and key in GENERIC_SUFFIXES:
        return "a generic word ('region', 'province') alone"
    if here.single:  # its one word, without making the list of words
        return "a title" if normalize(here.first.word) in TITLES else None
    for word in here.words:  # a title when every word is one (no generator per match)
        if normalize(word) not in TITLES:
            return None
    return "a title"


def rule_after_title(here: _Here) -> str | None:
    """ "President Aliyev", "Mr Jordan": a person."""
    previous = _previous_token(here.tokens, here.run, here.position)
    if previous is not None and normalize(previous.word) in TITLES:
        return f"after the title {previous.word!r}: a person"
    return None


def rule_inside_longer_name(here: _Here) -> str | None:
    """A capitalised name before it in the same run makes it part of that name."""
    if here.boundary == here.position:
        return None  # no word before it qualifies it
    tokens, run = here.tokens, here.run
    before = [tokens[run[k]] for k in range(here.boundary, here.position)]
    names_before = [
        t
        for t in before
        if t.capital
        and normalize(t.word) not in QUALIFIERS
        and not (t is tokens[run[0]] and _sentence_initial(here.text, t) and here.common(t.word))
    ]
    if not names_before:
        return None
    if is_first_name(names_before[-1].word):
        return f"after the first name {names_before[-1].word!r}: a person"
    if before and normalize(before[-1].word) == "of" and len(before) >= 2:
        head = normalize(before[-2].word)
        if head in FEATURE_HEADS:
            return f"part of '{before[-2].word} of …': that feature's own name"
        if head in INSTITUTION_OF_HEADS:
            return None  # "University of Virginia": an institution of that place
    if _after_party_or_code(here) or _after_hyphenated_demonym(here):
        return None
    if _company_of_country(here, before):
        return None
    if not any(normalize(t.word) in QUALIFIERS for t in before[-1:]):
        return "part of a longer name (organisation)"
    return None


def _company_of_country(here: _Here, before: list[_Token]) -> bool:
    """ "Air Zimbabwe", "HSBC Malta", "Environment Canada": a company or agency of that
    country, which names it. "United Russia" is a party, not the country."""
    if here.last != len(here.run) - 1 or not _names_country(here.gazetteer, here.name):
        return False
    return not before or normalize(before[-1].word) != "united"


def _after_hyphenated_demonym(here: _Here) -> bool:
    """ "Egyptian-US relations", "Russian-Georgian war": two parties joined by a hyphen."""
    index = here.run[here.position]
    if index == 0 or here.first.gap not in ("-", "‑"):
        return False
    return normalize(here.tokens[index - 1].word) in demonym_countries()


def _after_party_or_code(here: _Here) -> bool:
    """ "R-Ocilla", "DFL-Cook": a legislator's party joined by a hyphen is no part of the
    place's name (but "T-Mobile" is not Mobile)."""
    index = here.run[here.position]
    if index == 0 or here.first.gap not in ("-", "‑"):
        return False
    return here.tokens[index - 1].word in PARTY_CODES


def rule_document_or_media(here: _Here) -> str | None:
    """ "Rome Statute", "European Games", "Washington Post"."""
    after = here.after
    if after and not here.tokens[here.run[here.last]].possessive:
        head = normalize(after[0].word)
        if head in DOCUMENT_HEADS:
            return f"names a document or event ('{after[0].word}')"
        if head in MEDIA_HEADS:
            return f"names a news outlet ('{after[0].word}')"
    return None


def rule_street_name(here: _Here) -> str | None:
    """ "Wichita Street", "Darby Rd.": a place name followed by a street word names a
    street (which may be anywhere), not the place."""
    after = here.after
    if not after or here.tokens[here.run[here.last]].possessive or after[0].gap != " ":
        return None
    word = after[0].word.casefold()
    if len(after) > 1:
        return None  # "Florida Highway Patrol": an organisation of that place
    if word in STREET_HEADS or word in STREET_ABBREVIATIONS:
        return f"names a street ('{after[0].word}')"
    return None


def rule_feature_name(here: _Here) -> str | None:
    """ "Wular Lake", "Tarbela Dam": a name followed by a lake's or dam's head word names
    that feature, not a town of the same name (unless the gazetteer has a water or landform
    of that name). The head word after a name ("… Barrage") is no place by itself."""
    if here.single and normalize(here.name) in FEATURE_AFTER_HEADS and _after_name(here):
        return "a feature's head word after its name, not a place by itself"
    after = here.after
    if not after or here.tokens[here.run[here.last]].possessive or after[0].gap != " ":
        return None
    if after[0].word.casefold() not in FEATURE_NOT_TOWN_HEADS:
        return None
    if any(c.entry.kind in ("water", "landform") for c in here.candidates()):
        return None
    return f"names a feature ('{after[0].word}'), not the town"


def _after_name(here: _Here) -> bool:
    """The token before is a capitalised name of the same run ("Kotri Barrage"), not an
    article or function word ("The Delta officer")."""
    if here.position == 0:
        return False
    previous = here.tokens[here.run[here.position - 1]]
    key = normalize(previous.word)
    return previous.capital and key not in QUALIFIERS and key not in FUNCTION_WORDS


def rule_first_name_and_surname(here: _Here) -> str | None:
    """ "Jordan Peterson", "Victoria Nuland": a first name then a capitalised surname."""
    after = here.after
    if not (here.single and after) or here.tokens[here.run[here.last]].possessive:
        return None
    following = after[0]
    if normalize(following.word) in TITLES or not _name_cased(following.word):
        return None
    if not is_first_name(here.first.word) or _is_area(here.gazetteer, following.word):
        return None
    if is_first_name(following.word) and len(after) > 1 and _name_cased(after[1].word):
        return f"two first names before a surname ('{following.word} {after[1].word}')"
    rare = zipf(following.word)
    if (is_surname(following.word) and rare < 4.0) or rare < here.weights.english_word_zipf:
        return f"a first name before the surname {following.word!r}: a person"
    return None


def _name_cased(word: str) -> bool:
    """ "Nuland", "McClain", "DeLuca": a capital first, and not all capitals."""
    return word[:1].isupper() and not word.isupper()


def rule_modifier_of_longer_name(here: _Here) -> str | None:
    """ "Vladimir Putin", "Kavkaz Files", "UK Maritime Trade": a town or a common word
    followed by more capitalised words is part of a longer name. Countries and areas
    modify nouns ("Azerbaijan Service") and stay places."""
    after = here.after
    if not (here.single and after) or here.tokens[here.run[here.last]].possessive:
        return None
    following = after[0]
    spaced = here.first.gap == " " and following.gap == " "  # not "Baku-Yerevan-Moscow"
    if here.position > 0 and here.boundary == here.position and following.capital and spaced:
        if not _names_country(here.gazetteer, here.name):
            return "between a place and more capitalised words: an organisation's name"
    if not following.capital or normalize(following.word) in TITLES:
        return None  # "Hodeidah and Aden": a list, not a longer name
    if following.word in here.gazetteer or _names_institution(after):
        return None
    if not _is_area(here.gazetteer, here.name):
        return "followed by a capitalised non-place: part of a longer name"
    return None


def _names_institution(after: list[_Token]) -> bool:
    """ "… Fire Department", "… City Council": the words after a town name one of its
    institutions, which keeps the town a place."""
    for token in after[:4]:
        if not token.capital or token.gap != " ":
            return False
        if token.word.casefold() in INSTITUTION_HEADS:
            return True
    return False


def rule_lone_first_name(here: _Here) -> str | None:
    """ "Patrick said…": a first name alone is a person unless a locative cue says otherwise."""
    if here.single and is_first_name(here.first.word) and not here.strong():
        if not here.locative() and not _place_context(here):
            return "a first name without a locative cue"
    return None


def rule_common_word(here: _Here) -> str | None:
    """ "Reading the report": a common word needs a big place or a locative cue."""
    if not (here.single and here.common(here.first.word)):
        return None
    if here.strong():
        return None
    if (_sentence_initial(here.text, here.first) and here.position == 0) or here.title_case():
        return "a common word capitalised by position (sentence start or headline)"
    if not here.locative():
        return "a common word without a locative cue"
    return None


def rule_alternate_word(here: _Here) -> str | None:
    """ "Drone" is an alternate name of Dronero, "Den" of Denver: when only alternate names
    match, an English word, a short form or odd capitals ("MoD") is not that place."""
    if not here.single:
        return None
    found = here.candidates()
    if not found or any(map(_PRIMARY, found)):
        return None
    weights = here.weights
    for candidate in found:
        entry = candidate.entry
        if entry.kind in ("country", "continent", "region", "water", "landform", "corridor"):
            return None
        if entry.feature_code == "ADM1" or entry.population >= weights.known_alternate_population:
            return None
    word = here.first.word
    letters = word.replace(".", "")
    if zipf(word) >= weights.alternate_word_zipf:
        return "an English word that is only an alternate name of a small place"
    if len(letters) <= 3 or not (letters.istitle() or letters.isupper()):
        return "a short or oddly capitalised alternate name of a small place"
    return None


_PRIMARY = attrgetter("primary")


def rule_building_after_the(here: _Here) -> str | None:
    """ "the White House", "the City Park": common words after "the" name a building or
    an organisation, not the small town that happens to share the name."""
    if here.single or here.strong():
        return None
    index = here.run[here.position]
    words = here.words
    if words[0] == "The":  # "The City Council": the article is inside the match
        words = words[1:]
    elif index == 0 or here.tokens[index - 1].word != "the" or here.last != len(here.run) - 1:
        return None
    if words and all(here.common(word) for word in words):
        return "common words after 'the': a building or organisation"
    return None


def rule_firm_name(here: _Here) -> str | None:
    """ "Stevens & Wilkinson", "Johnson & Johnson": names joined by an ampersand are a
    firm, not places."""
    if here.name.isupper():
        return None  # "TIJUANA & SAN DIEGO —": a dateline of two places
    index_first, index_last = here.run[here.position], here.run[here.last]
    tokens = here.tokens
    before = tokens[index_first - 1] if index_first else None
    after = tokens[index_last + 1] if index_last + 1 < len(tokens) else None
    if after is not None and after.gap.strip() == "&" and after.capital:
        return "joined by '&' to another name: a firm"
    if before is not None and here.first.gap.strip() == "&" and before.capital:
        return "joined by '&' to another name: a firm"
    return None


def rule_surname(here: _Here) -> str | None:
    """A lone word that is the surname of someone the article names, not a locative use."""
    if _is_surname_here(
        here.text, here.tokens, here.run, (here.position, here.last), here.surnames, here.gazetteer
    ):
        return "the surname of a person the article names"
    return None


def rule_speaker(here: _Here) -> str | None:
    """ "Webb said": a small place does not speak; capitals and countries may ("Moscow says")."""
    if not here.single:
        return None
    reason = _speaker_cue(here)  # rarer than a well-known name, and cheaper to find
    return None if reason is None or here.strong() else reason


def _speaker_cue(here: _Here) -> str | None:
    """Why a one-word match that is not well known would be a speaker here, if it would."""
    token = here.tokens[here.run[here.last]]
    index = here.run[here.last]
    following = here.tokens[index + 1] if index + 1 < len(here.tokens) else None
    if following is not None and following.gap == " " and following.word in SPEECH_VERBS:
        if not _is_area(here.gazetteer, here.name) and not token.possessive:
            return f"followed by '{following.word}': a speaker, not a place"
    previous = here.tokens[here.run[here.position] - 1] if here.run[here.position] else None
    if previous is not None and previous.word in SPEECH_VERBS and here.first.gap == " ":
        if not _is_area(here.gazetteer, here.name):
            return f"after '{previous.word}': a speaker, not a place"
    if _after_according_to(here.tokens, here.run[here.position]):
        institution = following is not None and following.word.casefold() in INSTITUTION_HEADS
        if not _is_area(here.gazetteer, here.name) and not institution:
            return "after 'according to': a source, not a place"  # not "… to Hanover police"
    return None


def rule_lone_surname(here: _Here) -> str | None:
    """ "Taylor said", "according to Chisholm": a common surname alone, naming a small
    place, with no locative cue, is more often the person."""
    if not here.single or not is_surname(here.first.word) or here.locative():
        return None  # the cheap cue first: "well known" takes a lookup and a word count
    if here.strong() or normalize(here.name) in here.local_names or _place_context(here):
        return None
    return "a common surname alone, without a locative cue"


_AREA_QUALIFIERS = QUALIFIERS - {"the", "in", "of", "from", "to", "at", "across"}


def _place_context(here: _Here) -> bool:
    """Cues local news uses around a small town's name: a dateline ("CROMWELL —"), ", of
    X", a party prefix ("D-Hardy"), a qualifier ("downtown X"), one of its institutions
    ("X Fire Chief") or a list of counties ("X and Y counties")."""
    token, index = here.first, here.run[here.position]
    dateline = token.word.isupper() and is_dateline(here.text, token.start, token.end)
    if dateline or _after_party_or_code(here):
        return True
    previous = here.tokens[index - 1] if index else None
    if previous is not None and normalize(previous.word) in _AREA_QUALIFIERS:
        return True
    if previous is not None and previous.word == "of" and previous.gap.startswith(","):
        return True
    if _names_institution(here.after):
        return True
    following = here.tokens[index + 1 : index + 4]
    if following and following[0].word.casefold() in RESIDENT_NOUNS:
        return True  # "a Chapin man", "the Pratt area"
    return any(t.word.casefold() in ("counties", "county", "townships") for t in following)


RULES: tuple[Callable[[_Here], str | None], ...] = (
    rule_short_caps_not_country,
    rule_direction_or_function_word,
    rule_after_title,
    rule_inside_longer_name,
    rule_document_or_media,
    rule_street_name,
    rule_feature_name,
    rule_first_name_and_surname,
    rule_modifier_of_longer_name,
    rule_lone_first_name,
    rule_common_word,
    rule_alternate_word,
    rule_building_after_the,
    rule_firm_name,
    rule_surname,
    rule_lone_surname,
    rule_speaker,
)


# Rules that only judge one-word matches, or only longer ones: each begins by testing
# ``here.single`` and returns None otherwise, so leaving it out there changes no answer.
_ONE_WORD_ONLY = frozenset({
    rule_short_caps_not_country, rule_first_name_and_surname, rule_modifier_of_longer_name,
    rule_lone_first_name, rule_common_word, rule_alternate_word, rule_surname,
    rule_lone_surname, rule_speaker,
})  # fmt: skip
_LONGER_ONLY = frozenset({rule_building_after_the})
# Rules that only judge the words after the match in its run ("Rome Statute", "Wichita
# Street", "Jordan Peterson"): each returns None when the match ends its run (most
# matches: most runs are one word). And the rule that only judges the words before it
# that qualify it, which returns None when there are none.
_WORDS_AFTER_ONLY = frozenset({
    rule_document_or_media, rule_street_name, rule_first_name_and_surname,
    rule_modifier_of_longer_name,
})  # fmt: skip
_WORDS_BEFORE_ONLY = frozenset({rule_inside_longer_name})


def _rules_that_may_reject(
    single: bool, words_after: bool, words_before: bool
) -> tuple[Callable[[_Here], str | None], ...]:
    """The rules, in RULES' order, that may reject a match of one word (``single``) or
    more, with or without words after it in its run and qualifying words before it."""
    left_out = _ONE_WORD_ONLY if not single else _LONGER_ONLY
    left_out = left_out | (frozenset() if words_after else _WORDS_AFTER_ONLY)
    left_out = left_out | (frozenset() if words_before else _WORDS_BEFORE_ONLY)
    return tuple(rule for rule in RULES if rule not in left_out)


# (one word, words after it in its run, qualifying words before it) → the rules to ask.
_RULES_BY_SHAPE = {
    shape: _rules_that_may_reject(*shape) for shape in product((True, False), repeat=3)
}


def _rejection(here: _Here) -> tuple[str, str] | None:
    """(rule, reason) of the first rule that rejects the match, None if none does."""
    shape = (here.single, here.last < len(here.run) - 1, here.boundary < here.position)
    for rule in _RULES_BY_SHAPE[shape]:
        reason = rule(here)
        if reason is not None:
            return rule.__name__, reason
    return None


# Without a trace any rule that rejects decides, so the rules are asked in the order
# that rejects soonest for the least work: rejections per microsecond, each rule taken
# greedily over the matches the ones before it left (1,000 benchmark articles).
_CHEAP_FIRST = (
    rule_surname, rule_inside_longer_name, rule_street_name, rule_common_word,
    rule_first_name_and_surname, rule_modifier_of_longer_name, rule_lone_first_name,
    rule_short_caps_not_country, rule_lone_surname, rule_document_or_media,
    rule_alternate_word, rule_speaker, rule_building_after_the, rule_after_title,
    rule_firm_name, rule_feature_name, rule_direction_or_function_word,
)  # fmt: skip
_CHEAP_FIRST_BY_SHAPE = {
    shape: tuple(rule for rule in _CHEAP_FIRST if rule in rules)
    for shape, rules in _RULES_BY_SHAPE.items()
}


def _rejected(here: _Here) -> bool:
    """Does some rule reject the match? (When no trace asks which rule and why.)"""
    shape = (here.single, here.last < len(here.run) - 1, here.boundary < here.position)
    for rule in _CHEAP_FIRST_BY_SHAPE[shape]:
        if rule(here) is not None:
            return True
    return False


def _verdict(here: _Here) -> tuple[bool, list[str]]:
    """(is a place, reasons): the first rule that rejects, or the cues that accepted it."""
    rejection = _rejection(here)
    if rejection is not None:
        return False, [f"{rejection[0]}: {rejection[1]}"]
    reasons = ["gazetteer: longest name in the capitalised run"]
    if here.strong():
        reasons.append("well known (country, state, big city or curated feature)")
    if here.locative():
        reasons.append("locative cue ('in X', 'X, Y')")
    return True, reasons


def _abbreviation_end(
    text: str, tokens: list[_Token], index: int, spaced: bool = False
) -> int | None:
    """End of "Ga." in "Gainesville, Ga.", "(Ga.)", "D-Ga." or of "W.Va." anywhere; None if
    not that use.

    "Ill", "Mass" and "Pa" are words too, so a bare form never counts: it needs its
    period, and either inner periods or a place name and a comma before it.
    """
    token = tokens[index]
    end = token.end + 1 if text[token.end : token.end + 1] == "." else None
    if token.word.endswith("."):
        end = token.end
    if end is None:
        return None
    if spaced or "." in text[token.start : end - 1]:
        return end
    if index > 0 and token.gap in (", ", " (") and tokens[index - 1].capital:
        return end  # "Gainesville, Ga.", "Walker County (Ga.)"
    if index > 0 and token.gap in ("-", "‑") and tokens[index - 1].word in PARTY_CODES:
        return end  # a party and a state: "Nancy Pelosi, D-Calif."
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


def _is_well_known(gazetteer: Gazetteer, name: str, weights: Weights = DEFAULT) -> bool:
    """Countries, continents, first-level areas, big cities and curated features.

    Only these keep a capitalised common word ("Reading", "Mobile") or a first name
    ("George") a place without a locative cue such as "in". The very commonest words
    ("Man", "Nice") need more than a city: a country, a state or a curated feature.
    """
    everyday = is_very_common_word(name, weights.very_common_word_zipf)
    for candidate in gazetteer.lookup(name):
        entry = candidate.entry
        if not candidate.primary and entry.kind == "city":
            continue
        if entry.kind in ("country", "continent", "region", "water", "landform", "corridor"):
            return True
        big = entry.population >= weights.well_known_population
        if big and (entry.feature_code == "ADM1" or not everyday):
            return True  # a state of any size people live in; a city unless an everyday word
    return False


def _is_area(gazetteer: Gazetteer, name: str) -> bool:
    """Countries and areas modify nouns ("Azerbaijan Service", "U.S. Navy"); towns rarely do.
    A country counts by any of its names: the short forms ("U.S.", "UK") are aliases."""
    return any(
        (c.primary and c.entry.kind not in ("city", "site")) or c.entry.kind == "country"
        for c in gazetteer.lookup(name)
    )


def _has_locative_cue(text: str, tokens: list[_Token], index: int) -> bool:
    """ "in X", "near X", "X, Y": evidence that a common word is used as a place name."""
    if index > 0 and normalize(tokens[index - 1].word) in {
        "in", "near", "to", "from", "at", "outside", "across", "towards", "via",
    }:  # fmt: skip
        return not _after_according_to(tokens, index)
    after = text[tokens[index].end : tokens[index].end + 3]
    return after.startswith(", ") and after[2:3].isupper()


def _after_according_to(tokens: list[_Token], index: int) -> bool:
    """ "according to Morris": a source of information, not a destination."""
    if index < 2:
        return False
    return tokens[index - 1].word == "to" and tokens[index - 2].word.casefold() == "according"


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
    """("Sri Lankan" | "Russians" span, last run position), the longer form first.

    Two ASCII words fold to the first word's key, a space or hyphen, then the second's:
    unless the first is how some demonym of two words begins, they make no demonym.
    """
    table = demonym_countries()
    first = tokens[run[position]]
    if _after_pan(tokens, run[position]):
        return None
    key = normalize(first.word)
    if position + 1 < len(run) and tokens[run[position + 1]].capital:
        end = tokens[run[position + 1]].end
        written = text[first.start : end]
        if key in _demonym_heads() or not written.isascii():
            place = table.get(normalize(written))
            if place is not None:
                return Span(first.start, end, written, place, demonym=True), position + 1
    place = table.get(key) if first.capital else None
    return (
        None if place is None else (Span(first.start, first.end, first.word, place, True), position)
    )


def _after_pan(tokens: list[_Token], index: int) -> bool:
    """ "Pan-American Highway", "Pan American Games", "pan–African": all of a continent or
    a people, not the country the adjective alone would name."""
    if index == 0 or tokens[index].gap not in ("-", "‑", "–", " "):
        return False
    return tokens[index - 1].word.casefold() == "pan"


@lru_cache(maxsize=1 << 16)
def _may_begin_demonym(word: str) -> bool:
    """False only when no demonym can begin with ``word`` in an ASCII run: its key is no
    demonym and no first part of one (``_demonym_span`` tries no other key there). A
    cheap test for the 63,000 run positions of 1,000 articles, most of them no demonym."""
    key = normalize(word)
    return key in demonym_countries() or key in _demonym_heads()


@lru_cache(maxsize=1)
def _demonym_heads() -> frozenset[str]:
    """What comes before a space or hyphen in a demonym ("sri" of "sri lankan")."""
    return frozenset(
        key[:index] for key in demonym_countries() for index, ch in enumerate(key) if ch in " -"
    )
