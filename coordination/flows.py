"""A coordination request from the centre to many institutions (API.md, "Coordination requests
from the centre"): the sender lists institutions (or all of a kind), each recipient answers in
its own `respond` task with its own clock, and the sender reminds the late ones and closes it.

One parallel split opens a `respond` task per recipient (viewflow's free `Split` opens each
branch once, so `RecipientSplit` opens the respond branch once per recipient, each with its own
token) and the sender's `manage` task, which loops through `remind` until `close` ends the
request (a terminate end: every unanswered task is cancelled).

Each `respond` task is permitted on the recipient's own `Response` row, granted to that
institution's lane only, so the engine's generic inbox, claim and completion keep the
recipients apart; the process itself is visible to every recipient, with only its own lane in
it — its task, its clock (`lanes_private`) and its response (`process_body_shown`).
"""

from datetime import timedelta
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.nodes.split import SplitActivation
from viewflow.workflow.nodes.view import ViewActivation
from viewflow.workflow.token import Token

from documents.models import Kind
from roles.models import Institution, Membership
from roles.permissions import (
    Acting,
    grant_pairs,
    groups_named,
    institution_group_name,
    role_group_name,
)
from roles.selectors import self_and_principals
from workflows.attachments import DocumentsStep
from workflows.flows import common
from workflows.models import PROCESS_VIEW, permission_object
from workflows.nodes import HumanTask, StartHandle, tasks_opened

from . import answering
from .models import (
    TEXT_MAX,
    CoordinationRequestProcess,
    Response,
)
from .recipients import head_role, recipient_role, recipients_resolved

RESPOND_PERMISSION = "coordination.respond_coordination_request"
OFFICER = "officer"
# Units of the central office whose officers coordinate other institutions (seed_demo's codes).
COORDINATING_UNITS = ("zck", "zqm")
# Roles that send requests in their own right: the central office (ZKP) and any institution's head.
SENDER_ROLES = (common.COMMUNICATIONS_COORDINATOR, common.MINISTER, common.MAYOR)
# A due date further ahead is a typing mistake (a request is not a plan).
MAX_DAYS_AHEAD = 366


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea, max_length=20_000)


class RespondActivation(ViewActivation):
    @classmethod
    def create(  # type: ignore[no-untyped-def]
        cls, flow_task, prev_activation, token, data=None, seed=None
    ):
        """`data` names the recipient (institution, role, response) — set by the split."""
        activation = super().create(flow_task, prev_activation, token, data=data, seed=seed)
        opened = tasks_opened.get()
        if opened is not None:
            opened.append(activation.task)
        return activation


class RespondTask(HumanTask):
    """A recipient's task: its lane is its own (the split names it per task), and it is
    permitted on the recipient's `Response` row, not on the process every recipient sees."""

    activation_class = RespondActivation

    def lane_institution(self, process: Any) -> Institution | None:
        return None  # no lane shared by the process: each task carries its own

    def lane_role(self, process: Any) -> str:
        return ""

    def calc_owner_permission_obj(self, activation: Any) -> Response:
        response = Response(pk=activation.task.data["response"])
        response._state.adding = False
        return response


class RecipientSplitActivation(SplitActivation):
    @Activation.status.super()
    def create_next(self):  # type: ignore[no-untyped-def]
        """One `respond` task per recipient, then the other branches (the sender's task)."""
        token_source = Token.split_token_source(self.task.token, self.task.pk)
        respond = self.flow_task.flow_class.instance.respond
        responses = responses_opened(self.process)
        created = []
        for response, role in responses:
            activation = respond._create(
                prev_activation=self,
                token=next(token_source),
                data={
                    "institution": response.institution.code,
                    "role": role,
                    "response": response.pk,
                },
            )
            response.task = activation.task
            created.append(response)
            yield activation
        Response.objects.bulk_update(created, ["task"])
        for node, _data in self.next_tasks:
            if node is not respond:
                yield node._create(prev_activation=self, token=next(token_source), data=None)


class RecipientSplit(flow.Split):
    activation_class = RecipientSplitActivation


def responses_opened(process: CoordinationRequestProcess) -> list[tuple[Response, str]]:
    """A response row per recipient; every recipient sees the process, and the respond
    permission on its own row goes to its answering role and its head (who is escalated to):
    (response, answering role). Granted in bulk: one request may go to every institution."""
    institutions = list(Institution.objects.filter(code__in=process.recipients).order_by("code"))
    responses = Response.objects.bulk_create(
        [Response(process_id=process.pk, institution=institution) for institution in institutions]
    )
    lanes = [
        (response, code)
        for response in responses
        for code in (recipient_role(response.institution), head_role(response.institution))
        if code
    ]
    groups = groups_named(
        [institution_group_name(institution) for institution in institutions]
        + [role_group_name(response.institution, code) for response, code in lanes]
    )
    actor = process.created_by
    grant_pairs(
        actor=actor,
        perm=PROCESS_VIEW,
        pairs=[
            (permission_object(process), groups[institution_group_name(institution)])
            for institution in institutions
        ],
    )
    grant_pairs(
        actor=actor,
        perm=RESPOND_PERMISSION,
        pairs=[
            (response, groups[role_group_name(response.institution, code)])
            for response, code in lanes
        ],
    )
    return [(response, recipient_role(response.institution)) for response in responses]


