"""The PostgreSQL backend looks a phrase up by its word pairs, and may look up fewer words or
pairs for a caller who sees little (`index_lookups`); the results must be the same as looking
every word up in the full-text index."""

import random
from datetime import date
from typing import Any
from unittest import mock

import pytest
from django.db import connection

from search import backends
from search.analysis import Term, parse_query
from search.api import SearchResultSerializer, result_json
from search.backends import Filters, SearchRequest
from search.backends.database import DatabaseBackend
from search.backends.postgresql import (
    Lookups,
    Statistics,
    candidate_rows,
    entry_pairs,
    index_lookups,
    phrase_pairs,
    tsquery,
)
from search.content import IndexEntry
from search.selectors import Result

from .conftest import search

pytestmark = pytest.mark.django_db


def test_look_ups_held_by_more_entries_than_the_caller_sees_are_not_made() -> None:
    stats = Statistics(
        rows=1_000_000,
        lexemes={"dhe": 0.66, "plani": 0.02, "planit": 0.02, "komunikimit": 0.0001},
        groups={7: 0.005},
        rarest_group=0.004,
        pairs={"pla|dhe": 0.03, "kom|plan": 0.0001},
    )
    query = parse_query('plani dhe komunikimit "plani dhe" "komente plani"')
    terms = {term.text: term for term in query.terms}
    plan_dhe, kome_plan = Term("pla|dhe", True), Term("kom|plan", False)
    # 5,000 visible entries: `dhe` (660,000), `plan*` (40,000) and the pairs `plan|dhe*`
    # (30,000) cost more than checking them.
    assert index_lookups(query, [7], stats) == Lookups([terms["komunikim"]], [kome_plan])
    # 5,000 + 4,000 (a group ANALYZE did not list) entries.
    assert index_lookups(query, [7, 8], stats) == Lookups([terms["komunikim"]], [kome_plan])
    # Auditors see everything; without statistics nothing is known: every look-up is made.
    everything = Lookups([terms["plan"], terms["dhe"], terms["komunikim"]], [plan_dhe, kome_plan])
    assert index_lookups(query, None, stats) == everything
    assert index_lookups(query, [7], Statistics()) == everything
    # A whole archive visible: every look-up is worth making.
    assert index_lookups(query, [7], Statistics(1000, stats.lexemes, {7: 1.0}, 0.0)) == everything


def test_a_prefix_holds_the_shares_of_the_listed_elements_it_starts() -> None:
    rng = random.Random(6)
    letters = "abcdëšжz|"
    elements = {
        "".join(rng.choices(letters, k=rng.randint(1, 6))): rng.random() / 500 for _ in range(400)
    }
    stats = Statistics(rows=1_000_000, lexemes=elements, pairs=elements)
    drawn = ["".join(rng.choices(letters, k=rng.randint(1, 3))) for _ in range(300)]
    for prefix in ["", "zzzzzzz", "\U0010fffe", *elements, *drawn]:
        expected = sum(share for word, share in elements.items() if word.startswith(prefix))
        for pairs in (False, True):
            rows = stats.term_rows(Term(prefix, True), pairs=pairs)
            assert rows == pytest.approx(min(expected, 1.0) * 1_000_000, abs=1e-6), prefix
    assert stats.term_rows(Term("plan", False)) == 0.0


def test_a_phrase_is_looked_up_by_the_pairs_its_matches_hold() -> None:
    def pairs(q: str) -> list[Term]:
        return phrase_pairs(parse_query(q).clauses[0])

    # Word prefixes (`strategj*`) and whole short words keep their first three letters as the
    # pair's first word, four as its second.
    assert pairs('"strategjisë së komunikimit"') == [
        Term("str|se", False),
        Term("se|komu", False),
    ]
    # A three-letter word is a prefix (`për*`): the shortest a first word's key can be.
    assert pairs('"për tatimet"') == [Term("per|tati", False)]
    # A prefix shorter than a key: after it, any continuation; before it, no pair at all.
    assert pairs('"plani ab*"') == [Term("pla|ab", True)]
    assert pairs('"tatimet për"') == [Term("tat|per", True)]
    assert pairs('"ab* plani"') == []
    assert pairs('"ab* plani 2026"') == [Term("pla|2026", False)]
    assert pairs("plani") == []
    # Stored: every adjacent pair, the title's last word next to the body's first.
    assert set(entry_pairs("plani i", "komunikimit 2026").split()) == {
        "'pla|i'",
        "'i|komu'",
        "'kom|2026'",
    }
    assert entry_pairs("", "") == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL phrase index")
