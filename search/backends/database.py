"""The database's own full-text engine: PostgreSQL tsvector/GIN/ts_rank/pg_trgm, SQLite FTS5.

Both search the normalised columns of `SearchEntry` with a query built from the same parsed
terms, and both put visibility inside the full-text condition (PostgreSQL: `acl_ids &&` the
caller's groups; SQLite: the `acl` column of the FTS5 MATCH), so ranking, counting, facets and
the page only ever see what the caller may see.
"""

import difflib
import re
import time
from bisect import bisect_left
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from itertools import accumulate, pairwise
from typing import Any

from django.db import connection, transaction

from ..analysis import MAX_WORD, ParsedQuery, Term, stem
from ..content import IndexEntry
from ..models import SearchEntry, SearchTerm
from .base import FACETS, Hit, SearchBackend, SearchPage, SearchRequest, empty_facets

TABLE = SearchEntry._meta.db_table
COLUMNS = "e.id, e.object_type, e.object_id, e.title, e.institution, e.kind, e.language, e.date"
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


def _lexeme(term: Term) -> str:
    """A term in tsquery text. Terms are normalised words ([^\\W_]+) or pairs of them joined
    by `|`, so quoting them is enough to make any input safe."""
    return f"'{term.text}'" + (":*" if term.prefix else "")


def tsquery(query: ParsedQuery) -> str:
    """PostgreSQL `to_tsquery('simple', …)` text."""
    return " & ".join(
        "(" + " <-> ".join(_lexeme(term) for term in clause) + ")" for clause in query.clauses
    )


# --- The phrase index (PostgreSQL) ----------------------------------------------------------
# Like Elasticsearch's `index_phrases`, each entry also indexes its adjacent word pairs
# (`pair_vector`), so a phrase is looked up by its pairs rather than word by word: a phrase of
# common words otherwise makes PostgreSQL read a large share of the archive only to find the
# words apart. A pair keeps the first characters of each word (a key), so the pairs every match
# of a phrase holds are known from the query even where its words are prefixes (`strategj*`);
# the phrase itself is still checked on the rows the pairs find. The first word's key is as
# long as the shortest prefix a query word makes (any word of three letters or more, e.g. `për`
# and `dhe`, the words phrases most often start with); the second's is one longer, for fewer
# entries per pair, since a shorter second word only makes the pair a prefix.
FIRST_KEY, SECOND_KEY = 3, 4
_PAIRABLE = re.compile(r"^[a-z0-9]+$")  # words PostgreSQL's parser keeps whole


def entry_pairs(title_norm: str, body_norm: str) -> str:
    """An entry's `pair_vector` as tsvector text (normalised words hold no quote). The title's
    last word and the body's first are a pair: `search_vector` has them adjacent too."""
    words = f"{title_norm} {body_norm}".split()
    return " ".join(
        {f"'{first[:FIRST_KEY]}|{second[:SECOND_KEY]}'" for first, second in pairwise(words)}
    )


def phrase_pairs(clause: tuple[Term, ...]) -> list[Term]:
    """The pairs every match of a phrase holds, as terms of `pair_vector`. A pair is left out
    where its first word is a prefix shorter than a key (words of many keys start with it)."""
    pairs = []
    for first, second in pairwise(clause):
        if not (_PAIRABLE.match(first.text) and _PAIRABLE.match(second.text)):
            continue
        if first.prefix and len(first.text) < FIRST_KEY:
            continue
        pairs.append(
            Term(
                f"{first.text[:FIRST_KEY]}|{second.text[:SECOND_KEY]}",
                second.prefix and len(second.text) < SECOND_KEY,
            )
        )
    return pairs


def lexemes_tsquery(terms: list[Term]) -> str:
    """`::tsquery` text of terms that must all be present (no parser: taken as written)."""
    return " & ".join(_lexeme(term) for term in terms)


POSTINGS_PER_CHECK = 3


def _ordered(elements: dict[str, float]) -> tuple[list[str], list[float]]:
    """The elements sorted, and the running sum of their shares (from 0.0, one longer)."""
    ordered = sorted(elements)
    return ordered, list(accumulate((elements[word] for word in ordered), initial=0.0))


