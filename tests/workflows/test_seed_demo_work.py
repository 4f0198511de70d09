"""The demo's work in progress: every process type at different steps, some overdue, reached
through the services, and running the command again changes nothing."""

import io

from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from viewflow.workflow import STATUS
from viewflow.workflow.models import Task

from deadlines.models import Deadline
from roles.models import User
from tests.workflows.demo_work import default_rules_present
from workflows.flows import process_type_of
from workflows.models import CoordinationProcess


def _seeded() -> str:
    """`seed_demo` as `make run` calls it, with its work in progress."""
    out = io.StringIO()
    with override_settings(DEMO_WORK_IN_PROGRESS=True):
        call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_demo_work_leaves_every_type_at_several_steps(demo: dict[str, User], api_as) -> None:  # type: ignore[no-untyped-def]
    default_rules_present()
    assert "processes" in _seeded()
    processes = CoordinationProcess.objects.all()
    types = {process_type_of(process.flow_class) for process in processes}
    assert {"assembly_decision", "press_statement", "meeting_material", "monthly_report"} <= types
    open_steps = {
        task.flow_task.name
        for task in Task.objects.filter(status__in=[STATUS.NEW, STATUS.ASSIGNED])
    }
    assert {"approve", "transmit", "acknowledge", "review", "reconsider", "revise"} <= open_steps
    assert {"zkp_review", "schedule", "record_outcome"} <= open_steps
    assert processes.filter(status=STATUS.DONE).exists()

    # The officials' queues have work, some of it overdue, some claimed.
    assert api_as("kllokot.chair").get("/api/inbox/").json()["count"] >= 1
    late = Deadline.objects.filter(completed_at__isnull=True, due_at__lt=timezone.now())
    assert {"assembly_decision", "meeting_material"} <= set(
        late.values_list("process_type", flat=True)
    )
    legal = api_as("mapl.legal").get("/api/inbox/").json()["results"]
    assert any(task["assignee"] for task in legal)
    assert api_as("sq.secretary").get("/api/inbox/").json()["count"] >= 2
    # Another municipality sees none of Kllokot's work.
    listed = api_as("prishtine.chair").get("/api/processes/").json()["results"]
    titles = [process["title"] for process in listed]
    assert titles and not any("Kllokot" in title for title in titles)

    count = processes.count()
    assert "already" in _seeded()
    assert CoordinationProcess.objects.count() == count
