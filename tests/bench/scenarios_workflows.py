"""Workflows: the task inbox over a million viewflow tasks, and transitions per second.

`workflow_inbox` fills the process and task tables in bulk SQL (INSERT … SELECT generate_series)
with the guardian group object permissions that open tasks to (institution, role) groups, as
`services.process_start` grants them: one official (the bench member) has `mine` open tasks —
four in five open to their role, one in five claimed by them — among `tasks` in all, the rest
belonging to other institutions (half of those processes finished). It times `GET /api/inbox/`
on the first and the last page, at the default page size and at 100, beside one hand-written SQL
query for the same count and page, and counts the SQL statements each page costs (printing the
first page's statements with their times). A page slower than SLOW_S is timed fewer times.

`workflow_transitions` completes the assembly-decision sign-off task (`approve` → the transmit
task opens) through `services.task_complete`, one fresh process after another in this one
Python process, beside the bare SQL such a transition has to write: first one at a time, then
by THREADS threads of the process at once (each with its own connection, as a threaded web
process serves requests), the raw side with as many threads.
"""

import io
import json
import math
import queue
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import partial
from typing import Any

import psycopg
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, connections, transaction
from django.test import Client
from django.utils import timezone
from psycopg.types.json import Jsonb
from viewflow.workflow import STATUS
from viewflow.workflow.fields import get_flow_ref, get_task_ref
from viewflow.workflow.models import Task

from documents.services import document_create
from roles import services as roles_services
from roles.models import Institution, Role, User
from workflows import services
from workflows.flows.assembly_decision import AssemblyDecisionFlow
from workflows.models import CoordinationProcess

from . import SCALES, Context, Row, elapsed, latencies, p50_p95, scenario
from .data import settle
from .scenarios_foundation import INSERT_ENTRY, TOKEN_USER, _next_entries

# (tasks in the database, open tasks of the bench member, transitions timed)
SIZES = {
    "small": (40_000, 1_000, 200),
    "medium": (1_000_000, 10_000, 1_000),
    "large": (1_000_000, 10_000, 2_000),
}
TASKS_PER_PROCESS = 4  # start, approve (returned), revise, then approve open — or the end
INBOX_P95_TARGET = "p95 ≤ 100 ms"
# Timed requests per inbox page (fewer than the scale's: four pages, each beside its raw query),
# and fewer still when one request takes longer than SLOW_S (the target is missed either way).
INBOX_REQUESTS, SLOW_REQUESTS, SLOW_S = 100, 20, 0.5


def _size(ctx: Context) -> tuple[int, int, int]:
    name = next(name for name, scale in SCALES.items() if scale == ctx.scale)
    return SIZES[name]


# --- workflow_inbox ------------------------------------------------------------------------------