def test_phrases_through_the_pair_index_find_what_the_full_text_index_finds() -> None:
    """Generated texts of a small vocabulary (short words, shared prefixes, digits, Cyrillic)
    and phrases cut from them or made up: the backend (pairs looked up, then the phrase
    checked) finds exactly the entries `search_vector @@` the phrase finds."""
    rng = random.Random(7)
    vocabulary = [
        "plani", "planifikimi", "plan", "i", "e", "në", "të", "dhe", "për", "përkrah",
        "komunikimit", "komuna", "2026", "20261", "закон", "zakonom", "u", "skladu", "ab", "abc",
    ]  # fmt: skip
    backend = DatabaseBackend()
    entries = []
    for n in range(120):
        title = " ".join(rng.choices(vocabulary, k=rng.randint(0, 3)))
        body = " ".join(rng.choices(vocabulary, k=rng.randint(0, 12)))
        entries.append(
            IndexEntry(
                "document", n, title or "x", body, "KLLOKOT", "decision", "sq", "", date(2026, 1, 1)
            )
        )
    backend.index(entries)
    queries = []
    for _ in range(150):
        entry = rng.choice(entries)
        words = f"{entry.title} {entry.body}".split()
        length = rng.randint(2, 3)
        start = rng.randint(0, max(0, len(words) - length))
        cut = (
            words[start : start + length]
            if rng.random() < 0.7
            else rng.choices(vocabulary, k=length)
        )
        if rng.random() < 0.2:
            cut[-1] = cut[-1][:2] + "*"
        queries.append('"' + " ".join(cut) + '"' + (" plan*" if rng.random() < 0.2 else ""))
    checked_through_pairs = found = 0
    with connection.cursor() as cursor:
        for q in queries:
            query = parse_query(q)
            if not query:
                continue
            cursor.execute(
                "SELECT object_id FROM search_searchentry "
                "WHERE search_vector @@ to_tsquery('simple', %s)",
                [tsquery(query)],
            )
            expected = {row[0] for row in cursor.fetchall()}
            page = backend._search(SearchRequest(query, Filters(), None, 0, 200))  # no near miss
            assert {hit.object_id for hit in page.hits} == expected, q
            assert page.count == len(expected), q
            checked_through_pairs += bool(index_lookups(query, None, Statistics()).pairs)
            found += bool(expected)
    assert checked_through_pairs > 100 and found > 50


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL plan only")
@pytest.mark.parametrize("backend", ["database"], indirect=True)  # documents indexed there
def test_results_are_the_same_whichever_terms_are_looked_up(api_as, document_of) -> None:  # type: ignore[no-untyped-def]
    texts = [
        "Plani i komunikimit për mbledhjen e qeverisë dhe plani i buxhetit",
        "Komunikimit i mungon plani dhe mbledhja",
        "Plani dhe komunikimi",
        "Buxheti komunal dhe rrugët",
    ]
    for n, text in enumerate(texts):
        document_of("kllokot.mayor", f"Dokument {n}", text)
    document_of("prishtine.mayor", "Sekret", "Plani dhe komunikimi i Prishtinës")
    client = api_as("kllokot.mayor")
    queries = ['"plani i komunikimit"', "plani dhe", '"plani dhe"', "komunikim*", "dhe", "xyz"]
    backend = backends.get_backend()
    assert isinstance(backend, DatabaseBackend)
    expected = {q: search(client, q=q) for q in queries}
    # Every word as common as can be: only the group index is used, the text checked after.
    common = Statistics(
        rows=1_000_000,
        lexemes=dict.fromkeys(("plan", "plani", "dhe", "i", "komunikimit", "xyz"), 1.0),
        groups={},
        rarest_group=0.0001,
    )
    with mock.patch.object(backend, "statistics", return_value=common):
        for q in queries:
            assert search(client, q=q) == expected[q], q
    assert expected['"plani i komunikimit"']["count"] == 1
    assert expected["plani dhe"]["count"] == 3


