"""Search on PostgreSQL: query latency at the API beside the raw full-text SQL, the cost of the
permission filter, bulk (re)indexing rate and the peak memory of a rebuild.

The query corpus is `tests/bench/search_corpus.py` (its docstring says how the text is made, how
query words are drawn and what share of the documents they match): `SEARCH_DOCS[scale]`
documents, or `BENCH_SEARCH_DOCS` (e.g. 1000000), generated in Python from one seed and copied
straight into the index table. The queries (`BENCH_SEARCH_QUERIES` of each kind, default 25) are
asked in turn by an official (who sees their institution's documents) and an auditor (who sees
everything), `BENCH_SEARCH_REPEAT` times per kind (default: the scale's request count); the bench
prints how many documents each kind matched, the latencies of each kind and those of each
caller's four kinds together (the mix the targets name). The rebuild runs
`manage.py rebuild_search_index` in a child process over real document rows
(`REBUILD_DOCS[scale]`, or `BENCH_REBUILD_DOCS`).
"""

import functools
import itertools
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import psycopg
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from documents.models import Document
from roles.models import Institution, User
from search.analysis import parse_query
from search.backends import Filters, SearchRequest, get_backend
from search.backends.database import _LEXICON_WORD, entry_pairs, tsquery
from search.selectors import visible_groups

from . import SCALES, Context, Row, latencies, p50_p95, scenario
from .search_corpus import LANGUAGES, SEED, Corpus, queries, text

SEARCH_DOCS = {"small": 50_000, "medium": 300_000, "large": 1_000_000}
REBUILD_DOCS = {"small": 5_000, "medium": 30_000, "large": 100_000}
REBUILD_BODY_WORDS = 200
COLUMNS = (
    "object_type, object_id, title, body, title_norm, body_norm, institution, kind, language, "
    "process_type, date, year, acl, indexed_at, pair_vector"
)


def _scale(ctx: Context) -> str:
    return next(name for name, scale in SCALES.items() if scale == ctx.scale)


def checkpoint(ctx: Context) -> None:
    """The bulk load's dirty pages written out now, not during the timed searches (a role
    without superuser or pg_checkpoint may not: a note, and the bench goes on)."""
    try:
        ctx.raw.execute("CHECKPOINT")
    except psycopg.errors.InsufficientPrivilege as error:
        print(f"    warning: no CHECKPOINT after the corpus load ({error})".rstrip(), flush=True)


def institution_groups() -> tuple[list[str], dict[str, int]]:
    """The codes of the institutions with a members' group, in order, and their groups' ids:
    whom the corpus's documents belong to, and who sees them."""
    institutions = list(Institution.objects.order_by("code").values_list("code", flat=True))
    groups = {
        group.name.split(":", 1)[1]: group.pk
        for group in Group.objects.filter(name__startswith="institution:")
    }
    return [code for code in institutions if code in groups], groups


def _load_corpus(ctx: Context, count: int) -> tuple[Corpus, float, float]:
    """The synthetic corpus, copied into the index table with its secondary indexes dropped and
    then rebuilt as the migrations define them; returns (corpus, copy seconds, index seconds)."""
    codes, groups = institution_groups()
    cursor = ctx.raw.cursor()
    indexes = [
        (name, definition)
        for name, definition in cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'search_searchentry' "
            "AND indexdef NOT LIKE 'CREATE UNIQUE%%'"
        ).fetchall()
    ]
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    corpus = Corpus(count, len(codes))
    now = datetime.now(UTC)
    started = time.perf_counter()
    with cursor.copy(f"COPY search_searchentry ({COLUMNS}) FROM STDIN") as copy:
        for document in corpus.documents():
            words = document.text
            code = codes[document.institution]
            copy.write_row(
                (
                    "document",
                    1_000_000_000 + document.number,
                    words.title,
                    words.body,
                    words.title_norm,
                    words.body_norm,
                    code,
                    document.kind,
                    words.language,
                    "",
                    document.date,
                    document.date.year,
                    str(groups[code]),
                    now,
                    entry_pairs(words.title_norm, words.body_norm),
                )
            )
            if document.number % 100_000 == 0:
                print(f"    corpus: {document.number:,} / {count:,}", flush=True)
    # The near-miss lexicon, as indexing the same text through the backend would have filled it.
    lexicon = sorted(
        {word for language in LANGUAGES for word in language.norms if _LEXICON_WORD.match(word)}
    )
    cursor.execute(
        "INSERT INTO search_searchterm (word) SELECT unnest(%s::text[]) ON CONFLICT DO NOTHING",
        [lexicon],
    )
    copied = time.perf_counter() - started
    started = time.perf_counter()
    cursor.execute("SET maintenance_work_mem = '512MB'")
    for _, definition in indexes:
        cursor.execute(definition)
    cursor.execute("RESET maintenance_work_mem")
    cursor.execute("VACUUM ANALYZE search_searchentry")
    checkpoint(ctx)
    return corpus, copied, time.perf_counter() - started


