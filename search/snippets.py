"""Snippets: the passage of the original text around the first match, matches marked.

Built from the stored original text with the same normalisation as the index, so a match on
`strategjise` marks `strategjisë` (or `Стратегија`) as written. Only hits of an already
permission-filtered page reach here: a snippet never quotes what the caller may not see.
"""

import html
from collections import deque

from .analysis import _WORD, ParsedQuery, normalize_word

BEFORE = 8  # words shown before the first match
WINDOW = 30  # words in a snippet


def snippet(body: str, query: ParsedQuery) -> str:
    """HTML: escaped text with <mark> around matching words."""
    terms = query.terms
    # `any(term.matches(word) for term in terms)`, as one set look-up and one startswith.
    exact = {term.text for term in terms if not term.prefix}
    prefixes = tuple(term.text for term in terms if term.prefix)
    before: deque[tuple[int, int, bool]] = deque(maxlen=BEFORE)
    shown: list[tuple[int, int, bool]] = []
    found = False
    more = False
    for match in _WORD.finditer(body):
        if terms:
            word = normalize_word(match.group())
            hit = word in exact or word.startswith(prefixes)
        else:
            hit = False
        token = (match.start(), match.end(), hit)
        if not found:
            if hit:
                found = True
                shown = [*before, token]
            else:
                before.append(token)
                if len(before) == BEFORE and not terms:
                    found, shown = True, list(before)
            continue
        if len(shown) >= WINDOW:
            more = True
            break
        shown.append(token)
    if not found:  # no match in the text (the title matched): its beginning
        shown = _first_words(body, WINDOW + 1)
        if not shown:
            return ""
        more = len(shown) > WINDOW
        shown = shown[:WINDOW]
    start = shown[0][0]
    out = ["…" if start > 0 and found else ""]
    position = start  # text from here up to the next match is escaped in one piece
    for token_start, token_end, hit in shown:
        if hit:
            out.append(html.escape(body[position:token_start]))
            out.append(f"<mark>{html.escape(body[token_start:token_end])}</mark>")
            position = token_end
    out.append(html.escape(body[position : shown[-1][1]]))
    if more:
        out.append(" …")
    return "".join(out).strip()


def _first_words(body: str, count: int) -> list[tuple[int, int, bool]]:
    tokens = []
    for match in _WORD.finditer(body):
        tokens.append((match.start(), match.end(), False))
        if len(tokens) >= count:
            break
    return tokens