FILL = """
CREATE TEMP TABLE bench_lane ON COMMIT DROP AS
    SELECT (row_number() OVER (ORDER BY i.code)) - 1 AS n, i.id AS institution_id, i.code,
           g.id AS group_id
    FROM roles_institution i JOIN auth_group g ON g.name = 'institution:' || i.code
    WHERE i.id <> %(member_institution)s;
CREATE TEMP TABLE bench_people ON COMMIT DROP AS
    SELECT (row_number() OVER (ORDER BY id)) - 1 AS n, id, username
    FROM roles_user WHERE id <> %(member)s;
CREATE TEMP TABLE bench_process ON COMMIT DROP AS
    SELECT s,
           s <= %(mine)s AS mine,
           s <= %(mine)s / 5 AS claimed,
           s > %(mine)s AND mod(s, 2) = 0 AS done,
           %(t0)s::timestamptz + s * interval '1 second' AS at,
           CASE WHEN s <= %(mine)s THEN %(member_institution)s ELSE l.institution_id END
               AS institution_id,
           CASE WHEN s <= %(mine)s THEN %(member_code)s ELSE l.code END AS code,
           CASE WHEN s <= %(mine)s THEN %(member_group)s ELSE l.group_id END AS view_group,
           CASE WHEN s <= %(mine)s THEN %(member_role_group)s ELSE l.group_id END AS lane_group,
           p.id AS done_by, p.username AS done_by_name
    FROM generate_series(1, %(processes)s) s
    JOIN bench_lane l ON l.n = mod(s, (SELECT count(*) FROM bench_lane))
    JOIN bench_people p ON p.n = mod(s, (SELECT count(*) FROM bench_people));

INSERT INTO viewflow_process (id, flow_class, status, created, finished, data)
SELECT s, %(flow)s, CASE WHEN done THEN 'DONE' ELSE 'NEW' END, at,
       CASE WHEN done THEN at + interval '4 hours' END,
       jsonb_build_object('adopted_on', '2025-01-15', 'approved', done, 'transmissions', 0)
FROM bench_process;

INSERT INTO workflows_coordinationprocess (process_ptr_id, title, created_by_id, institution_id)
SELECT s, 'Vendimi nr. ' || s || ' i Kuvendit', done_by, institution_id FROM bench_process;

INSERT INTO viewflow_task
    (id, flow_task, flow_task_type, status, created, started, finished, assigned, token,
     owner_permission, owner_permission_content_type_id, owner_permission_obj_pk, owner_id,
     process_id, data)
SELECT %(per)s * (s - 1) + k,
       CASE WHEN k = 1 THEN %(ref_start)s WHEN k = 3 THEN %(ref_revise)s
            WHEN k = 4 AND done THEN %(ref_end)s ELSE %(ref_approve)s END,
       CASE WHEN k = 1 THEN 'START' WHEN k = 4 AND done THEN 'END' ELSE 'HUMAN' END,
       CASE WHEN k < 4 OR done THEN 'DONE' WHEN claimed THEN 'ASSIGNED' ELSE 'NEW' END,
       at + k * interval '1 minute',
       CASE WHEN k < 4 OR done THEN at + k * interval '1 minute' END,
       CASE WHEN k < 4 OR done THEN at + k * interval '1 minute' + interval '30 seconds' END,
       CASE WHEN k BETWEEN 2 AND 3 OR (k = 4 AND claimed) THEN at + k * interval '1 minute' END,
       'start',
       CASE WHEN k = 3 THEN 'workflows.prepare_assembly_decision'
            WHEN k IN (2, 4) AND NOT (k = 4 AND done) THEN 'workflows.approve_assembly_decision'
       END,
       CASE WHEN k IN (2, 3) OR (k = 4 AND NOT done) THEN %(ct)s END,
       CASE WHEN k IN (2, 3) OR (k = 4 AND NOT done) THEN s::text END,
       CASE WHEN k = 4 AND claimed THEN %(member)s WHEN k < 4 THEN done_by END,
       s,
       CASE WHEN k = 1 OR (k = 4 AND done) THEN '{}'::jsonb
            WHEN k = 4 THEN jsonb_build_object('institution', code, 'role', 'officer')
            ELSE jsonb_build_object(
                'institution', code, 'role', 'officer', 'completed_by', done_by_name,
                'on_behalf_of', NULL,
                'action', CASE WHEN k = 2 THEN 'return' ELSE 'submit' END,
                'comment', CASE WHEN k = 2 THEN 'Mungon data e seancës.' ELSE '' END)
       END
FROM bench_process CROSS JOIN generate_series(1, %(per)s) k;

INSERT INTO guardian_groupobjectpermission (object_pk, content_type_id, group_id, permission_id)
SELECT s::text, %(ct)s, g, perm
FROM bench_process
CROSS JOIN LATERAL (VALUES (view_group, %(perm_view)s), (lane_group, %(perm_approve)s),
                           (lane_group, %(perm_prepare)s), (lane_group, %(perm_transmit)s))
    AS v(g, perm);

SELECT setval(pg_get_serial_sequence('viewflow_process', 'id'), %(processes)s);
SELECT setval(pg_get_serial_sequence('viewflow_task', 'id'), %(per)s::bigint * %(processes)s);
"""