def _real_documents(ctx: Context, count: int) -> None:
    """`count` more registered documents with one version of extracted text each (the corpus's
    language, 200 words), and their view permission for the owner institution's group. Their
    numbers follow what each register already gave this year (the intake scenario registers
    too), and the registers' counters are moved past them, so later registrations go on."""
    user_id = ctx.data.member_id
    content_type = ContentType.objects.get_for_model(Document)
    cursor = ctx.raw.cursor()
    year = timezone.localdate().year
    params = {"count": count, "user": user_id, "ct": content_type.pk, "year": year}
    registrations = [
        row[0]
        for row in cursor.execute(
            """
            WITH institution AS (
                SELECT i.id, i.code, row_number() OVER (ORDER BY i.code) - 1 AS position,
                    count(*) OVER () AS institutions,
                    greatest(
                        (SELECT max(c.last_number) FROM documents_registercounter c
                         WHERE c.institution_id = i.id AND c.year = %(year)s),
                        (SELECT max(r.number) FROM documents_registration r
                         WHERE r.institution_id = i.id AND r.year = %(year)s),
                        0) AS last_number
                FROM roles_institution i),
            numbered AS (
                SELECT i.id, i.code, i.last_number + (g - 1) / i.institutions + 1 AS number
                FROM generate_series(1, %(count)s) g
                JOIN institution i ON i.position = (g - 1) %% i.institutions)
            INSERT INTO documents_registration (institution_id, year, number,
                registration_number, registered_at, registered_by_id, annulment_reason)
            SELECT id, %(year)s, number,
                code || '-' || %(year)s || '-' || lpad(number::text, 6, '0'), now(), %(user)s, ''
            FROM numbered
            RETURNING id
            """,
            params,
        )
    ]
    cursor.execute(
        """
        INSERT INTO documents_registercounter (institution_id, year, last_number)
        SELECT institution_id, year, max(number) FROM documents_registration
        WHERE year = %(year)s GROUP BY institution_id, year
        ON CONFLICT (institution_id, year) DO UPDATE
        SET last_number = greatest(documents_registercounter.last_number, EXCLUDED.last_number)
        """,
        params,
    )
    ids = [
        row[0]
        for row in cursor.execute(
            """
            INSERT INTO documents_document (title, kind, language, classification,
                institution_id, registration_id, translation_group, created_at, created_by_id)
            SELECT 'Dokument ' || r.number, 'decision', 'sq', 'internal', r.institution_id,
                r.id, gen_random_uuid(), now(), %(user)s
            FROM documents_registration r WHERE r.id = ANY(%(registrations)s)
            ORDER BY r.id
            RETURNING id
            """,
            {**params, "registrations": registrations},
        )
    ]
    generator = random.Random(SEED + 3)
    now = datetime.now(UTC)
    with cursor.copy(
        "COPY documents_documentversion (document_id, number, file, filename, size, sha256, "
        "mime_type, text_status, text_error, text, text_method, created_at, created_by_id) "
        "FROM STDIN"
    ) as copy:
        for document_id in sorted(ids):
            body = text(generator, document_id, 0, REBUILD_BODY_WORDS).body
            copy.write_row(
                (
                    document_id,
                    1,
                    f"documents/x/{document_id}",
                    "dokument.txt",
                    len(body.encode()),
                    f"{document_id:064x}",
                    "text/plain",
                    "done",
                    "",
                    body,
                    "text:utf-8",
                    now,
                    user_id,
                )
            )
    cursor.execute(
        """
        INSERT INTO guardian_groupobjectpermission (object_pk, content_type_id, group_id,
            permission_id)
        SELECT d.id::text, %(ct)s, g.id, p.id
        FROM documents_document d
        JOIN roles_institution i ON i.id = d.institution_id
        JOIN auth_group g ON g.name = 'institution:' || i.code
        JOIN auth_permission p ON p.content_type_id = %(ct)s AND p.codename = 'view_document'
        WHERE d.id = ANY(%(ids)s)
        """,
        {**params, "ids": ids},
    )
    cursor.execute("ANALYZE")


def rebuilt_objects(output: str) -> int:
    """The objects a `rebuild_search_index` run says it wrote."""
    found = re.search(r"search index rebuilt: ([\d,]+) objects", output)
    assert found, output[-500:]
    return int(found.group(1).replace(",", ""))


