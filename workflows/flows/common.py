"""What every flow shares: role codes, the central institutions, input checks that turn what
the law forbids into a 400 with the field's name, and `CoordinationFlow` with the node builders
(`approval`, `step`, `approved_gate`) that let a process be a short declarative file: its lanes,
its approve → check → revise loop, its reasons for a return, its cancellation."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import dateparse, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from audit.services import audit_record_many
from config.text import control_characters_refused
from documents.access import documents_forwardable
from documents.models import Document
from documents.services import document_share
from roles.models import Institution, Role
from roles.permissions import Acting

from ..models import permission_object
from ..nodes import HumanTask, If

# Role codes (roles/catalogue.py)
ASSEMBLY_OFFICER = "assembly_officer"
ASSEMBLY_CHAIR = "assembly_chair"
INFORMATION_OFFICER = "information_officer"
MAYOR = "mayor"
COMMUNICATIONS_OFFICER = "communications_officer"
MINISTER = "minister"
REGISTRY_CLERK = "registry_clerk"
LEGAL_REVIEWER = "legal_reviewer"
COMMUNICATIONS_COORDINATOR = "communications_coordinator"
GOVERNMENT_SECRETARY = "government_secretary"
HEAD_OF_UNIT = "head_of_unit"

# Who heads an institution of each kind (the reading of "the head" the deadline rules'
# escalations and the consultations use): the catalogue has no head of a whole government
# office or agency, so there the Secretariat's officials and the heads of units stand in.
HEAD_ROLES = {
    Institution.Kind.MUNICIPALITY: (MAYOR,),
    Institution.Kind.MINISTRY: (MINISTER,),
    Institution.Kind.GOVERNMENT_OFFICE: (GOVERNMENT_SECRETARY,),
    Institution.Kind.CENTRAL_OFFICE: (GOVERNMENT_SECRETARY,),
}
OFFICIAL_LANGUAGES = ("sq", "sr")


def head_roles(institution: Institution) -> tuple[str, ...]:
    return HEAD_ROLES.get(institution.kind, (HEAD_OF_UNIT,))  # type: ignore[call-overload]


def decision_recorded(
    process: Any, flag: str, *, action: str, comment: str, why: str
) -> dict[str, Any]:
    """An approve-or-return step: `flag` on the process says which it was; a return without a
    comment is refused with `why` (what the comment must say). The task handlers' answer."""
    if action == "return" and not comment:
        raise ValidationError({"comment": [why]})
    setattr(process, flag, action == "approve")
    return {}


def reason_given(value: Any, *, field: str = "comment", why: str, required: bool = True) -> str:
    """The reason for a return: not empty (else a 400 on `field` saying `why`), one a person
    typed. The handler returns it as `{"reason": …}`: the services put it in the step's row of
    the history, the audit entry and the `returned` notice."""
    reason = text_checked(value, field, required=False)
    if required and not reason:
        raise ValidationError({field: [why]})
    return reason


def languages_of(documents: Iterable[Document], bilingual: Iterable[int] = ()) -> set[str]:
    """The languages a set of registered documents carries: each one's own, and both official
    ones for a document marked bilingual (one file with the Albanian and the Serbian text)."""
    marked = set(bilingual)
    languages: set[str] = set()
    for document in documents:
        languages |= set(OFFICIAL_LANGUAGES) if document.pk in marked else {document.language}
    return languages


def missing_languages(languages: set[str]) -> list[str]:
    """The official languages missing, named in the active language."""
    names = {"sq": gettext("Albanian"), "sr": gettext("Serbian")}
    return [names[code] for code in OFFICIAL_LANGUAGES if code not in languages]


def documents_sent(process: Any, institution: Institution, *, acting: Acting) -> dict[str, Any]:
    """The institution a process is sent to reads its documents from then on: the process's
    institution's own, and another's only with its owner's consent on record
    (`documents.access.documents_forwardable`); any other stays where it was, withheld and
    recorded. Each is shared once: `data["shared_documents"]` remembers them, so a process sent
    again after a revision shares only what the revision attached. What the completion's audit
    entry adds: the ids withheld, if any."""
    shared = set(process.data.get("shared_documents") or [])
    unshared = process.documents.exclude(pk__in=shared).exclude(institution=institution)
    sendable = documents_forwardable(institution=process.institution, queryset=unshared)
    withheld = list(unshared.exclude(pk__in=sendable.values("pk")).order_by("pk"))
    for document in sendable.order_by("pk"):
        document_share(
            actor=acting.user,
            on_behalf_of=acting.on_behalf_of,
            document=document,
            institution=institution,
            forwarded_by=process.institution,
        )
        shared.add(document.pk)
    process.data["shared_documents"] = sorted(shared)
    if not withheld:
        return {}
    audit_record_many(
        actor=acting.user,
        on_behalf_of=acting.on_behalf_of,
        action="document.withheld",
        objects=withheld,
        extra={
            "institution": institution.code,
            "forwarded_by": process.institution.code,
            "process": process.pk,
        },
    )
    return {"withheld_documents": [document.pk for document in withheld]}


