"""Entries' hashes keyed with AUDIT_HMAC_KEY; the database refuses deleting entries on SQLite too,
and refuses moving the chain's head anywhere but forward to an entry that exists.

Existing entries are rehashed with the key, in order, so that the chain verifies after this
migration exactly when it verified before it, and breaks at the same entry: an entry whose
unkeyed hash did not match its content keeps that hash, and a link that did not hold keeps the
hash it pointed at. The entries' content is unchanged, so an unkeyed head noted before this
migration can still be recomputed from them and compared.

On SQLite the refusal of DELETE asks `audit_wipe_allowed()`, a function the application's own
connections define (audit/receivers.py), true only while Django's `flush` empties the whole
database; other connections, the sqlite3 shell included, lack it and are refused. PostgreSQL's
flush uses TRUNCATE, which row triggers do not see.
"""

import hashlib
import hmac
import json
from datetime import UTC

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations

GENESIS_HASH = "0" * 64
BATCH = 2000

POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
DROP TRIGGER IF EXISTS audit_head_forward_only ON audit_audithead;
"""
POSTGRESQL = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
CREATE OR REPLACE FUNCTION audit_head_forward_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the audit head moves forward only';
    END IF;
    IF TG_OP = 'UPDATE' AND (
        NEW.id <> OLD.id OR NEW.seq < OLD.seq OR (NEW.seq = OLD.seq AND NEW.hash <> OLD.hash)
    ) THEN
        RAISE EXCEPTION 'the audit head moves forward only';
    END IF;
    IF (TG_OP = 'INSERT' OR NEW.seq <> OLD.seq)
        AND NOT (NEW.seq = 0 AND NEW.hash = repeat('0', 64))
        AND NOT EXISTS (
            SELECT 1 FROM audit_auditentry WHERE seq = NEW.seq AND hash = NEW.hash
        ) THEN
        RAISE EXCEPTION 'the audit head moves forward only, to an entry of the chain';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_head_forward_only BEFORE INSERT OR UPDATE OR DELETE ON audit_audithead
    FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();
"""
POSTGRESQL_REVERSE = """
DROP TRIGGER IF EXISTS audit_head_forward_only ON audit_audithead;
DROP FUNCTION IF EXISTS audit_head_forward_only();
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
"""

SQLITE_TRIGGERS = [
    "audit_entry_append_only",
    "audit_entry_kept",
    "audit_head_forward_only",
    "audit_head_kept",
    "audit_head_starts",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS]
# One statement each: SQLite's driver runs one at a time.
SQLITE = [
    """
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE ON audit_auditentry
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END
""",
    """
CREATE TRIGGER audit_entry_kept BEFORE DELETE ON audit_auditentry
WHEN NOT audit_wipe_allowed()
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END
""",
    """
CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_audithead
WHEN NEW.id <> OLD.id OR NEW.seq < OLD.seq OR (NEW.seq = OLD.seq AND NEW.hash <> OLD.hash)
    OR (NEW.seq <> OLD.seq AND NOT EXISTS (
        SELECT 1 FROM audit_auditentry WHERE seq = NEW.seq AND hash = NEW.hash
    ))
BEGIN
    SELECT RAISE(ABORT, 'the audit head moves forward only, to an entry of the chain');
END
""",
    """
CREATE TRIGGER audit_head_kept BEFORE DELETE ON audit_audithead
WHEN NOT audit_wipe_allowed()
BEGIN
    SELECT RAISE(ABORT, 'the audit head moves forward only');
END
""",
    """
CREATE TRIGGER audit_head_starts BEFORE INSERT ON audit_audithead
WHEN NOT (NEW.seq = 0 AND NEW.hash = '0000000000000000000000000000000000000000000000000000000000000000')
    AND NOT EXISTS (SELECT 1 FROM audit_auditentry WHERE seq = NEW.seq AND hash = NEW.hash)
BEGIN
    SELECT RAISE(ABORT, 'the audit head moves forward only, to an entry of the chain');
END
""",
]
SQLITE_REVERSE = [SQLITE[0]]


def payload(entry, prev_hash):
    """As audit.services.entry_payload computes it (a copy: migrations never import live code)."""
    content = {
        "seq": entry.seq,
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor,
        "on_behalf_of": entry.on_behalf_of,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "data": entry.data,
        "prev_hash": prev_hash,
    }
    return json.dumps(
        content, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def unkeyed(data):
    return hashlib.sha256(data).hexdigest()


def keyed(data):
    return hmac.new(settings.AUDIT_HMAC_KEY.encode(), data, hashlib.sha256).hexdigest()


def rehash(apps, old_hash, new_hash):
    """Every entry whose old hash matched its content gets the new hash of it; every link that
    held (to the previous entry, or genesis) is carried over to the new hash. What was broken
    stays broken where it was."""
    AuditEntry = apps.get_model("audit", "AuditEntry")
    AuditHead = apps.get_model("audit", "AuditHead")
    previous_old, previous_new, last_seq = GENESIS_HASH, GENESIS_HASH, 0
    while batch := list(AuditEntry.objects.filter(seq__gt=last_seq).order_by("seq")[:BATCH]):
        for entry in batch:
            valid = entry.hash == old_hash(payload(entry, entry.prev_hash))
            old = entry.hash
            if entry.prev_hash == previous_old:
                entry.prev_hash = previous_new
            if valid:
                entry.hash = new_hash(payload(entry, entry.prev_hash))
            previous_old, previous_new = old, entry.hash
        AuditEntry.objects.bulk_update(batch, ["prev_hash", "hash"])
        last_seq = batch[-1].seq
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and head.seq == last_seq and head.hash == previous_old:
        AuditHead.objects.filter(pk=1).update(hash=previous_new)


def run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_DROP)
        rehash(apps, unkeyed, keyed)
        schema_editor.execute(POSTGRESQL)
    elif vendor == "sqlite":
        run(schema_editor, SQLITE_DROP)
        rehash(apps, unkeyed, keyed)
        run(schema_editor, SQLITE)
    else:
        rehash(apps, unkeyed, keyed)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_DROP)
        rehash(apps, keyed, unkeyed)
        schema_editor.execute(POSTGRESQL_REVERSE)
    elif vendor == "sqlite":
        run(schema_editor, SQLITE_DROP)
        rehash(apps, keyed, unkeyed)
        run(schema_editor, SQLITE_REVERSE)
    else:
        rehash(apps, keyed, unkeyed)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]
    operations = [migrations.RunPython(forwards, backwards)]