def _rebuild(ctx: Context) -> list[Row]:
    """`rebuild_search_index` in a child process: documents/s and its peak RSS."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    started = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "manage.py", "rebuild_search_index", "--restart", "--batch", "1000"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if child.returncode != 0:
        raise RuntimeError(child.stderr[-3000:])
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"    rebuild: {child.stdout.strip().splitlines()[-1]}", flush=True)
    count = rebuilt_objects(child.stdout)  # with what other scenarios registered
    # Raw: the same rows copied into the index table in one SQL statement (no normalisation,
    # no permissions), into a scratch table.
    cursor = ctx.raw.cursor()
    raw_started = time.perf_counter()
    cursor.execute(
        """
        CREATE TEMP TABLE raw_entries AS
        SELECT 'document' AS object_type, d.id AS object_id, d.title, v.text AS body,
            lower(d.title) AS title_norm, lower(v.text) AS body_norm, i.code AS institution,
            d.kind, d.language, '' AS process_type, d.created_at::date AS date, 2026 AS year,
            '' AS acl, now() AS indexed_at
        FROM documents_document d JOIN documents_documentversion v ON v.document_id = d.id
        JOIN roles_institution i ON i.id = d.institution_id
        """
    )
    raw_seconds = time.perf_counter() - raw_started
    cursor.execute("DROP TABLE raw_entries")
    return [
        Row(
            "rebuild docs/s",
            count / seconds,
            count / raw_seconds,
            "raw: one INSERT … SELECT of the same rows, lower() only, no tsvector",
            ">= 1,000/s",
        ),
        Row(
            "rebuild peak RSS MiB",
            peak_mib,
            peak_mib,
            "child process ru_maxrss (no raw equivalent)",
            "<= 2,048",
        ),
    ]


RAW_TOP = """
    SELECT id, ts_rank(search_vector, to_tsquery('simple', %(q)s)) AS r FROM search_searchentry
    WHERE search_vector @@ to_tsquery('simple', %(q)s) {acl} {extra}
    ORDER BY r DESC LIMIT 20
"""
RAW_COUNT = """
    SELECT count(*) FROM search_searchentry
    WHERE search_vector @@ to_tsquery('simple', %(q)s) {acl} {extra}
"""
ACL = "AND acl_ids && %(groups)s::int[]"


def _extra(params: dict[str, str]) -> str:
    """The raw SQL of a query's filters (values are parameters)."""
    return "".join(
        f" AND {column} {operator} %({key})s"
        for key, column, operator in (
            ("institution", "institution", "="),
            ("kind", "kind", "="),
            ("date_from", "date", ">="),
        )
        if key in params
    )


def _api(client: Client, params: dict[str, str]) -> Any:
    return client.get("/api/search/", params).json()


def _raw(ctx: Context, statements: tuple[str, str], values: dict[str, Any]) -> Any:
    """Planned for its values every time, as the backend's searches are. (psycopg would prepare
    a statement after five runs, and PostgreSQL may then keep a generic plan, made without the
    values: a different baseline, and an unsteady one.)"""
    with ctx.raw.cursor() as cursor:
        top, count = statements
        return (
            cursor.execute(top, values, prepare=False).fetchall(),
            cursor.execute(count, values, prepare=False).fetchone(),
        )


def _cycle(calls: list[Callable[[], Any]]) -> Callable[[], Any]:
    """One call of the next of `calls` each time, in turn."""
    turns = itertools.cycle(calls)
    return lambda: next(turns)()


def _cycles(
    ours: list[Callable[[], Any]], raw: list[Callable[[], Any]]
) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """Both sides ask their queries in turn, the raw side half a turn behind: the calls
    alternate, and a query asked straight after the other side asked it would find in
    PostgreSQL's buffers the pages the first had to fetch (at 1M entries the first paid
    ~3.5 ms more at the p50, whichever side it was)."""
    half = len(raw) // 2
    return _cycle(ours), _cycle(raw[half:] + raw[:half])


def _share(hits: list[int], corpus: int) -> str:
    low, median, high = min(hits), statistics.median(hits), max(hits)
    quartiles = statistics.quantiles(hits, n=4) if len(hits) > 1 else [median] * 3
    return (
        f"min {low:,} ({100 * low / corpus:.2f}%), quartiles {quartiles[0]:,.0f} / "
        f"{median:,.0f} ({100 * median / corpus:.2f}%) / {quartiles[2]:,.0f}, "
        f"max {high:,} ({100 * high / corpus:.2f}%)"
    )


