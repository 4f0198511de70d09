"""Language handling shared by the interface and both search backends: Serbian script conversion
and the one normalisation of Albanian and Serbian text and queries."""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

# The script conversion is the config kernel's (the interface needs it too); named here as before.
from config.text import CYRILLIC_TO_LATIN
from config.text import latin_to_cyrillic as latin_to_cyrillic

# --- Normalisation shared by both backends ---------------------------------------------------
# Text is indexed as normalised words and queries are normalised the same way, so a query typed
# without diacritics, in the other script or in the other language's spelling of a sound finds
# the text.

# Letters with no Unicode decomposition into a base letter, and the sounds Albanian writes with
# two letters where Serbian has one (sh = š, zh = ž, xh = dž) or doubles (ll, rr: Kllokot/Klokot).
_LETTERS = (("đ", "dj"), ("ß", "ss"), ("ł", "l"), ("ı", "i"), ("ø", "o"), ("æ", "ae"))
_DIGRAPHS = (("sh", "s"), ("zh", "z"), ("xh", "dz"), ("dž", "dz"), ("ll", "l"), ("rr", "r"))
_WORD = re.compile(r"[^\W_]+")
MAX_WORD = 64  # longer "words" are noise (OCR, base64): not indexed


_CYRILLIC_TABLE = str.maketrans(dict(CYRILLIC_TO_LATIN))
_CYRILLIC = re.compile("[\u0430-\u045f]")  # the table's letters (after lower())
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def _fold(text: str) -> str:
    """Whole-text folding (C-speed string operations): lower case, Latin script, no
    diacritics, one letter for the sounds the two languages spell differently. str.translate
    reads a text with any non-ASCII letter (ë, ç) one character at a time, ten times slower
    than str.replace: the Cyrillic table is applied only to a text with Cyrillic letters."""
    text = text.lower()
    if _CYRILLIC.search(text):
        text = text.translate(_CYRILLIC_TABLE)
    for letter, replacement in _LETTERS:
        text = text.replace(letter, replacement)
    text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    for digraph, single in _DIGRAPHS:
        text = text.replace(digraph, single)
    return text


def words(text: str) -> list[str]:
    """The normalised words of a text, in order (positions matter for phrases)."""
    return [word for word in _WORD.findall(_fold(text)) if len(word) <= MAX_WORD]


def query_words(text: str) -> list[str]:
    """The normalised words of a query. A word longer than the index keeps stays, cut to one
    letter more than MAX_WORD: it matches nothing, as nothing so long was indexed (dropping it
    would widen the query to everything)."""
    return [word[: MAX_WORD + 1] for word in _WORD.findall(_fold(text))]


@lru_cache(maxsize=100_000)
def normalize_word(word: str) -> str:
    """One word as the index stores it (a compatibility character may make it two)."""
    return " ".join(words(word))


def normalize(text: str) -> str:
    """The text the index stores: its normalised words separated by single spaces."""
    return " ".join(words(text))


# Light stemming for Albanian (definite/indefinite and case endings) and Serbian (case endings).
# Used only to cut a query word down to a prefix: `strategjisë` → `strategj*` meets
# `strategjia`, `strategjinë`, `strategji`; `strategija` → `strateg*` meets `strategije`.
_SUFFIXES = sorted(
    {
        # Albanian
        "ave",
        "eve",
        "ise",
        "ine",
        "ive",
        "ite",
        "iut",
        "ies",
        "it",
        "in",
        "ia",
        "ja",
        "je",
        "ut",
        "un",
        "es",
        "et",
        "ve",
        "se",
        "ne",
        "te",
        "a",
        "e",
        "i",
        "u",
        "t",
        "s",
        "n",
        # Serbian
        "ijom",
        "ama",
        "ima",
        "ija",
        "ije",
        "iji",
        "iju",
        "om",
        "em",
        "og",
        "oj",
        "ih",
        "ov",
        "ev",
        "o",
    },
    key=len,
    reverse=True,
)
MIN_STEM = 4


def stem(word: str) -> str:
    if word.isdigit() or len(word) <= MIN_STEM:
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


# --- Queries ---------------------------------------------------------------------------------

MAX_QUERY_LENGTH = 1000
MAX_CLAUSES = 12


class QueryError(ValueError):
    """The query cannot be searched (too long); the API answers 400 with the message."""


@dataclass(frozen=True)
class Term:
    """One normalised query word. `prefix`: it matches words that start with `text`.
    `word`: the word as asked, before stemming, which a near miss is measured from."""

    text: str
    prefix: bool
    word: str = field(default="", compare=False)

    def matches(self, word: str) -> bool:
        return word.startswith(self.text) if self.prefix else word == self.text


@dataclass(frozen=True)
class ParsedQuery:
    """Every clause must match: a clause is one term or a phrase of consecutive terms."""

    clauses: tuple[tuple[Term, ...], ...] = field(default_factory=tuple)

    @property
    def terms(self) -> list[Term]:
        return [term for clause in self.clauses for term in clause]

    def __bool__(self) -> bool:
        return bool(self.clauses)


def _term(word: str, explicit_prefix: bool) -> Term:
    if explicit_prefix:
        return Term(word, True, word)
    if word.isdigit() or len(word) < 3 or len(word) > MAX_WORD:
        return Term(word, False, word)
    return Term(stem(word), True, word)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_OPERATORS = {"and", "or", "not", "near"}


def parse_query(raw: str) -> ParsedQuery:
    """Words (all must match), "quoted phrases", and `word*` prefixes. Anything else — operator
    words, stray punctuation, an unbalanced quote, control characters — is ignored, so any
    input gives a query (perhaps an empty one), never an error, unless it is too long."""
    if len(raw) > MAX_QUERY_LENGTH:
        raise QueryError(f"The query is longer than {MAX_QUERY_LENGTH} characters.")
    raw = _CONTROL.sub(" ", raw)
    clauses: list[tuple[Term, ...]] = []
    # Even-numbered parts are outside quotes; an unbalanced last quote opens a phrase to the end.
    for index, part in enumerate(raw.split('"')):
        quoted = index % 2 == 1
        chunks = [part] if quoted else part.split()
        for chunk in chunks:
            terms: list[Term] = []
            for match in re.finditer(r"[^\W_]+(\*?)", chunk):
                normalised = query_words(match.group().rstrip("*"))
                for position, word in enumerate(normalised):
                    is_last = position == len(normalised) - 1
                    if not quoted and len(normalised) == 1 and word in _OPERATORS:
                        break
                    terms.append(_term(word, bool(match.group(1)) and is_last))
            if not terms:
                continue
            if quoted or len(terms) > 1:
                clauses.append(tuple(terms[:MAX_CLAUSES]))
            else:
                clauses.extend((term,) for term in terms)
    # Repeated clauses add nothing; too many make a slow query.
    unique = list(dict.fromkeys(clauses))
    return ParsedQuery(tuple(unique[:MAX_CLAUSES]))
