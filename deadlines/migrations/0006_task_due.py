"""The open steps' due times (`TaskDue`) and the triggers that keep them exact.

A row exists exactly while its task is open (NEW or ASSIGNED) and human; its `due_at` and
`late_from` are those of the clocks the work queue judges the step by (`tasks_with_clock`:
the step's own running clock or its lane's on the process, else the process's earliest
running clock). Two kinds of event change them, each with triggers, in PostgreSQL (plpgsql)
and SQLite alike, written once as the same SQL (as `workflows` 0005 writes the inbox's):
- a step opens (row added, computed) or closes (row dropped); a claim changes nothing;
- a clock starts, moves (pause, resumption, another lane) or stops, or is deleted: the rows of
  its process are computed again (a process has a handful of open steps and clocks).
The deadlines app owns both sides: `workflows` knows nothing of it.
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

OPEN = "('NEW', 'ASSIGNED')"

# The clocks a row is judged by (its own or its lane's), and the process's (the fallback);
# `deadlines_taskdue` is the row being computed.
_OWN = """
d.completed_at IS NULL AND (
    d.task_id = deadlines_taskdue.task_id
    OR (d.task_id IS NULL AND d.process_id = deadlines_taskdue.process_id
        AND d.role = deadlines_taskdue.lane_role
        AND d.institution_id IN (SELECT i.id FROM roles_institution i
                                 WHERE i.code = deadlines_taskdue.lane_institution)))
"""
_PROCESS = "d.completed_at IS NULL AND d.process_id = deadlines_taskdue.process_id"
# A clock can still be late from its due time, unless it is paused before that time (judged
# at its pause: not late while paused).
_LATE_FROM = "CASE WHEN d.paused_at IS NULL OR d.due_at < d.paused_at THEN d.due_at END"
COMPUTED = f"""
UPDATE deadlines_taskdue SET
due_at = COALESCE(
    (SELECT min(d.due_at) FROM deadlines_deadline d WHERE {_OWN}),
    (SELECT min(d.due_at) FROM deadlines_deadline d WHERE {_PROCESS})),
late_from = CASE
    WHEN EXISTS (SELECT 1 FROM deadlines_deadline d WHERE {_OWN})
    THEN (SELECT min({_LATE_FROM}) FROM deadlines_deadline d WHERE {_OWN})
    ELSE (SELECT min({_LATE_FROM}) FROM deadlines_deadline d WHERE {_PROCESS}) END
