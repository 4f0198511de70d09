"""What one transition costs the database: its statements, counted (the bench times them)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from viewflow.workflow import STATUS
from viewflow.workflow.models import Task

from workflows import services
from workflows.flows import FLOWS

# A decision on an assembly decision (the chair returns it: the gateway decides, the revision
# task opens for the office). The bar of `make bench` is 15 a transition.
DECISION_STATEMENTS = 15


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
    with CaptureQueriesContext(connection) as queries:
        services.task_complete(
            actor=chair, task_id=approvals[1].pk, action="return", comment="Mungon data."
        )
    # Inside the test's own transaction the transition's is a savepoint: two statements more.
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    for sql in statements:
        print(sql[:200])
    assert len(statements) <= DECISION_STATEMENTS, statements