@dataclass(frozen=True)
class Statistics:
    """What PostgreSQL's ANALYZE knows of the index table: its rows, and the share of rows
    holding each of the most common lexemes, word pairs and groups
    (`pg_stats.most_common_elems`)."""

    rows: float = 0.0
    lexemes: dict[str, float] = field(default_factory=dict)
    groups: dict[int, float] = field(default_factory=dict)
    rarest_group: float = 0.0  # a group not listed holds at most this share
    pairs: dict[str, float] = field(default_factory=dict)

    def term_rows(self, term: Term, pairs: bool = False) -> float:
        """About how many entries hold the term (a word, or with `pairs` a word pair): the GIN
        posting entries a scan reads."""
        elements, (ordered, running) = (
            (self.pairs, self._pairs_ordered) if pairs else (self.lexemes, self._lexemes_ordered)
        )
        if term.prefix:
            # The listed elements starting with the prefix are a run of the sorted ones (no
            # word holds U+10FFFF, a non-character): their shares are a difference of two
            # running sums, not a pass over the ~1,000 elements on every search.
            start = bisect_left(ordered, term.text)
            end = bisect_left(ordered, term.text + "\U0010ffff", start)
            share = running[end] - running[start]
        else:
            share = elements.get(term.text, 0.0)
        return min(share, 1.0) * self.rows

    @cached_property
    def _lexemes_ordered(self) -> tuple[list[str], list[float]]:
        return _ordered(self.lexemes)

    @cached_property
    def _pairs_ordered(self) -> tuple[list[str], list[float]]:
        return _ordered(self.pairs)

    def visible_rows(self, groups: list[int]) -> float:
        return self.rows * min(
            1.0, sum(self.groups.get(group, self.rarest_group) for group in groups)
        )


@dataclass(frozen=True)
class Lookups:
    """What a query looks up in the GIN indexes: words in `search_vector`'s, word pairs in
    `pair_vector`'s. Every match holds them all; the query is checked whole on what they find."""

    terms: list[Term]
    pairs: list[Term]


def index_lookups(query: ParsedQuery, groups: list[int] | None, stats: Statistics) -> Lookups:
    """The look-ups worth making for this caller. A phrase is looked up by its pairs, other
    clauses by their words. For a caller who sees a small part of the archive, a word or pair
    held by more entries than the caller may see (a common word, or a short prefix of many
    words) costs more to read from the index than checking the text of every visible entry,
    which the group index finds: such look-ups are left to that check."""
    terms: list[Term] = []
    pairs: list[Term] = []
    for clause in query.clauses:
        clause_pairs = phrase_pairs(clause)
        if clause_pairs:
            pairs += clause_pairs
        else:
            terms += clause
    terms, pairs = list(dict.fromkeys(terms)), list(dict.fromkeys(pairs))
    if groups is None or not stats.rows or not stats.lexemes:
        return Lookups(terms, pairs)
    # Reading one posting of the index costs about a third of checking one entry's text
    # (EXPLAIN ANALYZE at 1M entries: ~0.9 µs against ~2.5 µs).
    budget = POSTINGS_PER_CHECK * stats.visible_rows(groups)
    return Lookups(
        [term for term in terms if stats.term_rows(term) <= budget],
        [pair for pair in pairs if stats.term_rows(pair, pairs=True) <= budget],
    )


# A search that checks at least this many entries is planned with parallel workers: its CPU
# work (the phrase check and ts_rank on every match) is split between them, about halving its
# time at 1M entries (a phrase of common words: 1.2 s → 0.62 s on 2 cores). The planner does
# not choose them by itself: it costs the table's pages as disk reads, which workers do not
# divide, where the pages are in memory and the check is what takes the time. Lighter searches
# keep one process each, so that workers are there for the heavy ones.
PARALLEL_ROWS = 20_000


