"""A withdrawn process stops its clocks (issue 27, item 8): `canceled`, neither met nor missed —
recorded as an event and in the audit log, listed with `?state=canceled`, never counted by the
dashboards, and no longer swept."""

import pytest

from audit.models import AuditEntry
from deadlines.clock import clock_event
from deadlines.models import Deadline, State
from deadlines.selectors import dashboard

from .conftest import local, make_process

pytestmark = pytest.mark.django_db


def test_a_withdrawal_stops_the_running_clocks_neither_met_nor_missed(rules, api_as, demo) -> None:  # type: ignore[no-untyped-def]
    withdrawn = make_process("assembly_decision", institution="KLLOKOT", adopted_on="2026-10-22")
    sent = make_process("assembly_decision", institution="KLLOKOT", adopted_on="2026-10-22")
    for process in (withdrawn, sent):
        clock_event(process=process, event="started", at=local(2026, 10, 23, 9, 0))
    clock_event(process=sent, event="transmitted", at=local(2026, 10, 24, 9, 0))
    # Long after the due day: it would be missed if it were judged.
    clock_event(process=withdrawn, event="canceled", at=local(2026, 11, 20, 9, 0))

    stopped = Deadline.objects.get(process=withdrawn)
    assert stopped.state == State.CANCELED and stopped.completed_at == local(2026, 11, 20, 9, 0)
    assert stopped.next_check_at is None
    assert list(stopped.events.values_list("kind", flat=True)) == ["started", "canceled"]
    entry = AuditEntry.objects.filter(action="deadline.clock", data__event="canceled").get()
    assert entry.object_id == str(withdrawn.pk)
    # A clock already met keeps its verdict; a second withdrawal changes nothing.
    clock_event(process=sent, event="canceled", at=local(2026, 11, 20, 9, 0))
    assert Deadline.objects.get(process=sent).state == State.MET
    clock_event(process=withdrawn, event="canceled", at=local(2026, 11, 21, 9, 0))
    assert Deadline.objects.get(process=withdrawn).completed_at == local(2026, 11, 20, 9, 0)

    figures = dashboard(user=demo["auditor"])
    assert figures["totals"] == {"open": 0, "due_soon": 0, "overdue": 0, "met": 1, "missed": 0}
    listed = api_as("auditor").get("/api/deadlines/", {"state": "canceled"}).json()["results"]
    assert [(d["process_id"], d["state"]) for d in listed] == [(withdrawn.pk, "canceled")]
