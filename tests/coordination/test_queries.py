"""A request to many institutions costs a constant number of statements plus a fixed few per
recipient, and the sender's tracker costs the same however many answered: counted with
Django's CaptureQueriesContext, so a per-recipient look-up creeping back in fails here.

Per recipient, a request writes two rows that viewflow's activation of each `respond` task
inserts itself: the task and its link to the split that opened it (`viewflow_task_previous`).
Everything else — the response rows, the view and respond grants, the clocks and their
records, the lanes' people and their notices, the audit entries — is one statement for all
recipients."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coordination.models import Response, ResponseStatus
from coordination.services import coordination_request_start
from roles.models import User

from .conftest import due_in, ministry

pytestmark = pytest.mark.django_db

# viewflow's INSERT of the task and of its `previous` link, per recipient.
PER_RECIPIENT = 2


def request_to(codes: list[str]) -> tuple[Any, int]:
    sender = User.objects.get(username="zkp.coordinator")
    with CaptureQueriesContext(connection) as queries:
        process = coordination_request_start(
            actor=sender,
            fields={
                "title": "Të dhënat",
                "text": "Dërgoni.",
                "recipients": codes,
                "due_on": due_in(5),
            },
        )
    return process, len(queries.captured_queries)


def test_a_request_to_many_costs_a_fixed_few_statements_per_recipient(rule) -> None:  # type: ignore[no-untyped-def]
    codes = [f"MQ{n:02d}" for n in range(12)]
    for code in codes:
        ministry(code)
    request_to(codes[:2])  # warm-up: the first transition reads what later ones have cached
    _few, four = request_to(codes[:4])
    process, twelve = request_to(codes)
    assert process.task_set.filter(data__has_key="response").count() == 12
    assert (twelve - four) <= PER_RECIPIENT * 8, (four, twelve)


def test_the_tracker_costs_the_same_for_many_recipients(api_as, rule) -> None:  # type: ignore[no-untyped-def]
    codes = [f"MT{n:02d}" for n in range(10)]
    for code in codes:
        ministry(code)
    zkp = api_as("zkp.coordinator")

    def tracker_queries(recipients: list[str]) -> int:
        process, _count = request_to(recipients)
        Response.objects.filter(process_id=process.pk).update(
            status=ResponseStatus.ANSWERED, answer="Po."
        )
        with CaptureQueriesContext(connection) as queries:
            response = zkp.get(f"/api/coordination-requests/{process.pk}/tracker/")
        assert response.status_code == 200
        assert response.json()["counts"]["answered"] == len(recipients)
        return len(queries.captured_queries)

    tracker_queries(codes[:1])  # warm-up
    assert tracker_queries(codes[:2]) == tracker_queries(codes)