# The same count and page as /api/inbox/ answers, as one would write it by hand on the same
# tables: the member's (and their principals') claimed tasks by owner, and the open tasks of
# their groups from the inbox table (workflows.InboxEntry); then the page with what the API shows.
RAW_INBOX = """
WITH people AS (
    SELECT %(user)s::bigint AS id
    UNION
    SELECT d.principal_id FROM roles_delegation d JOIN roles_user u ON u.id = d.principal_id
    WHERE d.deputy_id = %(user)s AND d.starts_at <= now() AND d.ends_at > now()
      AND d.revoked_at IS NULL AND u.is_active
), mine AS (
    SELECT t.id, t.created FROM viewflow_task t
    WHERE t.owner_id IN (SELECT id FROM people) AND t.status = 'ASSIGNED'
      AND t.flow_task_type = 'HUMAN'
    UNION ALL
    SELECT DISTINCT e.task_id, e.created FROM workflows_inboxentry e
    WHERE e.group_id IN (SELECT ug.group_id FROM roles_user_groups ug
                         WHERE ug.user_id IN (SELECT id FROM people))
)
"""
RAW_COUNT = RAW_INBOX + "SELECT count(*) FROM mine"  # noqa: S608  (constants only)
PAGE_SELECT = """
, page AS (SELECT id FROM mine ORDER BY created, id LIMIT %(limit)s OFFSET %(offset)s)
SELECT t.id, t.process_id, p.flow_class, cp.title, t.flow_task, t.status, o.username,
       t.data, t.created
FROM viewflow_task t
JOIN viewflow_process p ON p.id = t.process_id
JOIN workflows_coordinationprocess cp ON cp.process_ptr_id = t.process_id
JOIN roles_institution i ON i.id = cp.institution_id
LEFT JOIN roles_user o ON o.id = t.owner_id
WHERE t.id IN (SELECT id FROM page)
ORDER BY t.created, t.id
"""
RAW_PAGE = RAW_INBOX + PAGE_SELECT


