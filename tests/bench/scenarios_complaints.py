"""Citizens' complaints at volume: a municipality with many complaints (1,000,000 at the large
scale) — a member of the public submits one (`POST /api/public/complaints/`: the throttle, the
checks, the registration number, the process with its task, grants, audit entry, clock and
search outbox row) beside one INSERT of a complaint's three rows; tracks one by its code
(`GET /api/public/complaints/{code}/`) beside one SELECT by digest; and an official of the
municipality reads its statistics (`GET /api/complaints/statistics/?institution=`) beside the
same aggregates in raw SQL.

The history is written in SQL (INSERT … SELECT generate_series): 98% answered, the rest
routed and open, spread over a year, water and irrigation the most frequent topic. It is
deleted again at the end, so the scenarios after these see the data set they expect.
`BENCH_COMPLAINTS=N` overrides how many. What the access requests' scenarios do alike is in
`public.py`.
"""

from typing import Any

from django.test import Client
from django.utils import timezone
from viewflow.workflow.fields import get_flow_ref

from complaints.flows import ComplaintFlow
from complaints.models import ComplaintTopic
from complaints.services import complaint_topics_seed
from roles import services as roles_services
from roles.models import Institution, Role, Unit, User

from . import Context, Row, latency_rows, scenario
from .public import History, submit_rows, track_rows

PATH = "/api/public/complaints/"

