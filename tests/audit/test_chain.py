"""The audit chain: append-only, tamper-evident, one chain under concurrent writers."""

import itertools
import os
import subprocess
import sys
import threading
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEntry
from audit.services import appended_together, audit_record, audit_record_many, audit_verify
from tests.audit.tampering import record_some, tamper
from tests.conftest import ROOT, _test_database_url


def test_given_entries_when_verified_then_chain_is_intact(db: None) -> None:
    record_some(5)
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [entry.seq for entry in entries] == [1, 2, 3, 4, 5]
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(entries))
    report = audit_verify()
    assert (report.ok, report.entries, report.first_bad_seq) == (True, 5, None)
    call_command("verify_audit", stdout=open(os.devnull, "w"))  # noqa: SIM115


def test_many_entries_appended_at_once_continue_the_one_chain(db: None) -> None:
    from roles.models import Institution

    objects = [
        Institution.objects.create(
            code=f"T{n}", kind="municipality", name_sq=f"T{n}", name_sr=f"T{n}", name_en=f"T{n}"
        )
        for n in range(3)
    ]
    record_some(2)
    entries = audit_record_many(
        actor=None, action="permission.granted", objects=objects, extra={"group": "g"}
    )
    record_some(1)
    stored = list(AuditEntry.objects.order_by("seq"))
    assert [entry.seq for entry in stored] == [1, 2, 3, 4, 5, 6]
    assert [entry.object_id for entry in stored[2:5]] == [str(obj.pk) for obj in objects]
    assert [entry.hash for entry in entries] == [entry.hash for entry in stored[2:5]]
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(stored))
    assert audit_verify().ok


def test_the_database_refuses_to_rewrite_an_entry(db: None) -> None:
    record_some(1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(seq=1).update(action="forged")
    assert AuditEntry.objects.get(seq=1).action == "test.event"


def test_the_model_refuses_to_save_an_existing_entry_twice(db: None) -> None:
    entry = audit_record(actor=None, action="test.event")
    entry.action = "forged"
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.save()


@pytest.mark.parametrize(
    ("sql", "params", "first_bad"),
    [
        ("UPDATE audit_auditentry SET data = %s WHERE seq = 3", ['{"new": {"number": 99}}'], 3),
        ("UPDATE audit_auditentry SET actor = %s WHERE seq = 2", ["someone.else"], 2),
        ("DELETE FROM audit_auditentry WHERE seq = 4", [], 4),
        ("DELETE FROM audit_auditentry WHERE seq = 6", [], 6),
    ],
    ids=["data-rewritten", "actor-rewritten", "entry-removed", "last-entry-removed"],
)
def test_given_a_tampered_row_when_verified_then_the_first_bad_entry_is_named(
    db: None, sql: str, params: list[Any], first_bad: int
) -> None:
    record_some(6)
    tamper(sql, params)
    report = audit_verify()
    assert report.ok is False
    assert report.first_bad_seq == first_bad
    with pytest.raises(CommandError, match=f"broken at entry {first_bad}"):
        call_command("verify_audit")


def test_verify_audit_command_exits_with_status_1_on_a_broken_chain(transactional_db: None) -> None:
    record_some(3)
    command = [sys.executable, "manage.py", "verify_audit"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _test_database_url(),
    }
    intact = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert intact.returncode == 0, intact.stderr
    tamper("UPDATE audit_auditentry SET action = %s WHERE seq = 2", ["forged"])
    broken = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert broken.returncode == 1
    assert "broken at entry 2" in broken.stderr


def test_concurrent_writers_keep_one_chain(transactional_db: None) -> None:
    threads, per_thread, errors = 8, 15, []

    def writer() -> None:
        try:
            record_some(per_thread)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=writer) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert errors == []
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, threads * per_thread + 1))
    report = audit_verify()
    assert report.ok and report.entries == threads * per_thread


def test_a_write_that_rolls_back_leaves_no_audit_entry(db: None) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, action="test.event")
        raise RuntimeError("the change failed")
    assert not AuditEntry.objects.exists()
    audit_record(actor=None, action="test.after")
    assert audit_verify().ok


def test_entries_appended_together_join_the_chain_in_order_when_the_block_ends(db: None) -> None:
    record_some(1)
    with transaction.atomic():
        with appended_together():
            audit_record(actor=None, action="test.first")
            with appended_together():  # joins the enclosing block
                audit_record(actor=None, action="test.second")
            assert AuditEntry.objects.count() == 1  # nothing chained yet
            audit_record(actor=None, action="test.third")
        assert AuditEntry.objects.count() == 4
        with pytest.raises(RuntimeError), appended_together():
            audit_record(actor=None, action="test.failed")
            raise RuntimeError("the change failed")
        audit_record(actor=None, action="test.after")
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions == ["test.event", "test.first", "test.second", "test.third", "test.after"]
    assert audit_verify().ok


def test_a_transaction_appending_together_does_not_hold_up_other_writers(
    transactional_db: None,
) -> None:
    """Until its block ends, a transaction has not locked the chain's head: another writer
    appends and commits meanwhile, and comes first in the chain."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one write transaction run at a time anyway")
    recorded, other_done, errors = threading.Event(), threading.Event(), []

    def slow_transition() -> None:
        try:
            with transaction.atomic(), appended_together():
                audit_record(actor=None, action="test.slow")
                recorded.set()
                assert other_done.wait(timeout=10)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    slow = threading.Thread(target=slow_transition)
    slow.start()
    assert recorded.wait(timeout=10)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '5s'")  # fail, do not hang, if the head is held
        audit_record(actor=None, action="test.other")
    finally:
        other_done.set()
        slow.join()
    assert errors == []
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions == ["test.other", "test.slow"]
    assert audit_verify().ok