def test_a_search_checks_about_as_many_entries_as_its_rarest_look_up_finds() -> None:
    stats = Statistics(
        rows=1_000_000,
        lexemes={"plan": 0.5, "plani": 0.3, "dhe": 0.6},
        groups={7: 0.005},
        rarest_group=0.004,
        pairs={"plan|dhe": 0.2},
    )
    plan, dhe = Term("plan", True), Term("dhe", True)
    assert candidate_rows(Lookups([plan, dhe], []), None, stats) == 600_000  # dhe*, plan*
    assert candidate_rows(Lookups([dhe], [Term("plan|dhe", False)]), None, stats) == 200_000
    assert candidate_rows(Lookups([Term("xyz", False)], []), None, stats) == 0  # not listed
    # Without look-ups, every entry the caller sees (an auditor browsing: all of them).
    assert candidate_rows(Lookups([], []), [7], stats) == 5_000
    assert candidate_rows(Lookups([], []), None, stats) == 1_000_000
    assert candidate_rows(Lookups([plan], []), [7], stats) == 5_000
    assert candidate_rows(Lookups([plan], []), None, Statistics()) == 0  # no ANALYZE yet


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's parallel query")
@pytest.mark.django_db(transaction=True)
def test_a_search_of_many_entries_is_planned_for_parallel_workers_in_its_own_transaction() -> None:
    backend = DatabaseBackend()
    backend.index(
        [
            IndexEntry(
                "document",
                n,
                f"Plani {n}",
                "plani i komunikimit" if n % 2 else "buxheti",
                "KLLOKOT",
                "decision",
                "sq",
                "",
                date(2026, 1, 1 + n % 28),
            )
            for n in range(60)
        ]
    )

    def searched(q: str, stats: Statistics) -> tuple[Any, str]:
        """The page, and the parallel set-up cost the search statement was planned with."""
        planned_with = []

        def record_setting(execute: Any, sql: str, *args: Any) -> Any:
            if "WITH matched" in sql:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT current_setting('parallel_setup_cost')")
                    planned_with.append(cursor.fetchone()[0])
            return execute(sql, *args)

        with (
            mock.patch.object(backend, "statistics", return_value=stats),
            connection.execute_wrapper(record_setting),
        ):
            page = backend.search(SearchRequest(parse_query(q), Filters(), None, 0, 100))
        [setting] = planned_with
        return page, setting

    many = Statistics(
        rows=1_000_000,
        lexemes={"plan": 0.5, "komunikim": 0.1},
        pairs={"pla|i": 0.2, "i|komu": 0.1},
    )
    for q in ["plani", '"plani i komunikimit"', ""]:
        few, setting = searched(q, Statistics())
        assert setting == "1000", q  # PostgreSQL's default
        heavy, setting = searched(q, many)
        assert setting == "0", q
        assert heavy == few and heavy.count in (30, 60), q
        # The planner's settings end with the search's transaction.
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('parallel_setup_cost')")
            assert cursor.fetchone()[0] == "1000"


@pytest.mark.parametrize("day", [date(2026, 3, 1), "2026-03-01"])
def test_results_are_written_as_the_serializer_writes_them(day: Any) -> None:
    result = Result(
        "document", 5, "Plani", "<mark>Plani</mark> i", "KLLOKOT", "decision", "sq", day, 0.123456
    )
    assert result_json(result) == dict(SearchResultSerializer(result).data)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL phrase index")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("built_after", ["0003_vector_inline", "0005_pair_vector_inline"])
def test_entries_indexed_before_the_phrase_index_get_their_pairs(built_after: str) -> None:
    """An index built before migration 0004 (no pairs), or before 0006 (pairs keyed otherwise:
    four characters each), keeps finding its phrases after them."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("search", built_after)])
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO search_searchentry (object_type, object_id, title, body, title_norm, "
                "body_norm, institution, kind, language, process_type, date, year, acl, "
                "indexed_at) SELECT 'document', g, 'Plani', 'x', 'plani', "
                "CASE WHEN g % 2 = 0 THEN 'i komunikimit' ELSE 'komunikimit i' END, "
                "'KLLOKOT', 'decision', 'sq', '', '2026-01-01', 2026, '', now() "
                "FROM generate_series(1, 2500) g"  # more than one batch
            )
            if built_after == "0005_pair_vector_inline":
                cursor.execute(
                    "UPDATE search_searchentry SET pair_vector = "
                    "$$'plan|i' 'i|komu' 'plan|komu' 'komu|i'$$::tsvector"
                )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    query = parse_query('"plani i komunikimit"')
    page = DatabaseBackend()._search(SearchRequest(query, Filters(), None, 0, 10))
    assert index_lookups(query, None, Statistics()).pairs
    assert page.count == 1250
    assert all(hit.object_id % 2 == 0 for hit in page.hits)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's storage")
def test_both_vectors_are_kept_in_the_row() -> None:
    """Read on every match (the check and ts_rank): the texts are moved out of the row first."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attname IN ('search_vector', 'pair_vector')",
            ["search_searchentry"],
        )
        assert dict(cursor.fetchall()) == {"search_vector": "m", "pair_vector": "m"}
