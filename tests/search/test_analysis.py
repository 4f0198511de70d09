"""The normalisation both backends share."""

import pytest

from search.analysis import QueryError, Term, normalize, parse_query, stem
from search.snippets import snippet


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("Strategjisë Kombëtare", "strategjise kombetare"),
        ("Çështje", "cestje"),
        ("Đorđe Šćekić Živković", "djordje scekic zivkovic"),
        ("Ђорђе Шћекић Живковић", "djordje scekic zivkovic"),
        ("Kllokot Klokot Клокот", "klokot klokot klokot"),
        ("Prishtinë Priština Приштина", "pristine pristina pristina"),
        ("KLLOKOT-2026-000123", "klokot 2026 000123"),
        ("a\x00b\x1fc", "a b c"),
        ("Straße ÆRØ Łódź", "strasse aero lodz"),  # letters without a decomposition
        ("Ђорђе Đorđe", "djordje djordje"),  # both scripts in one text
    ],
)
def test_normalize(text: str, normalised: str) -> None:
    assert normalize(text) == normalised


def test_inflected_forms_share_a_prefix() -> None:
    assert {stem(normalize(w)) for w in ("strategjia", "strategjisë", "strategjinë")} == {
        "strategj"
    }
    assert {stem(normalize(w)) for w in ("strategija", "стратегије", "strategiju")} == {"strateg"}


def test_query_parsing() -> None:
    assert parse_query('"plani i komunikimit" strat* AND').clauses == (
        (Term("plan", True), Term("i", False), Term("komunikim", True)),
        (Term("strat", True),),
    )
    assert not parse_query('AND OR NOT " * ( )')
    with pytest.raises(QueryError):
        parse_query("x" * 1001)


def test_snippets_mark_the_words_as_written_and_escape_the_rest() -> None:
    body = (
        "Hyrje. " + "fjalë " * 20 + "<b>Strategjisë</b> kombëtare për Грачаница " + "tjetër " * 40
    )
    text = snippet(body, parse_query("strategjia gracanica"))
    assert "<mark>Strategjisë</mark>" in text and "<mark>Грачаница</mark>" in text
    assert "&lt;b&gt;" in text and "<b>" not in text
    assert text.startswith("…") and text.endswith("…")
    assert snippet("Pa përputhje këtu", parse_query("gracanica")) == "Pa përputhje këtu"
    # Nothing but punctuation left out: no ellipsis.
    assert snippet("— Strategjia", parse_query("strategjia")) == "<mark>Strategjia</mark>"


@pytest.mark.parametrize("words_before", [0, 3, 8, 40, 5_000])
def test_a_snippet_shows_eight_words_before_the_first_match_however_deep(words_before: int) -> None:
    filler = [f"fjala{n}" for n in range(words_before)]
    body = " ".join([*filler, "Strategjisë", *(f"pas{n}" for n in range(40)), "strategjinë"])
    text = snippet(body, parse_query("strategjia"))
    shown = filler[-8:] if words_before else []
    after = [f"pas{n}" for n in range(30 - len(shown) - 1)]  # thirty words in all
    expected = " ".join([*shown, "<mark>Strategjisë</mark>", *after])
    assert text == ("…" if words_before > 8 else "") + expected + " …"


def test_a_long_text_without_the_words_shows_its_beginning() -> None:
    body = "\n".join(f"rreshti {n}" for n in range(5_000))  # matched by its title only
    text = snippet(body, parse_query("strategjia"))
    assert text == "\n".join(f"rreshti {n}" for n in range(15)) + " …"  # thirty words
    assert "<mark>" not in text
