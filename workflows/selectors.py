"""Reads about processes and tasks: what a person may see, and what is theirs to do now."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import BigIntegerField, QuerySet, TextField, Value
from django.db.models.functions import Cast, Concat
from guardian.models import GroupObjectPermission
from viewflow.workflow import STATUS
from viewflow.workflow.fields import get_flow_ref
from viewflow.workflow.models import Task

from roles.models import User
from roles.permissions import objects_with_permission, visible_or_404
from roles.selectors import self_and_principals, user_is_auditor

from .flows import FLOWS
from .models import PROCESS_VIEW, TASK_PERMISSIONS, CoordinationProcess

OPEN = (STATUS.NEW, STATUS.ASSIGNED)
# Task kinds a process page lists: the people's steps, not the gateways between them.
HISTORY_TYPES = ("START", "HUMAN", "END")


def flow_ref(process_type: str) -> str:
    """The stored flow reference of an API process type (`assembly_decision` or
    `assembly-decision`)."""
    flow_class = FLOWS.get(process_type.replace("-", "_"))
    if flow_class is None:
        raise KeyError(process_type)
    return get_flow_ref(flow_class)


def processes_visible(*, user: Any) -> QuerySet[CoordinationProcess]:
    """The originating institution's members, the institutions it was sent to, acting
    officials of either, and auditors (everything)."""
    processes = CoordinationProcess.objects.select_related("institution", "created_by")
    if user_is_auditor(user=user):
        return processes
    return objects_with_permission(user=user, perm=PROCESS_VIEW, queryset=processes)


def access_process_by_id(process_id: Any, user: Any) -> CoordinationProcess:
    """The process, or 404 when it does not exist or the user may not see it."""
    process: CoordinationProcess = visible_or_404(processes_visible(user=user), process_id)
    return process


def access_task_by_id(task_id: Any, user: Any) -> Task:
    """The task, or 404 when it does not exist or its process is not visible to the user."""
    visible = processes_visible(user=user).values("pk")
    task: Task = visible_or_404(Task.objects.filter(process_id__in=visible), task_id)
    return task


def tasks_with_context(queryset: QuerySet[Task]) -> QuerySet[Task]:
    """Tasks with what the API shows beside them (process title, type, assignee, due time)
    in the same query."""
    from deadlines.selectors import tasks_with_deadline

    return tasks_with_deadline(queryset).select_related(
        "owner",
        "process",
        "process__coordinationprocess",
        "process__coordinationprocess__institution",
    )


def process_tasks(*, process: CoordinationProcess) -> QuerySet[Task]:
    return tasks_with_context(
        Task.objects.filter(process_id=process.pk, flow_task_type__in=HISTORY_TYPES)
    ).order_by("created", "pk")


def _inbox_branches(
    *, user: Any, flow_class: str | None = None, overdue: bool | None = None
) -> tuple[QuerySet[Task], QuerySet[Task]]:
    """The two halves of the inbox, each starting from an index: the people's claimed tasks
    (by owner), and the open tasks of the processes on which the people's groups hold a task
    permission (guardian's group index, then tasks by process). An OR of the two would make
    the database test every open task of every institution. The permission is matched in SQL,
    never by loading a user's permissions into Python."""
    people = self_and_principals(user=user)
    # Read first (one small query), so the planner sees the few group ids as constants and
    # walks guardian's group index instead of expecting every group.
    groups = list(
        User.groups.through.objects.filter(user_id__in=people.values("pk"))
        .values_list("group_id", flat=True)
        .distinct()
    )
    content_type = ContentType.objects.get_for_model(CoordinationProcess)
    prefix = f"{CoordinationProcess._meta.app_label}."
    text = TextField()
    held = GroupObjectPermission.objects.filter(
        group_id__in=groups,
        content_type_id=content_type.pk,
        permission__content_type_id=content_type.pk,
        permission__codename__in=[codename for codename, _name in TASK_PERMISSIONS],
    )
    # A task is open to the people when their groups hold its very permission on its process:
    # the pair (process, permission) as one text key, compared with a hash of the held keys.
    held_keys = held.values(
        key=Concat("object_pk", Value(":" + prefix), "permission__codename", output_field=text)
    )
    claimed = Task.objects.filter(
        owner_id__in=people.values("pk"), status=STATUS.ASSIGNED, flow_task_type="HUMAN"
    )
    # Only human tasks carry an owner permission, and only this app's flows grant the app's
    # permissions: the conditions keep to what migration 0004's partial index covers.
    open_to_role = (
        Task.objects.filter(
            process_id__in=held.values(process_id=Cast("object_pk", BigIntegerField())),
            status=STATUS.NEW,
            owner__isnull=True,
            owner_permission__startswith=prefix,
        )
        .alias(
            key=Concat(Cast("process_id", text), Value(":"), "owner_permission", output_field=text)
        )
        .filter(key__in=held_keys)
    )
    branches = []
    for branch in (claimed, open_to_role):
        if flow_class is not None:
            branch = branch.filter(process__flow_class=flow_class)
        if overdue is not None:
            from deadlines.selectors import tasks_with_deadline

            branch = tasks_with_deadline(branch).filter(deadline_overdue=overdue)
        branches.append(branch.order_by())
    return branches[0], branches[1]


def inbox_keys(
    *, user: Any, flow_class: str | None = None, overdue: bool | None = None
) -> QuerySet[Any]:
    """(pk, created) of the open tasks the user can act on now — assigned to them or to
    someone they act for, or unclaimed and open to a role they (or their principals) hold for
    that very process — to count and page through without touching the rest of each row;
    `tasks_with_context(Task.objects.filter(pk__in=…))` loads a page."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Task.objects.none().values("pk", "created")
    claimed, open_to_role = _inbox_branches(user=user, flow_class=flow_class, overdue=overdue)
    # UNION ALL: a claimed task is never also unclaimed, so there is nothing to de-duplicate.
    return claimed.values("pk", "created").union(open_to_role.values("pk", "created"), all=True)


def tasks_inbox(*, user: Any, flow_class: str | None = None) -> QuerySet[Task]:
    """The same tasks as `inbox_keys`, as a queryset of tasks."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Task.objects.none()
    claimed, open_to_role = _inbox_branches(user=user, flow_class=flow_class)
    return Task.objects.filter(pk__in=claimed.values("pk").union(open_to_role.values("pk")))