@contextmanager
def _statements() -> Iterator[list[tuple[str, float]]]:
    """The SQL statements Django sends inside the block, with their milliseconds. (An execute
    wrapper, not CaptureQueriesContext: each request's start empties Django's query log.)"""
    seen: list[tuple[str, float]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seen.append((sql, (time.perf_counter() - start) * 1000))

    with connection.execute_wrapper(record):
        yield seen


def _member_groups(member: User) -> tuple[int, int]:
    """The member's institution group and their role group (made by data.generate)."""
    names = dict(member.groups.values_list("name", "pk"))
    institution = next(pk for name, pk in names.items() if name.startswith("institution:"))
    role = next(pk for name, pk in names.items() if name.startswith("role:"))
    return institution, role


def _fill(ctx: Context, *, tasks: int, mine: int) -> None:
    member = User.objects.get(pk=ctx.data.member_id)
    institution = Institution.objects.get(pk=ctx.data.member_institution_id)
    member_group, member_role_group = _member_groups(member)
    flow = AssemblyDecisionFlow
    perm = {
        p.codename: p.pk for p in Permission.objects.filter(content_type__app_label="workflows")
    }
    params = {
        "member": member.pk,
        "member_institution": institution.pk,
        "member_code": institution.code,
        "member_group": member_group,
        "member_role_group": member_role_group,
        "processes": tasks // TASKS_PER_PROCESS,
        "mine": mine,
        "per": TASKS_PER_PROCESS,
        "t0": timezone.now() - timedelta(days=400),
        "flow": get_flow_ref(flow),
        "ref_start": get_task_ref(flow.start),
        "ref_approve": get_task_ref(flow.approve),
        "ref_revise": get_task_ref(flow.revise),
        "ref_end": get_task_ref(flow.end),
        "ct": ContentType.objects.get_for_model(CoordinationProcess).pk,
        "perm_view": perm["view_coordinationprocess"],
        "perm_approve": perm["approve_assembly_decision"],
        "perm_prepare": perm["prepare_assembly_decision"],
        "perm_transmit": perm["transmit_assembly_decision"],
    }
    with connection.cursor() as cursor:
        # Whatever earlier runs or scenarios left: the processes, their tasks, permissions,
        # deadlines and notifications go together.
        cursor.execute("TRUNCATE viewflow_process, viewflow_task RESTART IDENTITY CASCADE")
        cursor.execute(
            "DELETE FROM guardian_groupobjectpermission WHERE content_type_id = %s", [params["ct"]]
        )
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in FILL.split(";\n"):
            if statement.strip():
                try:
                    cursor.execute(statement, params)
                except DatabaseError as error:  # say which of the fill's statements failed
                    raise RuntimeError(f"{error} in:\n{statement.strip()}") from error
    settle()


def _client(ctx: Context) -> Client:
    return Client(headers={"Authorization": f"Token {ctx.data.token_key}"}, SERVER_NAME="localhost")


def _inbox(client: Client, query: str) -> dict[str, Any]:
    response = client.get(f"/api/inbox/{query}")
    assert response.status_code == 200, (query, response.status_code, response.content[:300])
    body: dict[str, Any] = response.json()
    return body


@scenario("workflow_inbox")
def workflow_inbox(ctx: Context) -> list[Row]:
    tasks, mine, _transitions = _size(ctx)
    _fill(ctx, tasks=tasks, mine=mine)
    counts = dict(
        ctx.raw.execute(
            "SELECT status, count(*) FROM viewflow_task GROUP BY status ORDER BY status"
        ).fetchall()
    )
    grants = ctx.raw.execute("SELECT count(*) FROM guardian_groupobjectpermission").fetchone()
    print(
        f"  workflow_inbox: {sum(counts.values()):,} tasks {counts}, "
        f"{grants and grants[0]:,} group object permissions; the member has {mine:,} open"
    )
    client = _client(ctx)
    ct = ContentType.objects.get_for_model(CoordinationProcess).pk
    assert _inbox(client, "")["count"] == mine

    def raw(limit: int, offset: int) -> str:
        with ctx.raw.cursor() as cursor:
            user = cursor.execute(TOKEN_USER, (ctx.data.token_key,)).fetchone()
            assert user is not None
            args = {"user": user[0], "ct": ct, "limit": limit, "offset": offset}
            count = cursor.execute(RAW_COUNT, args).fetchone()
            page = cursor.execute(RAW_PAGE, args).fetchall()
        return json.dumps({"count": count, "results": page}, default=str)

    rows: list[Row] = []
    for size in (50, 100):
        last = math.ceil(mine / size)
        p95s: dict[str, tuple[float, float]] = {}
        for label, page in (("page 1", 1), (f"page {last}", last)):
            query = f"?page={page}" + ("" if size == 50 else f"&page_size={size}")
            body = _inbox(client, query)
            expected = list(range(1, mine + 1))[(page - 1) * size : page * size]
            assert [t["process_id"] for t in body["results"]] == expected, (query, body)
            assert json.loads(raw(size, (page - 1) * size))["count"] == [mine]
            with _statements() as queries:
                _inbox(client, query)
            if page == 1 and size == 50:
                for sql, ms in queries:
                    print(f"    {ms:7.1f} ms  {' '.join(sql.split())[:150]}")
            what = f"{size}/page, {label}"
            slow = elapsed(partial(_inbox, client, query)) > SLOW_S
            ours_ms, raw_ms = latencies(
                partial(_inbox, client, query),
                partial(raw, size, (page - 1) * size),
                SLOW_REQUESTS if slow else min(ctx.scale.requests, INBOX_REQUESTS),
                warmup=2 if slow else None,
            )
            (ours50, ours95), (raw50, raw95) = p50_p95(ours_ms), p50_p95(raw_ms)
            p95s[label] = (ours95, raw95)
            baseline = f"raw: token, count + page by hand (owners UNION ALL inbox table); {what}"
            rows += [
                Row(f"p50 ms {what}", ours50, raw50, baseline),
                Row(f"p95 ms {what}", ours95, raw95, baseline, INBOX_P95_TARGET),
                Row(
                    f"queries {what}",
                    len(queries),
                    3,
                    "raw: token lookup, count, page",
                    "≤ 10",
                ),
            ]
        (first, first_raw), (deep, deep_raw) = p95s["page 1"], p95s[f"page {last}"]
        rows.append(
            Row(
                f"deep÷first p95 {size}/page",
                deep / first,
                deep_raw / first_raw,
                f"page {last} p95 over page 1 p95",
                "≤ 1.5",
            )
        )
    return rows


# --- workflow_transitions ------------------------------------------------------------------------


def _municipality() -> tuple[User, User]:
    """A municipality with an assembly office and chair, and MAPL to transmit to (made once
    per bench database; data.generate empties them with the institutions)."""
    existing = User.objects.filter(username="bench.office").first()
    if existing is not None:
        return existing, User.objects.get(username="bench.chair")
    for code, kind in (("MAPL", "ministry"), ("BKLLOKOT", "municipality")):
        if not Institution.objects.filter(code=code).exists():
            roles_services.institution_create(
                actor=None, code=code, kind=kind, name_sq=code, name_sr=code, name_en=code
            )
    municipality = Institution.objects.get(code="BKLLOKOT")
    people = []
    for username, role in (("bench.office", "assembly_officer"), ("bench.chair", "assembly_chair")):
        user = User.objects.create_user(username=username, password="bench")
        roles_services.membership_create(
            actor=None, user=user, institution=municipality, role=Role.objects.get(code=role)
        )
        people.append(user)
    return people[0], people[1]


def _decision_text(office: User) -> int:
    """One registered text in both official languages, which every fresh decision carries:
    nothing is signed off without its Albanian and Serbian text."""
    body = "Vendimi i Kuvendit.\nOdluka Skupštine.".encode()
    document = document_create(
        actor=office,
        institution=Institution.objects.get(code="BKLLOKOT"),
        upload=io.BytesIO(body),
        filename="vendimi.txt",
        size=len(body),
        title="Vendimi / Odluka",
        kind="decision",
    )
    return document.pk


def _started(office: User, count: int) -> list[tuple[int, int]]:
    """(process id, approve task id) of `count` fresh decisions."""
    today = timezone.localdate()
    text = _decision_text(office)
    ids = [
        services.process_start(
            flow_class=AssemblyDecisionFlow,
            actor=office,
            fields={
                "title": f"Vendimi nr. {n}",
                "adopted_on": today,
                "bilingual_documents": [text],
            },
            document_ids=[text],
        ).pk
        for n in range(count)
    ]
    approve = get_task_ref(AssemblyDecisionFlow.approve)
    tasks = dict(
        Task.objects.filter(process_id__in=ids, flow_task=approve, status=STATUS.NEW).values_list(
            "process_id", "pk"
        )
    )
    return [(pid, tasks[pid]) for pid in ids]


def _raw_transition(
    raw: psycopg.Connection[Any], chair_id: int, ct: int, refs: dict[str, str], entries: Any
) -> Callable[[int, int], None]:
    """What the approve transition must write, by hand: lock the process and the task, close
    the task, record the decision, open the gateway's and the transmit task with their links,
    and append the audit entry (head locked, entry; the database moves the head, audit
    migration 0004). `entries` are the audit links hashed beforehand, taken in turn once the
    head is locked (threads share them)."""

    def transition(process_id: int, task_id: int) -> None:
        with raw.transaction(), raw.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM viewflow_process WHERE id = %s FOR UPDATE", (process_id,)
            )
            cursor.execute("SELECT status FROM viewflow_task WHERE id = %s FOR UPDATE", (task_id,))
            cursor.execute(
                "UPDATE viewflow_task SET status = 'DONE', owner_id = %s, assigned = now(), "
                "started = now(), finished = now(), data = data || %s WHERE id = %s",
                (
                    chair_id,
                    Jsonb({"action": "approve", "comment": "", "completed_by": "bench.chair"}),
                    task_id,
                ),
            )
            cursor.execute(
                "UPDATE viewflow_process SET data = data || %s WHERE id = %s",
                (Jsonb({"approved": True}), process_id),
            )
            previous = task_id
            for ref, kind, status, perm in (
                (refs["check"], "IF", "DONE", None),
                (refs["transmit"], "HUMAN", "NEW", "workflows.transmit_assembly_decision"),
            ):
                row = cursor.execute(
                    "INSERT INTO viewflow_task (flow_task, flow_task_type, status, created, "
                    "finished, token, owner_permission, owner_permission_content_type_id, "
                    "owner_permission_obj_pk, process_id, data) VALUES (%s, %s, %s, now(), "
                    "CASE WHEN %s = 'DONE' THEN now() END, 'start', %s, %s, %s, %s, %s) "
                    "RETURNING id",
                    (
                        ref,
                        kind,
                        status,
                        status,
                        perm,
                        ct if perm else None,
                        str(process_id) if perm else None,
                        process_id,
                        Jsonb({"institution": "BKLLOKOT", "role": "assembly_officer"}),
                    ),
                ).fetchone()
                assert row is not None
                cursor.execute(
                    "INSERT INTO viewflow_task_previous (from_task_id, to_task_id) VALUES (%s, %s)",
                    (previous, row[0]),
                )
                previous = row[0]
            cursor.execute("SELECT seq, hash FROM audit_audithead WHERE id = 1 FOR UPDATE")
            entry = next(entries)
            cursor.execute(
                INSERT_ENTRY,
                (
                    entry.seq,
                    entry.at,
                    entry.actor,
                    entry.on_behalf_of,
                    entry.action,
                    entry.object_type,
                    entry.object_id,
                    Jsonb(entry.data),
                    entry.prev_hash,
                    entry.hash,
                ),
            )

    return transition


