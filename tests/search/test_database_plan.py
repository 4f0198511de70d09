"""The PostgreSQL backend may look up fewer terms in the full-text index for a caller who sees
little (`index_terms`); the results must be the same as looking them all up."""

from datetime import date
from typing import Any
from unittest import mock

import pytest
from django.db import connection

from search import backends
from search.analysis import parse_query
from search.api import SearchResultSerializer, result_json
from search.backends.database import DatabaseBackend, Statistics, index_terms
from search.selectors import Result

from .conftest import search

pytestmark = pytest.mark.django_db


def test_terms_held_by_more_entries_than_the_caller_sees_are_not_looked_up() -> None:
    stats = Statistics(
        rows=1_000_000,
        lexemes={"dhe": 0.66, "plani": 0.02, "planit": 0.02, "komunikimit": 0.0001},
        groups={7: 0.005},
        rarest_group=0.004,
    )
    query = parse_query('"plani dhe" komunikimit')  # plan*, dhe*, komunikim*
    terms = {term.text: term for term in query.terms}
    # 5,000 visible entries: `dhe` (660,000) and `plan*` (40,000) cost more than checking them.
    assert index_terms(query, [7], stats) == [terms["komunikim"]]
    # 5,000 + 4,000 (a group ANALYZE did not list) entries.
    assert index_terms(query, [7, 8], stats) == [terms["komunikim"]]
    # Auditors see everything; without statistics nothing is known: every term is looked up.
    assert index_terms(query, None, stats) == list(query.terms)
    assert index_terms(query, [7], Statistics()) == list(query.terms)
    # A whole archive visible: every term is worth its look-up.
    assert index_terms(query, [7], Statistics(1000, stats.lexemes, {7: 1.0}, 0.0)) == list(
        query.terms
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL plan only")
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


@pytest.mark.parametrize("day", [date(2026, 3, 1), "2026-03-01"])
def test_results_are_written_as_the_serializer_writes_them(day: Any) -> None:
    result = Result(
        "document", 5, "Plani", "<mark>Plani</mark> i", "KLLOKOT", "decision", "sq", day, 0.123456
    )
    assert result_json(result) == dict(SearchResultSerializer(result).data)