def central_office() -> Institution:
    """The Office of the Prime Minister, home of ZKP and the Government Secretariat."""
    return Institution.objects.get(code=getattr(settings, "CENTRAL_OFFICE", "ZKM"))


def is_municipality(institution: Institution) -> bool:
    return institution.kind == Institution.Kind.MUNICIPALITY


def title_checked(value: Any, field: str = "title") -> str:
    title = control_characters_refused(str(value or "").strip(), field, one_line=True)
    if not title:
        raise ValidationError({field: [gettext("Give a title.")]})
    return title[:500]


def text_checked(value: Any, field: str, *, required: bool) -> str:
    text = control_characters_refused(str(value or "").strip(), field, one_line=False)
    if required and not text:
        raise ValidationError({field: [gettext("This language is required.")]})
    return text


def date_checked(value: Any, field: str) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dateparse.parse_date(value)
        except ValueError:
            value = None
    if not isinstance(value, date):
        raise ValidationError({field: [gettext("Give a date as YYYY-MM-DD.")]})
    return value


def not_in_future(value: Any, field: str) -> date:
    checked = date_checked(value, field)
    if checked > timezone.localdate():
        raise ValidationError({field: [gettext("This date cannot be in the future.")]})
    return checked


def not_in_past(value: Any, field: str) -> date:
    checked = date_checked(value, field)
    if checked < timezone.localdate():
        raise ValidationError({field: [gettext("This date is in the past.")]})
    return checked


def moment_checked(value: Any, field: str) -> datetime | None:
    """An aware date-time, or None for an empty value."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = dateparse.parse_datetime(value)
        except ValueError:
            value = None
    if not isinstance(value, datetime):
        raise ValidationError({field: [gettext("Give a date and time in ISO 8601.")]})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


# The base of every flow, and the nodes they are built of


def step(
    title: Any,
    *,
    lane: tuple[Any, Any],
    permission: str,
    actions: tuple[str, ...],
    handler: Any,
    then: Any,
    form: Any = None,
) -> HumanTask:
    """A task people do: its title, its lane (institution, role), the permission granted on
    the process to that lane, the actions that complete it and the handler that applies them,
    the fields the page shows for `data`, and the node that follows."""
    node = (
        HumanTask()
        .Annotation(title=title)
        .Lane(*lane)
        .Permission(permission, obj=permission_object)
        .Actions(*actions, handler=handler)
    )
    if form is not None:
        node = node.Form(form)
    return node.Next(then)


def approval(
    title: Any, *, lane: tuple[Any, Any], permission: str, then: Any, handler: Any = None
) -> HumanTask:
    """An approve-or-return step (`CoordinationFlow.approved` unless another handler); a gate
    (`approved_gate`) then sends the item on or back to its revision."""
    return step(
        title,
        lane=lane,
        permission=permission,
        actions=("approve", "return"),
        handler=handler if handler is not None else this.approved,
        then=then,
    )


def approved_gate(title: Any, *, then: Any, otherwise: Any, flag: str = "approved") -> If:
    """Where an approval leads: on when the process's `flag` is set, else back."""
    return (
        If(lambda activation: bool(getattr(activation.process, flag)))
        .Annotation(title=title)
        .Then(then)
        .Else(otherwise)
    )


