"""Writes about processes and tasks: start, claim, unclaim, complete. Each is audited.

Every transition runs in one transaction that first locks the process row (the flow's
`lock_impl`, blocking) and then the task row (`select_for_update`): two officials clicking at
once queue on the lock, and the second finds the task no longer open (409).
"""

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from django.utils.translation import gettext
from guardian.models import GroupObjectPermission
from viewflow.workflow import PROCESS, STATUS
from viewflow.workflow.exceptions import FlowLockFailed, FlowRuntimeError
from viewflow.workflow.fields import get_flow_ref
from viewflow.workflow.models import Task

from audit.services import appended_together, audit_record
from config.errors import Conflict, NotFound
from config.prepared import planned_once
from config.text import control_characters_refused
from documents.services import refusals_recorded
from roles.models import Institution, Membership, User
from roles.permissions import (
    Acting,
    grant_each,
    groups_named,
    institution_group_name,
    role_group_name,
)
from roles.selectors import lane_people, memberships_active, role_holders, self_and_principals

from .attachments import process_documents_set
from .events import ProcessEvent, process_transitioned
from .flows import FLOWS, process_type_of
from .flows.common import head_roles
from .locking import LockedTask, locked_task
from .models import (
    PROCESS_VIEW,
    CoordinationProcess,
    permission_object,
    task_permission_codename,
)
from .nodes import HumanTask, tasks_opened
from .selectors import OPEN, RETURN_ACTIONS, decisions_authored, is_decision

logger = logging.getLogger(__name__)


def _lanes_granted(*, actor: Any, on_behalf_of: Any, flow_class: Any, process: Any) -> None:
    """Each (institution, role) group gets, on this process only, the permissions of the
    tasks in its lane; the originating institution and the flow's observers see the process.
    All in one batch: a process starts with several lanes, and citizens start many."""
    lanes: dict[str, list[str]] = {}
    for node in flow_class.instance.nodes():
        if isinstance(node, HumanTask) and node._owner_permission:
            institution = node.lane_institution(process)
            if institution is None:
                continue  # the lane does not apply to this process
            permissions = lanes.setdefault(
                role_group_name(institution, node.lane_role(process)), []
            )
            if node._owner_permission not in permissions:
                permissions.append(node._owner_permission)
    viewers = [
        institution_group_name(institution)
        for institution in [process.institution, *flow_class.instance.observers(process)]
    ]
    groups = groups_named([*lanes, *viewers])
    obj = permission_object(process)
    grant_each(
        actor=actor,
        on_behalf_of=on_behalf_of,
        created=True,  # the process was made in this transaction
        grants=[
            *((obj, groups[name], tuple(permissions)) for name, permissions in lanes.items()),
            *((obj, groups[name], PROCESS_VIEW) for name in dict.fromkeys(viewers)),
        ],
    )


@contextmanager
def _announced() -> Iterator[list[Task]]:
    """Collects the human tasks the flow opens inside the block (see nodes.tasks_opened)."""
    opened: list[Task] = []
    token = tasks_opened.set(opened)
    try:
        yield opened
    finally:
        tasks_opened.reset(token)


def _task_message(task_title: Any, process_title: str, comment: str | None) -> str:
    """The notice, in the active language (notify renders it once per recipient language)."""
    if comment is not None:
        return gettext("Returned: %(task)s — %(process)s: %(comment)s") % {
            "task": task_title,
            "process": process_title,
            "comment": comment,
        }
    return gettext("New task: %(task)s — %(process)s") % {
        "task": task_title,
        "process": process_title,
    }


def _opened_events(opened: list[Task], process: CoordinationProcess) -> list[ProcessEvent]:
    """The `task:<node>` event of each task the transition of `process` opened, and the further
    names its flow announces it under (`CoordinationFlow.task_events`: a re-transmission after
    a reconsideration is also `task:retransmit`). The flow reads the process the transition
    holds, not the task's own reference to it (a query per task)."""
    events = []
    for task in opened:
        events.append(ProcessEvent(f"task:{task.flow_task.name}", task.created, task))
        flow = task.flow_task.flow_class.instance
        events += [
            ProcessEvent(name, task.created, task) for name in flow.task_events(task, process)
        ]
    return events


