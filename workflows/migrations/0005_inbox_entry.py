"""The inbox's table (`InboxEntry`) and the triggers that keep it exact.

A row (task, group) exists exactly while the task is open and unclaimed and the group holds the
task's permission on the task's object in guardian. Four events change that, and each has a
trigger, in PostgreSQL (plpgsql) and SQLite alike, written once as the same SQL:
- a task is created open (viewflow's `create`),
- a task's status or owner changes (claimed, released, done, cancelled),
- a group permission is granted, or revoked (or, never by this code, edited).
Two indexes serve the triggers: the open tasks by their object (a grant finds its process's
open tasks; it replaces migration 0004's index, which only the old inbox query used), and
guardian's grants by object (a new task finds its groups).
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

OPEN_TASK_INDEX = "workflows_task_open_by_object"
GRANT_BY_OBJECT_INDEX = "workflows_grant_by_object"

# The groups holding the permission of the task NEW (its object and "app_label.codename").
TASK_OPENED = """
INSERT INTO workflows_inboxentry (task_id, group_id, created)
SELECT NEW.id, g.group_id, NEW.created
FROM guardian_groupobjectpermission g
JOIN auth_permission p ON p.id = g.permission_id
JOIN django_content_type c ON c.id = p.content_type_id
WHERE NEW.status = 'NEW' AND NEW.owner_id IS NULL
  AND g.content_type_id = NEW.owner_permission_content_type_id
  AND g.object_pk = NEW.owner_permission_obj_pk
  AND c.app_label || '.' || p.codename = NEW.owner_permission
ON CONFLICT DO NOTHING
"""
TASK_CHANGED = "DELETE FROM workflows_inboxentry WHERE task_id = NEW.id"

# The open tasks of the object of the grant ROW whose permission it is.
_TASKS_OF_GRANT = """
FROM viewflow_task t
JOIN auth_permission p ON p.id = ROW.permission_id
JOIN django_content_type c ON c.id = p.content_type_id
WHERE t.owner_permission_obj_pk = ROW.object_pk
  AND t.owner_permission_content_type_id = ROW.content_type_id
  AND t.status = 'NEW' AND t.owner_id IS NULL
  AND t.owner_permission = c.app_label || '.' || p.codename
"""
GRANTED = (
    "INSERT INTO workflows_inboxentry (task_id, group_id, created) "
    "SELECT t.id, NEW.group_id, t.created "
    + _TASKS_OF_GRANT.replace("ROW.", "NEW.")
    + " ON CONFLICT DO NOTHING"
)
REVOKED = (
    "DELETE FROM workflows_inboxentry WHERE group_id = OLD.group_id AND task_id IN "  # noqa: S608  (constants)
    "(SELECT t.id " + _TASKS_OF_GRANT.replace("ROW.", "OLD.") + ")"
)

# (name, event, condition or None, statements)
TRIGGERS = [
    (
        "workflows_inbox_task_opened",
        "AFTER INSERT ON viewflow_task",
        "NEW.status = 'NEW' AND NEW.owner_id IS NULL AND NEW.owner_permission IS NOT NULL",
        [TASK_OPENED],
    ),
    (
        "workflows_inbox_task_changed",
        "AFTER UPDATE OF status, owner_id ON viewflow_task",
        "OLD.status IS DISTINCT FROM NEW.status OR OLD.owner_id IS DISTINCT FROM NEW.owner_id",
        [TASK_CHANGED, TASK_OPENED],
    ),
    ("workflows_inbox_granted", "AFTER INSERT ON guardian_groupobjectpermission", None, [GRANTED]),
    ("workflows_inbox_revoked", "AFTER DELETE ON guardian_groupobjectpermission", None, [REVOKED]),
    (
        "workflows_inbox_grant_changed",
        "AFTER UPDATE ON guardian_groupobjectpermission",
        None,
        [REVOKED, GRANTED],
    ),
]

# The rows for what exists already.
FILL = """
INSERT INTO workflows_inboxentry (task_id, group_id, created)
SELECT t.id, g.group_id, t.created
FROM viewflow_task t
JOIN guardian_groupobjectpermission g
  ON g.content_type_id = t.owner_permission_content_type_id
 AND g.object_pk = t.owner_permission_obj_pk
JOIN auth_permission p ON p.id = g.permission_id
JOIN django_content_type c ON c.id = p.content_type_id
WHERE t.status = 'NEW' AND t.owner_id IS NULL
  AND t.owner_permission = c.app_label || '.' || p.codename
"""


def _create_trigger(
    vendor: str, name: str, event: str, when: str | None, body: list[str]
) -> list[str]:
    condition = f" WHEN ({when})" if when else ""
    if vendor == "postgresql":
        statements = "".join(f"{statement};\n" for statement in body)
        return [
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n{statements}RETURN NULL;\nEND\n$$",
            f"CREATE TRIGGER {name} {event} FOR EACH ROW{condition} EXECUTE FUNCTION {name}()",
        ]
    statements = "".join(f"{statement};\n" for statement in body)
    return [f"CREATE TRIGGER {name} {event} FOR EACH ROW{condition}\nBEGIN\n{statements}END"]


def _drop_trigger(vendor: str, name: str, event: str) -> list[str]:
    if vendor == "postgresql":
        table = event.rsplit(" ", 1)[1]
        return [f"DROP TRIGGER {name} ON {table}", f"DROP FUNCTION {name}()"]
    return [f"DROP TRIGGER {name}"]


def forwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(
            f"the inbox triggers are written for PostgreSQL and SQLite, not {vendor}"
        )
    statements = [
        "DROP INDEX workflows_task_open_by_process",
        f"CREATE INDEX {OPEN_TASK_INDEX} ON viewflow_task "
        "(owner_permission_obj_pk, owner_permission_content_type_id) "
        "WHERE status = 'NEW' AND owner_id IS NULL",
        # guardian 3 indexes its grants by group and by permission only: a task's (or a
        # grant's) look-up by object would read every grant of the permission.
        f"CREATE INDEX {GRANT_BY_OBJECT_INDEX} ON guardian_groupobjectpermission "
        "(object_pk, content_type_id, permission_id, group_id)",
        FILL,
    ]
    for name, event, when, body in TRIGGERS:
        statements += _create_trigger(vendor, name, event, when, body)
    for statement in statements:
        schema_editor.execute(statement, params=None)


def backwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    statements = []
    for name, event, _when, _body in TRIGGERS:
        statements += _drop_trigger(vendor, name, event)
    statements += [
        f"DROP INDEX {OPEN_TASK_INDEX}",
        f"DROP INDEX {GRANT_BY_OBJECT_INDEX}",
        "CREATE INDEX workflows_task_open_by_process ON viewflow_task "
        "(process_id, owner_permission, created, id) WHERE status = 'NEW' AND owner_id IS NULL",
    ]
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("viewflow", "0015_task_scheduled"),
        ("workflows", "0004_task_open_index"),
        ("guardian", "0003_remove_groupobjectpermission_guardian_gr_content_ae6aec_idx_and_more"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="InboxEntry",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "task",
                        "group",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "created",
                    models.DateTimeField(
                        help_text="The task's: the inbox's order, from the index."
                    ),
                ),
                (
                    "group",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="auth.group",
                    ),
                ),
                (
                    "task",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="viewflow.task",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["group", "created", "task"], name="workflows_inbox_by_group"
                    )
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
