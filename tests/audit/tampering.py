"""What an attacker with the database's owner rights would do: lift the guards, then rewrite."""

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

from audit.models import GENESIS_HASH, AuditEntry, AuditHead
from audit.services import audit_record, entry_payload

AUDIT_TABLES = ("audit_auditentry", "audit_audithead")


def record_some(count: int) -> None:
    for number in range(count):
        audit_record(
            actor=None,
            action="test.event",
            object_type="test",
            object_id=number,
            new={"number": number, "text": "Vendim për buxhetin — Одлука"},
        )


def unkeyed_hash(entry: AuditEntry) -> str:
    """The chain's hash before it was keyed: anybody can compute it."""
    return hashlib.sha256(entry_payload(entry)).hexdigest()


@contextmanager
def guards_lifted() -> Iterator[Any]:
    """The audit tables' triggers disabled (PostgreSQL) or dropped (SQLite) inside the block,
    restored after it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in AUDIT_TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            try:
                yield cursor
            finally:
                for table in AUDIT_TABLES:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN "
                "('audit_auditentry', 'audit_audithead')"
            )
            triggers = cursor.fetchall()
            for name, _ in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            try:
                yield cursor
            finally:
                for _, sql in triggers:
                    cursor.execute(sql)


def tamper(sql: str, params: list[Any]) -> None:
    with guards_lifted() as cursor:
        cursor.execute(sql, params)


def rewritten(
    *,
    start: int,
    hash_function: Callable[[AuditEntry], str],
    change: Callable[[AuditEntry], None] = lambda entry: None,
) -> None:
    """Entries from `start` on changed and rehashed with `hash_function`, each linked to the one
    before it, and the head moved to the last: a rewrite that leaves a consistent chain."""
    with guards_lifted():
        prev_hash = None
        for entry in AuditEntry.objects.order_by("seq"):
            if entry.seq >= start:
                change(entry)
                entry.prev_hash = prev_hash or entry.prev_hash
                entry.hash = hash_function(entry)
                AuditEntry.objects.filter(pk=entry.pk).update(
                    data=entry.data, prev_hash=entry.prev_hash, hash=entry.hash
                )
            prev_hash = entry.hash
        last = AuditEntry.objects.order_by("seq").last()
        assert last is not None
        AuditHead.objects.filter(pk=1).update(seq=last.seq, hash=last.hash)


def chain_emptied() -> None:
    """The chain back at its start, for a test that reads it from its first entry: what the
    demo organisation (written once per run, tests/conftest.py) recorded is taken out — inside
    the test's transaction, or, for a transactional test, until the flush that ends it."""
    with guards_lifted() as cursor:
        cursor.execute("DELETE FROM audit_auditentry")
        cursor.execute("UPDATE audit_audithead SET seq = 0, hash = %s WHERE id = 1", [GENESIS_HASH])
