"""Snippets: the passage of the original text around the first match, matches marked.

Built from the stored original text with the same normalisation as the index, so a match on
`strategjise` marks `strategjisë` (or `Стратегија`) as written. Only hits of an already
permission-filtered page reach here: a snippet never quotes what the caller may not see.
"""

import html
from collections.abc import Callable
from itertools import islice

from .analysis import _WORD, ParsedQuery, normalize_word

# What follows this mark in a text is searched but never quoted: a process's codes and its
# status word (`content.process_entries`), which read as codes on a page in any language.
NOT_QUOTED = "\x1e"
BEFORE = 8  # words shown before the first match
WINDOW = 30  # words in a snippet
FIRST_CHUNK = 250  # characters read first while looking for the first match; then twice more


def _first_match(body: str, matches: Callable[[str], bool]) -> tuple[int, int] | None:
    """Where to read the text from, and how many words from there come before the first
    matching one. The words are taken a chunk at a time (a long text is not read past its
    first match) and normalised as a batch; reading starts a chunk before the match's, for
    the words shown before it."""
    previous = (0, 0)  # the chunk before this one: where it starts, how many words it has
    start, chunk = 0, FIRST_CHUNK
    while start < len(body):
        end = body.find(" ", start + chunk)  # chunks end between words
        end = len(body) if end < 0 else end
        words = _WORD.findall(body, start, end)
        for index, word in enumerate(map(normalize_word, words)):
            if matches(word):
                return previous[0], previous[1] + index
        previous = (start, len(words))
        start, chunk = end, 2 * chunk
    return None


def snippet(body: str, query: ParsedQuery) -> str:
    """HTML: escaped text with <mark> around matching words (of its quotable part)."""
    body = body.split(NOT_QUOTED, 1)[0]
    terms = query.terms
    # `any(term.matches(word) for term in terms)`, as one set look-up and one startswith.
    exact = {term.text for term in terms if not term.prefix}
    prefixes = tuple(term.text for term in terms if term.prefix)

    def matches(word: str) -> bool:
        return word in exact or word.startswith(prefixes)

    first = _first_match(body, matches) if terms else None
    offset, skip = (0, 0) if first is None else (first[0], max(0, first[1] - BEFORE))
    shown = list(islice(_WORD.finditer(body, offset), skip, skip + WINDOW + 1))
    if not shown:
        return ""
    more = len(shown) > WINDOW
    shown = shown[:WINDOW]
    # An ellipsis where words before the passage are left out. Without a match in the text
    # (the title matched) the passage is its beginning.
    out = ["…" if offset or skip else ""]
    position = shown[0].start()  # text from here up to the next match is escaped in one piece
    for token in shown:
        if first is not None and matches(normalize_word(token.group())):
            out.append(html.escape(body[position : token.start()]))
            out.append(f"<mark>{html.escape(token.group())}</mark>")
            position = token.end()
    out.append(html.escape(body[position : shown[-1].end()]))
    if more:
        out.append(" …")
    return "".join(out).strip()
