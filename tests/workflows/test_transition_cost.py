"""What one transition costs the database: its statements, counted (the bench times them)."""

import io
from collections.abc import Callable
from functools import partial

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from viewflow.workflow import STATUS
from viewflow.workflow.models import Task

from documents.services import document_create
from roles.models import Institution
from workflows import services
from workflows.flows import FLOWS

# A decision on an assembly decision (the chair returns it: the gateway decides, the revision
# task opens for the office; or signs it off: its texts are checked, the transmission opens with
# its clock). The bar of `make bench` is 15 a transition.
DECISION_STATEMENTS = 15


def _statements(transition: Callable[[], object]) -> list[str]:
    """What one transition sends in a transaction of its own, as on a server (the index's
    outbox is written, not looked up for an entry an earlier transition queued). The block
    ends inside that transaction, before what runs once it commits (the index's drain); its
    own atomic block is a savepoint there, whose two statements are not the transition's."""
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        transition()
    return [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]


@pytest.mark.django_db(transaction=True)
def test_an_approval_costs_a_fixed_number_of_statements(demo) -> None:  # type: ignore[no-untyped-def]
    flow = FLOWS["assembly_decision"]
    processes = [
        services.process_start(
            flow_class=flow,
            actor=demo["kllokot.assembly"],
            fields={"title": f"Vendimi nr. {number}", "adopted_on": timezone.localdate()},
        )
        for number in range(2)
    ]
    approvals = [
        Task.objects.get(process=process, flow_task=flow.approve, status=STATUS.NEW)
        for process in processes
    ]
    # The first warms the caches (content types, roles) a running server holds already.
    chair = demo["kllokot.chair"]
    services.task_complete(actor=chair, task_id=approvals[0].pk, action="return", comment="Jo.")
    statements = _statements(
        partial(
            services.task_complete,
            actor=chair,
            task_id=approvals[1].pk,
            action="return",
            comment="Mungon data.",
        )
    )
    assert len(statements) <= DECISION_STATEMENTS, statements


@pytest.mark.django_db(transaction=True)
def test_a_sign_off_costs_a_fixed_number_of_statements(demo) -> None:  # type: ignore[no-untyped-def]
    flow = FLOWS["assembly_decision"]
    office = demo["kllokot.assembly"]
    body = "Vendimi i Kuvendit.\nOdluka Skupštine.".encode()
    text = document_create(
        actor=office,
        institution=Institution.objects.get(code="KLLOKOT"),
        upload=io.BytesIO(body),
        filename="vendimi.txt",
        size=len(body),
        title="Vendimi / Odluka",
        kind="decision",
    ).pk
    processes = [
        services.process_start(
            flow_class=flow,
            actor=office,
            fields={
                "title": f"Vendimi nr. {number}",
                "adopted_on": timezone.localdate(),
                "bilingual_documents": [text],
            },
            document_ids=[text],
        )
        for number in range(2)
    ]
    approvals = [
        Task.objects.get(process=process, flow_task=flow.approve, status=STATUS.NEW)
        for process in processes
    ]
    chair = demo["kllokot.chair"]
    services.task_complete(actor=chair, task_id=approvals[0].pk, action="approve")
    statements = _statements(
        partial(services.task_complete, actor=chair, task_id=approvals[1].pk, action="approve")
    )
    assert len(statements) <= DECISION_STATEMENTS, statements
    # The transmission opened, with its clock (the sign-off's work is not skipped).
    assert Task.objects.filter(
        process=processes[1], flow_task=flow.transmit, status=STATUS.NEW
    ).exists()
