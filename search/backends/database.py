"""The database's own full-text engine: one backend over `SearchEntry`, searched by the
engine of the database it runs on (`postgresql.py`: tsvector/GIN/ts_rank/pg_trgm; `sqlite.py`:
FTS5).

Both search the normalised columns with a query built from the same parsed terms, under the
same filters, and both put visibility inside the full-text condition, so ranking, counting,
facets and the page only ever see what the caller may see. Writing the index, the lexicon of
near misses and deciding a near miss are the same on both.
"""

import re
import time
from dataclasses import replace
from datetime import datetime
from typing import Any

from django.db import connection, transaction

from ..analysis import MAX_WORD, ParsedQuery, Term, stem
from ..content import IndexEntry
from ..models import SearchEntry, SearchTerm
from . import postgresql, sqlite
from .base import SearchBackend, SearchPage, SearchRequest, empty_facets
from .postgresql import Statistics, entry_pairs, tsquery

# `entry_pairs` and `tsquery` are also imported from here by the benchmarks' raw-SQL baselines.
__all__ = ["DatabaseBackend", "entry_pairs", "tsquery"]

TABLE = SearchEntry._meta.db_table
# The columns `index` writes, in this order; the first two identify the entry.
WRITTEN = [
    "object_type",
    "object_id",
    "title",
    "body",
    "title_norm",
    "body_norm",
    "institution",
    "kind",
    "language",
    "process_type",
    "date",
    "year",
    "acl",
    "indexed_at",
]
_LEXICON_WORD = re.compile(r"^[a-z]{4,30}$")


def _sorted(facets: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Each facet's values, the most frequent first."""
    return {
        name: dict(sorted(values.items(), key=lambda item: (-item[1], item[0])))
        for name, values in facets.items()
    }


class DatabaseBackend(SearchBackend):
    name = "database"

    STATISTICS_SECONDS = 600.0

    def __init__(self) -> None:
        self._known_words: set[str] = set()
        self._statistics: tuple[float, Statistics] | None = None

    def statistics(self) -> Statistics:
        """PostgreSQL's planner statistics of the index table, read again every few minutes."""
        now = time.monotonic()
        if self._statistics and now - self._statistics[0] < self.STATISTICS_SECONDS:
            return self._statistics[1]
        statistics = postgresql.read_statistics()
        self._statistics = (now, statistics)
        return statistics

    # --- Writing ------------------------------------------------------------------------------
    def index(self, entries: list[IndexEntry], *, target: str | None = None) -> None:
        if not entries:
            return
        now = datetime.now().astimezone()
        rows = []
        words: set[str] = set()
        for entry in entries:
            title_norm, body_norm = entry.title_norm, entry.body_norm
            rows.append(
                (
                    entry.object_type,
                    entry.object_id,
                    entry.title,
                    entry.body,
                    title_norm,
                    body_norm,
                    entry.institution,
                    entry.kind,
                    entry.language,
                    entry.process_type,
                    entry.date,
                    entry.date.year,
                    " ".join(map(str, entry.acl)),
                    now,
                )
            )
            words.update(title_norm.split())
            words.update(body_norm.split())
        engine = postgresql if connection.vendor == "postgresql" else sqlite
        with transaction.atomic():
            engine.upsert(WRITTEN, rows)
            self._lexicon_add(words)

    def _lexicon_add(self, words: set[str]) -> None:
        new = {w for w in words - self._known_words if _LEXICON_WORD.match(w)}
        if new:
            SearchTerm.objects.bulk_create(
                [SearchTerm(word=word) for word in sorted(new)],
                batch_size=1000,
                ignore_conflicts=True,
            )
            if len(self._known_words) < 200_000:
                self._known_words |= new

    def delete(self, object_type: str, ids: list[int]) -> None:
        if ids:
            SearchEntry.objects.filter(object_type=object_type, object_id__in=ids).delete()

    def rebuild_start(self, target: str | None) -> str:
        return TABLE  # rebuilt in place: every entry rewritten, then the rest dropped

    def rebuild_finish(self, target: str, started_at: datetime) -> None:
        SearchEntry.objects.filter(indexed_at__lt=started_at).delete()

    # --- Searching ----------------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchPage:
        if request.groups is not None and not request.groups:
            return SearchPage(0, [], empty_facets())  # the caller may see nothing at all
        page = self._search(request)
        if page.count == 0 and request.query:
            corrected = self._near_miss(request.query, request.groups)
            if corrected is not None:
                page = self._search(replace(request, query=corrected))
        return page

    def _filters(self, request: SearchRequest) -> tuple[list[str], list[Any]]:
        f = request.filters
        where: list[str] = []
        params: list[Any] = []
        for column, value in (
            ("institution", f.institution),
            ("kind", f.kind),
            ("language", f.language),
            ("object_type", f.object_type),
            ("process_type", f.process_type),
        ):
            if value:
                where.append(f"e.{column} = %s")
                params.append(value)
        if f.date_from:
            where.append("e.date >= %s")
            params.append(f.date_from)
        if f.date_to:
            where.append("e.date <= %s")
            params.append(f.date_to)
        return where, params

    def _search(self, request: SearchRequest) -> SearchPage:
        where, params = self._filters(request)
        if connection.vendor == "postgresql":
            page = postgresql.search(request, where, params, self.statistics())
        else:
            page = sqlite.search(request, where, params)
        return replace(page, facets=_sorted(page.facets))

    # Near misses are decided from what the caller may see, never from the whole lexicon: a
    # word known only to another institution's files neither stops a correction nor is
    # offered as one, so a search cannot tell whether those files hold it.
    def _near_miss(self, query: ParsedQuery, groups: list[int] | None) -> ParsedQuery | None:
        """The query with each word that matches nothing the caller sees replaced by the
        closest word of what they see (pg_trgm similarity; difflib on SQLite), or None when
        nothing is close."""
        # A word longer than any indexed one is no misspelling of one (analysis.query_words).
        candidates = [term for term in query.terms if 4 <= len(term.text) <= MAX_WORD]
        found = self._visible(candidates, groups)
        changed = False
        clauses = []
        for clause in query.clauses:
            new_clause = []
            for term in clause:
                closest = (
                    self._closest(term.text, groups)
                    if term in candidates and term not in found
                    else None
                )
                if closest and not term.matches(closest):
                    new_clause.append(Term(stem(closest), True, closest))
                    changed = True
                else:
                    new_clause.append(term)
            clauses.append(tuple(new_clause))
        return ParsedQuery(tuple(clauses)) if changed else None

    def _visible(self, terms: list[Term], groups: list[int] | None) -> set[Term]:
        """The terms that match at least one entry the caller may see (one statement)."""
        engine = postgresql if connection.vendor == "postgresql" else sqlite
        probes: list[str] = []
        params: list[Any] = []
        for index, term in enumerate(terms):
            holding, holding_params = engine.holding(term, groups)
            probes.append(f"SELECT {index} WHERE EXISTS ({holding})")
            params += holding_params
        if not probes:
            return set()
        with connection.cursor() as cursor:
            # Only fixed SQL fragments and the terms' positions are formatted in.
            cursor.execute(" UNION ALL ".join(probes), params)
            return {terms[row[0]] for row in cursor.fetchall()}

    def _closest(self, word: str, groups: list[int] | None) -> str | None:
        """The lexicon's word closest to `word` that an entry the caller sees holds."""
        if connection.vendor == "postgresql":
            return postgresql.closest(word, groups)
        # The closest first; the first the caller sees wins.
        for candidate in sqlite.close_words(word):
            if self._visible([Term(candidate, False)], groups):
                return candidate
        return None