def _tasks_announce(*, process: Any, opened: list[Task], returned_because: str | None) -> None:
    """Tell the people in each new task's lane (and their acting officials) that it waits for
    them; after a return it is a `returned` notice with the reason. However many tasks opened
    (a split to many recipients), their lanes' institutions, people and notices are each read
    or written at once."""
    from notifications.services import Notice, notify_many

    kind = "assigned" if returned_because is None else "returned"
    codes = {task.data["institution"] for task in opened} - {process.institution.code}
    institutions = {process.institution.code: process.institution}
    if codes:
        institutions |= {i.code: i for i in Institution.objects.filter(code__in=codes)}
    lanes = {
        task.pk: (institutions[task.data["institution"]].pk, task.data["role"]) for task in opened
    }
    people = lane_people(lanes.values())
    notices = []
    for task in opened:
        recipients = people[lanes[task.pk]]
        if is_decision(task.flow_task):
            # Not told to decide what they wrote (four eyes): an author acting for the mayor.
            recipients = [
                person for person in recipients if author_refusal(user=person, task=task) is None
            ]
        notices.append(
            Notice(
                recipients=recipients,
                kind=kind,
                message=partial(
                    _task_message, task.flow_task.task_title, process.title, returned_because
                ),
                process=process,
                task=task,
                key=f"task:{task.pk}:{kind}",
            )
        )
    notify_many(notices)


def starting_institution(*, flow_class: Any, person: Any) -> Institution | None:
    """Where the person may start this flow (their first membership holding a starter role)."""
    membership = (
        memberships_active(user=person)
        .filter(role__code__in=flow_class.instance.starter_roles)
        .select_related("institution")
        .order_by("pk")
        .first()
    )
    return membership.institution if membership else None


def process_start(
    *,
    flow_class: Any,
    actor: User,
    on_behalf_of: User | None = None,
    institution: Institution | None = None,
    fields: dict[str, Any],
    document_ids: Iterable[Any] = (),
) -> CoordinationProcess:
    """Start a process of the flow for an institution (default: the acting person's). The
    acting person (the principal under a delegation) must hold one of the flow's starter roles
    there; the flow validates `fields` (400 for what the law forbids)."""
    person = on_behalf_of or actor
    if institution is None:
        institution = starting_institution(flow_class=flow_class, person=person)
    if (
        institution is None
        or not memberships_active(user=person)
        .filter(institution=institution, role__code__in=flow_class.instance.starter_roles)
        .exists()
    ):
        raise PermissionDenied(gettext("Your role does not start this kind of process."))
    with refusals_recorded(actor=actor, on_behalf_of=on_behalf_of):
        return _started(
            flow_class=flow_class,
            actor=actor,
            on_behalf_of=on_behalf_of,
            institution=institution,
            fields=fields,
            document_ids=document_ids,
        )


def _started(
    *,
    flow_class: Any,
    actor: User | None,
    on_behalf_of: User | None,
    institution: Institution,
    fields: dict[str, Any],
    document_ids: Iterable[Any],
    in_callers_transaction: bool = False,
) -> CoordinationProcess:
    """Run the flow's start, attach the documents, grant the lanes, audit, announce the start
    and tell the first task's lane. `actor` None: the system starts it. A caller that writes
    its own record of the process in the same transaction (`in_callers_transaction`) rolls it
    back as a whole on failure: no savepoint of the start's own."""
    with transaction.atomic(savepoint=not in_callers_transaction), _announced() as opened:
        process = flow_class.start.run(actor=actor, institution=institution, fields=fields)
        documents = (
            process_documents_set(
                process=process, user=actor, document_ids=document_ids, starting=True
            )
            if actor is not None
            else []
        )
        _lanes_granted(
            actor=actor, on_behalf_of=on_behalf_of, flow_class=flow_class, process=process
        )
        audit_record(
            actor=actor,
            on_behalf_of=on_behalf_of,
            action="process.started",
            obj=permission_object(process),
            extra={
                "type": process_type_of(flow_class),
                "title": process.title,
                "institution": institution.code,
                "data": process.data,
                "documents": documents,
            },
        )
        process_transitioned.send(
            sender=CoordinationProcess,
            process=process,
            events=[ProcessEvent("started", process.created), *_opened_events(opened, process)],
            actor=actor,
            created=True,
        )
        _tasks_announce(process=process, opened=opened, returned_because=None)
    return process


