"""PostgreSQL's full-text search for the database backend: tsvector/GIN/ts_rank/pg_trgm.

The query becomes a tsquery; a phrase is looked up by its word pairs (`pair_vector`); what is
worth looking up in the GIN indexes is decided from the planner's statistics; visibility is
part of the full-text condition (`acl_ids &&` the caller's groups), so ranking, counting,
facets and the page only ever see what the caller may see.
"""

import re
from bisect import bisect_left
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate, pairwise
from typing import Any

from django.db import connection, transaction

from ..analysis import ParsedQuery, Term
from ..models import SearchEntry
from .base import FACETS, Hit, SearchPage, SearchRequest, empty_facets

TABLE = SearchEntry._meta.db_table


def _lexeme(term: Term) -> str:
    """A term in tsquery text. Terms are normalised words ([^\\W_]+) or pairs of them joined
    by `|`, so quoting them is enough to make any input safe."""
    return f"'{term.text}'" + (":*" if term.prefix else "")


def tsquery(query: ParsedQuery) -> str:
    """PostgreSQL `to_tsquery('simple', …)` text."""
    return " & ".join(
        "(" + " <-> ".join(_lexeme(term) for term in clause) + ")" for clause in query.clauses
    )


# --- The phrase index -----------------------------------------------------------------------
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


# --- Planning from the statistics ------------------------------------------------------------
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


def read_statistics() -> Statistics:
    """The planner's statistics of the index table, as they stand now."""
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
    return Statistics(
        rows,
        vectors.get("search_vector", {}),
        groups,
        rarest,
        vectors.get("pair_vector", {}),
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


# --- Writing ----------------------------------------------------------------------------------
def upsert(columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """The rows (of `columns`, the first two identifying the entry) added or replaced, each
    with its phrase index. COPY into a scratch table, then one INSERT … ON CONFLICT: the ORM's
    bulk upsert spent about as long building and quoting its statement in Python as PostgreSQL
    spent writing the rows (profile of a rebuild), and PostgreSQL waited meanwhile."""
    written = [*columns, "pair_vector"]
    title_norm, body_norm = columns.index("title_norm"), columns.index("body_norm")
    names = ", ".join(written)
    updates = ", ".join(f"{column} = EXCLUDED.{column}" for column in written[2:])
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS search_incoming ON COMMIT DELETE ROWS "  # noqa: S608
            f"AS SELECT {names} FROM {TABLE} WITH NO DATA"
        )
        with cursor.copy(f"COPY search_incoming ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, entry_pairs(row[title_norm], row[body_norm])))
        cursor.execute(
            f"INSERT INTO {TABLE} ({names}) SELECT {names} FROM search_incoming "  # noqa: S608
            f"ON CONFLICT (object_type, object_id) DO UPDATE SET {updates}"
        )
        cursor.execute("TRUNCATE search_incoming")  # the next batch in this transaction


# --- Searching --------------------------------------------------------------------------------
def search(
    request: SearchRequest, where: list[str], params: list[Any], statistics: Statistics
) -> SearchPage:
    """One statement: the matches are found (visibility included) and ranked once, then
    counted and faceted (grouping sets: one row per facet value, and the total) and the
    page cut from them. The heap is visited once per match, not once per purpose.
    Browsing without words has nothing to rank: its page comes from the date index.
    `where` and `params` are the request's filters on the entries `e`."""
    score, score_params = "0.0::real", []
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
        order = "date DESC, id DESC" if request.newest_first else "score DESC, date DESC, id DESC"
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
        key=lambda row: (
            (row[10], row[9]) if request.query and not request.newest_first else (row[9],),
            row[0],
        ),
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
        facets,
    )


# --- Near misses ------------------------------------------------------------------------------
def holding(term: Term, groups: list[int] | None) -> tuple[str, list[Any]]:
    """A statement that selects a row where an entry the caller may see holds the term."""
    condition = "e.search_vector @@ to_tsquery('simple', %s)"
    params: list[Any] = [_lexeme(term)]
    if groups is not None:
        condition += " AND e.acl_ids && %s::integer[]"
        params.append(list(groups))
    return f"SELECT 1 FROM {TABLE} e WHERE {condition}", params  # noqa: S608


def closest(word: str, groups: list[int] | None) -> str | None:
    """The lexicon's word most similar to `word` (pg_trgm) that an entry the caller sees
    holds."""
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
