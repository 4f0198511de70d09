"""Writes about processes and tasks: start, claim, unclaim, complete. Each is audited.

Every transition runs in one transaction that first locks the process row (the flow's
`lock_impl`, blocking) and then the task row (`select_for_update`): two officials clicking at
once queue on the lock, and the second finds the task no longer open (409).
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from guardian.core import ObjectPermissionChecker
from viewflow.workflow import STATUS
from viewflow.workflow.models import Task

from audit.services import audit_record
from config.api import Conflict
from documents.access import documents_visible
from documents.models import Document
from roles.models import Institution, Role, User
from roles.permissions import Acting, grant_to_institution, grant_to_role
from roles.selectors import principals_for

from .flows.assembly_decision import (
    MUNICIPAL_ASSEMBLY_OFFICER,
    PROCESS_VIEW,
    AssemblyDecisionFlow,
)
from .models import AssemblyDecisionProcess, CoordinationProcess, permission_object
from .nodes import HumanTask

OPEN = (STATUS.NEW, STATUS.ASSIGNED)


def process_documents_set(
    *, process: CoordinationProcess, user: Any, document_ids: Iterable[Any]
) -> list[int]:
    """Attach exactly these documents; each must be visible to the user. Returns the ids."""
    if isinstance(document_ids, str | bytes) or not isinstance(document_ids, Iterable):
        raise ValidationError({"documents": [gettext("Give a list of document ids.")]})
    ids: set[int] = set()
    for value in document_ids:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValidationError({"documents": [gettext("Document ids are whole numbers.")]})
        try:
            number = int(value)
        except ValueError as error:
            raise ValidationError(
                {"documents": [gettext("Document ids are whole numbers.")]}
            ) from error
        if not 0 < number < 2**63:
            raise ValidationError({"documents": [gettext("No such document: %s.") % value]})
        ids.add(number)
    found = set(documents_visible(user=user).filter(pk__in=ids).values_list("pk", flat=True))
    missing = sorted(ids - found)
    if missing:
        raise ValidationError(
            {"documents": [gettext("No such document: %s.") % ", ".join(map(str, missing))]}
        )
    process.documents.set(Document.objects.filter(pk__in=found))
    return sorted(found)


def _lanes_granted(*, actor: Any, on_behalf_of: Any, flow_class: Any, process: Any) -> None:
    """Each (institution, role) group gets, on this process only, the permissions of the
    tasks in its lane; the originating institution sees the process."""
    lanes: dict[tuple[int, str], tuple[Institution, list[str]]] = {}
    for node in flow_class.instance.nodes():
        if isinstance(node, HumanTask) and node._owner_permission:
            institution = node.lane_institution(process)
            _, permissions = lanes.setdefault((institution.pk, node.role), (institution, []))
            if node._owner_permission not in permissions:
                permissions.append(node._owner_permission)
    obj = permission_object(process)
    roles = {role.code: role for role in Role.objects.filter(code__in={r for _, r in lanes})}
    for (_, role_code), (institution, permissions) in lanes.items():
        grant_to_role(
            actor=actor,
            on_behalf_of=on_behalf_of,
            perm=tuple(permissions),
            obj=obj,
            institution=institution,
            role=roles[role_code],
        )
    grant_to_institution(
        actor=actor,
        on_behalf_of=on_behalf_of,
        perm=PROCESS_VIEW,
        obj=obj,
        institution=process.institution,
    )


def process_start_assembly_decision(
    *,
    actor: User,
    on_behalf_of: User | None = None,
    institution: Institution,
    title: str,
    adopted_on: date,
    document_ids: Iterable[int] = (),
) -> AssemblyDecisionProcess:
    """The assembly office registers a decision; the chair's sign-off task opens.
    The acting person (the principal under a delegation) must be an assembly officer there."""
    from roles.selectors import user_has_role

    person = on_behalf_of or actor
    if not user_has_role(user=person, role=MUNICIPAL_ASSEMBLY_OFFICER, institution=institution):
        raise PermissionDenied(gettext("Only the assembly office registers assembly decisions."))
    if institution.kind != Institution.Kind.MUNICIPALITY:
        raise ValidationError({"institution": [gettext("Only municipalities have assemblies.")]})
    with transaction.atomic():
        process = AssemblyDecisionFlow.start.run(
            actor=actor, institution=institution, title=title, adopted_on=adopted_on
        )
        documents = process_documents_set(process=process, user=actor, document_ids=document_ids)
        _lanes_granted(
            actor=actor, on_behalf_of=on_behalf_of, flow_class=AssemblyDecisionFlow, process=process
        )
        audit_record(
            actor=actor,
            on_behalf_of=on_behalf_of,
            action="process.started",
            obj=permission_object(process),
            extra={
                "type": "assembly_decision",
                "title": process.title,
                "institution": institution.code,
                "data": process.data,
                "documents": documents,
            },
        )
    return process


# Tasks


def _holds(person: Any, task: Task) -> bool:
    if not task.owner_permission or not person.is_active:
        return False  # no task is open to everyone
    codename = task.owner_permission.split(".", 1)[-1]
    return ObjectPermissionChecker(person).has_perm(codename, permission_object(task.process))


def task_acting(
    *, user: Any, task: Task, principal: Any = None, ignore_owner: bool = False
) -> Acting | None:
    """Who acts on the task: the user in their own right, or on behalf of a principal who
    delegated to them (the one named, else the first who qualifies). A claimed task is acted
    on only by its owner or the owner's acting official."""
    candidates = [principal] if principal is not None else [user, *principals_for(deputy=user)]
    if task.owner_id and not ignore_owner:
        candidates = [person for person in candidates if person.pk == task.owner_id]
    for person in candidates:
        if _holds(person, task):
            return Acting(user=user, on_behalf_of=None if person.pk == user.pk else person)
    return None


