"""English word knowledge the recogniser needs: which words are common, which are names.

Word frequencies come from the ``wordfreq`` package and first names from the US census
lists shipped in the ``names`` package; the short closed word lists below are ordinary
English grammar and news usage.
"""

from __future__ import annotations

import json
import math
import unicodedata
from functools import lru_cache
from pathlib import Path

# Lower-case words allowed inside a place name ("Gulf of Mexico", "Stratford-upon-Avon").
CONNECTORS = frozenset(
    "of the and de la le les del della di da do dos das du des upon on sur al el am an im "
    "y e es".split()
)
# "<Name> region" names the area around the place ("Kursk region", "Donetsk oblast").
GENERIC_SUFFIXES = frozenset(
    "region province oblast krai district county governorate prefecture state republic "
    "peninsula".split()
)
# Capitalised words before a place that keep it a place ("Northern Syria", "Greater London").
QUALIFIERS = frozenset(
    "north south east west northern southern eastern western central northeast northwest "
    "southeast southwest northeastern northwestern southeastern southwestern upper lower "
    "greater inner outer downtown uptown metropolitan metro rural suburban coastal "
    "occupied liberated annexed war-torn war torn neighbouring neighboring nearby "
    "the in of from to at across".split()
)
# Titles and roles: the name after one is a person ("President Aliyev", "Mr Jordan").
TITLES = frozenset(
    "president presidents prime premier minister ministers mr mrs ms miss dr prof professor "
    "sir dame lord lady king queen prince princess emperor sheikh emir sultan shah pope "
    "general gen col colonel lt lieutenant captain capt major maj sgt sergeant "
    "admiral adm commander chancellor chairman chairwoman chair secretary ambassador "
    "senator sen governor gov mayor rep representative congressman congresswoman judge "
    "justice officer detective chief deputy spokesman spokeswoman spokesperson leader "
    "patriarch bishop archbishop rabbi imam father sister brother coach director ceo "
    "founder author writer journalist analyst expert dictator tsar czar sheriff attorney "
    "commissioner superintendent councilman councilwoman councillor councilor alderman "
    "pastor reverend rev trooper principal dean manager lawyer actor actress singer "
    "player striker defender quarterback pitcher candidate".split()
)
# Words after a place that make the whole a document, event or treaty ("Rome Statute").
DOCUMENT_HEADS = frozenset(
    "statute treaty treaties agreement agreements accord accords protocol protocols "
    "declaration convention conventions format formats process games olympics olympiad "
    "championship championships cup grand prix marathon biennale festival expo "
    "syndrome flu virus charter doctrine principles act plan initiative memorandum "
    "communique communiqué consensus talks summit conference forum dialogue group "
    "formula rules round court tribunal commission committee".split()
)
# Words after a place that make the whole a news outlet ("Washington Post").
MEDIA_HEADS = frozenset(
    "post times herald tribune journal gazette chronicle telegraph guardian observer "
    "today daily weekly news radio tv television broadcasting press review magazine "
    "standard examiner inquirer bulletin courier star sun mirror express".split()
)
# Words after a place name that make the whole a street or road ("Wichita Street"): the
# abbreviated forms only at the end of a name ("Main St." but "St. Louis").
STREET_HEADS = frozenset(
    "street road avenue drive boulevard lane parkway highway freeway expressway turnpike "
    "pike terrace trail circle crescent alley".split()
)
STREET_ABBREVIATIONS = frozenset("st st. rd rd. ave ave. dr dr. blvd blvd. ln ln. pkwy hwy".split())
# Words in an organisation named after its town ("Huntsville Fire Department", "Oxford City
# Council", "Dublin Historical Society"): the organisation is of that place, so the town
# stays a place mention (news gazetteers annotate it; the map places the story there).
INSTITUTION_HEADS = frozenset(
    "council police fire department dept sheriff sheriff's school schools high elementary "
    "university college academy hospital society club museum library center centre chamber "
    "board church airport zoo city township community public regional area historical "
    "medical convention visitors bureau authority housing parks recreation utilities "
    "government municipal town village borough".split()
)
# Nouns after a town's name that make it a place of residence ("a Chapin man").
RESIDENT_NOUNS = frozenset(
    "man woman men women boy girl teen teenager resident residents native natives family "
    "area couple senior student students homeowner homeowners neighborhood".split()
)
# Party codes before a legislator's town or state ("R-Ocilla", "DFL-Cook", "D-Calif.").
PARTY_CODES = frozenset("D R I DFL".split())
# "<Feature> of <Name>" is the feature's own name ("Cape of Good Hope", "Gulf of Aden").
FEATURE_HEADS = frozenset(
    "cape gulf bay strait straits isle isles island islands lake sea mount port river".split()
)
# Head words of a feature's name: after "<Name> " the head word alone is no place
# ("Tarbela Dam": not "Dam", an alternate name of some town).
FEATURE_AFTER_HEADS = frozenset(
    "lake lakes river rivers creek dam barrage canal reservoir valley mountains mountain "
    "hills glacier bay gulf delta basin falls gorge plateau desert peninsula".split()
)
# Of those, features that a town of the same name is seldom beside ("Wular Lake",
# "Tarbela Dam"): the name names the feature, not the town. Rivers and valleys are not
# here: "<Town> River" mostly flows past that town.
FEATURE_NOT_TOWN_HEADS = frozenset("lake lakes dam barrage canal glacier".split())
# "<Institution> of <Name>" is an institution of that place ("University of Virginia",
# "Embassy of the Republic of Armenia"): the name after it stays a place mention.
INSTITUTION_OF_HEADS = frozenset(
    "university bank college council embassy museum church cathedral hospital school "
    "institute academy ministry department house".split()
)
# Verbs of speech: a bare name that says or tells something is a person or organisation.
SPEECH_VERBS = frozenset("said says told added explained wrote stated replied".split())
# "the state of Victoria": the kind of place the name is, per mention.
KIND_CUES = {
    "state": "admin", "province": "admin", "region": "admin", "county": "admin",
    "district": "admin", "governorate": "admin", "oblast": "admin", "prefecture": "admin",
    "territory": "admin", "city": "city", "town": "city", "village": "city",
    "capital": "city", "country": "country", "nation": "country", "republic": "country",
    "kingdom": "country",
}  # fmt: skip
# Sentence openers and pronouns that are never place names, whatever the gazetteer has.
FUNCTION_WORDS = frozenset(
    "a an the this that these those it its he she they we i you his her their our my "
    "your in on at to from by with for of and or but nor so yet as if then than when "
    "while where what which who whom whose why how all any each every some many most "
    "much more less few other such no not only also even still just however therefore "
    "thus hence meanwhile moreover furthermore although though because since after "
    "before during despite among between about above below under over into onto upon "
    "here there today tomorrow yesterday now later earlier again already always never "
    "is are was were be been being has have had do does did will would shall should can "
    "could may might must according one two three first second last next new old "
    "four five six seven eight nine ten eleven twelve twenty thirty hundred thousand "
    "january february march april may june july august september october november "
    "december monday tuesday wednesday thursday friday saturday sunday "
    "jan feb mar apr jun jul aug sep sept oct nov dec mr mrs ms dr st yes ok".split()
)


