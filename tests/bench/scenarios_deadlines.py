"""Deadlines at scale: a million open clocks, finding the due ones, and a sweep alerting 10,000.

The clocks are generated in SQL (INSERT … SELECT generate_series): 20,000 assembly decisions ×
50 rules, due times scattered over the table so the due ones are not one physical run. 10,000
are overdue and not yet alerted; the rest are due in the days after. Everything the scenario
makes is removed at the end (the role and memberships it adds included).
"""

from datetime import timedelta
from typing import Any
from unittest import mock

import psycopg
from django.db import connection
from django.utils import timezone

from deadlines.models import Deadline, DeadlineRule, State
from deadlines.selectors import state_is
from deadlines.services import sweep
from notifications.tasks import email_notifications
from roles.models import Institution, Membership, Role, User
from workflows.selectors import flow_ref

from . import SCALES, Context, Row, elapsed, scenario

RULES = 50
DUTY_ROLE = "bench_duty"
HOLDERS_PER_INSTITUTION = 2  # the people an overdue alert reaches

CLEAN = """
    DELETE FROM notifications_notification WHERE process_id IN (
        SELECT process_ptr_id FROM workflows_coordinationprocess WHERE title LIKE 'Bench %%');
    DELETE FROM guardian_groupobjectpermission WHERE content_type_id = %(content_type)s
        AND object_pk IN (SELECT process_ptr_id::text FROM workflows_coordinationprocess
                          WHERE title LIKE 'Bench %%');
    TRUNCATE deadlines_deadlineevent, deadlines_deadline;
    DELETE FROM deadlines_deadlinerule WHERE code LIKE 'bench-%%';
    DELETE FROM workflows_coordinationprocess WHERE title LIKE 'Bench %%';
    DELETE FROM viewflow_process p WHERE p.data ? 'bench';
"""
PROCESSES = """
    WITH made AS (
        INSERT INTO viewflow_process (flow_class, status, created, data)
        SELECT %(flow)s, 'NEW', %(now)s,
               jsonb_build_object('bench', true, 'adopted_on', '2026-01-05')
        FROM generate_series(1, %(count)s)
        RETURNING id
    )
    INSERT INTO workflows_coordinationprocess (process_ptr_id, title, created_by_id, institution_id)
    SELECT id, 'Bench decision ' || id, %(creator)s,
           (%(institutions)s::bigint[])[1 + id %% cardinality(%(institutions)s::bigint[])]
    FROM made
"""
# Row g (0 ≤ g < count) is rule g / processes of process g % processes: each pair once, as
# the unique constraint wants. k = g·7919 mod count scatters the due times over the table;
# k < overdue are overdue (due seconds to hours ago), the others due from a day ahead on.
DEADLINES = """
    WITH p AS (
        SELECT array_agg(process_ptr_id ORDER BY process_ptr_id) AS ids,
               array_agg(institution_id ORDER BY process_ptr_id) AS institutions
        FROM workflows_coordinationprocess WHERE title LIKE 'Bench %%'
    ), clock AS (
        SELECT g, (g::bigint * 7919) %% %(count)s AS k,
               1 + g %% %(processes)s AS slot, 1 + g / %(processes)s AS rule_slot
        FROM generate_series(0, %(count)s - 1) AS g
    ), timed AS (
        SELECT clock.*, CASE WHEN k < %(overdue)s
                             THEN %(now)s - make_interval(secs => k + 1)
                             ELSE %(now)s + interval '1 day' + make_interval(secs => k)
                        END AS due
        FROM clock
    )
    INSERT INTO deadlines_deadline (
        process_id, task_id, rule_id, process_type, institution_id, role, basis, starts_at,
        due_at, due_soon_at, escalate_at, paused_at, paused_seconds, completed_at, state,
        reminded, alerted_at, escalated_at, next_check_at, created_at)
    SELECT p.ids[slot], NULL, (%(rules)s::bigint[])[rule_slot], 'assembly_decision',
           p.institutions[slot], %(role)s, 'adopted on 2026-01-05', due - interval '7 days',
           due, due - interval '1 day', NULL, NULL, 0, NULL,
           CASE WHEN k < %(overdue)s THEN 'due_soon' ELSE 'open' END,
           '[]'::jsonb, NULL, NULL,
           CASE WHEN k < %(overdue)s THEN due + interval '1 microsecond'
                ELSE due - interval '1 day' END,
           %(now)s
    FROM timed, p
"""
RAW_DUE_IDS = """
    SELECT id, due_at FROM deadlines_deadline
    WHERE completed_at IS NULL AND due_at < %(now)s
    ORDER BY due_at, id
"""
RAW_DUE = """
    SELECT id, process_id, task_id, rule_id, process_type, institution_id, role, basis,
           starts_at, due_at, due_soon_at, escalate_at, paused_at, paused_seconds, completed_at,
           state, reminded, alerted_at, escalated_at, next_check_at, created_at
    FROM deadlines_deadline
    WHERE completed_at IS NULL AND due_at < %(now)s
    ORDER BY due_at, id
"""
# What the sweep's overdue alerts write, as set-based SQL in one transaction (rolled back): the
# notifications (one per holder), the view granted to the monitoring institution's group with
# one audit-free insert, the clocks' new state and their events. No audit entries, no per-item
# round trips: the floor under what any per-item code can reach.
RAW_SWEEP = """
    WITH due AS (
        SELECT d.id, d.process_id, d.institution_id FROM deadlines_deadline d
        WHERE d.completed_at IS NULL AND d.next_check_at <= %(now)s
        ORDER BY d.next_check_at FOR UPDATE SKIP LOCKED
    ), alerted AS (
        UPDATE deadlines_deadline d SET state = 'overdue', alerted_at = %(now)s,
               next_check_at = NULL
        FROM due WHERE d.id = due.id RETURNING d.id, d.process_id, d.institution_id
    ), events AS (
        INSERT INTO deadlines_deadlineevent (deadline_id, kind, at, data)
        SELECT id, 'overdue', %(now)s, '{}'::jsonb FROM alerted
    ), granted AS (
        INSERT INTO guardian_groupobjectpermission (object_pk, content_type_id, group_id,
                                                    permission_id)
        SELECT DISTINCT process_id::text, %(content_type)s, %(group)s, %(permission)s FROM alerted
        ON CONFLICT DO NOTHING
    )
    INSERT INTO notifications_notification (user_id, kind, created_at, message, process_id,
                                            task_id, key)
    SELECT m.user_id, 'overdue', %(now)s, 'Overdue: ' || a.id, a.process_id, NULL,
           'raw:' || a.id
    FROM alerted a JOIN roles_membership m
      ON m.institution_id = a.institution_id AND m.role_id = %(role)s
"""