def candidate_rows(lookups: Lookups, groups: list[int] | None, stats: Statistics) -> float:
    """About how many entries a search checks: those its most selective look-up finds, and
    at most every entry the caller sees (0.0 where the statistics do not know)."""
    visible = stats.rows if groups is None else stats.visible_rows(groups)
    found = [stats.term_rows(term) for term in lookups.terms]
    found += [stats.term_rows(pair, pairs=True) for pair in lookups.pairs]
    return min([visible, *found])


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
        """The planner's statistics of the index table, read again every few minutes."""
        now = time.monotonic()
        if self._statistics and now - self._statistics[0] < self.STATISTICS_SECONDS:
            return self._statistics[1]
        vectors: dict[str, dict[str, float]] = {}
        groups: dict[int, float] = {}
        rarest = 0.0
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT attname, most_common_elems::text::text[], most_common_elem_freqs "
                "FROM pg_stats WHERE tablename = %s "
                "AND attname IN ('search_vector', 'pair_vector', 'acl_ids')",
                [TABLE],
            )
            for column, elements, shares in cursor.fetchall():
                if not elements:
                    continue
                # The shares of the elements, then the least and greatest share and the
                # share of empty arrays.
                listed = dict(zip(elements, shares[: len(elements)], strict=True))
                if column == "acl_ids":
                    groups = {int(group): share for group, share in listed.items()}
                    rarest = shares[len(elements)]
                else:
                    vectors[column] = listed
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [TABLE])
            row = cursor.fetchone()
        rows = max(float(row[0]), 0.0) if row else 0.0
        statistics = Statistics(
            rows,
            vectors.get("search_vector", {}),
            groups,
            rarest,
            vectors.get("pair_vector", {}),
        )
        self._statistics = (now, statistics)
        return statistics

    # --- Writing ------------------------------------------------------------------------------
    def index(self, entries: list[IndexEntry], *, target: str | None = None) -> None:
        if not entries:
            return
        now = datetime.now().astimezone()
        rows = []
        words: set[str] = set()
        postgresql = connection.vendor == "postgresql"
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
                    *([entry_pairs(title_norm, body_norm)] if postgresql else []),
                )
            )
            words.update(title_norm.split())
            words.update(body_norm.split())
        with transaction.atomic():
            if postgresql:
                self._upsert_postgresql(rows)
            else:
                SearchEntry.objects.bulk_create(
                    [SearchEntry(**dict(zip(WRITTEN, row, strict=True))) for row in rows],
                    batch_size=500,
                    update_conflicts=True,
                    unique_fields=["object_type", "object_id"],
                    update_fields=WRITTEN[2:],
                )
            self._lexicon_add(words)

    def _upsert_postgresql(self, rows: list[tuple[Any, ...]]) -> None:
        """COPY into a scratch table, then one INSERT … ON CONFLICT: the ORM's bulk upsert
        spent about as long building and quoting its statement in Python as PostgreSQL spent
        writing the rows (profile of a rebuild), and PostgreSQL waited meanwhile."""
        written = [*WRITTEN, "pair_vector"]  # the phrase index, written by `index`
        columns = ", ".join(written)
        updates = ", ".join(f"{column} = EXCLUDED.{column}" for column in written[2:])
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS search_incoming ON COMMIT DELETE ROWS "  # noqa: S608
                f"AS SELECT {columns} FROM {TABLE} WITH NO DATA"
            )
            with cursor.copy(f"COPY search_incoming ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {TABLE} ({columns}) SELECT {columns} FROM search_incoming "  # noqa: S608
                f"ON CONFLICT (object_type, object_id) DO UPDATE SET {updates}"
            )
            cursor.execute("TRUNCATE search_incoming")  # the next batch in this transaction

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
        if connection.vendor == "postgresql":
            return self._search_postgresql(request)
        return self._search_sqlite(request)

    def _search_postgresql(self, request: SearchRequest) -> SearchPage:
        """One statement: the matches are found (visibility included) and ranked once, then
        counted and faceted (grouping sets: one row per facet value, and the total) and the
        page cut from them. The heap is visited once per match, not once per purpose.
        Browsing without words has nothing to rank: its page comes from the date index."""
        where, params = self._filters(request)
        score, score_params = "0.0::real", []
        statistics = self.statistics()
        lookups = Lookups([], [])
        if request.query:
            lookups = index_lookups(request.query, request.groups, statistics)
            if not lookups.pairs and len(lookups.terms) == len(set(request.query.terms)):
                where.insert(0, "e.search_vector @@ to_tsquery('simple', %s)")
                params.insert(0, tsquery(request.query))
            else:
                # Only the look-ups use the GIN indexes (`@@`); the whole query is checked on
                # the rows found through them or the group index (ts_match_vq is `@@`, called
                # as a function so that the planner does not look it up in the index).
                where.insert(0, "ts_match_vq(e.search_vector, to_tsquery('simple', %s))")
                params.insert(0, tsquery(request.query))
                if lookups.pairs:
                    where.insert(0, "e.pair_vector @@ %s::tsquery")
                    params.insert(0, lexemes_tsquery(lookups.pairs))
                if lookups.terms:
                    where.insert(0, "e.search_vector @@ to_tsquery('simple', %s)")
                    params.insert(0, lexemes_tsquery(lookups.terms))
            score = "ts_rank(e.search_vector, to_tsquery('simple', %s))"
            score_params = [tsquery(request.query)]
        if request.groups is not None:
            where.append("e.acl_ids && %s::integer[]")
            params.append(list(request.groups))
        condition = " AND ".join(where) or "TRUE"
        body = "e.body" if request.bodies else "''"
        if request.query:  # ranked: the page is cut from the matches
            materialized, page = "MATERIALIZED", "SELECT id, score FROM matched"
            page_params: list[Any] = []
            # Equal scores: the newest first, as when browsing.
            order = "score DESC, date DESC, id DESC"
            # Mostly a few thousand matches, nearly one per (institution, kind, language,
            # year): grouping them by the four first would add a pass (a fifth of the time).
            tallied, tally = "matched", "count(*)"
        else:  # browsing: the newest first, through the date index
            materialized = "NOT MATERIALIZED"
            page = f"SELECT e.id, {score} AS score FROM {TABLE} e WHERE {condition}"  # noqa: S608
            page_params = params
            order = "e.date DESC, e.id DESC"
            # Every visible entry: the grouping sets would hash each four times; grouped by
            # the four columns first, they get a few thousand rows (1M entries: 989 → 676 ms).
            tallied = (
                "(SELECT institution, kind, language, year, count(*) AS n FROM matched "
                "GROUP BY institution, kind, language, year) grouped"
            )
            tally = "coalesce(sum(n), 0)::bigint"  # an empty match set sums to NULL
        parallel = candidate_rows(lookups, request.groups, statistics) >= PARALLEL_ROWS
        # A transaction of its own only for the settings: BEGIN and COMMIT are two more round
        # trips, a tenth of a light search's time.
        with transaction.atomic() if parallel else nullcontext(), connection.cursor() as cursor:
            if parallel:
                # For this transaction only (or, inside a caller's, until that one ends).
                cursor.execute(
                    "SELECT set_config('parallel_setup_cost', '0', true), "
                    "set_config('parallel_tuple_cost', '0', true)"
                )
            # Only fixed SQL fragments are formatted in; every value is a parameter.
            cursor.execute(
                f"""
                WITH matched AS {materialized} (
                    SELECT e.id, e.institution, e.kind, e.language, e.year, e.date,
                        {score} AS score
                    FROM {TABLE} e WHERE {condition}
                ), page AS ({page} ORDER BY {order} LIMIT %s OFFSET %s)
                SELECT NULL, NULL, NULL, NULL, NULL, institution, kind, language, year, NULL,
                    NULL, {tally}
                FROM {tallied}
                GROUP BY GROUPING SETS ((institution), (kind), (language), (year), ())
                UNION ALL
                SELECT e.id, e.object_type, e.object_id, e.title, {body}, e.institution, e.kind,
                    e.language, NULL, e.date, page.score, NULL
                FROM page JOIN {TABLE} e ON e.id = page.id
                """,  # noqa: S608
                [*score_params, *params, *page_params, request.limit, request.offset],
            )
            rows = cursor.fetchall()
        count = 0
        facets = empty_facets()
        hits: list[tuple[Any, ...]] = []
        for row in rows:
            if row[0] is not None:
                hits.append(row)
            elif all(value is None for value in row[5:9]):
                count = row[11]  # the empty grouping set: every match
            else:
                for name, value in zip(FACETS, row[5:9], strict=True):
                    if value not in ("", None):
                        facets[name][str(value)] = row[11]
        # The page's rows in the order of `order` (the join does not keep it).
        hits.sort(
            key=lambda row: ((row[10], row[9]) if request.query else (row[9],), row[0]),
            reverse=True,
        )
        return SearchPage(
            count,
            [
                Hit(
                    object_type=row[1],
                    object_id=row[2],
                    title=row[3],
                    body=row[4],
                    institution=row[5],
                    kind=row[6],
                    language=row[7],
                    date=row[9],
                    score=float(row[10]),
                )
                for row in hits
            ],
            _sorted(facets),
        )

    def _search_sqlite(self, request: SearchRequest) -> SearchPage:
        where, params = self._filters(request)
        source = f"search_fts JOIN {TABLE} e ON e.id = search_fts.rowid"
        score, order = "0.0", "e.date DESC, e.id DESC"
        match = fts5_match(request.query, request.groups)
        if match:
            where.insert(0, "search_fts MATCH %s")
            params.insert(0, match)
            if request.query:
                score = "-bm25(search_fts, 5.0, 1.0, 0.0)"
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
        return SearchPage(count, hits, _sorted(facets))

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
        probes: list[str] = []
        params: list[Any] = []
        for index, term in enumerate(terms):
            if connection.vendor == "postgresql":
                condition = "e.search_vector @@ to_tsquery('simple', %s)"
                params.append(_lexeme(term))
                if groups is not None:
                    condition += " AND e.acl_ids && %s::integer[]"
                    params.append(list(groups))
                source = f"{TABLE} e"
            else:
                condition = "search_fts MATCH %s"
                params.append(fts5_match(ParsedQuery(((term,),)), groups))
                source = "search_fts"
            probes.append(f"SELECT {index} WHERE EXISTS (SELECT 1 FROM {source} WHERE {condition})")  # noqa: S608
        if not probes:
            return set()
        with connection.cursor() as cursor:
            # Only fixed SQL fragments and the terms' positions are formatted in.
            cursor.execute(" UNION ALL ".join(probes), params)
            return {terms[row[0]] for row in cursor.fetchall()}

    def _closest(self, word: str, groups: list[int] | None) -> str | None:
        """The lexicon's word closest to `word` that an entry the caller sees holds."""
        if connection.vendor == "postgresql":
            groups_or_all = None if groups is None else list(groups)
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT t.word FROM search_searchterm t WHERE t.word %% %s AND EXISTS ("
                    "SELECT 1 FROM search_searchentry e WHERE "
                    "e.search_vector @@ to_tsquery('simple', quote_literal(t.word)) AND "
                    "(%s::integer[] IS NULL OR e.acl_ids && %s::integer[])) "
                    "ORDER BY similarity(t.word, %s) DESC, t.word LIMIT 1",
                    [word, groups_or_all, groups_or_all, word],
                )
                row = cursor.fetchone()
                return str(row[0]) if row else None
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT word FROM search_searchterm WHERE word >= %s AND word < %s LIMIT 20000",
                [word[0], word[0] + "\uffff"],
            )
            candidates = [row[0] for row in cursor.fetchall()]
        if not candidates:
            return None
        # The closest first; a prefix of a longer word is compared with that word's beginning
        # too. The first the caller sees wins.
        close = difflib.get_close_matches(word, candidates, n=len(candidates), cutoff=0.7)
        heads = {candidate[: len(word) + 1]: candidate for candidate in candidates}
        close += [
            heads[head]
            for head in difflib.get_close_matches(word, list(heads), n=len(heads), cutoff=0.75)
        ]
        for candidate in close:
            if self._visible([Term(candidate, False)], groups):
                return candidate
        return None
