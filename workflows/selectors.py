"""Reads about processes and tasks: what a person may see, and what is theirs to do now."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from guardian.models import GroupObjectPermission
from viewflow.workflow import STATUS
from viewflow.workflow.fields import get_flow_ref
from viewflow.workflow.models import Task

from roles.models import User
from roles.permissions import objects_with_permission, visible_or_404
from roles.selectors import principals_for, user_is_auditor

from .flows import FLOWS
from .models import CoordinationProcess

PROCESS_VIEW = "workflows.view_coordinationprocess"
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


def tasks_inbox(*, user: Any) -> QuerySet[Task]:
    """Open tasks the user can act on now: assigned to them or to someone they act for, or
    unclaimed and open to a role they (or their principals) hold for that very process.

    One SQL statement: the role check is an EXISTS on guardian's group-object-permission table
    joined by the people's group ids, never a list of permissions loaded into Python."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Task.objects.none()
    people = User.objects.filter(Q(pk=user.pk) | Q(pk__in=principals_for(deputy=user).values("pk")))
    groups = User.groups.through.objects.filter(user_id__in=people.values("pk")).values("group_id")
    content_type = ContentType.objects.get_for_model(CoordinationProcess)
    prefix = f"{CoordinationProcess._meta.app_label}."
    granted = GroupObjectPermission.objects.filter(
        group_id__in=groups,
        content_type_id=content_type.pk,
        object_pk=OuterRef("owner_permission_obj_pk"),
        permission__content_type_id=content_type.pk,
        permission__codename=Substr(OuterRef("owner_permission"), len(prefix) + 1),
    )
    return Task.objects.filter(
        Q(owner_id__in=people.values("pk"), status=STATUS.ASSIGNED)
        | Q(
            Exists(granted),
            status=STATUS.NEW,
            owner__isnull=True,
            owner_permission__startswith=prefix,
            owner_permission_content_type_id=content_type.pk,
        ),
        flow_task_type="HUMAN",
        process__flow_class__in=[get_flow_ref(flow_class) for flow_class in FLOWS.values()],
    )