RAW_STATEMENTS = 11  # as _raw_transition issues them
# Threads of one process completing transitions side by side, as one web process of `make run`
# serves requests (gunicorn --threads 4).
THREADS = 4


class _Threads:
    """THREADS threads that live through the scenario, each keeping its own database
    connections as a web process's threads do, and each given its share of a batch."""

    def __init__(self, raw_dsn: str, raw_password: str | None) -> None:
        self._raw_dsn, self._raw_password = raw_dsn, raw_password
        self._local = threading.local()
        self._raw_connections: list[psycopg.Connection[Any]] = []
        self._jobs: list[queue.SimpleQueue[Callable[[], object] | None]] = [
            queue.SimpleQueue() for _ in range(THREADS)
        ]
        self._done: queue.SimpleQueue[BaseException | None] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._serve, args=(jobs,), daemon=True) for jobs in self._jobs
        ]
        for thread in self._threads:
            thread.start()

    def _serve(self, jobs: "queue.SimpleQueue[Callable[[], object] | None]") -> None:
        while (job := jobs.get()) is not None:
            try:
                job()
                self._done.put(None)
            except BaseException as error:  # reported to the caller of run()
                self._done.put(error)
        connections.close_all()

    def raw(self) -> psycopg.Connection[Any]:
        """This thread's own psycopg connection."""
        if not hasattr(self._local, "raw"):
            self._local.raw = psycopg.connect(
                self._raw_dsn, password=self._raw_password, autocommit=True
            )
            self._raw_connections.append(self._local.raw)
        raw: psycopg.Connection[Any] = self._local.raw
        return raw

    def run(
        self, batch: list[tuple[int, int]], work: Callable[[list[tuple[int, int]]], object]
    ) -> float:
        """Seconds until every thread has done `work` on its share of the batch."""
        start = time.perf_counter()
        for index, jobs in enumerate(self._jobs):
            jobs.put(partial(work, batch[index::THREADS]))
        errors = [self._done.get() for _ in self._jobs]
        seconds = time.perf_counter() - start
        if failed := next((error for error in errors if error is not None), None):
            raise failed
        return seconds

    def stop(self) -> None:
        for jobs in self._jobs:
            jobs.put(None)
        for thread in self._threads:
            thread.join()
        for raw in self._raw_connections:
            raw.close()


