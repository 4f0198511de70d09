"""The two search engines side by side: PostgreSQL (the database backend) and Elasticsearch (a
live node started for this scenario, `tests/services/elasticsearch.py`, and removed after it),
on the same corpus, the same queries and the same API. The left column is Elasticsearch, the
right PostgreSQL, and the ratio ES/PG (below 1: Elasticsearch is faster or smaller).

- rebuild: `manage.py rebuild_search_index --restart` (in this process, two writers) over the
  registered documents the `search` scenario made (made here when missing), each engine from
  an empty index (PostgreSQL's table emptied, Elasticsearch's new index);
- bulk indexing: the synthetic corpus of `search_corpus.py` (`ENGINE_DOCS[scale]`, or
  `BENCH_ENGINE_DOCS`) through each backend's `index()` in batches of 1,000, as the outbox
  drain writes, batch by batch in turn; Elasticsearch's time includes the refresh that makes
  the last batch searchable;
- queries: the `search` scenario's four kinds and `more_queries` (prefix, browse, near miss),
  `BENCH_SEARCH_QUERIES` of each (default 25), asked through `/api/search/` by the official
  (their groups: the permission filter) and an auditor (no filter), `BENCH_ENGINE_REPEAT` timed
  requests per kind and engine (default: a third of the scale's request count, at least 50),
  the engines in turn. Before timing, each query is asked once of both and their counts
  compared: the engines do not answer everything alike (PostgreSQL corrects a near miss to the
  closest word the caller sees, Elasticsearch matches the words within two edits), so the bench
  prints how many matched on each side.
- the node: its start-up time and resident memory (heap 512 MiB), and each index's size.

If the node cannot be started, the scenario says why and returns no rows; the bench goes on.
"""

import functools
import io
import logging
import os
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.core.management import call_command
from django.test import Client, override_settings
from rest_framework.authtoken.models import Token

from documents.models import Document
from roles.models import Institution, User
from search import backends
from search.backends.database import DatabaseBackend
from search.backends.elastic import ElasticsearchBackend
from search.content import IndexEntry
from search.selectors import visible_groups

from . import Context, Row, latencies, p50_p95, scenario
from .scenarios_search import (
    REBUILD_DOCS,
    _cycle,
    _real_documents,
    _scale,
    checkpoint,
    institution_groups,
    rebuilt_objects,
)
from .search_corpus import Corpus, more_queries, queries

# The corpus both engines index: a third of the `search` scenario's at the default scale, since
# every entry goes through both backends' index() (about 2 minutes per 100,000 on 2 CPUs).
ENGINE_DOCS = {"small": 20_000, "medium": 100_000, "large": 1_000_000}
ALIAS = "koordinimi-bench"  # the bench's own alias (and index template) on the node
BATCH = 1000
ENGINES = ("elasticsearch", "database")
COLUMNS = ("Elasticsearch", "PostgreSQL", "ES/PG")
MIB = 2**20


def _row(metric: str, es: float, pg: float, baseline: str, target: str = "") -> Row:
    return Row(metric, es, pg, baseline, target, columns=COLUMNS)


def _on(engine: str, action: Callable[[], Any]) -> Callable[[], Any]:
    """`action` with `engine` as SEARCH_BACKEND (what every request of the API asks)."""

    def run() -> Any:
        with override_settings(SEARCH_BACKEND=engine):
            return action()

    return run


def _rebuild(engine: str) -> tuple[float, int]:
    """Seconds of one `rebuild_search_index --restart` on `engine`, and the objects written."""
    output = io.StringIO()
    with override_settings(SEARCH_BACKEND=engine):
        started = time.perf_counter()
        call_command("rebuild_search_index", restart=True, batch=BATCH, stdout=output)
        seconds = time.perf_counter() - started
    return seconds, rebuilt_objects(output.getvalue())


def _rebuilds(ctx: Context, es: ElasticsearchBackend) -> list[Row]:
    wanted = int(os.environ.get("BENCH_REBUILD_DOCS", REBUILD_DOCS[_scale(ctx)]))
    have = Document.objects.count()
    if have < wanted:
        _real_documents(ctx, wanted - have)
    ctx.raw.execute("TRUNCATE search_searchentry, search_rebuildcheckpoint")
    pg_seconds, pg_objects = _rebuild("database")
    es_seconds, es_objects = _rebuild("elasticsearch")
    assert es_objects == pg_objects, (es_objects, pg_objects)
    print(
        f"    rebuild {pg_objects:,} objects: PostgreSQL {pg_seconds:.1f}s "
        f"({pg_objects / pg_seconds:,.0f}/s), Elasticsearch {es_seconds:.1f}s "
        f"({es_objects / es_seconds:,.0f}/s)",
        flush=True,
    )
    baseline = (
        f"rebuild_search_index --restart of {pg_objects:,} registered documents (most of "
        "200 words), two writers, from an empty index"
    )
    return [
        _row("rebuild s", es_seconds, pg_seconds, baseline),
        _row("rebuild docs/s", es_objects / es_seconds, pg_objects / pg_seconds, baseline),
    ]


