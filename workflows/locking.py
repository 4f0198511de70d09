"""The task lock every claim, unclaim and completion begins with: two statements, defined with
the ORM and compiled once (`config.prepared.Prepared`, the project's one way of not compiling
the same query again on every call).

Built and compiled on every transition, the two statements (a process locked through a
sub-query with its institution, a task with two `EXISTS` conditions) cost Django about 5 ms of
CPU: more than PostgreSQL needs to run the whole transition. They also answer, in the same
round trip, the two questions every transition asks of the caller: do their own groups hold the
task's permission, and did they write the item (the four-eyes rule of
`selectors.decisions_authored`)?
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Exists, Model, OuterRef, QuerySet, Subquery
from guardian.models import GroupObjectPermission
from viewflow.workflow.models import Task

from config.prepared import Prepared
from roles.models import Institution, User

from .models import CoordinationProcess, task_permission_codename
from .selectors import decisions_authored


def _names(model: type[Model]) -> list[str]:
    """The model's columns in `Model.from_db` order."""
    return [field.attname for field in model._meta.concrete_fields]


def _lock_process(task_id: int) -> QuerySet[Any]:
    """The task's process (and its institution), locked, with the task's permission. The
    permission is set when the task is created and never changed: safe to read before the
    task's own lock."""
    task = Task.objects.filter(pk=task_id)
    return (
        CoordinationProcess.objects.select_for_update(of=("self", "process_ptr"))
        .filter(pk=Subquery(task.values("process_id")[:1]))
        .annotate(
            task_permission=Subquery(task.values("owner_permission")[:1]),
            task_object_type=Subquery(task.values("owner_permission_content_type")[:1]),
            task_object_pk=Subquery(task.values("owner_permission_obj_pk")[:1]),
        )
        .values_list(
            *_names(CoordinationProcess),
            *(f"institution__{name}" for name in _names(Institution)),
            "task_permission",
            "task_object_type",
            "task_object_pk",
        )
    )


def _lock_task(
    task_id: int,
    content_type_id: int,
    process_key: str,
    codename: str,
    caller_id: int,
    caller_username: str,
) -> QuerySet[Any]:
    """The task, locked, with whether the caller's own groups hold its permission on its
    process, or on the row it has of its own (guardian's grant looked up by object and
    codename as values: compared with the task's columns, a stale estimate once made the
    planner hash every grant of the permission), and whether the caller wrote the item."""
    grants = GroupObjectPermission.objects.filter(
        content_type_id=content_type_id,
        object_pk=process_key,
        permission__content_type_id=content_type_id,
        permission__codename=codename,
        group_id__in=User.groups.through.objects.filter(user_id=caller_id).values("group_id"),
    )
    caller = User(pk=caller_id, username=caller_username)
    authored = decisions_authored(user=caller, tasks=Task.objects.filter(pk=OuterRef("pk")))
    return (
        Task.objects.select_for_update(of=("self",))
        .filter(pk=task_id)
        .annotate(holds=Exists(grants), authored=Exists(authored))
        .values_list(*_names(Task), "holds", "authored")
    )


_LOCK_PROCESS = Prepared(_lock_process)
_LOCK_TASK = Prepared(_lock_task)


@dataclass(frozen=True)
class LockedTask:
    """A task locked for the caller, and what the lock found out about them."""

    task: Task
    holds_permission: bool  # the caller's own groups hold the task's permission
    authored: bool  # the caller wrote the item (an approval is not theirs to decide)


def locked_task(task_id: int, caller: User) -> LockedTask | None:
    """The task with its process row then its own row locked (in that order everywhere, as the
    flows' own ProcessRowLock does, so claim, complete and viewflow's timer dispatcher
    queue rather than deadlock), or None if there is no such task. Call inside a transaction.
    The task arrives with its process (and the process's institution)."""
    rows = _LOCK_PROCESS.rows(task_id=task_id)
    if not rows:
        return None
    [row] = rows
    process_names, institution_names = _names(CoordinationProcess), _names(Institution)
    split = len(process_names)
    process = CoordinationProcess.from_db(DEFAULT_DB_ALIAS, process_names, row[:split])
    process.institution = Institution.from_db(
        DEFAULT_DB_ALIAS, institution_names, row[split : split + len(institution_names)]
    )
    permission, object_type_id, object_pk = row[-3:]
    # Without a permission on the process no grant matches: no task is open to everyone.
    codename = task_permission_codename(permission) or ""
    content_type_id, object_key = (
        ContentType.objects.get_for_model(CoordinationProcess).pk,
        str(process.pk),
    )
    if object_type_id not in (None, content_type_id):
        # A task permitted on a row of its own (one recipient's part of a process that many
        # share): its permission on that row, as viewflow recorded it.
        content_type_id, object_key = object_type_id, str(object_pk)
        codename = (permission or "").partition(".")[2]
    rows = _LOCK_TASK.rows(
        task_id=task_id,
        content_type_id=content_type_id,
        process_key=object_key,
        codename=codename,
        caller_id=caller.pk,
        caller_username=caller.get_username(),
    )
    if not rows:
        return None
    [row] = rows
    task_names = _names(Task)
    task = Task.from_db(DEFAULT_DB_ALIAS, task_names, row[: len(task_names)])
    task.process = process
    if task.owner_id == caller.pk:
        task.owner = caller
    holds, authored = row[len(task_names) :]
    return LockedTask(task=task, holds_permission=bool(holds), authored=bool(authored))