def _count(ctx: Context) -> tuple[int, int]:
    if ctx.scale is SCALES["small"]:
        return 100_000, 1_000
    return 1_000_000, 10_000


def _clean(ctx: Context) -> None:
    from django.contrib.contenttypes.models import ContentType

    from workflows.models import CoordinationProcess

    content_type = ContentType.objects.get_for_model(CoordinationProcess).pk
    with ctx.raw.transaction(), ctx.raw.cursor() as cursor:
        for statement in filter(str.strip, CLEAN.split(";")):
            if "%(" in statement:
                cursor.execute(statement, {"content_type": content_type})
            else:
                cursor.execute(statement.replace("%%", "%"))
    Membership.objects.filter(role__code=DUTY_ROLE).delete()
    Role.objects.filter(code=DUTY_ROLE).delete()


def _generate(ctx: Context, count: int, overdue: int) -> dict[str, Any]:
    now = timezone.now().replace(microsecond=0)
    institutions = list(Institution.objects.order_by("pk"))
    monitoring = institutions[1]
    rules = DeadlineRule.objects.bulk_create(
        DeadlineRule(
            code=f"bench-{i:02d}",
            name=f"Bench rule {i}",
            legal_basis="Bench.",
            process_type="assembly_decision",
            starts_on="bench_never",
            anchor="event",
            days=7,
            ends_on="bench_end",
            reminders=[],
            grace_hours=24,
            responsible_role=DUTY_ROLE,
            escalate_to_role="",
            monitoring_institution=monitoring.code,
        )
        for i in range(RULES)
    )
    duty = Role.objects.create(code=DUTY_ROLE, name_sq="Detyrë", name_sr="Dužnost", name_en="Duty")
    people = list(User.objects.order_by("pk").values_list("pk", flat=True)[: len(institutions) * 3])
    Membership.objects.bulk_create(
        Membership(
            user_id=people[(i * HOLDERS_PER_INSTITUTION + j) % len(people)],
            institution=institution,
            role=duty,
            valid_from=timezone.localdate() - timedelta(days=30),
        )
        for i, institution in enumerate(institutions)
        for j in range(HOLDERS_PER_INSTITUTION)
    )
    processes = count // RULES
    with ctx.raw.transaction(), ctx.raw.cursor() as cursor:
        cursor.execute(
            PROCESSES,
            {
                "flow": flow_ref("assembly_decision"),
                "now": now,
                "count": processes,
                "creator": ctx.data.member_id,
                "institutions": [i.pk for i in institutions],
            },
        )
        cursor.execute(
            DEADLINES,
            {
                "count": count,
                "processes": processes,
                "overdue": overdue,
                "now": now,
                "rules": [rule.pk for rule in rules],
                "role": DUTY_ROLE,
            },
        )
    ctx.raw.execute("VACUUM ANALYZE deadlines_deadline")
    ctx.raw.execute("VACUUM ANALYZE workflows_coordinationprocess")
    return {"now": now, "monitoring": monitoring, "duty": duty, "processes": processes}