def monthly_reports_start(*, month: str | None = None) -> list[CoordinationProcess]:
    """Start the month's report (default: the current month, local time) for every
    municipality that has none yet. Safe to run twice or from two workers at once: each
    municipality's row is locked while its report is looked for and started."""
    flow_class = FLOWS["monthly_report"]
    month = month or timezone.localdate().strftime("%Y-%m")
    started = []
    for institution_id in Institution.objects.filter(
        kind=Institution.Kind.MUNICIPALITY
    ).values_list("pk", flat=True):
        with transaction.atomic():
            institution = Institution.objects.select_for_update().get(pk=institution_id)
            exists = CoordinationProcess.objects.filter(
                institution=institution,
                flow_class=get_flow_ref(flow_class),
                data__month=month,
            ).exists()
            if not exists:
                started.append(
                    _started(
                        flow_class=flow_class,
                        actor=None,
                        on_behalf_of=None,
                        institution=institution,
                        fields={"month": month},
                        document_ids=(),
                    )
                )
    return started


# Tasks


def _grants_of_task_permission(process_id: int, owner_permission: str) -> QuerySet[Any]:
    """Guardian's grants of a task's permission on its process (to whichever groups). Both are
    values, not column references: the planner then looks the grants up by object, whatever
    its statistics say (compared with the task's columns, a stale estimate once made it hash
    every grant of the permission)."""
    codename = task_permission_codename(owner_permission)
    if codename is None:
        return GroupObjectPermission.objects.none()
    content_type = ContentType.objects.get_for_model(CoordinationProcess)
    return GroupObjectPermission.objects.filter(
        content_type_id=content_type.pk,
        object_pk=str(process_id),
        permission__content_type_id=content_type.pk,
        permission__codename=codename,
    )


def granted_type_id() -> int:
    """The content type task permissions are granted on, unless a task has a row of its own."""
    return ContentType.objects.get_for_model(CoordinationProcess).pk


def _holders(*, people: QuerySet[User], task: Task) -> set[int]:
    """Which of these people hold the task's permission on its process, through the groups of
    their institution and role (roles.permissions grants only to groups) — one query."""
    if not task.owner_permission:
        return set()  # no task is open to everyone
    granted = _grants_of_task_permission(task.process_id, task.owner_permission)
    own_object = task.owner_permission_content_type_id
    if own_object is not None and own_object != granted_type_id():
        # A task permitted on a row of its own (see locking.locked_task), not on its process.
        granted = GroupObjectPermission.objects.filter(
            content_type_id=own_object,
            object_pk=task.owner_permission_obj_pk,
            permission__content_type_id=own_object,
            permission__codename=task.owner_permission.partition(".")[2],
        )
    return set(
        User.groups.through.objects.filter(
            user_id__in=people.filter(is_active=True).values("pk"),
            group_id__in=granted.values("group_id"),
        ).values_list("user_id", flat=True)
    )


def task_acting(
    *,
    user: Any,
    task: Task,
    principal: Any = None,
    ignore_owner: bool = False,
    holds_permission: bool = False,
) -> Acting | None:
    """Who acts on the task: the user in their own right, or on behalf of a principal who
    delegated to them (the one named, else one who qualifies). A claimed task is acted on only
    by its owner or the owner's acting official. `holds_permission`: the task's lock found the
    user's own groups holding its permission (`locking.LockedTask`), nothing to ask again."""
    if (
        principal is None
        and holds_permission
        and user.is_active
        and (ignore_owner or task.owner_id in (None, user.pk))
    ):
        return Acting(user=user, on_behalf_of=None)
    if principal is not None:
        candidates = User.objects.filter(pk=principal.pk)
    else:
        candidates = self_and_principals(user=user)
    if task.owner_id and not ignore_owner:
        candidates = candidates.filter(pk=task.owner_id)
    holders = _holders(people=candidates, task=task)
    if user.pk in holders and principal is None:
        return Acting(user=user, on_behalf_of=None)
    if holders:
        person = principal if principal is not None else User.objects.get(pk=min(holders))
        return Acting(user=user, on_behalf_of=None if person.pk == user.pk else person)
    return None


