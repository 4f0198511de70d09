"""Issue 28: a request deemed refused before the decision's clock closed with its timer keeps
that clock open; the data migration closes it as missed, at the moment of the deemed refusal,
and leaves every other clock alone. Run twice, it changes nothing the second time."""

import importlib
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.utils import timezone

from access_requests.models import AccessRequest
from audit.models import AuditEntry
from deadlines.models import Deadline, DeadlineEvent

from .conftest import inbox_task, submitted
from .test_silence_and_complaint import deemed_refused

migration = importlib.import_module("access_requests.migrations.0005_deemed_refused_clocks_closed")


def left_open_as_before(clock: Deadline) -> None:
    """The clock as the timer left it before it closed the step's clocks: still running."""
    DeadlineEvent.objects.filter(deadline=clock, kind="missed").delete()
    past = timezone.now() - timedelta(hours=1)
    Deadline.objects.filter(pk=clock.pk).update(
        completed_at=None, state="overdue", next_check_at=past, alerted_at=past
    )


def test_the_migration_closes_the_clocks_left_open(demo: Any, api: Any, api_as: Any) -> None:
    _receipt, process_id = deemed_refused(api, api_as)
    clock = Deadline.objects.get(process_id=process_id)
    assert (clock.state, clock.rule.code) == ("missed", "access-request-decision")
    left_open_as_before(clock)
    # A request still waiting for its decision: its clock runs on.
    waiting = submitted(api, description="Buxheti i komunës për 2026.")
    waiting_id = inbox_task(api_as("kllokot.info"), "decide", waiting["registration_number"])[
        "process_id"
    ]
    running = Deadline.objects.get(process_id=waiting_id)
    assert running.completed_at is None

    migration.deemed_refused_clocks_closed(apps, None)

    clock.refresh_from_db()
    deemed_at = AuditEntry.objects.get(
        action="access_request.deemed_refused", object_id=str(process_id)
    ).at
    assert (clock.state, clock.completed_at, clock.next_check_at) == ("missed", deemed_at, None)
    (event,) = DeadlineEvent.objects.filter(deadline=clock, kind="missed")
    assert event.at == deemed_at
    assert event.data["late_seconds"] == int((deemed_at - clock.due_at).total_seconds()) >= 1
    # Off the overdue list: the API shows it missed.
    officer = api_as("kllokot.info")
    (shown,) = officer.get("/api/deadlines/", {"process": process_id}).json()["results"]
    assert shown["state"] == "missed"
    running.refresh_from_db()
    assert (running.completed_at, running.state) == (None, "open")

    # Idempotent: a second run finds nothing to close and writes no second record.
    migration.deemed_refused_clocks_closed(apps, None)
    assert DeadlineEvent.objects.filter(deadline=clock, kind="missed").count() == 1
    clock.refresh_from_db()
    assert clock.completed_at == deemed_at


def test_without_its_audit_entry_the_clock_closes_at_its_due_time(
    demo: Any, api: Any, api_as: Any
) -> None:
    """A request marked deemed refused whose log says nothing of when (the log is append-only,
    so the test makes such a row rather than removing the entry)."""
    receipt = submitted(api)
    process_id = inbox_task(api_as("kllokot.info"), "decide", receipt["registration_number"])[
        "process_id"
    ]
    AccessRequest.objects.filter(process_id=process_id).update(
        deemed_refused=True, status="deemed_refused"
    )
    due = timezone.now() - timedelta(days=1)
    Deadline.objects.filter(process_id=process_id).update(due_at=due, state="overdue")

    migration.deemed_refused_clocks_closed(apps, None)

    clock = Deadline.objects.get(process_id=process_id)
    assert (clock.state, clock.completed_at) == ("missed", due)
    assert DeadlineEvent.objects.get(deadline=clock, kind="missed").data["late_seconds"] == 0
