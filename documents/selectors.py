"""Reads about documents: their latest versions for the pages, a search of their numbers,
titles and file names as people type them, counts for the operators'."""

import re
import unicodedata
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from config.text import CYRILLIC_TO_LATIN

from .models import Document, DocumentVersion, TextStatus


def with_current_version(documents: QuerySet[Document]) -> QuerySet[Document]:
    """Each document with its latest version's number, file name, type and the document it
    duplicates, if any (`current_…`; one query)."""
    latest = DocumentVersion.objects.filter(document=OuterRef("pk")).order_by("-number")
    return documents.annotate(
        current_number=Subquery(latest.values("number")[:1]),
        current_filename=Subquery(latest.values("filename")[:1]),
        current_mime_type=Subquery(latest.values("mime_type")[:1]),
        current_duplicate_of=Subquery(latest.values("duplicate_of__document_id")[:1]),
    )


# A typed letter finds itself with or without its diacritics, in either case and in Serbian
# Cyrillic: "zgjedhje" finds "Zgjëdhje", "cacak" finds "Čačak" and "Чачак". Written out for
# the database's own regular expressions (PostgreSQL's and the one Django gives SQLite), which
# fold neither diacritics nor, everywhere, the case of letters beyond ASCII.
_LETTER_FORMS = {
    "a": "aàáâäãåа",
    "b": "bб",
    "c": "cçčćцчћ",
    "d": "dđдђ",
    "e": "eëèéêе",
    "f": "fф",
    "g": "gг",
    "h": "hх",
    "i": "iìíîïи",
    "j": "jј",
    "k": "kк",
    "l": "lл",
    "m": "mм",
    "n": "nн",
    "o": "oòóôöо",
    "p": "pп",
    "r": "rр",
    "s": "sšсш",
    "t": "tт",
    "u": "uùúûüу",
    "v": "vв",
    "z": "zžзж",
}
# Serbian letters that Latin writes with two: "ljiljana" finds "Љиљана".
_DIGRAPH_FORMS = {"lj": "љ", "nj": "њ", "dj": "ђđ", "dz": "џ"}
_CYRILLIC_FOLD = str.maketrans(dict(CYRILLIC_TO_LATIN))
# Enough for a number, a title's words and a file name; more is not a search but noise.
MATCH_WORDS = 8
MATCH_WORD_LENGTH = 64


def _folded(word: str) -> str:
    """Lower case, Cyrillic as Latin, without diacritics (đ as dj)."""
    latin = word.lower().translate(_CYRILLIC_FOLD).replace("đ", "dj")
    return "".join(
        letter
        for letter in unicodedata.normalize("NFD", latin)
        if not unicodedata.combining(letter)
    )


def _letter(letter: str) -> str:
    forms = _LETTER_FORMS.get(letter)
    if forms is None:
        return f"[{letter}{letter.upper()}]" if letter.isalpha() else re.escape(letter)
    return "[" + forms + forms.upper() + "]"


def word_pattern(word: str) -> str:
    """A regular expression finding the typed word inside a text (`_LETTER_FORMS`)."""
    folded = _folded(word)[:MATCH_WORD_LENGTH]
    parts, position = [], 0
    while position < len(folded):
        pair = folded[position : position + 2]
        if pair in _DIGRAPH_FORMS:
            single = _DIGRAPH_FORMS[pair]
            letters = _letter(pair[0]) + _letter(pair[1])
            parts.append(f"(?:{letters}|[{single}{single.upper()}])")
            position += 2
        else:
            parts.append(_letter(folded[position]))
            position += 1
    return "".join(parts)


def documents_matching(documents: QuerySet[Document], text: str) -> QuerySet[Document]:
    """The documents whose registration number, title or latest file name (`documents`
    annotated by `with_current_version`) holds every typed word, however it is written."""
    for word in text.split()[:MATCH_WORDS]:
        pattern = word_pattern(word)
        if not pattern:
            continue
        documents = documents.filter(
            Q(registration__registration_number__regex=pattern)
            | Q(title__regex=pattern)
            | Q(current_filename__regex=pattern)
        )
    return documents


def extraction_counts() -> dict[str, int]:
    """How many versions are in each text-extraction state."""
    counts = {status.value: 0 for status in TextStatus}
    for row in DocumentVersion.objects.values("text_status").annotate(n=Count("pk")):
        counts[row["text_status"]] = row["n"]
    return counts


def extraction_counts_named() -> list[tuple[str, str, int]]:
    """(state, its name in the active language, versions) for each text-extraction state."""
    return [
        (status, str(TextStatus(status).label), count)
        for status, count in extraction_counts().items()
    ]


def extraction_failures_recent(*, limit: int = 10) -> list[dict[str, Any]]:
    """The latest versions whose text could not be extracted, with the reason."""
    rows = (
        DocumentVersion.objects.filter(text_status=TextStatus.FAILED)
        .order_by("-created_at")
        .values("document_id", "number", "created_at", "text_error")[:limit]
    )
    return [dict(row) for row in rows]