@contextmanager
def _locked(task_id: int, caller: User) -> Iterator[LockedTask]:
    """The task, locked (see locking.locked_task), for the length of the block's transaction.
    Every claim, unclaim and completion runs in here: key look-ups and inserts, planned once,
    and the audit entries appended last, so the chain's head is held only up to the commit."""
    with planned_once(), transaction.atomic(), appended_together():
        locked = locked_task(task_id, caller)
        if locked is None:
            raise Conflict(gettext("The task no longer exists."), code="task_gone")
        yield locked


def author_refusal(
    *, user: Any, task: Task, authored: bool | None = None
) -> PermissionDenied | None:
    """Why the user may not decide the task although they act on it: they wrote the item
    (`selectors.decisions_authored`; `authored` when the task's lock answered it already);
    None when they may."""
    if not is_decision(task.flow_task):
        return None  # no need to ask the database
    if authored is None:
        authored = decisions_authored(user=user, tasks=Task.objects.filter(pk=task.pk)).exists()
    if not authored:
        return None
    return PermissionDenied(gettext("You wrote this item: someone else approves or returns it."))


def _acting_or_refusal(
    *, user: Any, task: Task, principal: Any, lock: LockedTask | None = None
) -> Acting | Exception:
    """Who acts on the task, or why the user may not now (the task is done, someone else
    claimed it: a conflict; else not theirs): the one rule of the services and the task page."""
    if task.status not in OPEN or not isinstance(task.flow_task, HumanTask):
        return Conflict(gettext("The task is already done."), code="task_done")
    holds = lock is not None and lock.holds_permission
    acting = task_acting(user=user, task=task, principal=principal, holds_permission=holds)
    if acting is not None:
        authored = lock.authored if lock is not None else None
        return author_refusal(user=user, task=task, authored=authored) or acting
    if task.owner_id and task_acting(
        user=user, task=task, principal=principal, ignore_owner=True, holds_permission=holds
    ):
        return Conflict(gettext("Someone else has claimed the task."), code="task_claimed")
    return PermissionDenied(gettext("This task is not yours to act on."))


def task_refusal(*, user: Any, task: Task, principal: Any = None) -> Exception | None:
    """Why the user cannot act on the task now, as claiming or completing it would refuse
    (a `Conflict` or `PermissionDenied`), or None when they can."""
    result = _acting_or_refusal(user=user, task=task, principal=principal)
    return result if isinstance(result, Exception) else None


def _acting_or_refuse(*, user: Any, locked: LockedTask, principal: Any) -> Acting:
    result = _acting_or_refusal(user=user, task=locked.task, principal=principal, lock=locked)
    if isinstance(result, Exception):
        raise result
    return result


def _audit(*, acting: Acting, action: str, task: Task, extra: dict[str, Any] | None = None) -> None:
    audit_record(
        actor=acting.user,
        on_behalf_of=acting.on_behalf_of,
        action=action,
        obj=permission_object(task.process),
        extra={"task_id": task.pk, "task": task.flow_task.name, **(extra or {})},
    )


def _assign(activation: Any, acting: Acting) -> None:
    """A claim under a delegation is made for the principal: it stays in their inbox and
    in their acting official's."""
    activation.task.assigned = timezone.now()
    activation.assign(acting.on_behalf_of or acting.user)


def task_claim(*, actor: User, task_id: int, on_behalf_of: User | None = None) -> Task:
    with _locked(task_id, actor) as locked:
        task = locked.task
        acting = _acting_or_refuse(user=actor, locked=locked, principal=on_behalf_of)
        if task.status == STATUS.ASSIGNED:
            return task  # already theirs (or their principal's): nothing changes
        activation = task.flow_task.activation_class(task)
        _assign(activation, acting)
        _audit(acting=acting, action="task.claimed", task=task)
    return task


def task_unclaim(*, actor: User, task_id: int, on_behalf_of: User | None = None) -> Task:
    with _locked(task_id, actor) as locked:
        task = locked.task
        acting = _acting_or_refuse(user=actor, locked=locked, principal=on_behalf_of)
        if task.status == STATUS.NEW:
            return task
        activation = task.flow_task.activation_class(task)
        activation.unassign()
        _audit(acting=acting, action="task.unclaimed", task=task)
    return task


