"""Checks of what people type, shared by every app that stores it: a title or a text holding
characters nobody types (pasted from a broken file, or sent by a faulty client) is refused
rather than archived, since the archive's text exports would not pass as text; what the
public and officials write is plain text (`plain_text`: trimmed, bounded, no markup). And
Serbian's
two scripts: the interface's Cyrillic names and catalogue, and the search's folding, convert
with the one table here."""

import re

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext

# Control characters (C0, DEL, C1), the byte-order mark, and the bidirectional embeddings,
# overrides and isolates, which make text display in another order than it is stored (and
# so read differently on screen than in an export). A text keeps its tabs and line ends; a
# title, a reason or a name is one line, without them or the Unicode line separators.
_NEVER = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\u202a-\u202e\u2066-\u2069"
_IN_LINE = re.compile(f"[{_NEVER}\t\n\r\u2028\u2029]")
_IN_TEXT = re.compile(f"[{_NEVER}]")


def control_characters_refused(value: str, field: str, *, one_line: bool) -> str:
    """The value, or a ValidationError naming the field."""
    if "\x00" in value:
        raise ValidationError({field: [gettext("The text contains a NUL character.")]})
    if (_IN_LINE if one_line else _IN_TEXT).search(value):
        raise ValidationError({field: [gettext("The text contains a control character.")]})
    return value


# What looks like markup: a tag, a comment, a declaration or processing instruction (`<` then a
# letter, `/`, `!` or `?`), or a character reference (`&amp;`, `&#60;`). A lone `<` or `>`
# ("a < b") is prose and passes; the pages escape what they show in any case.
MARKUP = re.compile(r"<\s*[a-zA-Z!/?]|&[a-zA-Z]+;|&#[0-9xX]")


def plain_text(value: object, field: str, *, longest: int, one_line: bool, required: bool) -> str:
    """What the public (or an official) types, as stored: a text (None is empty), trimmed, at
    most `longest` characters, without control characters (`control_characters_refused`;
    `one_line`: no line breaks either) and without markup. Else a ValidationError naming
    `field` (e.g. `data.reasons` for a task's data), in the one wording every app shares."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({field: [gettext("Give a text.")]})
    text = control_characters_refused(value.strip(), field, one_line=one_line)
    if required and not text:
        raise ValidationError({field: [gettext("This field is required.")]})
    if len(text) > longest:
        raise ValidationError(
            {field: [gettext("At most %(count)s characters.") % {"count": longest}]}
        )
    if MARKUP.search(text):
        raise ValidationError({field: [gettext("Write plain text, without HTML or markup.")]})
    return text


# --- Serbian Cyrillic and Latin -------------------------------------------------------------

CYRILLIC_TO_LATIN = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "ђ": "đ",
    "е": "e",
    "ж": "ž",
    "з": "z",
    "и": "i",
    "ј": "j",
    "к": "k",
    "л": "l",
    "љ": "lj",
    "м": "m",
    "н": "n",
    "њ": "nj",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "ћ": "ć",
    "у": "u",
    "ф": "f",
    "х": "h",
    "ц": "c",
    "ч": "č",
    "џ": "dž",
    "ш": "š",
}
# Digraphs first: "lj", "nj" and "dž" are single Cyrillic letters.
_LATIN_DIGRAPHS = {"lj": "љ", "nj": "њ", "dž": "џ"}
_LATIN_TO_CYRILLIC = {
    latin: cyrillic for cyrillic, latin in CYRILLIC_TO_LATIN.items() if len(latin) == 1
}


def latin_to_cyrillic(text: str) -> str:
    out = []
    index = 0
    while index < len(text):
        pair = text[index : index + 2]
        cyrillic = _LATIN_DIGRAPHS.get(pair.lower())
        if cyrillic is not None:
            out.append(cyrillic.upper() if pair[0].isupper() else cyrillic)
            index += 2
            continue
        char = text[index]
        cyrillic = _LATIN_TO_CYRILLIC.get(char.lower())
        if cyrillic is None:
            out.append(char)
        else:
            out.append(cyrillic.upper() if char.isupper() else cyrillic)
        index += 1
    return "".join(out)


# A Kosovo law's number ("Law No. 03/L-040"): written so in every script, as the Official
# Gazette's Serbian edition writes it.
_LAW_NUMBER = re.compile(r"\b\d{2}/L-\d{3}\b")


def _cyrillic_name(text: str) -> str:
    """`latin_to_cyrillic` of a name or a legal basis, its law numbers kept as written (not
    part of `latin_to_cyrillic`, which folds the search's text too)."""
    parts, position = [], 0
    for number in _LAW_NUMBER.finditer(text):
        parts += [latin_to_cyrillic(text[position : number.start()]), number.group(0)]
        position = number.end()
    return "".join([*parts, latin_to_cyrillic(text[position:])])


def name_in_language(*, sq: str, sr: str, en: str, language: str | None = None) -> str:
    """A name kept in Albanian, Serbian (in Latin letters) and English, in a Django language
    code (default: the active one): `sr` is Serbian Cyrillic, converted from the Latin (law
    numbers kept), `sr-latn` the Latin; a name missing in that language is the English one."""
    language = (language or translation.get_language() or "sq").lower()
    if language.startswith("sr"):
        name = _cyrillic_name(sr) if language == "sr" else sr
    elif language.startswith("en"):
        name = en
    else:
        name = sq
    return name or en