@contextmanager
def _locked(task_id: int) -> Iterator[Task]:
    """The task, with the process row then the task row locked (in that order everywhere, so
    claim, complete and viewflow's own views queue rather than deadlock)."""
    head = Task.objects.only("pk", "process_id", "flow_task").filter(pk=task_id).first()
    if head is None:
        raise Conflict(gettext("The task no longer exists."), code="task_gone")
    with transaction.atomic(), head.flow_task.flow_class.lock(head.process_id):
        yield Task.objects.select_for_update().select_related("process").get(pk=task_id)


def _acting_or_refuse(*, user: Any, task: Task, principal: Any) -> Acting:
    if task.status not in OPEN or not isinstance(task.flow_task, HumanTask):
        raise Conflict(gettext("The task is already done."), code="task_done")
    acting = task_acting(user=user, task=task, principal=principal)
    if acting is not None:
        return acting
    if task.owner_id and task_acting(user=user, task=task, principal=principal, ignore_owner=True):
        raise Conflict(gettext("Someone else has claimed the task."), code="task_claimed")
    raise PermissionDenied(gettext("This task is not yours to act on."))


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
    with _locked(task_id) as task:
        acting = _acting_or_refuse(user=actor, task=task, principal=on_behalf_of)
        if task.status == STATUS.ASSIGNED:
            return task  # already theirs (or their principal's): nothing changes
        activation = task.flow_task.activation_class(task)
        _assign(activation, acting)
        _audit(acting=acting, action="task.claimed", task=task)
    return task


def task_unclaim(*, actor: User, task_id: int, on_behalf_of: User | None = None) -> Task:
    with _locked(task_id) as task:
        acting = _acting_or_refuse(user=actor, task=task, principal=on_behalf_of)
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
    comment = (comment or "").strip()
    data = data or {}
    if not isinstance(data, dict):
        raise ValidationError({"data": [gettext("Give an object.")]})
    with _locked(task_id) as task:
        acting = _acting_or_refuse(user=actor, task=task, principal=on_behalf_of)
        node: HumanTask = task.flow_task
        if action not in node.actions:
            raise ValidationError(
                {"action": [gettext("Choose one of: %s.") % ", ".join(node.actions)]}
            )
        activation = node.activation_class(task)
        claimed = task.status == STATUS.NEW
        if claimed:
            _assign(activation, acting)
        activation.start(None)
        extra = node.on_complete(
            activation, acting=acting, action=action, comment=comment, data=data
        )
        activation.process.save()
        task.data.update(
            {
                "action": action,
                "comment": comment,
                "completed_by": acting.user.get_username(),
                "on_behalf_of": (
                    acting.on_behalf_of.get_username() if acting.on_behalf_of else None
                ),
            }
        )
        activation.execute()
        _audit(
            acting=acting,
            action="task.completed",
            task=task,
            extra={"action": action, "comment": comment, "claimed": claimed, **extra},
        )
    return task