def task_complete(
    *,
    actor: User,
    task_id: int,
    action: str,
    comment: str = "",
    data: dict[str, Any] | None = None,
    on_behalf_of: User | None = None,
) -> Task:
    """Complete the task with one of its actions; a task open to the caller's role is claimed
    on the way. A task already done, or claimed by someone else, is a conflict (409)."""
    comment = control_characters_refused((comment or "").strip(), "comment", one_line=False)
    data = data or {}
    if not isinstance(data, dict):
        raise ValidationError({"data": [gettext("Give an object.")]})
    with (
        refusals_recorded(actor=actor, on_behalf_of=on_behalf_of),
        _locked(task_id, actor) as locked,
        _announced() as opened,
    ):
        task = locked.task
        acting = _acting_or_refuse(user=actor, locked=locked, principal=on_behalf_of)
        node: HumanTask = task.flow_task
        if action not in node.actions:
            raise ValidationError(
                {"action": [gettext("Choose one of: %s.") % ", ".join(node.actions)]}
            )
        activation = node.activation_class(task)
        claimed = task.status == STATUS.NEW
        if claimed:
            # The implicit claim is saved with the completion, not in a write of its own.
            task.owner = acting.on_behalf_of or acting.user
            task.assigned = timezone.now()
            task.status = STATUS.ASSIGNED
        activation.start(None)
        process = activation.process
        before = (process.title, process.institution_id)
        extra = node.on_complete(
            activation, acting=acting, action=action, comment=comment, data=data
        )
        # The reason an item is sent back (the handler's, else the comment): in the step's row
        # of the history, the audit entry and the `returned` notice, and never cleared.
        reason = str(extra.get("reason") or (comment if action in RETURN_ACTIONS else ""))
        # Domain events the handler reports (e.g. `transmitted` at the transmission time) are
        # announced with their own times, like the task's completion is.
        events = [
            ProcessEvent(f"done:{node.name}", timezone.now(), task),
            *(ProcessEvent(name, at, task) for name, at in extra.pop("events", ())),
        ]
        # Most actions change only the flow's JSON: one UPDATE instead of one per table.
        changed_columns = (process.title, process.institution_id) != before
        process.save(update_fields=None if changed_columns else ["data"])
        task.data.update(
            {
                "action": action,
                "comment": comment,
                "completed_by": acting.user.get_username(),
                "on_behalf_of": (
                    acting.on_behalf_of.get_username() if acting.on_behalf_of else None
                ),
                **({"reason": reason} if reason else {}),
                # What the step decided (a meeting's outcome, MAPL's finding), for its row.
                **({"outcome": str(extra["outcome"])} if extra.get("outcome") else {}),
            }
        )
        # Recorded before the flow moves on, so what the next steps record follows it.
        _audit(
            acting=acting,
            action="task.completed",
            task=task,
            extra={
                "action": action,
                "comment": comment,
                "claimed": claimed,
                **({"reason": reason} if reason else {}),
                **extra,
            },
        )
        activation.execute()
        # The step's completion, then the steps it opened: announced together, once.
        process_transitioned.send(
            sender=CoordinationProcess,
            process=process,
            events=events + _opened_events(opened, process),
            actor=acting.user,
        )
        _tasks_announce(
            process=activation.process,
            opened=opened,
            returned_because=reason if action in RETURN_ACTIONS else None,
        )
    return task