HISTORY = """
    WITH made AS (
        INSERT INTO viewflow_process (flow_class, status, created, finished, data)
        SELECT %(flow)s, CASE WHEN g %% 50 = 0 THEN 'NEW' ELSE 'DONE' END,
               %(now)s - interval '1 minute' * ((g::bigint * 7919) %% 525600), NULL,
               jsonb_build_object('bench_complaint', true)
        FROM generate_series(1, %(count)s) AS g
        RETURNING id, status, created
    ), processes AS (
        INSERT INTO workflows_coordinationprocess (process_ptr_id, title, created_by_id,
                                                    institution_id)
        SELECT id, 'Bench complaint ' || id, NULL, %(institution)s FROM made
        RETURNING process_ptr_id
    )
    INSERT INTO complaints_complaint (process_id, institution_id, topic_id, tracking_digest,
        registration_number, channel, status, submitted_at, language, due_at, unit_id,
        answered_at, answer, linked_to_id)
    SELECT made.id, %(institution)s,
           (%(topics)s::bigint[])[1 + CASE WHEN made.id %% 3 = 0 THEN 0
                                           ELSE (made.id * 31) %% cardinality(%(topics)s::bigint[])
                                      END],
           encode(sha256(('bench complaint ' || made.id)::bytea), 'hex'),
           'BENCH-' || made.id, 'portal',
           CASE WHEN made.status = 'NEW' THEN 'routed' ELSE 'answered' END,
           made.created, 'sq', made.created + interval '10 days',
           (%(units)s::bigint[])[1 + made.id %% cardinality(%(units)s::bigint[])],
           CASE WHEN made.status = 'DONE'
                THEN made.created + interval '1 hour' * (1 + (made.id * 13) %% 400) END,
           CASE WHEN made.status = 'DONE' THEN 'U rregullua.' ELSE '' END,
           NULL
    FROM made JOIN processes ON processes.process_ptr_id = made.id
"""
# The running counts of that history, as the registrations and actions would have kept them.
TALLIES = """
    INSERT INTO complaints_complainttally (institution_id, month, topic_id, unit, reports,
                                           problems, open, answered)
    SELECT c.institution_id, date_trunc('month', c.submitted_at AT TIME ZONE 'Europe/Belgrade'),
           c.topic_id, coalesce(u.code, ''), count(*),
           count(*) FILTER (WHERE c.linked_to_id IS NULL),
           count(*) FILTER (WHERE c.status IN ('received', 'routed')),
           count(*) FILTER (WHERE c.status = 'answered')
    FROM complaints_complaint c LEFT JOIN roles_unit u ON u.id = c.unit_id
    WHERE c.registration_number LIKE 'BENCH-%%'
    GROUP BY 1, 2, 3, 4;
    INSERT INTO complaints_complaintanswertime (institution_id, month, hours, count)
    SELECT institution_id, date_trunc('month', submitted_at AT TIME ZONE 'Europe/Belgrade'),
           floor(extract(epoch FROM answered_at - submitted_at) / 3600)::int, count(*)
    FROM complaints_complaint
    WHERE registration_number LIKE 'BENCH-%%' AND answered_at IS NOT NULL
    GROUP BY 1, 2, 3;
"""
CLEAN = """
    DELETE FROM complaints_complainttally WHERE institution_id = %(institution)s;
    DELETE FROM complaints_complaintanswertime WHERE institution_id = %(institution)s;
    DELETE FROM complaints_complaint WHERE registration_number LIKE 'BENCH-%%';
    DELETE FROM workflows_coordinationprocess WHERE title LIKE 'Bench complaint %%';
    DELETE FROM viewflow_process WHERE data ? 'bench_complaint';
"""
RAW_SUBMIT = """
    WITH made AS (
        INSERT INTO viewflow_process (flow_class, status, created, data)
        VALUES (%(flow)s, 'NEW', now(), '{}'::jsonb) RETURNING id, created
    ), processes AS (
        INSERT INTO workflows_coordinationprocess (process_ptr_id, title, institution_id)
        SELECT id, 'raw', %(institution)s FROM made RETURNING process_ptr_id
    )
    INSERT INTO complaints_complaint (process_id, institution_id, topic_id, tracking_digest,
        registration_number, channel, status, submitted_at, language, answer)
    SELECT made.id, %(institution)s, %(topic)s, md5(random()::text) || md5(random()::text),
           'RAW-' || made.id, 'portal', 'received', made.created, 'sq', ''
    FROM made JOIN processes ON processes.process_ptr_id = made.id
    RETURNING process_id
"""
RAW_CLEAN = """
    DELETE FROM complaints_complaint WHERE registration_number LIKE 'RAW-%%';
    DELETE FROM workflows_coordinationprocess WHERE title = 'raw';
"""
RAW_STATISTICS = [
    """SELECT topic_id, count(*), count(*) FILTER (WHERE linked_to_id IS NULL),
              count(*) FILTER (WHERE status IN ('received', 'routed')),
              count(*) FILTER (WHERE status IN ('received', 'routed') AND due_at < now())
       FROM complaints_complaint WHERE institution_id = %(institution)s GROUP BY topic_id""",
    """SELECT unit_id, count(*), count(*) FILTER (WHERE status IN ('received', 'routed')),
              count(*) FILTER (WHERE status IN ('received', 'routed') AND due_at < now())
       FROM complaints_complaint WHERE institution_id = %(institution)s
         AND linked_to_id IS NULL GROUP BY unit_id""",
    """SELECT date_trunc('month', submitted_at AT TIME ZONE 'Europe/Belgrade'), count(*)
       FROM complaints_complaint WHERE institution_id = %(institution)s GROUP BY 1""",
    """SELECT count(*), count(*) FILTER (WHERE status IN ('received', 'routed'))
       FROM complaints_complaint WHERE institution_id = %(institution)s""",
    """SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY answered_at - submitted_at)
       FROM complaints_complaint WHERE institution_id = %(institution)s
         AND answered_at IS NOT NULL""",
]

BODY = {
    "topic": "water_irrigation",
    "text": "Kanali i ujitjes në Mogillë është i bllokuar prej dy javësh. " * 3,
    "email": "qytetari@example.org",
}


def _run(ctx: Context, statements: str, params: dict[str, Any]) -> None:
    """Several statements, one at a time (parameters bind to one statement only)."""
    for statement in statements.split(";"):
        if statement.strip():
            ctx.raw.execute(statement, params)


