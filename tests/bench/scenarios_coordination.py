"""Coordination requests: a request from the central office to 38 municipalities and 20
ministries (`coordination.services.coordination_request_start`: the flow's start, a response
row, a permission and a `respond` task with its clock per recipient, the view for every
recipient, the audit entries and the notices) beside the raw INSERTs of the same task and
response rows; and the sender's tracker of those 58 recipients, half of them answered
(`GET /api/coordination-requests/{id}/tracker/`) beside the one SELECT of the same rows.

The recipients are made here (each with its answering officer), so the figures do not depend on
the generated data set's mix of institution kinds.
"""

import importlib
import statistics
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from viewflow.workflow import STATUS

from coordination.models import Response, ResponseStatus
from coordination.recipients import recipient_role
from coordination.services import coordination_request_start
from deadlines.models import DeadlineRule
from roles import services as roles_services
from roles.models import Institution, Role, User

from . import Context, Row, elapsed, latency_rows, scenario
from .data import settle

MUNICIPALITIES = 38
MINISTRIES = 20
START_TARGET = "≤ 1 s"
TRACKER_TARGET = "p95 ≤ 100 ms"
REPEAT = 5  # timed requests; the figure is the median (and the worst is printed)


def _rule() -> None:
    rule = importlib.import_module("coordination.migrations.0002_response_deadline_rule").RULE
    DeadlineRule.objects.get_or_create(code=rule["code"], defaults=rule)


def _recipients() -> tuple[User, list[Institution]]:
    """The sender (ZKP in a central office) and 58 recipients, each with its officer."""
    admin, _ = User.objects.get_or_create(username="bench.coordination.admin")
    made: list[Institution] = []
    with transaction.atomic():
        central, _ = Institution.objects.get_or_create(
            code="BENCHZKM",
            defaults={
                "kind": Institution.Kind.GOVERNMENT_OFFICE,
                "name_sq": "Zyra",
                "name_sr": "Kancelarija",
                "name_en": "Office",
            },
        )
        sender, created = User.objects.get_or_create(username="bench.coordination.zkp")
        if created:
            roles_services.membership_create(
                actor=admin,
                user=sender,
                institution=central,
                role=Role.objects.get(code="communications_coordinator"),
            )
        for kind, count in (
            (Institution.Kind.MUNICIPALITY, MUNICIPALITIES),
            (Institution.Kind.MINISTRY, MINISTRIES),
        ):
            for n in range(count):
                code = f"BENCH{kind[:3].upper()}{n:02d}"
                institution, created = Institution.objects.get_or_create(
                    code=code,
                    defaults={"kind": kind, "name_sq": code, "name_sr": code, "name_en": code},
                )
                if created:
                    officer = User.objects.create(username=f"bench.{code.lower()}")
                    roles_services.membership_create(
                        actor=admin,
                        user=officer,
                        institution=institution,
                        role=Role.objects.get(code=recipient_role(institution)),
                    )
                made.append(institution)
    return sender, made


def _fields(recipients: list[Institution]) -> dict[str, Any]:
    return {
        "title": "Të dhënat për komunitetet joshumicë",
        "text": "Dërgoni të dhënat për projektet e vitit.",
        "recipients": [institution.code for institution in recipients],
        "due_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
    }


@scenario("coordination_request")
def coordination_request(ctx: Context) -> list[Row]:
    _rule()
    sender, recipients = _recipients()
    assert len(recipients) == MUNICIPALITIES + MINISTRIES
    settle()
    fields = _fields(recipients)
    coordination_request_start(actor=sender, fields=fields)  # warm-up (plans, caches)
    started: list[Any] = []

    def ours() -> None:
        started.append(coordination_request_start(actor=sender, fields=fields))

    ours_s = [elapsed(ours) for _ in range(REPEAT)]
    process = started[-1]
    tasks = process.task_set.filter(flow_task_type="HUMAN", status=STATUS.NEW).count()
    assert tasks == len(recipients) + 1, tasks  # a respond task each, and the sender's
    # The same task and response rows written as two multi-row INSERTs, rolled back.
    task_row = ctx.raw.execute(
        "SELECT flow_task, owner_permission, owner_permission_content_type_id FROM viewflow_task "
        "WHERE process_id = %s AND data ? 'response' LIMIT 1",
        (process.pk,),
    ).fetchone()
    assert task_row is not None
    institution_ids = [institution.pk for institution in recipients]

    def raw() -> None:
        try:
            with ctx.raw.transaction():
                ctx.raw.execute(
                    "INSERT INTO viewflow_task (flow_task, flow_task_type, status, created, "
                    "token, owner_permission, owner_permission_content_type_id, "
                    "owner_permission_obj_pk, process_id, data) SELECT %s, 'HUMAN', 'NEW', "
                    "now(), 'start/' || n, %s, %s, n::text, %s, "
                    "jsonb_build_object('response', n) FROM generate_series(1, %s) n",
                    (*task_row, process.pk, len(recipients)),
                )
                ctx.raw.execute(
                    "INSERT INTO coordination_response (process_id, institution_id, status, "
                    "answer, reminders) SELECT %s, i, 'open', '', 0 FROM unnest(%s::int[]) i",
                    (process.pk + 1_000_000, institution_ids),
                )
                raise _Rollback
        except _Rollback:
            pass

    raw_s = [elapsed(raw) for _ in range(REPEAT)]
    print(
        f"  coordination_request: {len(recipients)} recipients, {tasks} open tasks per request; "
        f"worst of {REPEAT}: {max(ours_s) * 1000:.0f} ms"
    )
    return [
        Row(
            "58 tasks, ms",
            statistics.median(ours_s) * 1000,
            statistics.median(raw_s) * 1000,
            "raw: INSERT the 58 task rows and the 58 response rows, rolled back",
            START_TARGET,
        )
    ]


class _Rollback(Exception):
    """Ends the baseline's transaction without keeping its rows."""


@scenario("coordination_tracker")
def coordination_tracker(ctx: Context) -> list[Row]:
    _rule()
    sender, recipients = _recipients()
    process = coordination_request_start(actor=sender, fields=_fields(recipients))
    # Half have answered (written as the respond task would leave the row).
    answered = Response.objects.filter(process_id=process.pk).order_by("pk")[: len(recipients) // 2]
    Response.objects.filter(pk__in=[response.pk for response in answered]).update(
        status=ResponseStatus.ANSWERED,
        answer="Përgjigjja e institucionit me të dhënat e kërkuara. " * 5,
        answered_at=timezone.now(),
    )
    settle()
    token, _ = Token.objects.get_or_create(user=sender)
    client = Client(headers={"Authorization": f"Token {token.key}"}, SERVER_NAME="localhost")
    url = f"/api/coordination-requests/{process.pk}/tracker/"
    body = client.get(url).json()
    assert body["counts"]["total"] == len(recipients), body.get("counts")
    assert body["counts"]["answered"] == len(recipients) // 2

    def ours() -> None:
        response = client.get(url)
        assert response.status_code == 200

    def raw() -> object:
        return ctx.raw.execute(
            "SELECT i.code, i.name_sq, r.status, r.answered_at, r.answer, r.reminders "
            "FROM coordination_response r JOIN roles_institution i ON i.id = r.institution_id "
            "WHERE r.process_id = %s ORDER BY i.code",
            (process.pk,),
        ).fetchall()

    return [
        Row(row.metric, row.ours, row.raw, row.baseline, TRACKER_TARGET)
        for row in latency_rows(
            ours, raw, ctx.scale.requests, baseline="raw: one SELECT of the 58 responses"
        )
    ]