def _entries(corpus: Corpus) -> Iterator[list[IndexEntry]]:
    """The corpus as index entries (as `_load_corpus` copies it), in batches; the normalised
    text is the corpus's own, so neither engine's time includes normalising it."""
    codes, groups = institution_groups()
    batch: list[IndexEntry] = []
    for document in corpus.documents():
        words = document.text
        code = codes[document.institution]
        entry = IndexEntry(
            object_type="document",
            object_id=1_000_000_000 + document.number,
            title=words.title,
            body=words.body,
            institution=code,
            kind=document.kind,
            language=words.language,
            process_type="",
            date=document.date,
            acl=[groups[code]],
        )
        entry.__dict__.update(title_norm=words.title_norm, body_norm=words.body_norm)
        batch.append(entry)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _wait_for_merges(es: ElasticsearchBackend, limit: float = 300) -> float:
    """Seconds until the node's background merges of the new index are done (the searches are
    timed on a settled index, as PostgreSQL's after VACUUM ANALYZE)."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        stats = es.client.indices.stats(index=es.alias, metric="merge")
        if not stats["_all"]["primaries"]["merges"]["current"]:
            break
        time.sleep(0.5)
    return time.perf_counter() - started


def _bulk(
    ctx: Context, es: ElasticsearchBackend, pg: DatabaseBackend, size: int
) -> tuple[Corpus, list[Row]]:
    ctx.raw.execute("TRUNCATE search_searchentry")
    es.rebuild_finish(es.rebuild_start(None), started_at=None)  # a new, empty live index
    corpus = Corpus(size, len(institution_groups()[0]))
    seconds = {"elasticsearch": 0.0, "database": 0.0}
    for number, batch in enumerate(_entries(corpus)):
        # In turn, each engine first every other batch: load elsewhere hits both alike.
        for engine, backend in [("elasticsearch", es), ("database", pg)][
            :: 1 if number % 2 else -1
        ]:
            started = time.perf_counter()
            backend.index(batch)
            seconds[engine] += time.perf_counter() - started
        if (number + 1) * BATCH % 100_000 == 0:
            print(f"    bulk indexing: {(number + 1) * BATCH:,} / {size:,}", flush=True)
    started = time.perf_counter()
    es.client.indices.refresh(index=es.alias)
    seconds["elasticsearch"] += time.perf_counter() - started
    merging = _wait_for_merges(es)
    ctx.raw.execute("VACUUM ANALYZE search_searchentry")
    checkpoint(ctx)
    pg._statistics = None  # the planner's statistics of this corpus, not of an earlier one
    es_rate, pg_rate = size / seconds["elasticsearch"], size / seconds["database"]
    print(
        f"    bulk indexing {size:,} entries: PostgreSQL {seconds['database']:.1f}s "
        f"({pg_rate:,.0f}/s), Elasticsearch {seconds['elasticsearch']:.1f}s ({es_rate:,.0f}/s; "
        f"then {merging:.1f}s until its merges were done)",
        flush=True,
    )
    return corpus, [
        _row(
            "bulk indexing docs/s",
            es_rate,
            pg_rate,
            f"{size:,} corpus entries through backend.index() in batches of {BATCH:,}, the "
            "engines batch by batch in turn (ES: + the final refresh; PG: without its VACUUM "
            "ANALYZE)",
        )
    ]


def _matches(counts: list[int]) -> str:
    return f"median {statistics.median(counts):,.0f}, none in {counts.count(0)}"


def _queries(ctx: Context, corpus: Corpus) -> list[Row]:
    per_kind = int(os.environ.get("BENCH_SEARCH_QUERIES", 25))
    repeat = int(os.environ.get("BENCH_ENGINE_REPEAT", max(50, ctx.scale.requests // 3)))
    home = Institution.objects.get(pk=ctx.data.member_institution_id).code
    mix = {**queries(corpus.samples, home, per_kind), **more_queries(per_kind)}
    auditor = User.objects.filter(username="bench.auditor").first() or User.objects.create_user(
        "bench.auditor", is_superuser=True
    )
    member = User.objects.get(pk=ctx.data.member_id)
    callers = [
        ("official", ctx.data.token_key, visible_groups(user=member)),
        ("auditor", Token.objects.get_or_create(user=auditor)[0].key, None),
    ]
    rows: list[Row] = []
    for who, token, groups in callers:
        client = Client(headers={"Authorization": f"Token {token}"}, SERVER_NAME="localhost")

        def ask(params: dict[str, str], client: Client = client) -> Any:
            response = client.get("/api/search/", params)
            assert response.status_code == 200, response.content[:300]
            return response.json()

        all_es: list[float] = []
        all_pg: list[float] = []
        for kind, asked in mix.items():
            calls: dict[str, list[Callable[[], Any]]] = {engine: [] for engine in ENGINES}
            counts: dict[str, list[int]] = {engine: [] for engine in ENGINES}
            for params in asked:
                for engine in ENGINES:
                    call = _on(engine, functools.partial(ask, params))
                    counts[engine].append(call()["count"])
                    calls[engine].append(call)
            alike = sum(
                es == pg for es, pg in zip(counts["elasticsearch"], counts["database"], strict=True)
            )
            print(
                f"    {who} {kind}: {len(asked)} queries; matches: PostgreSQL "
                f"{_matches(counts['database'])}, Elasticsearch "
                f"{_matches(counts['elasticsearch'])}; the same count in {alike}",
                flush=True,
            )
            es_ms, pg_ms = latencies(
                _cycle(calls["elasticsearch"]), _cycle(calls["database"]), repeat
            )
            baseline = (
                f"GET /api/search/ as the {who}"
                + (f" (groups {groups})" if groups else " (no permission filter)")
                + f", {len(asked)} {kind} queries in turn, {repeat} requests an engine; "
                f"counts alike in {alike}/{len(asked)}"
            )
            (e50, e95), (p50, p95) = p50_p95(es_ms), p50_p95(pg_ms)
            rows.append(_row(f"{who} {kind} p50 ms", e50, p50, baseline))
            rows.append(_row(f"{who} {kind} p95 ms", e95, p95, baseline))
            all_es += es_ms
            all_pg += pg_ms
        baseline = f"the {who}'s rows above together, {len(all_es)} requests an engine"
        (e50, e95), (p50, p95) = p50_p95(all_es), p50_p95(all_pg)
        rows.append(_row(f"{who} all kinds p50 ms", e50, p50, baseline))
        rows.append(_row(f"{who} all kinds p95 ms", e95, p95, baseline))
    return rows


def _sizes(ctx: Context, es: ElasticsearchBackend, node: Any, size: int) -> list[Row]:
    stats = es.client.indices.stats(index=es.alias, metric="store")
    es_bytes = stats["_all"]["primaries"]["store"]["size_in_bytes"]
    row = ctx.raw.execute(
        "SELECT pg_total_relation_size('search_searchentry') "
        "+ pg_total_relation_size('search_searchterm')"
    ).fetchone()
    pg_bytes = row[0] if row else 0
    rss = node.rss_bytes()
    print(
        f"    Elasticsearch {node.version}: started in {node.startup_seconds:.1f}s, "
        f"RSS now {rss / MIB:,.0f} MiB",
        flush=True,
    )
    nan = float("nan")
    return [
        _row(
            "index size MiB",
            es_bytes / MIB,
            pg_bytes / MIB,
            f"{size:,} entries: ES primary store; PG search_searchentry with its indexes and "
            "TOAST, and the lexicon",
        ),
        _row(
            "node start-up s",
            node.startup_seconds,
            nan,
            f"Elasticsearch {node.version} (test distribution) started until yellow",
        ),
        _row(
            "node RSS MiB",
            rss / MIB,
            nan,
            "Elasticsearch's resident memory after the queries (heap 512 MiB)",
        ),
    ]


@scenario("search_engines")
def search_engines(ctx: Context) -> list[Row]:
    node: Any = None
    try:
        from tests.services.elasticsearch import ElasticsearchNode

        node = ElasticsearchNode()
        node.start()
    except Exception as error:  # whatever it is, the rest of the bench goes on
        print(f"    skipped: no Elasticsearch node ({type(error).__name__}: {error})", flush=True)
        if node is not None:
            node.remove()
        return []
    # The client logs every request at INFO: thousands of lines here.
    logging.getLogger("elastic_transport").setLevel(logging.WARNING)
    size = int(os.environ.get("BENCH_ENGINE_DOCS", ENGINE_DOCS[_scale(ctx)]))
    pg = backends.get_backend("database")
    assert isinstance(pg, DatabaseBackend)
    es = ElasticsearchBackend(node.url)
    es.prefix = ALIAS
    es.client = es.client.options(request_timeout=120)  # a bulk batch under a merge
    replaced = backends._instances.get("elasticsearch")
    try:
        with override_settings(ELASTICSEARCH_URL=node.url):
            backends._instances["elasticsearch"] = es
            rows = _rebuilds(ctx, es)
            corpus, bulk = _bulk(ctx, es, pg, size)
            rows += bulk
            rows += _queries(ctx, corpus)
            rows += _sizes(ctx, es, node, size)
            return rows
    finally:
        if replaced is None:
            backends._instances.pop("elasticsearch", None)
        else:
            backends._instances["elasticsearch"] = replaced
        node.remove()
