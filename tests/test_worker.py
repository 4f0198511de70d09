"""Background work runs in a real Celery worker process, after the transaction commits."""

import time

import pytest
from django.db import transaction

from audit.models import AuditEntry
from audit.services import audit_record
from audit.tasks import verify_audit_chain
from tests.conftest import wait_for

pytestmark = pytest.mark.worker


def test_a_task_dispatched_on_commit_runs_in_the_worker(worker, audit_chain_empty) -> None:  # type: ignore[no-untyped-def]
    with transaction.atomic():
        audit_record(actor=None, action="test.event")
        verify_audit_chain.delay_on_commit()
    verified = wait_for(lambda: AuditEntry.objects.filter(action="audit.verified").first())
    assert verified.actor == "system"
    assert verified.data == {"ok": True, "entries": 1, "first_bad_seq": None}


def test_a_task_dispatched_in_a_rolled_back_transaction_never_runs(worker) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError), transaction.atomic():
        verify_audit_chain.delay_on_commit()
        raise RuntimeError("rolled back")
    # A task sent afterwards is the marker: once it ran and a grace period passed, a task sent
    # before it would have run as well.
    verify_audit_chain.delay()
    wait_for(lambda: AuditEntry.objects.filter(action="audit.verified").exists())
    time.sleep(2)
    assert AuditEntry.objects.filter(action="audit.verified").count() == 1


def test_the_worker_and_this_process_write_the_chain_at_once(worker, audit_chain_empty) -> None:  # type: ignore[no-untyped-def]
    for _ in range(10):
        verify_audit_chain.delay()
    for number in range(30):
        audit_record(actor=None, action="test.event", object_id=number)
    wait_for(lambda: AuditEntry.objects.filter(action="audit.verified").count() == 10, timeout=60)
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 41))
    from audit.services import audit_verify

    assert audit_verify().ok