def approval_round(
    titles: tuple[Any, Any, Any],
    *,
    lanes: tuple[Any, Any, Any],
    process: str,
    then: Any,
    revision_form: Any,
    revised: Any = None,
) -> tuple[HumanTask, If, HumanTask]:
    """Approve → check → revise, as every flow that asks its head's approval has it: the head
    approves (on to `then`) or returns it; the officer revises it and sends it back for
    approval. Assigned to `approve, check_approval, revise` in the flow's body, the names the
    pages and the tests know.

    `titles`: the three nodes' titles; `lanes`: the institution, the approver's role and the
    officer's role; `process`: the permissions' suffix (`workflows.approve_<process>`,
    `workflows.prepare_<process>`); `revised`: the revision's handler (`this.revised`)."""
    approve_title, gate_title, revise_title = titles
    institution, approver, officer = lanes
    return (
        approval(
            approve_title,
            lane=(institution, approver),
            permission=f"workflows.approve_{process}",
            then=this.check_approval,
        ),
        approved_gate(gate_title, then=then, otherwise=this.revise),
        step(
            revise_title,
            lane=(institution, officer),
            permission=f"workflows.prepare_{process}",
            actions=("submit",),
            handler=revised if revised is not None else this.revised,
            form=revision_form,
            then=this.approve,
        ),
    )


class ProcessRowLock:
    """The flows' `lock_impl`: the process row locked by a blocking SELECT … FOR UPDATE, in the
    transaction of the service that moves the flow (every one opens its own), so two clicks on
    one process queue instead of failing. Viewflow's `SelectForUpdateLock` wraps each attempt in
    a savepoint in order to retry a lock refused with NOWAIT; a blocking lock waits instead of
    being refused, so the savepoint cost every start and transition two statements for nothing.
    A deadlock fails the transaction like any other database error."""

    @contextmanager
    def __call__(self, flow_class: Any, process_pk: Any) -> Iterator[None]:
        with transaction.atomic(savepoint=False):
            processes = flow_class.process_class._default_manager.filter(pk=process_pk)
            processes.select_for_update().exists()
            yield


class CoordinationFlow(flow.Flow):
    """What every flow of ours shares: the process row locked while a transition runs (two
    clicks queue instead of failing), the lanes most flows use, the approve-or-return handlers,
    who may withdraw a process (`cancel_roles`) and what a flow records when it is withdrawn
    (`canceled`), and the further names under which a step's opening is announced to the
    clocks (`task_events`)."""

    process_summary_template = "{{ process.title }}"
    # Blocking row lock on the process: concurrent clicks queue instead of failing.
    lock_impl = ProcessRowLock()
    starter_roles: tuple[str, ...] = ()
    # What a returned item's comment must say (a 400 without it).
    return_hint: Any = _("Say what to change.")
    # The fields of the process's data that hold a role's code: its page names the role.
    data_roles: tuple[str, ...] = ()

    # lanes

    def own_institution(self, process: Any) -> Institution:
        return process.institution

    def central_office_lane(self, process: Any) -> Institution | None:
        return central_office()

    def observers(self, process: Any) -> list[Institution]:
        """Institutions that see the item besides its own (none until it is sent)."""
        return []

    # what a caller sees of the process (workflows.views)

    def data_shown(self, process: Any, name: str, value: Any) -> Any:
        """A value of the process's data as its page shows it: a role by its name in the
        reader's language (`data_roles`); a flow names its own codes (a complaint's topic)."""
        if name in self.data_roles and value:
            role = Role.objects.filter(code=value).first()
            return str(role) if role is not None else value
        return value

    # approve or return

    def approved(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        return self.decided(activation, "approved", action=action, comment=comment)

    def reviewed(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        return self.decided(activation, "reviewed", action=action, comment=comment)

    def decided(
        self, activation: Any, flag: str, *, action: str, comment: str, why: Any = None
    ) -> dict[str, Any]:
        """`flag` set by an approval, cleared by a return, which needs its reason (`why` says
        what it must say; the flow's `return_hint` by default)."""
        decision_recorded(
            activation.process,
            flag,
            action=action,
            comment=comment,
            why=str(why if why is not None else self.return_hint),
        )
        return {"reason": comment} if action == "return" else {}

    # withdrawal

    def cancel_roles(self, process: Any) -> tuple[str, ...]:
        """Who may withdraw the process: the head of the institution that started it."""
        return head_roles(process.institution)

    def canceled(self, process: Any) -> dict[str, Any]:
        """What the flow adds to the record of a withdrawal (the process is locked)."""
        return {}

    # clocks

    def task_events(self, task: Any, process: Any) -> list[str]:
        """More names under which the opening of `task` is announced, besides `task:<step>`,
        so that a deadline rule can time one round of a step and not another. `process` is
        the task's, as the transition holds it."""
        return []
