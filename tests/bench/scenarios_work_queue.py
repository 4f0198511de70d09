"""The officials' pages under a full queue: one official with 10,000 open tasks.

`work_queue_pages` fills the tables as `workflow_inbox` does (its bulk SQL: processes, tasks and
the group object permissions `services.process_start` grants), with QUEUE open tasks for the
bench member among the scale's tasks, and times two pages the official opens every morning, as
the browser asks for them (signed in with a session, HTML): the work queue `/work/` (its first
page, sorted by due date, and its last page) and one task's page `/work/tasks/<id>/`. Beside
each, the same data read by hand in one connection: the session's user, then the queue's count
and page (owners UNION ALL the inbox table, as `workflow_inbox`'s baseline), or the task with its
process, its institution, the check of the person's group permission and the process's steps.
It prints the statements the first queue page and the task page send, with their times.

Each of the member's open processes runs a clock (CLOCKS: the assembly decision's days, in the
lane of its open step, due times spread over three weeks around now, a third of them overdue),
so the queue sorts by real due dates, as the officials' queue does: the first page must list
the soonest due."""

import math
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.utils import timezone
from viewflow.workflow import STATUS
from viewflow.workflow.models import Task

from deadlines.models import Deadline
from roles.models import User
from workflows.models import CoordinationProcess
from workflows.queue import PAGE_SIZE

from . import SCALES, Context, Row, elapsed, latencies, p50_p95, scenario
from .data import settle
from .scenarios_workflows import RAW_COUNT, RAW_PAGE, SLOW_REQUESTS, SLOW_S, _fill, _statements

QUEUE = 10_000  # the official's open tasks (issue 30: "an official with 10,000 open tasks")
# Tasks in the database (four per process, so at least 4 × QUEUE): the member's and others'.
TASKS = {"small": 160_000, "medium": 1_000_000, "large": 1_000_000}
TARGET = "p95 ≤ 150 ms"
REQUESTS = 100

# One running clock per open process of the member, in its step's lane (role `officer` of the
# member's institution, as the fill's tasks), due at a spread of moments around now.
CLOCKS = """
INSERT INTO deadlines_deadline
    (process_id, rule_id, process_type, institution_id, role, basis, starts_at, due_at,
     due_soon_at, paused_seconds, state, reminded, created_at)
SELECT p.id, r.id, r.process_type, cp.institution_id, 'officer', 'bench',
       %(now)s - interval '10 days',
       %(now)s - interval '7 days' + mod(p.id * 7919, 30240) * interval '1 minute',
       %(now)s - interval '8 days' + mod(p.id * 7919, 30240) * interval '1 minute',
       0, 'open', '[]'::jsonb, %(now)s
FROM viewflow_process p
JOIN workflows_coordinationprocess cp ON cp.process_ptr_id = p.id
JOIN deadlines_deadlinerule r ON r.code = 'assembly-decision-to-mapl'
WHERE cp.institution_id = %(institution)s AND p.status = 'NEW'
"""

RAW_SESSION = """
SELECT session_data FROM django_session WHERE session_key = %(key)s AND expire_date > now()
"""
RAW_USER = "SELECT id, username, is_active, preferred_language FROM roles_user WHERE id = %(user)s"
RAW_TASK = """
SELECT t.id, t.flow_task, t.status, t.created, t.owner_id, t.data, t.owner_permission,
       p.flow_class, p.status, p.created, p.data, cp.title, i.code, i.name_sq, i.name_sr, i.name_en
FROM viewflow_task t
JOIN viewflow_process p ON p.id = t.process_id
JOIN workflows_coordinationprocess cp ON cp.process_ptr_id = t.process_id
JOIN roles_institution i ON i.id = cp.institution_id
WHERE t.id = %(task)s
"""
RAW_ALLOWED = """
SELECT EXISTS (
    SELECT 1 FROM guardian_groupobjectpermission g
    JOIN auth_permission perm ON perm.id = g.permission_id
    WHERE g.object_pk = %(process)s::text AND g.content_type_id = %(ct)s
      AND perm.codename = 'view_coordinationprocess'
      AND g.group_id IN (SELECT group_id FROM roles_user_groups WHERE user_id = %(user)s)
)
"""
RAW_STEPS = """
SELECT t.id, t.flow_task, t.status, t.created, t.finished, t.data, o.username
FROM viewflow_task t LEFT JOIN roles_user o ON o.id = t.owner_id
WHERE t.process_id = %(process)s ORDER BY t.created, t.id
"""


def _tasks(ctx: Context) -> int:
    name = next(name for name, scale in SCALES.items() if scale == ctx.scale)
    return TASKS[name]


def _page(client: Client, path: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.get("Location"))
    return bytes(response.content)