"""  # noqa: S608  (constants only)

# The task NEW opens: its row, then its times (the process's clocks may run already).
TASK_OPENED = [
    "INSERT INTO deadlines_taskdue (task_id, process_id, lane_role, lane_institution, created) "
    "SELECT NEW.id, NEW.process_id, COALESCE(NEW.data ->> 'role', ''), "
    "COALESCE(NEW.data ->> 'institution', ''), NEW.created "
    f"WHERE NEW.status IN {OPEN} AND NEW.flow_task_type = 'HUMAN' ON CONFLICT DO NOTHING",
    COMPUTED + " WHERE task_id = NEW.id",
]
TASK_CLOSED = "DELETE FROM deadlines_taskdue WHERE task_id = NEW.id"
CLOCKS_CHANGED = COMPUTED + " WHERE process_id IN ({rows})"

# (name, event, condition or None, statements)
TRIGGERS = [
    (
        "deadlines_due_task_opened",
        "AFTER INSERT ON viewflow_task",
        f"NEW.status IN {OPEN} AND NEW.flow_task_type = 'HUMAN'",
        TASK_OPENED,
    ),
    (
        "deadlines_due_task_reopened",
        "AFTER UPDATE OF status ON viewflow_task",
        f"NEW.status IN {OPEN} AND OLD.status NOT IN {OPEN} AND NEW.flow_task_type = 'HUMAN'",
        TASK_OPENED,
    ),
    (
        "deadlines_due_task_closed",
        "AFTER UPDATE OF status ON viewflow_task",
        f"NEW.status NOT IN {OPEN} AND OLD.status IN {OPEN}",
        [TASK_CLOSED],
    ),
    (
        "deadlines_due_clock_started",
        "AFTER INSERT ON deadlines_deadline",
        None,
        [CLOCKS_CHANGED.format(rows="NEW.process_id")],
    ),
    (
        "deadlines_due_clock_changed",
        "AFTER UPDATE ON deadlines_deadline",
        # The sweep's writes (state, reminders, alerts) change no due time: no recomputing.
        "OLD.due_at IS DISTINCT FROM NEW.due_at OR OLD.paused_at IS DISTINCT FROM NEW.paused_at "
        "OR OLD.completed_at IS DISTINCT FROM NEW.completed_at OR OLD.role IS DISTINCT FROM "
        "NEW.role OR OLD.institution_id IS DISTINCT FROM NEW.institution_id "
        "OR OLD.task_id IS DISTINCT FROM NEW.task_id OR OLD.process_id IS DISTINCT FROM "
        "NEW.process_id",
        [CLOCKS_CHANGED.format(rows="OLD.process_id, NEW.process_id")],
    ),
    (
        "deadlines_due_clock_deleted",
        "AFTER DELETE ON deadlines_deadline",
        None,
        [CLOCKS_CHANGED.format(rows="OLD.process_id")],
    ),
]

# The rows of the steps open now.
FILL = [
    "INSERT INTO deadlines_taskdue (task_id, process_id, lane_role, lane_institution, created) "
    "SELECT t.id, t.process_id, COALESCE(t.data ->> 'role', ''), "
    "COALESCE(t.data ->> 'institution', ''), t.created "
    f"FROM viewflow_task t WHERE t.status IN {OPEN} AND t.flow_task_type = 'HUMAN'",
    COMPUTED,
]


def _create_trigger(
    vendor: str, name: str, event: str, when: str | None, body: list[str]
) -> list[str]:
    condition = f" WHEN ({when})" if when else ""
    statements = "".join(f"{statement};\n" for statement in body)
    if vendor == "postgresql":
        return [
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n{statements}RETURN NULL;\nEND\n$$",
            f"CREATE TRIGGER {name} {event} FOR EACH ROW{condition} EXECUTE FUNCTION {name}()",
        ]
    return [f"CREATE TRIGGER {name} {event} FOR EACH ROW{condition}\nBEGIN\n{statements}END"]


def forwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(
            f"the due-time triggers are written for PostgreSQL and SQLite, not {vendor}"
        )
    statements = list(FILL)
    for name, event, when, body in TRIGGERS:
        statements += _create_trigger(vendor, name, event, when, body)
    for statement in statements:
        schema_editor.execute(statement, params=None)


def backwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for name, event, _when, _body in TRIGGERS:
        if vendor == "postgresql":
            table = event.rsplit(" ", 1)[1]
            schema_editor.execute(f"DROP TRIGGER {name} ON {table}", params=None)
            schema_editor.execute(f"DROP FUNCTION {name}()", params=None)
        else:
            schema_editor.execute(f"DROP TRIGGER {name}", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0005_press_statement_original_rule"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [
        migrations.CreateModel(
            name="TaskDue",
            fields=[
                (
                    "task",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="due",
                        serialize=False,
                        to="viewflow.task",
                    ),
                ),
                ("lane_role", models.CharField(blank=True, max_length=64)),
                ("lane_institution", models.CharField(blank=True, max_length=64)),
                ("created", models.DateTimeField()),
                ("due_at", models.DateTimeField(blank=True, null=True)),
                ("late_from", models.DateTimeField(blank=True, null=True)),
                (
                    "process",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="viewflow.process",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["due_at", "created", "task"], name="deadlines_taskdue_order"
                    )
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
