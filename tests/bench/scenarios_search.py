"""Search on PostgreSQL: query latency at the API beside the raw full-text SQL, the cost of the
permission filter, bulk (re)indexing rate and the peak memory of a rebuild.

The query corpus (synthetic Albanian and Serbian text, Latin and Cyrillic, inflected forms) is
bulk-generated straight into the index table with SQL; its size is `SEARCH_DOCS[scale]`, or
`BENCH_SEARCH_DOCS` (e.g. 1000000). The rebuild runs `manage.py rebuild_search_index` in a
child process over real document rows (`REBUILD_DOCS[scale]`, or `BENCH_REBUILD_DOCS`).
"""

import os
import resource
import subprocess
import sys
import time
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client

from documents.models import Document
from roles.models import Institution
from search.analysis import normalize, parse_query
from search.backends import Filters, SearchRequest, get_backend
from search.backends.database import tsquery
from search.selectors import visible_groups

from . import SCALES, Context, Row, latencies, p50_p95, scenario

SEARCH_DOCS = {"small": 50_000, "medium": 300_000, "large": 1_000_000}
REBUILD_DOCS = {"small": 5_000, "medium": 30_000, "large": 100_000}
BODY_WORDS = 60
TITLE_WORDS = 6
CHUNK = 100_000

ALBANIAN_STEMS = [
    "strategji",
    "komunikim",
    "vendim",
    "kuvend",
    "komun",
    "buxhet",
    "qeveri",
    "ministri",
    "mbledhj",
    "plan",
    "raport",
    "zyr",
    "drejtori",
    "ligj",
    "rregullore",
    "projekt",
    "konsultim",
    "afat",
    "ankes",
    "kerkes",
    "dokument",
    "arkiv",
    "qytetar",
    "institucion",
    "shendetesi",
    "arsim",
    "rrug",
    "ujesjelles",
    "mjedis",
    "bujqesi",
    "ekonomi",
    "financ",
    "tender",
    "kontrat",
    "auditim",
    "transparenc",
    "informacion",
    "publik",
    "media",
    "deklarat",
    "njoftim",
    "materiale",
    "agjend",
]
ALBANIAN_ENDINGS = ["a", "ia", "ise", "ine", "i", "it", "e", "et", "ve"]
SERBIAN_STEMS = [
    "strategij",
    "komunikacij",
    "odluk",
    "skupstin",
    "opstin",
    "budzet",
    "vlad",
    "ministarstv",
    "sednic",
    "plan",
    "izvestaj",
    "kancelarij",
    "direkcij",
    "zakon",
    "pravilnik",
    "projekat",
    "konsultacij",
    "rok",
    "zalb",
    "zahtev",
    "dokument",
    "arhiv",
    "gradjan",
    "institucij",
    "zdravstv",
    "obrazovanj",
    "put",
    "vodovod",
    "sredin",
    "poljoprivred",
    "ekonomij",
    "finansij",
    "tender",
    "ugovor",
    "revizij",
    "transparentnost",
    "informacij",
    "javnost",
    "medij",
]
SERBIAN_ENDINGS = ["a", "e", "i", "u", "om", "ama"]
FILLER = [
    "dhe",
    "per",
    "ne",
    "te",
    "i",
    "e",
    "me",
    "nga",
    "se",
    "si",
    "por",
    "edhe",
    "i",
    "u",
    "na",
    "za",
    "od",
    "do",
    "sa",
    "je",
    "su",
]


def _scale(ctx: Context) -> str:
    return next(name for name, scale in SCALES.items() if scale == ctx.scale)


def vocabulary() -> tuple[list[str], list[str]]:
    """Words as written (diacritics, a third of the Serbian ones in Cyrillic) and normalised,
    most frequent first (the generator picks low indices more often: a Zipf-like text)."""
    from search.analysis import latin_to_cyrillic

    written: list[str] = []
    for index, stem in enumerate(ALBANIAN_STEMS):
        for ending in ALBANIAN_ENDINGS:
            word = stem + ending
            written.append(word.replace("se", "së", 1) if index % 3 == 0 else word)
    for index, stem in enumerate(SERBIAN_STEMS):
        for ending in SERBIAN_ENDINGS:
            word = (stem + ending).replace("dj", "đ").replace("zd", "žd")
            written.append(latin_to_cyrillic(word) if index % 3 == 0 else word)
    written = FILLER + written
    return written, [normalize(word) for word in written]