def _find_rows(ctx: Context, now: Any, overdue: int) -> list[Row]:
    """Finding the overdue clocks with the API's `state=overdue` filter: the indexed query
    (ids and due times), and whole model instances; each against the same rows fetched raw."""
    due = Deadline.objects.filter(state_is(State.OVERDUE, now)).order_by("due_at", "pk")
    with connection.cursor() as cursor:
        sql, params = due.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = " / ".join(row[0].strip() for row in cursor.fetchall())
    assert "Seq Scan" not in plan, plan
    print(f"    plan of ours: {plan}")

    def ids() -> list[Any]:
        return list(due.values_list("pk", "due_at"))  # a new query each time

    def raw_ids() -> list[Any]:
        return ctx.raw.execute(RAW_DUE_IDS, {"now": now}).fetchall()

    def models() -> list[Deadline]:
        return list(due.all())  # .all(): not the first call's cached rows

    def raw_rows() -> list[Any]:
        return ctx.raw.execute(RAW_DUE, {"now": now}).fetchall()

    assert len(ids()) == len(raw_ids()) == len(models()) == len(raw_rows()) == overdue
    per, total = overdue / 1000, Deadline.objects.count()
    rows = []
    for what, ours, raw, sql in (
        ("ids", ids, raw_ids, "SELECT id, due_at"),
        ("instances", models, raw_rows, "SELECT *"),
    ):
        rows.append(
            Row(
                f"ms per 1,000 due found ({what})",
                min(elapsed(ours) for _ in range(5)) * 1000 / per,
                min(elapsed(raw) for _ in range(5)) * 1000 / per,
                f"raw: {sql} WHERE completed_at IS NULL AND due_at < now ORDER BY due_at "
                f"({overdue:,} of {total:,} open; best of 5)",
                "≤ 50",
            )
        )
    return rows


def _sweep_rows(ctx: Context, setup: dict[str, Any], overdue: int) -> list[Row]:
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from roles.permissions import institution_group
    from workflows.models import CoordinationProcess

    now = setup["now"]
    idle_ms = elapsed(lambda: sweep(now=now - timedelta(days=1))) * 1000
    idle_raw_ms = (
        elapsed(
            lambda: ctx.raw.execute(
                "SELECT id FROM deadlines_deadline WHERE completed_at IS NULL "
                "AND next_check_at <= %s ORDER BY next_check_at LIMIT 500",
                (now - timedelta(days=1),),
            ).fetchall()
        )
        * 1000
    )
    content_type = ContentType.objects.get_for_model(CoordinationProcess)
    params = {
        "now": now,
        "content_type": content_type.pk,
        "group": institution_group(setup["monitoring"]).pk,
        "permission": Permission.objects.get(
            content_type=content_type, codename="view_coordinationprocess"
        ).pk,
        "role": setup["duty"].pk,
    }
    # The floor, rolled back so ours meets the same rows.
    raw_s = 0.0
    with ctx.raw.transaction() as raw_transaction:
        raw_s = elapsed(lambda: ctx.raw.execute(RAW_SWEEP, params))
        raise psycopg.Rollback(raw_transaction)
    queued: list[Any] = []
    with mock.patch.object(email_notifications, "delay_on_commit", queued.append):
        counts: dict[str, int] = {}
        ours_s = elapsed(lambda: counts.update(sweep(now=now)))
    assert counts["overdue"] == overdue, counts
    alerted = Deadline.objects.filter(state=State.OVERDUE, alerted_at=now).count()
    assert alerted == overdue, alerted
    from notifications.models import Notification

    notes = Notification.objects.filter(kind="overdue", key__startswith="deadline:").count()
    print(
        f"    sweep: {counts}; {notes:,} notifications, {len(queued):,} mail tasks not sent "
        f"(delay_on_commit stubbed)"
    )
    return [
        Row(
            "s sweep alerting",
            ours_s,
            raw_s,
            f"raw: one set-based statement (lock, update, events, grants, notifications; no "
            f"audit, no mail queue) for {overdue:,} overdue of {setup['processes'] * RULES:,}",
            "≤ 60",
        ),
        Row(
            "ms longest sweep txn",
            counts["longest_batch_ms"],
            raw_s * 1000,
            f"raw: the one statement's transaction; ours: {counts['batches']} batches",
            "≤ 1000",
        ),
        Row(
            "ms sweep, nothing due",
            idle_ms,
            idle_raw_ms,
            "raw: SELECT … WHERE next_check_at <= now ORDER BY next_check_at LIMIT 500",
        ),
    ]


@scenario("deadlines")
def deadlines(ctx: Context) -> list[Row]:
    count, overdue = _count(ctx)
    _clean(ctx)
    try:
        setup = _generate(ctx, count, overdue)
        assert Deadline.objects.count() == count
        rows = _find_rows(ctx, setup["now"], overdue)
        rows += _sweep_rows(ctx, setup, overdue)
    finally:
        _clean(ctx)
    return rows