class CoordinationRequestFlow(common.CoordinationFlow):
    """Coordination request

    A coordinating office (or an institution's head) asks many institutions at once; each
    answers in its own task by the due date; the sender reminds the late ones and closes it.
    """

    process_class = CoordinationRequestProcess
    process_title = _("Coordination request")
    starter_roles = (*SENDER_ROLES, OFFICER)
    # The sender's role is shown by its name on the request's page.
    data_roles = ("sender_role",)
    # The buttons and the history's words for this flow's own actions (workflows.views).
    action_labels = {
        "respond": _("Send the answer"),
        "remind": _("Remind the recipients"),
        "close": _("Close the request"),
    }
    # Each recipient sees its own lane only — its task, its answer, its clock —, the sender every
    # lane (`workflows.selectors.tasks_shown`, `deadlines.selectors.clocks_shown`,
    # `selectors.responses_visible`).
    lanes_private = True
    # The answer's page offers the recipient's own documents and upload slots
    # (`workflows.files`), sent as `data.documents`.
    document_steps = {
        "respond": DocumentsStep(
            kind=Kind.CORRESPONDENCE, adds=True, own=True, label=_("Documents with the answer")
        )
    }

    start = StartHandle(this.start_process).Annotation(title=_("Send the request")).Next(this.split)

    split = (
        RecipientSplit()
        .Annotation(title=_("To every recipient"))
        .Next(this.respond)
        .Next(this.manage)
    )

    respond = (
        RespondTask()
        .Annotation(title=_("Answer the coordination request"))
        .Permission(RESPOND_PERMISSION)
        .Actions("respond", handler=this.responded)
        .Form(AnswerForm)
        .Next(this.answered)
    )

    answered = flow.Join().Annotation(title=_("All answered")).Next(this.end)

    # the sender; every recipient sees the request (and only its own response in it) by the
    # grants made with their tasks, in bulk (`responses_opened`), not as the flow's observers
    manage = common.step(
        _("Follow the answers up"),
        lane=(this.own_institution, this.sender_lane_role),
        permission="workflows.manage_coordination_request",
        actions=("remind", "close"),
        handler=this.managed,
        then=this.check_closed,
    )
    check_closed = common.approved_gate(
        _("Closed?"), flag="closed", then=this.end, otherwise=this.manage
    )

    end = flow.TerminateEnd().Annotation(title=_("Closed"))

    # lanes

    def sender_lane_role(self, process: CoordinationRequestProcess) -> str:
        return process.sender_role or common.COMMUNICATIONS_COORDINATOR

    # what a caller sees of the process (workflows.api)

    def process_body_shown(self, process: Any, body: dict[str, Any], *, user: Any) -> dict:
        return answering.body_shown(process, body, user=user)

    # start and task handlers

    def start_process(
        self,
        activation: Any,
        *,
        actor: Any,
        institution: Institution,
        fields: dict[str, Any],
    ) -> CoordinationRequestProcess:
        process = activation.process
        process.institution = institution
        process.created_by = actor
        process.sender_role = sender_role(actor, institution)
        process.title = common.title_checked(fields.get("title"))
        text = common.text_checked(fields.get("text"), "text", required=True)
        if len(text) > TEXT_MAX:
            raise ValidationError({"text": [gettext("At most %d characters.") % TEXT_MAX]})
        process.text = text
        due_on = common.not_in_past(fields.get("due_on"), "due_on")
        if due_on > timezone.localdate() + timedelta(days=MAX_DAYS_AHEAD):
            raise ValidationError({"due_on": [gettext("At most %d days ahead.") % MAX_DAYS_AHEAD]})
        process.due_on = due_on
        process.recipients = [
            recipient.code
            for recipient in recipients_resolved(fields.get("recipients"), sender=institution)
        ]
        activation.task.owner = actor
        return process

    def canceled(self, process: CoordinationRequestProcess) -> dict[str, Any]:
        """A withdrawn request's unanswered responses close (their tasks and clocks stop with
        the process)."""
        return answering.unanswered_withdrawn(process)

    def responded(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        return answering.answer_recorded(activation, acting=acting, comment=comment, data=data)

    def managed(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        if action == "remind":
            return answering.late_reminded(activation.process, acting=acting, data=data)
        assert transaction.get_connection().in_atomic_block
        process = activation.process
        process.closed = True
        process.closed_at = timezone.now()
        return answering.unanswered_closed(process, acting=acting, at=process.closed_at)


def sender_role(actor: Any, institution: Institution) -> str:
    """The role the person sends in: a sender role they hold there, or an officer of a
    coordinating unit of the central office; anyone else is refused."""
    # Under a delegation the principal's roles count (the engine checked they may start it).
    memberships = list(
        Membership.objects.active()
        .filter(user__in=self_and_principals(user=actor), institution=institution)
        .select_related("role", "unit")
        .order_by("pk")
    )
    for membership in memberships:
        if membership.role.code in SENDER_ROLES:
            return membership.role.code
    central = common.central_office()
    for membership in memberships:
        if (
            membership.role.code == OFFICER
            and institution.pk == central.pk
            and membership.unit is not None
            and membership.unit.code in COORDINATING_UNITS
        ):
            return OFFICER
    raise PermissionDenied(gettext("Your role does not send coordination requests."))
