"""The task lock every claim, unclaim and completion begins with, as two statements written once.

Built through the ORM, the two statements (a process locked through a sub-query, a task with
four related rows and an `EXISTS` annotation) cost Django about 5 ms of CPU to build and compile
on every transition: more than PostgreSQL needs to run the whole transition. Their SQL depends
only on the models and the database's features, so it is written here once, from the models'
own table and column names, and the rows become model instances the way Django's own queries
make them (`get_converters`, then `Model.from_db`).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Field, Model
from django.db.models.sql import Query
from django.db.models.sql.compiler import SQLCompiler
from guardian.models import GroupObjectPermission
from viewflow.workflow.models import Process, Task

from roles.models import Institution, User

from .models import CoordinationProcess, task_permission_codename


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _qualified(field: Field[Any, Any]) -> str:
    assert field.column is not None  # concrete fields only
    return f"{_table(field.model)}.{connection.ops.quote_name(field.column)}"


def _columns(model: type[Model]) -> str:
    """Every concrete column of the model, in `Model.from_db` order, each with its table (a
    multi-table child's parent columns live in the parent's table)."""
    return ", ".join(_qualified(field) for field in model._meta.concrete_fields)


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, Field)  # a column, not a reverse relation
    return _qualified(field)


def _compiler() -> SQLCompiler:
    """A compiler for its converters only: it compiles no query."""
    compiler: SQLCompiler = connection.ops.compiler("SQLCompiler")(
        Query(None), connection, connection.alias
    )
    return compiler


@cache
def _statements(vendor: str, lock_of: bool) -> tuple[str, str]:
    """(lock the process, lock the task) for this kind of database. `vendor` and `lock_of`
    are the cache key: the SQL differs only by them."""
    del vendor  # only a cache key
    process_lock = (
        f" FOR UPDATE OF {_table(Process)}, {_table(CoordinationProcess)}" if lock_of else ""
    )
    task_lock = f" FOR UPDATE OF {_table(Task)}" if lock_of else ""
    grants, permission, memberships = (
        _table(GroupObjectPermission),
        GroupObjectPermission._meta.get_field("permission").related_model,
        User.groups.through,
    )
    lock_process = (
        f"SELECT {_columns(CoordinationProcess)}, {_columns(Institution)}, "  # noqa: S608  (names, not data)
        f"{_column(Task, 'owner_permission')}, "
        f"{_column(Task, 'owner_permission_content_type')}, "
        f"{_column(Task, 'owner_permission_obj_pk')} "
        f"FROM {_table(Task)} "
        f"JOIN {_table(Process)} ON {_column(Process, 'id')} = {_column(Task, 'process')} "
        f"JOIN {_table(CoordinationProcess)} ON {_column(CoordinationProcess, 'process_ptr')} "
        f"= {_column(Process, 'id')} "
        f"JOIN {_table(Institution)} ON {_column(Institution, 'id')} "
        f"= {_column(CoordinationProcess, 'institution')} "
        f"WHERE {_column(Task, 'id')} = %s{process_lock}"
    )
    # Whether the caller's own groups hold the task's permission on its process: guardian's
    # grant looked up by object and codename as values (see services._grants_of_task_permission).
    lock_task = (
        f"SELECT {_columns(Task)}, EXISTS ("  # noqa: S608  (names, not data)
        f"SELECT 1 FROM {grants} "
        f"JOIN {_table(permission)} ON {_column(permission, 'id')} "
        f"= {_column(GroupObjectPermission, 'permission')} "
        f"WHERE {_column(GroupObjectPermission, 'content_type')} = %s "
        f"AND {_column(GroupObjectPermission, 'object_pk')} = %s "
        f"AND {_column(permission, 'content_type')} = %s "
        f"AND {_column(permission, 'codename')} = %s "
        f"AND {_column(GroupObjectPermission, 'group')} IN ("
        f"SELECT {_column(memberships, 'group')} FROM {_table(memberships)} "
        f"WHERE {_column(memberships, 'user')} = %s)) "
        f"FROM {_table(Task)} WHERE {_column(Task, 'id')} = %s{task_lock}"
    )
    return lock_process, lock_task


@cache
def _converters(vendor: str, models: tuple[type[Model], ...]) -> dict[int, Any]:
    """Django's converters for the columns of `_columns(model)` for each model in turn, by
    position, as its compiler finds them (`vendor` is the cache key)."""
    del vendor  # only a cache key
    fields = [field for model in models for field in model._meta.concrete_fields]
    return _compiler().get_converters(
        [field.get_col(field.model._meta.db_table) for field in fields]
    )


def _instances(row: Any, models: tuple[type[Model], ...]) -> list[Any]:
    """Split a row of `_columns(model)` groups into model instances, each value converted
    as Django's compiler converts it; what follows the last group is returned as is."""
    [values] = _compiler().apply_converters([row], _converters(connection.vendor, models))
    instances: list[Any] = []
    start = 0
    for model in models:
        fields = model._meta.concrete_fields
        names = [field.attname for field in fields]
        instances.append(
            model.from_db(connection.alias, names, values[start : start + len(fields)])
        )
        start += len(fields)
    return [*instances, *values[start:]]


def locked_task(task_id: int, caller: User) -> Task | None:
    """The task with its process row then its own row locked (in that order everywhere, as the
    flows' own SelectForUpdateLock does, so claim, complete and viewflow's timer dispatcher
    queue rather than deadlock), or None if there is no such task. Call inside a transaction.

    The task arrives with its process (and the process's institution) and, as
    `permission_held_by`, the caller's id if the caller's own groups hold its permission —
    what `services.task_acting` reads instead of asking again."""
    lock_process, lock_task = _statements(
        connection.vendor, connection.features.has_select_for_update_of
    )
    with connection.cursor() as cursor:
        cursor.execute(lock_process, [task_id])
        process_row = cursor.fetchone()
        if process_row is None:
            return None
        process, institution, permission, object_type_id, object_pk = _instances(
            process_row, (CoordinationProcess, Institution)
        )
        # The permission is set when the task is created and never changed, so it is safe to
        # read before the task's lock. Without one no grant matches: no task is open to everyone.
        codename = task_permission_codename(permission) or ""
        content_type = ContentType.objects.get_for_model(CoordinationProcess)
        target: list[Any] = [content_type.pk, str(process.pk), content_type.pk, codename]
        if object_type_id not in (None, content_type.pk):
            # A task permitted on a row of its own (one recipient's part of a process that
            # many share): its permission on that row, as viewflow recorded it.
            codename = (permission or "").partition(".")[2]
            target = [object_type_id, object_pk, object_type_id, codename]
        cursor.execute(lock_task, [*target, caller.pk, task_id])
        task_row = cursor.fetchone()
    if task_row is None:
        return None
    task, held = _instances(task_row, (Task,))
    process.institution = institution
    task.process = process
    task.permission_held_by = caller.pk if held else None
    if task.owner_id == caller.pk:
        task.owner = caller
    return task