@scenario("search")
def search_bench(ctx: Context) -> list[Row]:
    scale = _scale(ctx)
    size = int(os.environ.get("BENCH_SEARCH_DOCS", SEARCH_DOCS[scale]))
    rebuild_docs = int(os.environ.get("BENCH_REBUILD_DOCS", REBUILD_DOCS[scale]))
    per_kind = int(os.environ.get("BENCH_SEARCH_QUERIES", 25))
    with ctx.raw.cursor() as cursor:
        cursor.execute("TRUNCATE search_searchentry, search_searchoutbox, search_searchterm")
        cursor.execute("TRUNCATE search_rebuildcheckpoint")
    rows: list[Row] = []

    _real_documents(ctx, rebuild_docs)
    rows += _rebuild(ctx)
    with ctx.raw.cursor() as cursor:
        cursor.execute("TRUNCATE search_searchentry")

    corpus, copied, indexed = _load_corpus(ctx, size)
    rows.append(
        Row(
            "corpus load docs/s",
            size / (copied + indexed),
            size / copied,
            f"raw: the COPY alone ({indexed:.0f}s more to build the indexes)",
        )
    )
    member = User.objects.get(pk=ctx.data.member_id)
    groups = visible_groups(user=member)
    assert groups, "the bench member belongs to no group"
    auditor = User.objects.create_user("bench.auditor", is_superuser=True)
    home = Institution.objects.get(pk=ctx.data.member_institution_id).code
    mix = queries(corpus.samples, home, per_kind)
    callers = [
        ("official", ctx.data.token_key, groups),
        ("auditor", Token.objects.create(user=auditor).key, None),
    ]
    repeat = int(os.environ.get("BENCH_SEARCH_REPEAT", ctx.scale.requests))
    for who, token, caller_groups in callers:
        client = Client(headers={"Authorization": f"Token {token}"}, SERVER_NAME="localhost")
        mixed_ours: list[float] = []
        mixed_raw: list[float] = []
        for kind, asked in mix.items():
            ours_calls: list[Callable[[], Any]] = []
            raw_calls: list[Callable[[], Any]] = []
            hits = []
            for params in asked:
                response = client.get("/api/search/", params)
                assert response.status_code == 200, response.content[:300]
                hits.append(response.json()["count"])
                values = {**params, "q": tsquery(parse_query(params["q"])), "groups": groups}
                acl = ACL if caller_groups is not None else ""
                top_sql = RAW_TOP.format(acl=acl, extra=_extra(params))
                count_sql = RAW_COUNT.format(acl=acl, extra=_extra(params))

                ours_calls.append(functools.partial(_api, client, params))
                raw_calls.append(functools.partial(_raw, ctx, (top_sql, count_sql), values))
            print(
                f"    {who} {kind}: {len(asked)} queries, matches {_share(hits, size)}", flush=True
            )
            ours_ms, raw_ms = latencies(*_cycles(ours_calls, raw_calls), repeat)
            (o50, o95), (r50, r95) = p50_p95(ours_ms), p50_p95(raw_ms)
            baseline = "raw: ranked top 20 + count, same tsquery and filters" + (
                " and acl" if caller_groups else ""
            )
            rows.append(Row(f"{who} {kind} p50 ms", o50, r50, baseline, "<= 40 ms, <= 1.5x"))
            rows.append(Row(f"{who} {kind} p95 ms", o95, r95, baseline, "<= 150 ms, <= 1.5x"))
            mixed_ours += ours_ms
            mixed_raw += raw_ms
        # The target is worded for a mix of the four kinds: every request above, together.
        (o50, o95), (r50, r95) = p50_p95(mixed_ours), p50_p95(mixed_raw)
        baseline = f"the {who}'s rows above together, {len(mixed_ours)} requests a side"
        rows.append(Row(f"{who} mix p50 ms", o50, r50, baseline, "<= 40 ms, <= 1.5x"))
        rows.append(Row(f"{who} mix p95 ms", o95, r95, baseline, "<= 150 ms, <= 1.5x"))

    # The permission filter: the same backend queries with the member's groups and with none.
    backend = get_backend()
    for kind in ("one word", "two words"):
        parsed = [parse_query(params["q"]) for params in mix[kind]]
        filtered: list[Callable[[], Any]] = [
            functools.partial(backend.search, SearchRequest(p, Filters(), groups)) for p in parsed
        ]
        unfiltered: list[Callable[[], Any]] = [
            functools.partial(backend.search, SearchRequest(p, Filters(), None)) for p in parsed
        ]
        f_ms, u_ms = latencies(*_cycles(filtered, unfiltered), repeat)
        rows.append(
            Row(
                f"permission-filtered {kind} p50 ms",
                p50_p95(f_ms)[0],
                p50_p95(u_ms)[0],
                "raw column: the same searches unfiltered (an auditor's), through the backend",
                "<= 1.3x",
            )
        )
    print(f"    corpus {size:,} entries; the official sees groups {groups}", flush=True)
    return rows