def _timed(
    ctx: Context, what: str, ours: Any, raw: Any, baseline: str, queries: int, raw_queries: int
) -> list[Row]:
    slow = elapsed(ours) > SLOW_S
    ours_ms, raw_ms = latencies(
        ours, raw, SLOW_REQUESTS if slow else min(ctx.scale.requests, REQUESTS)
    )
    (ours50, ours95), (raw50, raw95) = p50_p95(ours_ms), p50_p95(raw_ms)
    return [
        Row(f"p50 ms {what}", ours50, raw50, baseline),
        Row(f"p95 ms {what}", ours95, raw95, baseline, TARGET),
        Row(f"queries {what}", queries, raw_queries, "raw: the statements it takes by hand"),
    ]


def _printed(what: str, queries: list[tuple[str, float]]) -> None:
    print(f"    {what}: {len(queries)} statements, {sum(ms for _, ms in queries):.1f} ms in SQL")
    for sql, ms in queries:
        print(f"    {ms:7.1f} ms  {' '.join(sql.split())[:150]}")


@scenario("work_queue_pages")
def work_queue_pages(ctx: Context) -> list[Row]:
    _fill(ctx, tasks=_tasks(ctx), mine=QUEUE)
    with connection.cursor() as cursor:
        cursor.execute(
            CLOCKS, {"now": timezone.now(), "institution": ctx.data.member_institution_id}
        )
        clocks = cursor.rowcount
    settle()
    member = User.objects.get(pk=ctx.data.member_id)
    open_tasks = Task.objects.filter(
        process__coordinationprocess__institution_id=ctx.data.member_institution_id,
        status__in=[STATUS.NEW, STATUS.ASSIGNED],
    )
    print(
        f"  work_queue_pages: {Task.objects.count():,} tasks; {open_tasks.count():,} open to "
        f"the member ({member.username}), {clocks:,} clocks running on them"
    )
    client = Client(SERVER_NAME="localhost", HTTP_ACCEPT_LANGUAGE="sq")
    client.force_login(member)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    ct = ContentType.objects.get_for_model(CoordinationProcess).pk
    task = open_tasks.order_by("pk").first()
    assert task is not None

    def raw_queue(offset: int) -> tuple[Any, Any]:
        args = {"user": member.pk, "key": session_key, "ct": ct, "limit": PAGE_SIZE}
        with ctx.raw.cursor() as cursor:
            cursor.execute(RAW_SESSION, args).fetchone()
            cursor.execute(RAW_USER, args).fetchone()
            count = cursor.execute(RAW_COUNT, args).fetchone()
            page = cursor.execute(RAW_PAGE, {**args, "offset": offset}).fetchall()
        return count, page

    def raw_task() -> object:
        args = {"user": member.pk, "key": session_key, "ct": ct, "task": task.pk}
        with ctx.raw.cursor() as cursor:
            cursor.execute(RAW_SESSION, args).fetchone()
            cursor.execute(RAW_USER, args).fetchone()
            row = cursor.execute(RAW_TASK, args).fetchone()
            allowed = cursor.execute(RAW_ALLOWED, {**args, "process": task.process_id}).fetchone()
            steps = cursor.execute(RAW_STEPS, {**args, "process": task.process_id}).fetchall()
        return row, allowed, steps

    count = raw_queue(0)[0]
    assert count == (QUEUE,), count
    last = math.ceil(QUEUE / PAGE_SIZE)
    rows: list[Row] = []
    for what, path, offset in (
        (f"/work/ page 1 ({PAGE_SIZE}/page)", "/work/", 0),
        (f"/work/ page {last}", f"/work/?page={last}", (last - 1) * PAGE_SIZE),
    ):
        page = _page(client, path).decode()
        assert "/work/tasks/" in page, page[:2000]
        if offset == 0:  # the soonest due first
            soonest = (
                Deadline.objects.filter(institution_id=ctx.data.member_institution_id)
                .order_by("due_at", "pk")
                .values_list("due_at", flat=True)
                .first()
            )
            assert soonest is not None
            assert f'<time datetime="{timezone.localtime(soonest):%Y-%m-%dT%H:%M}' in page
        with _statements() as queries:
            _page(client, path)
        if offset == 0:
            _printed(what, queries)
        rows += _timed(
            ctx,
            what,
            partial(_page, client, path),
            partial(raw_queue, offset),
            f"raw: session, count + page by hand (owners UNION ALL inbox table), {PAGE_SIZE} rows",
            len(queries),
            4,
        )
    path = f"/work/tasks/{task.pk}/"
    _page(client, path)
    with _statements() as queries:
        _page(client, path)
    _printed(path, queries)
    rows += _timed(
        ctx,
        "task page",
        partial(_page, client, path),
        raw_task,
        "raw: session, the task with its process and institution, the view permission, "
        "the process's steps",
        len(queries),
        5,
    )
    return rows
