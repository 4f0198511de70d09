"""SQLite's full-text search for the database backend: FTS5 (`search_fts`) and bm25.

Visibility is part of the MATCH (the `acl` column holds the groups that may see the entry), so
ranking, counting, facets and the page only ever see what the caller may see.
"""

import difflib
from typing import Any

from django.db import connection

from ..analysis import ParsedQuery, Term
from ..models import SearchEntry
from .base import FACETS, Hit, SearchPage, SearchRequest, empty_facets

TABLE = SearchEntry._meta.db_table
COLUMNS = "e.id, e.object_type, e.object_id, e.title, e.institution, e.kind, e.language, e.date"


def fts5_match(query: ParsedQuery, groups: list[int] | None) -> str:
    """SQLite FTS5 MATCH text: the terms on the text columns, the groups on `acl`."""
    parts = []
    if query:
        clauses = [
            " + ".join(f'"{term.text}"' + (" *" if term.prefix else "") for term in clause)
            for clause in query.clauses
        ]
        parts.append("{title_norm body_norm} : (" + " AND ".join(clauses) + ")")
    if groups is not None:
        parts.append("acl : (" + " OR ".join(f'"{group}"' for group in groups) + ")")
    return " AND ".join(parts)


def upsert(columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """The rows (of `columns`, the first two identifying the entry) added or replaced; the
    FTS5 table follows the entries' table by its triggers."""
    SearchEntry.objects.bulk_create(
        [SearchEntry(**dict(zip(columns, row, strict=True))) for row in rows],
        batch_size=500,
        update_conflicts=True,
        unique_fields=columns[:2],
        update_fields=columns[2:],
    )


def search(request: SearchRequest, where: list[str], params: list[Any]) -> SearchPage:
    """The counts and facets of the matches in one statement, then the page (ranked by bm25
    when there are words). `where` and `params` are the request's filters on the entries `e`."""
    source = f"search_fts JOIN {TABLE} e ON e.id = search_fts.rowid"
    score, order = "0.0", "e.date DESC, e.id DESC"
    match = fts5_match(request.query, request.groups)
    if match:
        where.insert(0, "search_fts MATCH %s")
        params.insert(0, match)
        if request.query:
            score = "-bm25(search_fts, 5.0, 1.0, 0.0)"
            if not request.newest_first:
                order = "score DESC, e.date DESC, e.id DESC"
    else:
        source = f"{TABLE} e"  # an auditor browsing: no full-text condition
    condition = " AND ".join(where) or "TRUE"
    with connection.cursor() as cursor:
        # Only fixed SQL fragments are formatted in; every value is a parameter.
        cursor.execute(
            f"SELECT e.institution, e.kind, e.language, e.year, count(*) FROM {source} "  # noqa: S608
            f"WHERE {condition} GROUP BY 1, 2, 3, 4",
            params,
        )
        facets = empty_facets()
        count = 0
        for *values, number in cursor.fetchall():
            count += number
            for name, value in zip(FACETS, values, strict=True):
                if value not in ("", None):
                    key = str(value)
                    facets[name][key] = facets[name].get(key, 0) + number
        hits: list[Hit] = []
        if count > request.offset:
            cursor.execute(
                f"SELECT {COLUMNS}, {score} AS score FROM {source} WHERE {condition} "  # noqa: S608
                f"ORDER BY {order} LIMIT %s OFFSET %s",
                [*params, request.limit, request.offset],
            )
            rows = cursor.fetchall()
            # The bodies of the page only (a body may be long: not for every match).
            bodies: dict[int, str] = {}
            if request.bodies:
                page_ids = [row[0] for row in rows]
                entries = SearchEntry.objects.filter(pk__in=page_ids)
                bodies = dict(entries.values_list("pk", "body"))
            hits = [
                Hit(
                    object_type=row[1],
                    object_id=row[2],
                    title=row[3],
                    body=bodies.get(row[0], ""),
                    institution=row[4],
                    kind=row[5],
                    language=row[6],
                    date=row[7],
                    score=float(row[8]),
                )
                for row in rows
            ]
    return SearchPage(count, hits, facets)


# --- Near misses ------------------------------------------------------------------------------
def holding(term: Term, groups: list[int] | None) -> tuple[str, list[Any]]:
    """A statement that selects a row where an entry the caller may see holds the term."""
    return "SELECT 1 FROM search_fts WHERE search_fts MATCH %s", [
        fts5_match(ParsedQuery(((term,),)), groups)
    ]


def close_words(word: str) -> list[str]:
    """The lexicon's words close to `word` (difflib), the closest first; a prefix of a longer
    word is compared with that word's beginning too. Whether the caller sees them is not
    known here."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word FROM search_searchterm WHERE word >= %s AND word < %s LIMIT 20000",
            [word[0], word[0] + "\uffff"],
        )
        candidates = [row[0] for row in cursor.fetchall()]
    if not candidates:
        return []
    close = difflib.get_close_matches(word, candidates, n=len(candidates), cutoff=0.7)
    heads = {candidate[: len(word) + 1]: candidate for candidate in candidates}
    close += [
        heads[head]
        for head in difflib.get_close_matches(word, list(heads), n=len(heads), cutoff=0.75)
    ]
    return close