# -- word frequencies ----------------------------------------------------------------------
# wordfreq's English list loads in ~0.4 s and answers in ~150 µs; the recogniser needs only
# "is this word at least this common?", so the words it can say yes to (Zipf ≥ 3.0, the
# lowest threshold in geo/weights.py: english_word_zipf) are written once to a small table
# in the gazetteer cache. A word absent from it is rarer than every threshold, exactly as
# wordfreq would say. (The table stopped at 4.0 once, which silently turned the 3.0 and 3.5
# thresholds into 4.0: "Hamas", Zipf 3.6, passed as a rare alternate name of Hamm.)
_TABLE_MIN_ZIPF = 3.0
_SEPARATORS = frozenset(" -\u00a0\u2011")
_JOINERS = frozenset(".'’")  # inside a word between letters ("u.s", "don't", "o’leary")
_ELISION_VOWELS = frozenset("aehiouyáéíóúàèìòùâêîôûåïöœ")  # wordfreq splits "d'ivoire"


def _word_table_path() -> Path:
    from importlib import metadata

    from geo.gazetteer import cache_dir

    version = metadata.version("wordfreq")
    return cache_dir() / f"zipf-en-wordfreq-{version}-from-{_TABLE_MIN_ZIPF}.txt"


@lru_cache(maxsize=1)
def _word_table() -> dict[str, int]:
    """Token → wordfreq bucket (line number: frequency 10^(-bucket/100)), built once."""
    path = _word_table_path()
    if not path.exists():
        write_word_table(path)
    table: dict[str, int] = {}
    for bucket, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        for word in line.split():
            table[word] = bucket
    return table