INSERT_ENTRIES = """
    INSERT INTO search_searchentry (object_type, object_id, title, body, title_norm, body_norm,
        institution, kind, language, process_type, date, year, acl, indexed_at)
    SELECT 'document', 1000000000 + g,
        array_to_string(ARRAY(SELECT w[i] FROM unnest(t.idx) i), ' '),
        CASE WHEN g %% 50 = 0 THEN 'Plani i komunikimit ' ELSE '' END
            || array_to_string(ARRAY(SELECT w[i] FROM unnest(b.idx) i), ' '),
        array_to_string(ARRAY(SELECT n[i] FROM unnest(t.idx) i), ' '),
        CASE WHEN g %% 50 = 0 THEN 'plani i komunikimit ' ELSE '' END
            || array_to_string(ARRAY(SELECT n[i] FROM unnest(b.idx) i), ' '),
        codes[1 + g %% cardinality(codes)],
        (ARRAY['decision','report','press_statement','correspondence','other'])[1 + g %% 5],
        CASE WHEN g %% 3 = 0 THEN 'sr' ELSE 'sq' END, '',
        DATE '2020-01-01' + (g %% 2300),
        extract(year FROM DATE '2020-01-01' + (g %% 2300))::int,
        groups[1 + g %% cardinality(groups)]::text, now()
    FROM (SELECT %(words)s::text[] AS w, %(norms)s::text[] AS n, %(codes)s::text[] AS codes,
                 %(groups)s::int[] AS groups, %(size)s::int AS k) v,
        generate_series(%(first)s::int, %(last)s::int) g,
        LATERAL (SELECT ARRAY(SELECT 1 + floor(v.k * power(random(), 2.5))::int
                 FROM generate_series(1, %(title)s + g * 0)) AS idx) t,
        LATERAL (SELECT ARRAY(SELECT 1 + floor(v.k * power(random(), 2.5))::int
                 FROM generate_series(1, %(body)s + g * 0)) AS idx) b
"""

INDEXES = [
    "CREATE INDEX search_entry_vector ON search_searchentry USING gin (search_vector)",
    "CREATE INDEX search_entry_acl ON search_searchentry USING gin (acl_ids)",
]


def _load_corpus(ctx: Context, count: int) -> tuple[float, float]:
    """The synthetic corpus, in SQL; returns (insert seconds, index build seconds)."""
    written, norms = vocabulary()
    institutions = list(Institution.objects.order_by("code").values_list("code", flat=True))
    groups = {
        group.name.split(":", 1)[1]: group.pk
        for group in Group.objects.filter(name__startswith="institution:")
    }
    codes = [code for code in institutions if code in groups]
    cursor = ctx.raw.cursor()
    cursor.execute("DROP INDEX IF EXISTS search_entry_vector")
    cursor.execute("DROP INDEX IF EXISTS search_entry_acl")
    started = time.perf_counter()
    for first in range(1, count + 1, CHUNK):
        cursor.execute(
            INSERT_ENTRIES,
            {
                "words": written,
                "norms": norms,
                "codes": codes,
                "groups": [groups[code] for code in codes],
                "size": len(written),
                "first": first,
                "last": min(first + CHUNK - 1, count),
                "title": TITLE_WORDS,
                "body": BODY_WORDS,
            },
        )
        print(f"    corpus: {min(first + CHUNK - 1, count):,} / {count:,}", flush=True)
    inserted = time.perf_counter() - started
    started = time.perf_counter()
    cursor.execute("SET maintenance_work_mem = '512MB'")
    for statement in INDEXES:
        cursor.execute(statement)
    cursor.execute("ANALYZE search_searchentry")
    cursor.execute("CHECKPOINT")
    return inserted, time.perf_counter() - started


