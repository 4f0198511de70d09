"""The action's index and the hashes' uniqueness declared on the model (see AuditEntry.Meta), so
PostgreSQL keeps no pattern-ops copy of them for LIKE."""

from typing import Any

from django.db import migrations, models

CHANGES = [
    migrations.AlterField(
        model_name="auditentry",
        name="action",
        field=models.CharField(max_length=100, verbose_name="action"),
    ),
    migrations.AlterField(
        model_name="auditentry",
        name="hash",
        field=models.CharField(max_length=64, verbose_name="hash"),
    ),
    migrations.AlterField(
        model_name="auditentry",
        name="prev_hash",
        field=models.CharField(max_length=64, verbose_name="previous hash"),
    ),
    migrations.AddIndex(
        model_name="auditentry",
        index=models.Index(fields=["action"], name="audit_entry_action"),
    ),
    migrations.AddConstraint(
        model_name="auditentry",
        constraint=models.UniqueConstraint(
            fields=("prev_hash",), name="audit_entry_prev_hash_once"
        ),
    ),
    migrations.AddConstraint(
        model_name="auditentry",
        constraint=models.UniqueConstraint(fields=("hash",), name="audit_entry_hash_once"),
    ),
]


class OnPostgreSQL(migrations.SeparateDatabaseAndState):
    """The changes' schema work on PostgreSQL only. SQLite makes no pattern-ops copies, and it
    would alter these fields by rebuilding the table, which its audit triggers (0003) refuse;
    its unique columns stay as they are, equal in effect."""

    def database_forwards(self, app_label: str, schema_editor: Any, *states: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, *states)

    def database_backwards(self, app_label: str, schema_editor: Any, *states: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, *states)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_head_follows_entries")]

    operations = [OnPostgreSQL(state_operations=CHANGES, database_operations=CHANGES)]
