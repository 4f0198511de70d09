"""The database moves the chain's head with every entry appended: one statement fewer for each
audited change (a transition's audit entry was three statements: lock the head, insert, move the
head), and a head that cannot lag behind the entries written with it.

The head stays guarded as before (migration 0003): it moves forward only, to an entry of the
chain. The writer still locks the head first (audit.services), so entries are numbered in turn.
On PostgreSQL one trigger per INSERT statement moves the head to the statement's last entry (a
sweep's batch is one move, not one per entry); SQLite has row triggers only, run in process.
Restoring a dump is unaffected: pg_restore creates triggers after it loads the rows.
"""

from django.db import migrations

POSTGRESQL = """
CREATE OR REPLACE FUNCTION audit_head_follows() RETURNS trigger AS $$
BEGIN
    UPDATE audit_audithead SET seq = last.seq, hash = last.hash
    FROM (SELECT seq, hash FROM appended ORDER BY seq DESC LIMIT 1) AS last
    WHERE audit_audithead.id = 1 AND audit_audithead.seq < last.seq;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_head_follows AFTER INSERT ON audit_auditentry
    REFERENCING NEW TABLE AS appended
    FOR EACH STATEMENT EXECUTE FUNCTION audit_head_follows();
"""
POSTGRESQL_REVERSE = """
DROP TRIGGER IF EXISTS audit_head_follows ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_head_follows();
"""
SQLITE = """
CREATE TRIGGER audit_head_follows AFTER INSERT ON audit_auditentry
BEGIN
    UPDATE audit_audithead SET seq = NEW.seq, hash = NEW.hash WHERE id = 1 AND seq < NEW.seq;
END
"""
SQLITE_REVERSE = "DROP TRIGGER IF EXISTS audit_head_follows"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE)
    else:
        raise NotImplementedError(
            f"the audit head's trigger is written for PostgreSQL and SQLite, not {vendor}"
        )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_REVERSE)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_keyed_guarded_head")]
    operations = [migrations.RunPython(forwards, backwards)]