def _statement_kinds(queries: list[str], per: int) -> str:
    """The statements of one transition, counted by verb and table."""
    kinds: Counter[str] = Counter()
    for query in queries:
        sql = query.replace('"', "")
        match = re.match(r"\s*(SELECT|INSERT INTO|UPDATE|DELETE FROM|SAVEPOINT|RELEASE)\s*", sql)
        verb = match.group(1) if match else sql.split(" ", 1)[0]
        table = re.search(r"(?:FROM|INTO|UPDATE)\s+([\w.]+)", sql)
        kinds[f"{verb.split()[0]} {table.group(1) if table else ''}".strip()] += 1
    return ", ".join(f"{kind} ×{count / per:g}" for kind, count in kinds.most_common())


@scenario("workflow_transitions")
def workflow_transitions(ctx: Context) -> list[Row]:
    _tasks, _mine, count = _size(ctx)
    office, chair = _municipality()
    ct = ContentType.objects.get_for_model(CoordinationProcess).pk
    flow = AssemblyDecisionFlow
    refs = {"check": get_task_ref(flow.check_approval), "transmit": get_task_ref(flow.transmit)}

    def ours(batch: list[tuple[int, int]]) -> None:
        for _pid, task_id in batch:
            services.task_complete(actor=chair, task_id=task_id, action="approve")

    # Untimed: the fresh decisions both sides complete, and a warm-up of each.
    chunks = 10
    per_chunk = max(THREADS, count // chunks)
    warm, counted = _started(office, 10), _started(office, 20)
    ours_batches, raw_batches, threaded_ours, threaded_raw = (
        [_started(office, per_chunk) for _ in range(chunks)] for _ in range(4)
    )
    thread_warm = [_started(office, 10 * THREADS) for _ in range(2)]
    settle()  # the statistics autovacuum would keep (it is off on the bench machines)
    ours(warm)
    with _statements() as queries:
        ours(counted)
    statements = len(queries) / len(counted)
    kinds = _statement_kinds([sql for sql, _ms in queries], len(counted))
    print(f"  workflow_transitions: per transition {kinds}")
    done = Task.objects.filter(pk__in=[t for _, t in counted], status=STATUS.DONE).count()
    assert done == len(counted)

    def raw(batch: list[tuple[int, int]], transition: Callable[[int, int], None]) -> None:
        for process_id, task_id in batch:
            transition(process_id, task_id)

    # Alternating chunks, so load elsewhere on the machine hits both sides alike.
    ours_s = raw_s = 0.0
    for ours_batch, raw_batch in zip(ours_batches, raw_batches, strict=True):
        ours_s += elapsed(partial(ours, ours_batch))
        entries = iter(_next_entries(len(raw_batch)))  # hashed before the clock starts
        transition = _raw_transition(ctx.raw, chair.pk, ct, refs, entries)
        raw_s += elapsed(partial(raw, raw_batch, transition))

    # The same, by THREADS threads of this process at once, each on its own connections.
    threads = _Threads(ctx.raw.info.dsn, ctx.raw.info.password)

    def raw_shared(batch: list[tuple[int, int]]) -> Callable[[list[tuple[int, int]]], None]:
        """Raw work for the threads on `batch`: its audit links hashed now, shared by all."""
        entries = iter(_next_entries(len(batch)))
        return lambda share: raw(share, _raw_transition(threads.raw(), chair.pk, ct, refs, entries))

    try:
        threads.run(thread_warm[0], ours)
        threads.run(thread_warm[1], raw_shared(thread_warm[1]))
        threaded_ours_s = threaded_raw_s = 0.0
        for ours_batch, raw_batch in zip(threaded_ours, threaded_raw, strict=True):
            threaded_ours_s += threads.run(ours_batch, ours)
            threaded_raw_s += threads.run(raw_batch, raw_shared(raw_batch))
    finally:
        threads.stop()
    total = chunks * per_chunk
    ours_rate, raw_rate = total / ours_s, total / raw_s
    baseline = (
        f"raw: psycopg txn: lock process+task, close task, process data, IF + transmit tasks "
        f"with links, audit head/insert ({RAW_STATEMENTS} statements); {total} each"
    )
    threaded_baseline = f"{baseline}; {THREADS} threads of one process, each its own connection"
    return [
        Row("transitions/s", ours_rate, raw_rate, baseline, "≥ 200/s"),
        Row(
            f"transitions/s, {THREADS} threads",
            total / threaded_ours_s,
            total / threaded_raw_s,
            threaded_baseline,
            "≥ 200/s",
        ),
        Row("SQL/transition", statements, RAW_STATEMENTS, baseline, "≤ 15"),
        Row("ms/transition", 1000 / ours_rate, 1000 / raw_rate, baseline),
    ]