def timers_fire() -> int:
    """Fire every due viewflow timer (a press statement's embargo, an access request's decision
    time) and announce each process it moved, in that transition's own transaction; returns how
    many fired. A timer on a step's border that interrupts it announces `timeout:<step>` with
    the interrupted task first, so the step's clocks close (`deadlines.clock`). The one way
    timers fire: Celery beat's `fire_workflow_timers` and the deadline sweep both call it. Safe
    to run from several workers at once: each timer is re-checked under its process lock, and
    one locked elsewhere is left to the next run."""
    fired = 0
    due = Task.objects.filter(
        flow_task_type="TIMER", status=STATUS.SCHEDULED, scheduled__lte=timezone.now()
    ).order_by("scheduled")
    for task in due:
        try:
            with transaction.atomic(), task.activation() as activation, _announced() as opened:
                start = getattr(activation, "start", None)
                if start is None:  # its node was renamed or removed: it can never fire
                    logger.warning("timer task %s names a missing node", task.pk)
                    continue
                if not start.can_proceed():
                    continue
                # A timer on a step's border (`.OnTimeout`) hangs on that step's task: the
                # steps still waiting now and canceled after it fired ran out of time.
                waiting = list(task.previous.filter(status__in=WAITING))
                activation.start()
                activation.execute()
                fired += 1
                now = timezone.now()
                interrupted = (
                    Task.objects.filter(
                        pk__in=[host.pk for host in waiting], status=STATUS.CANCELED
                    ).order_by("pk")
                    if waiting
                    else []
                )
                process = CoordinationProcess.objects.get(pk=task.process_id)
                process_transitioned.send(
                    sender=CoordinationProcess,
                    process=process,
                    events=[
                        *(
                            ProcessEvent(f"timeout:{host.flow_task.name}", now, host)
                            for host in interrupted
                        ),
                        ProcessEvent(f"done:{task.flow_task.name}", now, task),
                        *_opened_events(opened, process),
                    ],
                    actor=None,
                )
                _tasks_announce(process=process, opened=opened, returned_because=None)
        except FlowLockFailed:
            logger.info("timer task %s is locked by another worker; left for the next run", task.pk)
        except Exception:  # one broken flow must not keep the others' timers from firing
            logger.exception("timer task %s failed to fire", task.pk)
    return fired


# What happens from outside the engine: a member of the public submits or follows up (the
# process apps' public endpoints). Announced like every other transition.


def process_start_registered(
    *,
    flow_class: Any,
    actor: User | None,
    on_behalf_of: User | None = None,
    institution: Institution,
    fields: dict[str, Any],
) -> CoordinationProcess:
    """Start the process of something the public submitted, inside the caller's transaction
    that records it. Registered by an official (a walk-in, a letter, a call), the official
    starts it, holding a starter role; from the portal (`actor` None) nobody signed in does:
    the same grants, audit entry, announcement and notices, with no actor."""
    if not connection.in_atomic_block:
        raise TransactionManagementError("Start it inside the transaction that records it.")
    if actor is None:
        return _started(
            flow_class=flow_class,
            actor=None,
            on_behalf_of=None,
            institution=institution,
            fields=fields,
            document_ids=(),
            in_callers_transaction=True,
        )
    return process_start(
        flow_class=flow_class,
        actor=actor,
        on_behalf_of=on_behalf_of,
        institution=institution,
        fields=fields,
    )


def handle_run(*, process_id: int, node: Any, **kwargs: Any) -> CoordinationProcess:
    """Run the process's waiting `flow.Handle` step `node` with `kwargs` (something happened
    outside the engine, e.g. a complaint filed on the portal), under the process lock, and
    announce the transition. No such step waiting → Conflict."""
    with transaction.atomic(), _announced() as opened:
        task = (
            Task.objects.filter(process_id=process_id, flow_task=node, status=STATUS.NEW)
            .order_by("-pk")
            .first()
        )
        if task is None:
            raise Conflict(gettext("The process does not wait for this."), code="not_waiting")
        node.run(task, **kwargs)
        process = CoordinationProcess.objects.select_related("institution").get(pk=process_id)
        process_transitioned.send(
            sender=CoordinationProcess,
            process=process,
            events=[
                ProcessEvent(f"done:{node.name}", timezone.now(), task),
                *_opened_events(opened, process),
            ],
            actor=None,
        )
        _tasks_announce(process=process, opened=opened, returned_because=None)
    return process


# Withdrawal

# Statuses of a task that still waits for someone or something: closed by a withdrawal.
WAITING = (STATUS.NEW, STATUS.ASSIGNED, STATUS.SCHEDULED)


def _cancel_acting(
    *, user: User, process: CoordinationProcess, roles: Iterable[str], principal: Any
) -> Acting | None:
    """Who withdraws the process: the user holding one of `roles` in the institution that
    started it, or a principal who delegated to them and holds one (the one named, else one
    who qualifies); None when neither does."""
    candidates = (
        User.objects.filter(pk=principal.pk)
        if principal is not None
        else self_and_principals(user=user)
    )
    holders = set(
        Membership.objects.active()
        .filter(
            user__in=candidates,
            user__is_active=True,
            institution_id=process.institution_id,
            role__code__in=list(roles),
        )
        .values_list("user_id", flat=True)
    )
    if user.pk in holders and principal is None:
        return Acting(user=user, on_behalf_of=None)
    if not holders:
        return None
    person = principal if principal is not None else User.objects.get(pk=min(holders))
    return Acting(user=user, on_behalf_of=None if person.pk == user.pk else person)