def write_word_table(path: Path) -> None:
    """Write wordfreq's English buckets down to Zipf 3.0: line N holds the words of bucket N."""
    from wordfreq import get_frequency_list

    from geo.atomic import write_text

    buckets = get_frequency_list("en")[: round((9 - _TABLE_MIN_ZIPF) * 100) + 1]
    if any(len(word.split()) != 1 for bucket in buckets for word in bucket):
        raise ValueError("wordfreq: a token with white space cannot go into the word table")
    write_text(path, "".join(" ".join(bucket) + "\n" for bucket in buckets))


def _tokens(word: str) -> list[str]:
    """wordfreq's English tokens of ``word`` (``wordfreq.tokens.lossy_tokenize``).

    Names and words of Latin letters, spaces, hyphens, periods and apostrophes (nearly all
    the recogniser asks about) are split here by the same Unicode word-break rules; for
    anything else (digits, other scripts, combining marks) wordfreq's tokeniser is loaded.
    A word of ASCII letters alone (most of what is asked) is one token, its lower case.
    """
    if word.isalpha() and word.isascii():
        return [word.lower()]
    return _split_tokens(word)


def _split_tokens(word: str) -> list[str]:
    """``_tokens`` the long way, for every word (the one-word shortcut must equal it)."""
    text = unicodedata.normalize("NFC", word).casefold()
    if not all(
        (ch.isalpha() and ch < "\u0250") or ch in _SEPARATORS or ch in _JOINERS for ch in text
    ):
        from wordfreq.tokens import lossy_tokenize

        return lossy_tokenize(word, "en")
    tokens: list[str] = []
    index, size = 0, len(text)
    while index < size:
        if not text[index].isalpha():
            index += 1
            continue
        # "d'ivoire", "qu'il": one or two letters and an apostrophe before a vowel split off.
        for length in (1, 2):
            apostrophe = index + length
            if (
                apostrophe + 1 < size
                and text[apostrophe] == "'"
                and text[index:apostrophe].isalpha()
                and text[apostrophe + 1] in _ELISION_VOWELS
            ):
                tokens.append(text[index:apostrophe])
                index = apostrophe + 1
                break
        else:
            end = index + 1
            while end < size and (
                text[end].isalpha()
                or (text[end] in _JOINERS and end + 1 < size and text[end + 1].isalpha())
            ):
                end += 1
            tokens.append(text[index:end].replace("’", "'"))
            index = end
    return tokens


@lru_cache(maxsize=65536)
def _zipf(word: str) -> float:
    """``wordfreq.zipf_frequency(word, "en")`` from the table: exact from Zipf 3.0 up, and
    0.0 below it. Several tokens combine as wordfreq does (1/f = Σ 1/fᵢ, then rounding)."""
    table = _word_table()
    tokens = _tokens(word)
    if not tokens:
        return 0.0
    one_over = 0.0
    for token in tokens:
        if any(ch.isdigit() for ch in token):  # only from wordfreq's tokeniser, loaded
            from wordfreq.numbers import digit_freq, smash_numbers

            smashed = smash_numbers(token)  # "2024" is looked up as "0000", then weighed
            bucket = table.get(smashed)
            if bucket is None:
                return 0.0
            frequency = 10 ** (-bucket / 100)
            one_over += 1.0 / (frequency * digit_freq(token) if smashed != token else frequency)
            continue
        bucket = table.get(token)
        if bucket is None:
            return 0.0
        one_over += 1.0 / 10 ** (-bucket / 100)
    frequency = max(1.0 / one_over, 1e-9)
    frequency = round(frequency, math.floor(-math.log(frequency, 10)) + 3)
    return round(math.log(frequency, 10) + 9, 2)


