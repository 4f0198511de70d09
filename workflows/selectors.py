"""Reads about processes and tasks: what a person may see, and what is theirs to do now."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from django.db.models import Exists, OuterRef, Q, QuerySet, TextField
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from viewflow.workflow import STATUS
from viewflow.workflow.fields import get_flow_ref
from viewflow.workflow.models import Task

from roles.models import Institution, Membership, User
from roles.permissions import objects_with_permission, visible_or_404
from roles.selectors import (
    AUDITOR_ROLE,
    memberships_active,
    self_and_principals,
    user_is_auditor,
)

from .flows import FLOWS
from .models import PROCESS_VIEW, CoordinationProcess, InboxEntry

# A task waiting for someone: unclaimed or claimed, not done.
OPEN = (STATUS.NEW, STATUS.ASSIGNED)
# Actions that send the item back to whoever prepared it: their new task is a `returned`, and
# their button is not the raised (primary) one.
RETURN_ACTIONS = ("return", "reconsider")
# Task kinds a process page lists: the people's steps, not the gateways between them.
HISTORY_TYPES = ("START", "HUMAN", "END")


def flow_ref(process_type: str) -> str:
    """The stored flow reference of an API process type (`assembly_decision` or
    `assembly-decision`)."""
    flow_class = FLOWS.get(process_type.replace("-", "_"))
    if flow_class is None:
        raise KeyError(process_type)
    return get_flow_ref(flow_class)


def processes_visible(
    *, user: Any, among: QuerySet[CoordinationProcess] | None = None
) -> QuerySet[CoordinationProcess]:
    """The originating institution's members, the institutions it was sent to, acting
    officials of either, and auditors (everything); of `among` when given."""
    processes = (CoordinationProcess.objects if among is None else among).select_related(
        "institution", "created_by"
    )
    if user_is_auditor(user=user):
        return processes
    return objects_with_permission(user=user, perm=PROCESS_VIEW, queryset=processes)


def _key(object_id: Any) -> int:
    """The id as a key (0, which matches nothing, when it is not one)."""
    try:
        key = int(object_id)
    except (TypeError, ValueError):
        return 0
    return key if 0 < key < 2**63 else 0


# One object's check narrows the permission look-up to that object first: for an official
# with 10,000 processes, "is it among all they may see" hashed every one of them twice per
# task page (about 80 ms each on the bench's `work_queue_pages`).
def access_process_by_id(process_id: Any, user: Any) -> CoordinationProcess:
    """The process, or 404 when it does not exist or the user may not see it."""
    one = CoordinationProcess.objects.filter(pk=_key(process_id))
    process: CoordinationProcess = visible_or_404(
        processes_visible(user=user, among=one), process_id
    )
    return process


# --- Private lanes ----------------------------------------------------------------------------
# A flow with `lanes_private = True` (one request to many recipients, each answering on its own)
# keeps each institution's lane to itself: its tasks, their answers and their clocks are seen by
# the lane's own institution, by the institution that started the process, by auditors and by
# superusers — everyone else who sees the process sees its shared part only. The tasks are
# narrowed by `tasks_shown`, the clocks by `deadlines.selectors.clocks_shown`, a process app's
# own rows (a coordination request's answers) by its selectors, all with `lanes_viewer`.


def lanes_private_types() -> list[str]:
    """The process types (keys of `flows.FLOWS`) whose flows keep each lane private."""
    return [name for name, flow in FLOWS.items() if getattr(flow, "lanes_private", False)]


@dataclass(frozen=True)
class LaneViewer:
    """Who is looking at private lanes, as subqueries a filter embeds (no query of its own, so
    a list pays nothing per row): the ids of the institutions the person belongs to, in their
    own right or for a principal, and whether they are an auditor."""

    institutions: QuerySet[Any]
    auditor: Exists


def lanes_viewer(*, user: Any) -> LaneViewer | None:
    """The person as the rule of private lanes sees them; None when they see every lane (the
    system — `user` None —, a superuser, or no flow with private lanes)."""
    if user is None or getattr(user, "is_superuser", False) or not lanes_private_types():
        return None
    institutions = (
        Membership.objects.active()
        .filter(user__in=self_and_principals(user=user))
        .values("institution_id")
    )
    # `user_is_auditor`'s rule, asked inside the same query.
    auditor = Exists(Membership.objects.active().filter(user_id=user.pk, role__code=AUDITOR_ROLE))
    return LaneViewer(institutions=institutions, auditor=auditor)


def lane_shown(viewer: LaneViewer, *, lane_institution: str, process_institution: str) -> Q:
    """The rule on one row of a private lane: its own institution (the lookup of its
    institution's id), the process's starting institution (likewise), or an auditor."""
    return (
        Q(**{f"{lane_institution}__in": viewer.institutions})
        | Q(**{f"{process_institution}__in": viewer.institutions})
        | Q(viewer.auditor)
    )


def tasks_shown(tasks: QuerySet[Task], *, user: Any) -> QuerySet[Task]:
    """Of `tasks` (of processes the user may see), the ones the user sees: every task, except
    in a flow with private lanes, where a task with a lane (`data.institution`) is seen by the
    rule of private lanes (`lane_shown`); its steps without a lane (the start, the end) are
    the process's own. `user` None: the system."""
    viewer = lanes_viewer(user=user)
    if viewer is None:
        return tasks
    private = [get_flow_ref(FLOWS[name]) for name in lanes_private_types()]
    codes = Institution.objects.filter(pk__in=viewer.institutions).values("code")
    return tasks.alias(lane=KT("data__institution")).filter(
        ~Q(process__flow_class__in=private)
        | Q(lane__isnull=True)
        | Q(lane__in=codes)
        | Q(process__coordinationprocess__institution_id__in=viewer.institutions)
        | Q(viewer.auditor)
    )


def access_task_by_id(task_id: Any, user: Any) -> Task:
    """The task, or 404 when it does not exist, its process is not visible to the user, or it
    is another institution's lane of a flow with private lanes (`tasks_shown`)."""
    tasks = Task.objects.filter(pk=_key(task_id))
    one = CoordinationProcess.objects.filter(pk__in=tasks.values("process_id"))
    visible = processes_visible(user=user, among=one).values("pk")
    task: Task = visible_or_404(
        tasks_shown(tasks.filter(process_id__in=visible), user=user), task_id
    )
    return task


def tasks_with_context(queryset: QuerySet[Task]) -> QuerySet[Task]:
    """Tasks with what the API shows beside them (process title, type, assignee) in the same
    query; their due times are the deadlines' (`deadlines.selectors.tasks_with_deadline`),
    added by the pages and the API, which may read every app."""
    return queryset.select_related(
        "owner",
        "process",
        "process__coordinationprocess",
        "process__coordinationprocess__institution",
    )


def process_tasks(*, process: CoordinationProcess, user: Any) -> QuerySet[Task]:
    """The steps of a process's history that the user sees (`tasks_shown`)."""
    return process_tasks_of([process.pk], user=user)


def process_tasks_of(process_ids: Iterable[int], *, user: Any) -> QuerySet[Task]:
    """The steps of the histories of these processes that the user sees, in one query."""
    return tasks_with_context(
        tasks_shown(
            Task.objects.filter(process_id__in=list(process_ids), flow_task_type__in=HISTORY_TYPES),
            user=user,
        )
    ).order_by("created", "pk")


def task_overdue(task: Task) -> bool:
    """Whether the task is late: its clock is (`deadlines.selectors.tasks_with_deadline`
    annotates `deadline_overdue`) and it still waits for someone."""
    return bool(getattr(task, "deadline_overdue", False)) and task.status in OPEN


def is_decision(node: Any) -> bool:
    """Whether the step approves or returns what someone wrote."""
    return "approve" in getattr(node, "actions", ())


@cache  # the flows are fixed at import; the four-eyes checks ask on every decision
def _decision_nodes() -> tuple[Any, ...]:
    return tuple(
        node
        for flow_class in FLOWS.values()
        for node in cast(Any, flow_class).instance.nodes()
        if is_decision(node)
    )


def decisions_authored(*, user: Any, tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Of `tasks`, the approvals the user may not decide, by the four-eyes rule: whoever wrote
    the item — started the process, or submitted it again after a return — does not approve
    or return it, in their own right or under a delegation. (The step's data compared as
    text: a JSON comparison's values would reach the database as JSON, which a prepared query,
    `locking`, cannot substitute.)"""
    resubmitted = Task.objects.annotate(
        step_action=Cast(KT("data__action"), TextField()),
        step_completed_by=Cast(KT("data__completed_by"), TextField()),
    ).filter(
        process_id=OuterRef("process_id"),
        step_action="submit",
        step_completed_by=user.get_username(),
    )
    return tasks.filter(flow_task__in=_decision_nodes()).filter(
        Q(process__coordinationprocess__created_by=user.pk) | Exists(resubmitted)
    )


# A further condition on an inbox's tasks, given by the caller: the API's `?overdue=`, which
# the deadlines answer (`deadlines.selectors.tasks_overdue`).
TaskFilter = Callable[[QuerySet[Task]], QuerySet[Task]]


def _inbox_branches(
    *, user: Any, flow_class: str | None = None, narrow: TaskFilter | None = None
) -> tuple[QuerySet[Any], QuerySet[Any]]:
    """The two halves of the inbox as (task id, created) rows, each read from an index: the
    people's claimed tasks (by owner), and the open tasks whose permission their groups hold
    (`InboxEntry`, which the database keeps in step with guardian's grants). Nothing loads a
    user's permissions into Python, and neither half grows with finished work."""
    people = self_and_principals(user=user)
    # Read first (one small query), so the planner sees the few group ids as constants.
    memberships = list(
        User.groups.through.objects.filter(user_id__in=people.values("pk"))
        .values_list("user_id", "group_id")
        .distinct()
    )
    groups = sorted({group_id for _user_id, group_id in memberships})
    acting_for_others = any(user_id != user.pk for user_id, _group_id in memberships)
    claimed = Task.objects.filter(
        owner_id__in=people.values("pk"), status=STATUS.ASSIGNED, flow_task_type="HUMAN"
    )
    # A task open to two of the people's groups has two entries: DISTINCT keeps one.
    entries = InboxEntry.objects.filter(group_id__in=groups)
    if acting_for_others:
        # Acting for an approver, one may have written what they approve: not theirs to do.
        authored = decisions_authored(user=user, tasks=Task.objects.filter(status__in=OPEN))
        claimed = claimed.exclude(pk__in=authored.values("pk"))
        entries = entries.exclude(task_id__in=authored.values("pk"))
    if flow_class is None and narrow is None:
        # The everyday inbox: the open half never reads the task table.
        open_keys = entries.values_list("task_id", "created").distinct().order_by()
        return claimed.values_list("pk", "created").order_by(), open_keys
    open_to_role = Task.objects.filter(pk__in=entries.values("task_id"))
    if flow_class is not None:
        claimed = claimed.filter(process__flow_class=flow_class)
        open_to_role = open_to_role.filter(process__flow_class=flow_class)
    if narrow is not None:
        claimed = narrow(claimed)
        open_to_role = narrow(open_to_role)
    return (
        claimed.values_list("pk", "created").order_by(),
        open_to_role.values_list("pk", "created").order_by(),
    )


def inbox_keys(
    *, user: Any, flow_class: str | None = None, narrow: TaskFilter | None = None
) -> QuerySet[Any]:
    """(task id, created) of the open tasks the user can act on now — assigned to them or to
    someone they act for, or unclaimed and open to a role they (or their principals) hold for
    that very process — oldest first, to count and page through without touching the rest of
    each row; `inbox_tasks` loads a page."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Task.objects.none().values_list("pk", "created")
    claimed, open_to_role = _inbox_branches(user=user, flow_class=flow_class, narrow=narrow)
    # UNION ALL: a claimed task is never also unclaimed, so there is nothing to de-duplicate.
    return claimed.union(open_to_role, all=True).order_by("created", "pk")


def inbox_tasks(keys: Iterable[tuple[Any, Any]]) -> QuerySet[Task]:
    """A page of `inbox_keys`, as tasks with what is shown beside them, in the inbox's order."""
    ids = [task_id for task_id, _created in keys]
    return tasks_with_context(Task.objects.filter(pk__in=ids)).order_by("created", "pk")


# The work queue's views (`/work/` and home): which of the open tasks a page lists.
QUEUE_VIEWS = ("all", "mine", "team", "claimed")


def _key_column(keys: QuerySet[Any]) -> QuerySet[Any]:
    """A branch of `_inbox_branches` as the one column a subquery compares with."""
    return keys.values(cast(Any, keys)._fields[0])


def queue_tasks(
    *, user: Any, view: str = "all", flow_class: str | None = None, narrow: TaskFilter | None = None
) -> QuerySet[Task]:
    """The open tasks of a work-queue view, as one query the page may annotate, order and
    slice: `all` what the user may act on now (the inbox), `mine` of those the ones claimed by
    nobody or by the user themselves (not by a principal they act for), `claimed` the ones the
    user claimed, `team` every open step of the user's institutions (claimed by colleagues
    too: who holds what), within what the user may see."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Task.objects.none()
    if view == "claimed":
        tasks = Task.objects.filter(owner=user, status=STATUS.ASSIGNED, flow_task_type="HUMAN")
    elif view == "team":
        codes = memberships_active(user=user).values_list("institution__code", flat=True)
        tasks = Task.objects.filter(
            status__in=OPEN,
            flow_task_type="HUMAN",
            data__institution__in=list(codes),
            process_id__in=processes_visible(user=user).values("pk"),
        )
    else:
        claimed, open_to_role = _inbox_branches(user=user)
        tasks = Task.objects.filter(
            pk__in=_key_column(claimed).union(_key_column(open_to_role), all=True)
        )
        if view == "mine":
            tasks = tasks.filter(Q(owner__isnull=True) | Q(owner=user))
    if flow_class is not None:
        tasks = tasks.filter(process__flow_class=flow_class)
    if narrow is not None:
        tasks = narrow(tasks)
    return tasks_with_context(tasks)


# The views whose ids `queue_task_ids` gives as the inbox's two halves, which never share a step.
INBOX_HALVES_VIEWS = ("all", "mine")


def queue_task_ids(*, user: Any, view: str = "all") -> list[QuerySet[Any]]:
    """The ids of `queue_tasks(user=user, view=view)`, as subqueries of one column each: a
    task is in the queue when it is in any of them. Views "all" and "mine" are the inbox's two
    halves as they are (owners by index, the inbox table index-only), without matching their ids
    with the task table: with 10,000 open tasks those lookups were most of a queue page's query.
    Kept apart, not one UNION: a UNION under `IN` makes the database gather and de-duplicate
    all the ids before it reads a row, where each half probes the rows directly (a queue page's
    query in a third of the time, `make bench` work_queue_pages). An inbox entry's task is
    unclaimed, so "mine" only narrows the claimed half."""
    if view not in INBOX_HALVES_VIEWS or not getattr(user, "is_authenticated", False):
        return [queue_tasks(user=user, view=view).values("pk")]
    if not user.is_active:
        return [Task.objects.none().values("pk")]
    claimed, open_to_role = _inbox_branches(user=user)
    if view == "mine":
        claimed = claimed.filter(owner=user)
    return [_key_column(claimed), _key_column(open_to_role)]