def _people_with_tasks(process: CoordinationProcess, tasks: list[Task]) -> list[User]:
    """Everyone who had a task of the process: who started it, claimed or completed a step (and
    for whom), and the people of each waiting step's lane."""
    usernames = {
        name
        for task in tasks
        for name in ((task.data or {}).get("completed_by"), (task.data or {}).get("on_behalf_of"))
        if name
    }
    ids = {task.owner_id for task in tasks if task.owner_id}
    people: dict[int, User] = {
        user.pk: user for user in User.objects.filter(Q(pk__in=ids) | Q(username__in=usernames))
    }
    lanes = {
        ((task.data or {}).get("institution"), (task.data or {}).get("role"))
        for task in tasks
        if task.status in WAITING and isinstance(task.flow_task, HumanTask)
    }
    institutions = {
        institution.code: institution
        for institution in Institution.objects.filter(code__in={code for code, _ in lanes})
    }
    for code, role in lanes:
        if code in institutions and role:
            for user in role_holders(institution=institutions[code], role=role):
                people.setdefault(user.pk, user)
    return list(people.values())


def process_cancel(
    *, actor: User, process_id: Any, reason: str, on_behalf_of: User | None = None
) -> CoordinationProcess:
    """Withdraw a process that is not done, with its reason: by the head of the institution
    that started it (the flow's `cancel_roles`), in their own right or for a principal who
    delegated to them. Its waiting steps close, its clocks stop, neither met nor missed (the
    `canceled` event), everyone who had one of its tasks is told, and the audit log records it.
    A process already done or withdrawn is a conflict (409); anybody else who sees it, 403."""
    from notifications.services import notify

    process = CoordinationProcess.objects.filter(pk=process_id).first()
    if process is None or process.flow_class is None:
        raise NotFound()
    flow_class = process.flow_class
    with transaction.atomic(), flow_class.lock(process.pk), appended_together():
        process = flow_class.process_class.objects.select_related("institution").get(pk=process.pk)
        if process.status != PROCESS.NEW:
            raise Conflict(gettext("The process is no longer running."), code="process_done")
        acting = _cancel_acting(
            user=actor,
            process=process,
            roles=flow_class.instance.cancel_roles(process)
            if hasattr(flow_class.instance, "cancel_roles")
            else head_roles(process.institution),
            principal=on_behalf_of,
        )
        if acting is None:
            raise PermissionDenied(
                gettext("Only the head of the institution that started it withdraws it.")
            )
        reason = control_characters_refused((reason or "").strip(), "reason", one_line=False)
        if not reason:
            raise ValidationError({"reason": [gettext("Say why the process is withdrawn.")]})
        tasks = list(Task.objects.filter(process_id=process.pk).select_related("owner"))
        waiting = [task for task in tasks if task.status in WAITING]
        told = [person for person in _people_with_tasks(process, tasks) if person.pk != actor.pk]
        now = timezone.now()
        canceled = getattr(flow_class.instance, "canceled", None)
        record = {
            "at": now.isoformat(),
            "by": actor.get_username(),
            "on_behalf_of": acting.on_behalf_of.get_username() if acting.on_behalf_of else None,
            "reason": reason,
            "steps": sorted({task.flow_task.name for task in waiting}),
            **(canceled(process) if canceled is not None else {}),
        }
        process.data["cancellation"] = record
        try:
            flow_class.instance.cancel(process)
        except FlowRuntimeError as error:
            raise Conflict(str(error), code="not_cancelable") from error
        audit_record(
            actor=acting.user,
            on_behalf_of=acting.on_behalf_of,
            action="process.canceled",
            obj=permission_object(process),
            extra={**record, "tasks": [task.pk for task in waiting]},
        )
        process_transitioned.send(
            sender=CoordinationProcess,
            process=process,
            events=[ProcessEvent("canceled", now)],
            actor=acting.user,
        )
        title = process.title
        notify(
            recipients=told,
            kind="canceled",
            message=lambda: (
                gettext("Withdrawn: %(process)s — %(reason)s")
                % {"process": title, "reason": reason}
            ),
            process=process,
            key=f"process:{process.pk}:canceled",
        )
    return process