def _real_documents(ctx: Context, count: int) -> None:
    """`count` registered documents with one version of extracted text each, and their view
    permission for the owner institution's group, inserted with SQL."""
    written, _ = vocabulary()
    user_id = ctx.data.member_id
    content_type = ContentType.objects.get_for_model(Document)
    cursor = ctx.raw.cursor()
    params = {
        "words": written,
        "k": len(written),
        "count": count,
        "user": user_id,
        "ct": content_type.pk,
    }
    cursor.execute(
        """
        INSERT INTO documents_registration (institution_id, year, number, registration_number,
            registered_at, registered_by_id, annulment_reason)
        SELECT i.id, 2026, g, i.code || '-2026-' || lpad(g::text, 6, '0'), now(), %(user)s, ''
        FROM generate_series(1, %(count)s) g
        JOIN LATERAL (SELECT id, code FROM roles_institution ORDER BY code
                      OFFSET (g %% (SELECT count(*) FROM roles_institution)) LIMIT 1) i ON true
        """,
        params,
    )
    cursor.execute(
        """
        INSERT INTO documents_document (title, kind, language, classification, institution_id,
            registration_id, translation_group, created_at, created_by_id)
        SELECT 'Dokument ' || r.number, 'decision', 'sq', 'internal', r.institution_id, r.id,
            gen_random_uuid(), now(), %(user)s
        FROM documents_registration r WHERE r.year = 2026
        """,
        params,
    )
    cursor.execute(
        """
        INSERT INTO documents_documentversion (document_id, number, file, filename, size, sha256,
            mime_type, text_status, text_error, text, text_method, created_at, created_by_id)
        SELECT d.id, 1, 'documents/x/' || d.id, 'dokument.txt', 100, md5(d.id::text),
            'text/plain', 'done', '',
            array_to_string(ARRAY(SELECT w[1 + floor(k * power(random(), 2.5))::int]
                                  FROM generate_series(1, 200 + d.id * 0)), ' '),
            'text:utf-8', now(), %(user)s
        FROM documents_document d, (SELECT %(words)s::text[] AS w, %(k)s::int AS k) v
        """,
        params,
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
        """,
        params,
    )
    cursor.execute("ANALYZE")


def _rebuild(ctx: Context, count: int) -> list[Row]:
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
    WHERE search_vector @@ to_tsquery('simple', %(q)s) AND acl_ids && %(groups)s::int[] {extra}
    ORDER BY r DESC LIMIT 20
"""
RAW_COUNT = """
    SELECT count(*) FROM search_searchentry
    WHERE search_vector @@ to_tsquery('simple', %(q)s) AND acl_ids && %(groups)s::int[] {extra}
"""


@scenario("search")
def search_bench(ctx: Context) -> list[Row]:
    scale = _scale(ctx)
    corpus = int(os.environ.get("BENCH_SEARCH_DOCS", SEARCH_DOCS[scale]))
    rebuild_docs = int(os.environ.get("BENCH_REBUILD_DOCS", REBUILD_DOCS[scale]))
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE search_searchentry, search_searchoutbox, search_searchterm")
        cursor.execute("TRUNCATE search_rebuildcheckpoint")
    rows: list[Row] = []

    _real_documents(ctx, rebuild_docs)
    rows += _rebuild(ctx, rebuild_docs)

    inserted, indexed = _load_corpus(ctx, corpus)
    rows.append(
        Row(
            "corpus load docs/s",
            corpus / (inserted + indexed),
            corpus / inserted,
            f"raw: the INSERT alone ({indexed:.0f}s more to build the GIN indexes)",
        )
    )
    from roles.models import User

    member = User.objects.get(pk=ctx.data.member_id)
    groups = visible_groups(user=member)
    assert groups, "the bench member belongs to no group"
    home = Institution.objects.get(pk=ctx.data.member_institution_id).code
    client = Client(
        headers={"Authorization": f"Token {ctx.data.token_key}"}, SERVER_NAME="localhost"
    )
    queries: list[tuple[str, dict[str, str], str]] = [
        ("one word", {"q": "strategjia"}, ""),
        ("two words", {"q": "buxheti qeverise"}, ""),
        ("phrase", {"q": '"plani i komunikimit"'}, ""),
        (
            "filtered",
            {"q": "vendimi", "kind": "decision", "date_from": "2021-01-01", "institution": home},
            "AND institution = %(inst)s AND kind = 'decision' AND date >= '2021-01-01'",
        ),
    ]
    repeat = ctx.scale.requests
    for label, params, extra in queries:
        q = tsquery(parse_query(params["q"]))
        response = client.get("/api/search/", params)
        assert response.status_code == 200, response.content[:300]
        found = response.json()["count"]

        def ours(params: dict[str, str] = params) -> Any:
            return client.get("/api/search/", params).json()

        def raw(q: str = q, extra: str = extra) -> Any:
            with ctx.raw.cursor() as cursor:
                values = {"q": q, "groups": groups, "inst": home}
                top = cursor.execute(RAW_TOP.format(extra=extra), values).fetchall()
                count = cursor.execute(RAW_COUNT.format(extra=extra), values).fetchone()
            return top, count

        ours_ms, raw_ms = latencies(ours, raw, repeat)
        (o50, o95), (r50, r95) = p50_p95(ours_ms), p50_p95(raw_ms)
        baseline = f"raw: ranked top 20 + count, same tsquery and acl filter ({found:,} hits)"
        rows.append(Row(f"{label} p50 ms", o50, r50, baseline, "<= 40 ms, <= 1.5x"))
        rows.append(Row(f"{label} p95 ms", o95, r95, baseline, "<= 150 ms"))

    # The permission filter: the same backend query with the member's groups and with none.
    backend = get_backend()
    for label, text in (("one word", "strategjia"), ("two words", "buxheti qeverise")):
        parsed = parse_query(text)

        def filtered(parsed: Any = parsed) -> Any:
            return backend.search(SearchRequest(parsed, Filters(), groups))

        def unfiltered(parsed: Any = parsed) -> Any:
            return backend.search(SearchRequest(parsed, Filters(), None))

        f_ms, u_ms = latencies(filtered, unfiltered, repeat)
        rows.append(
            Row(
                f"permission-filtered {label} p50 ms",
                p50_p95(f_ms)[0],
                p50_p95(u_ms)[0],
                "raw column: the same search unfiltered (an auditor's), through the backend",
                "<= 1.3x",
            )
        )
    print(f"    corpus {corpus:,} entries; member sees groups {groups}", flush=True)
    return rows
