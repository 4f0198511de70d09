"""An index on viewflow's task table for the inbox: the open, unclaimed tasks of a process with
their permission and creation time, so the inbox counts and pages them from the index alone
(workflows.selectors._inbox_branches). viewflow's model is not ours to change: plain SQL that
PostgreSQL and SQLite both accept."""

from django.db import migrations

TASK_OPEN_INDEX = "workflows_task_open_by_process"


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0003_monthly_report"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX {TASK_OPEN_INDEX} ON viewflow_task "
            "(process_id, owner_permission, created, id) "
            "WHERE status = 'NEW' AND owner_id IS NULL",
            f"DROP INDEX {TASK_OPEN_INDEX}",
        )
    ]