def zipf(word: str) -> float:
    """How often English uses the word (wordfreq's Zipf scale: 3 is once per million words)."""
    return _zipf(word)


def is_common_word(word: str, threshold: float = 4.3) -> bool:
    """True for words an English text uses a lot (Zipf ≥ 4.3), e.g. "Reading", "Nice"."""
    return _zipf(word) >= threshold


def is_very_common_word(word: str, threshold: float = 5.3) -> bool:
    """Everyday words (Zipf ≥ 5.3: "man", "nice", "well") that a capital cannot make a name."""
    return _zipf(word) >= threshold


@lru_cache(maxsize=1)
def _first_names() -> frozenset[str]:
    import names

    folder = Path(names.__file__).parent
    found: set[str] = set()
    for list_name in ("dist.male.first", "dist.female.first"):
        for rank, line in enumerate((folder / list_name).read_text().splitlines()):
            if rank >= 1000:
                break
            found.add(line.split()[0].casefold())
    return frozenset(found)


def is_first_name(word: str) -> bool:
    """One of the 1,000 most common US male or female first names (US census)."""
    return word.casefold() in _first_names()


@lru_cache(maxsize=1)
def _surnames() -> frozenset[str]:
    import names

    path = Path(names.__file__).parent / "dist.all.last"
    lines = path.read_text().splitlines()[:20_000]
    return frozenset(line.split()[0].casefold() for line in lines)


def is_surname(word: str) -> bool:
    """One of the 20,000 most common US surnames (US census, ``names`` package)."""
    return word.casefold() in _surnames()


@lru_cache(maxsize=1)
def demonym_countries() -> dict[str, str]:
    """Demonym or adjective (normalised, plurals too) → place name.

    From the ``countryinfo`` package (the most populous country wins a shared demonym:
    "American" is the United States, not American Samoa), then ``geo/data/demonyms.tsv``
    for the forms it lacks (English, European, Sri Lankan…), which take precedence.
    """
    from geo.gazetteer import DATA_DIR, iter_tsv, normalize
    from geo.gazetteer_sources import _package_data

    ranked: dict[str, tuple[int, str]] = {}
    for path in sorted(_package_data("countryinfo").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        demonym, name = data.get("demonym"), data.get("name")
        population = int(data.get("population") or 0)
        if demonym and name and population > ranked.get(normalize(demonym), (-1, ""))[0]:
            ranked[normalize(demonym)] = (population, name)
    table = {key: name for key, (_, name) in ranked.items()}
    for row in iter_tsv(DATA_DIR / "demonyms.tsv"):
        table[normalize(row["demonym"])] = row["place"]
    # A country's own name is never its demonym ("Djibouti", "Gibraltar" in countryinfo).
    table = {key: name for key, name in table.items() if key != normalize(name)}
    for key, name in list(table.items()):
        if normalize(name) in (key + "s", key + "es"):
            continue  # "Philippine" + s is the country itself, not a plural of people
        if not key.endswith(("sh", "ch", "ese", "s", "x", "z")):
            table.setdefault(key + "s", name)  # "Russians", "Israelis", "New Zealanders"
    return table


@lru_cache(maxsize=1)
def area_abbreviations() -> frozenset[str]:
    """Dateline abbreviations exactly as written ("Ga.", "W.Va."), from the data file."""
    from geo.gazetteer import DATA_DIR, iter_tsv

    return frozenset(row["abbreviation"] for row in iter_tsv(DATA_DIR / "area_abbreviations.tsv"))


@lru_cache(maxsize=1)
def area_abbreviation_keys() -> frozenset[str]:
    """Lookup keys of those abbreviations: their bare forms ("ga", "ill") need the period."""
    from geo.gazetteer import normalize

    return frozenset(normalize(form) for form in area_abbreviations())
