"""The database refuses to shorten the chain or move its head back; rewriting it needs the key."""

import importlib
import sqlite3
import stat
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from audit.models import GENESIS_HASH, AuditEntry, AuditHead
from audit.services import audit_verify, entry_hash
from config.settings.base import embedded_secret
from tests.audit.tampering import guards_lifted, record_some, rewritten, tamper, unkeyed_hash

keyed_guarded_head = importlib.import_module("audit.migrations.0003_keyed_guarded_head")


def refused(sql: str, params: list[Any] | None = None) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def head() -> tuple[int, str]:
    current = AuditHead.objects.get(pk=1)
    return current.seq, current.hash


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM audit_auditentry WHERE seq = 3",
        "DELETE FROM audit_auditentry WHERE seq >= 4",
        "DELETE FROM audit_auditentry",
        "DELETE FROM audit_audithead",
    ],
    ids=["one-entry", "the-tail", "every-entry", "the-head"],
)
def test_the_database_refuses_to_delete_entries_or_the_head(db: None, sql: str) -> None:
    record_some(5)
    refused(sql)
    assert AuditEntry.objects.count() == 5
    assert head()[0] == 5
    assert audit_verify().ok


def test_the_orm_cannot_delete_an_entry_either(db: None) -> None:
    record_some(2)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(seq=2).delete()
    assert AuditEntry.objects.count() == 2


def test_the_head_moves_forward_only_to_an_entry_of_the_chain(db: None) -> None:
    record_some(5)
    entry = {e.seq: e.hash for e in AuditEntry.objects.all()}
    update = "UPDATE audit_audithead SET seq = %s, hash = %s WHERE id = 1"
    refused(update, [3, entry[3]])  # back to an earlier entry (the tail then looks cut off)
    refused(update, [0, GENESIS_HASH])  # back to the start
    refused(update, [5, entry[4]])  # same place, another hash
    refused(update, [6, "f" * 64])  # past the end, to no entry
    refused("UPDATE audit_audithead SET id = 2 WHERE id = 1")
    refused("INSERT INTO audit_audithead (id, seq, hash) VALUES (2, %s, %s)", [9, "e" * 64])
    assert head() == (5, entry[5])
    record_some(1)  # appending still moves it forward
    assert head()[0] == 6
    assert audit_verify().ok


def test_a_tail_cut_and_the_head_moved_back_is_refused_even_on_a_raw_sqlite_connection(
    transactional_db: None,
) -> None:
    """A connection that is not the application's (the sqlite3 shell, a script) lacks the
    function the delete guard asks, so it is refused as well."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's own connections")
    record_some(4)
    raw = sqlite3.connect(connection.settings_dict["NAME"])
    try:
        for sql in ("DELETE FROM audit_auditentry WHERE seq > 2", "DELETE FROM audit_audithead"):
            with pytest.raises(sqlite3.DatabaseError):
                raw.execute(sql)
        with pytest.raises(sqlite3.DatabaseError, match="forward only"):
            raw.execute("UPDATE audit_audithead SET seq = 2")
    finally:
        raw.close()
    assert AuditEntry.objects.count() == 4
    assert audit_verify().ok


def test_flush_still_empties_the_whole_database(transactional_db: None) -> None:
    record_some(3)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEntry.objects.exists()
    assert not AuditHead.objects.exists()
    record_some(1)
    assert audit_verify().ok


def test_entries_rehashed_with_the_unkeyed_function_are_detected(db: None) -> None:
    record_some(6)

    def forged(entry: AuditEntry) -> None:
        entry.data = {"new": {"number": 99}}

    rewritten(start=3, hash_function=unkeyed_hash, change=forged)
    report = audit_verify()
    assert (report.ok, report.first_bad_seq, report.entries) == (False, 3, 2)
    assert "hash does not match" in report.reason


def test_a_whole_chain_rehashed_without_the_key_is_detected(db: None) -> None:
    record_some(3)
    rewritten(start=1, hash_function=unkeyed_hash)
    report = audit_verify()
    assert (report.ok, report.first_bad_seq) == (False, 1)


def test_the_hash_depends_on_the_key(db: None, settings: Any) -> None:
    record_some(2)
    entry = AuditEntry.objects.get(seq=2)
    assert entry.hash == entry_hash(entry) != unkeyed_hash(entry)
    settings.AUDIT_HMAC_KEY = "another key"
    assert entry_hash(entry) != entry.hash
    assert audit_verify().first_bad_seq == 1


@pytest.mark.parametrize(
    ("legacy_damage", "first_bad"),
    [
        ("", None),
        ("UPDATE audit_auditentry SET actor = 'forged' WHERE seq = 3", 3),
        ("DELETE FROM audit_auditentry WHERE seq = 4", 4),
        ("DELETE FROM audit_auditentry WHERE seq = 5", 5),
        ("UPDATE audit_auditentry SET prev_hash = %s WHERE seq = 2", 2),
    ],
    ids=["intact", "rewritten", "removed", "tail-cut", "unlinked"],
)
def test_the_migration_keys_an_unkeyed_chain_and_keeps_its_breaks_where_they_were(
    db: None, legacy_damage: str, first_bad: int | None
) -> None:
    record_some(5)
    rewritten(start=1, hash_function=unkeyed_hash)  # as the chain was before the key
    with guards_lifted() as cursor:
        if legacy_damage:
            cursor.execute(legacy_damage, ["a" * 64] if "%s" in legacy_damage else [])
        keyed_guarded_head.rehash(apps, keyed_guarded_head.unkeyed, keyed_guarded_head.keyed)
    report = audit_verify()
    assert (report.ok, report.first_bad_seq) == (first_bad is None, first_bad)
    if first_bad is None:  # and back again
        with guards_lifted():
            keyed_guarded_head.rehash(apps, keyed_guarded_head.keyed, keyed_guarded_head.unkeyed)
        assert all(entry.hash == unkeyed_hash(entry) for entry in AuditEntry.objects.all())


def test_the_embedded_key_is_made_once_and_readable_by_its_owner_only(tmp_path: Any) -> None:
    path = tmp_path / "audit-hmac.key"
    key = embedded_secret(path)
    assert len(key) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert embedded_secret(path) == key
    assert list(tmp_path.iterdir()) == [path]


def test_tampering_helpers_restore_the_guards(db: None) -> None:
    record_some(2)
    tamper("UPDATE audit_auditentry SET actor = %s WHERE seq = 1", ["x"])
    refused("DELETE FROM audit_auditentry WHERE seq = 2")
