"""Language handling shared by the interface and both search backends: Serbian script conversion."""

_CYRILLIC_TO_LATIN = {
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
    latin: cyrillic for cyrillic, latin in _CYRILLIC_TO_LATIN.items() if len(latin) == 1
}


def cyrillic_to_latin(text: str) -> str:
    out = []
    for char in text:
        latin = _CYRILLIC_TO_LATIN.get(char.lower())
        if latin is None:
            out.append(char)
        elif char.isupper():
            out.append(latin.capitalize() if len(latin) > 1 else latin.upper())
        else:
            out.append(latin)
    return "".join(out)


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