def _municipality(ctx: Context) -> tuple[Institution, User]:
    institution = (
        Institution.objects.filter(
            pk__in=ctx.data.institution_ids, kind=Institution.Kind.MUNICIPALITY
        )
        .order_by("code")
        .first()
    )
    assert institution is not None, "the data set has no municipality"
    complaint_topics_seed(institution=institution)
    official = User.objects.get(pk=ctx.data.member_id)
    if not official.memberships.filter(institution=institution).exists():
        roles_services.membership_create(
            actor=official,
            user=official,
            institution=institution,
            role=Role.objects.get(code="officer"),
        )
    return institution, official


def _write(ctx: Context, count: int) -> Institution:
    """The municipality with its complaints and their running counts."""
    institution, _official = _municipality(ctx)
    topics = list(
        ComplaintTopic.objects.filter(institution=institution)
        .order_by("position")
        .values_list("pk", flat=True)
    )
    units = list(Unit.objects.filter(institution=institution).values_list("pk", flat=True))
    assert units, "the data set gives every institution units"
    ctx.raw.execute(
        HISTORY,
        {
            "flow": get_flow_ref(ComplaintFlow),
            "now": timezone.now(),
            "count": count,
            "institution": institution.pk,
            "topics": topics,
            "units": units,
        },
    )
    _run(ctx, TALLIES, {})
    return institution


HISTORY_ROWS = History(
    what="complaints",
    env="BENCH_COMPLAINTS",
    write=_write,
    clean=lambda ctx, institution: _run(ctx, CLEAN, {"institution": institution.pk}),
)


@scenario("complaint_submit")
def complaint_submit(ctx: Context) -> list[Row]:
    municipality = HISTORY_ROWS.made(ctx)
    topic = ComplaintTopic.objects.get(institution=municipality, code="water_irrigation")

    def raw(institution: Institution) -> None:
        ctx.raw.execute(
            RAW_SUBMIT,
            {"flow": get_flow_ref(ComplaintFlow), "institution": institution.pk, "topic": topic.pk},
        ).fetchone()

    try:
        return submit_rows(
            ctx,
            HISTORY_ROWS,
            path=PATH,
            body=BODY,
            raw=raw,
            baseline="raw: one INSERT of a complaint's three rows",
        )
    finally:
        _run(ctx, RAW_CLEAN, {})


@scenario("complaint_track")
def complaint_track(ctx: Context) -> list[Row]:
    def raw(digest: str) -> None:
        row = ctx.raw.execute(
            "SELECT c.registration_number, c.status, c.submitted_at, c.due_at, c.answered_at, "
            "c.answer, i.code, t.code FROM complaints_complaint c "
            "JOIN roles_institution i ON i.id = c.institution_id "
            "JOIN complaints_complainttopic t ON t.id = c.topic_id WHERE c.tracking_digest = %s",
            (digest,),
        ).fetchone()
        assert row is not None

    return track_rows(
        ctx, HISTORY_ROWS, path=PATH, body=BODY, raw=raw, baseline="raw: one SELECT by digest"
    )


@scenario("complaint_statistics")
def complaint_statistics(ctx: Context) -> list[Row]:
    institution = HISTORY_ROWS.made(ctx)
    official = Client(HTTP_AUTHORIZATION=f"Token {ctx.data.token_key}", SERVER_NAME="localhost")

    def ours() -> None:
        response = official.get("/api/complaints/statistics/", {"institution": institution.code})
        assert response.status_code == 200, response.content[:300]
        assert response.json()["by_topic"][0]["reports"] > 0

    def raw() -> None:
        for statement in RAW_STATISTICS:
            ctx.raw.execute(statement, {"institution": institution.pk}).fetchall()

    repeat = max(20, ctx.scale.requests // 5)
    count = HISTORY_ROWS.count
    try:
        rows = latency_rows(ours, raw, repeat, baseline="raw: the same five aggregate SELECTs")
    finally:
        HISTORY_ROWS.cleared(ctx)
    return [
        Row(
            f"statistics of {count:,} complaints, {row.metric}",
            row.ours,
            row.raw,
            row.baseline,
            "p95 ≤ 200 ms",
        )
        for row in rows
    ]
