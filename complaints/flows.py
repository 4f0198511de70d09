"""Citizens' complaints and requests (DOMAIN.md, 6): registered at once (portal, walk-in or
phone), routed by the one-stop shop to a unit (directorate) — or linked to a complaint about
the same problem — and answered by that unit, which may forward it to another unit first.

The answering lane is narrowed to the unit it was routed to (`roles.selectors.unit_lane_role`):
its people holding the complaints officer's role get the task, its notice and the clock's
reminders; the permission moves with the complaint when it is forwarded.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from config.text import plain_text
from deadlines.clock import rules_of
from deadlines.models import Deadline
from documents.services import registration_allocate
from roles.models import Institution, Role, Unit
from roles.permissions import Acting, grant, revoke, unit_role_group
from roles.selectors import unit_lane_role
from workflows.flows import common
from workflows.models import permission_object
from workflows.nodes import If, StartHandle

from . import tallies
from .models import OPEN_STATUSES, Complaint, ComplaintProcess, ComplaintTopic, Status
from .selectors import complainant_shown
from .tasks import answer_mail

# Role codes (created by migration 0002 of this app)
ONE_STOP_SHOP_OFFICER = "one_stop_shop_officer"
COMPLAINTS_OFFICER = "complaints_officer"

ANSWER_MAX_LENGTH = 10_000
# A topic without a rule of its own runs on this topic's clock.
FALLBACK_TOPIC = "other"


class RouteForm(forms.Form):
    unit = forms.CharField(label=_("Unit (code)"), max_length=64, required=False)
    complaint = forms.IntegerField(
        label=_("Same problem as complaint (process number)"), required=False, min_value=1
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer to the citizen"),
        widget=forms.Textarea,
        required=False,
        max_length=ANSWER_MAX_LENGTH,
    )
    unit = forms.CharField(label=_("Forward to unit (code)"), max_length=64, required=False)


def _unit_checked(process: ComplaintProcess, value: Any) -> Unit:
    code = str(value or "").strip()
    unit = (
        Unit.objects.filter(institution_id=process.institution_id, code=code).first()
        if code and len(code) <= 64
        else None
    )
    if unit is None:
        raise ValidationError({"unit": [gettext("Give the code of a unit of the municipality.")]})
    if len(unit_lane_role(COMPLAINTS_OFFICER, unit.code)) > 64:
        raise ValidationError({"unit": [gettext("This unit's code is too long to route to.")]})
    return unit


def answer_clock_event(process: ComplaintProcess) -> str:
    """What starts a complaint's answer clock: `registered:<topic>`, or the fallback topic's
    when the topic has no active rule (its days are data, `deadlines.DeadlineRule`)."""
    topic = str((process.data or {}).get("topic") or "")
    event = f"registered:{topic}"
    if not any(rule.active and rule.starts_on == event for rule in rules_of(process)):
        event = f"registered:{FALLBACK_TOPIC}"
    return event


def _clock_moved(process: ComplaintProcess, lane_role: str) -> None:
    """The answer clock follows the complaint: its reminders go to the unit that has it, and
    its due time shows on that unit's task (`deadlines.selectors.tasks_with_deadline`)."""
    Deadline.objects.filter(
        process_id=process.pk, task__isnull=True, completed_at__isnull=True
    ).update(role=lane_role, institution_id=process.institution_id)


class ComplaintFlow(common.CoordinationFlow):
    """Citizen's complaint

    A complaint is registered in the municipality's book at once, routed by the one-stop shop
    to a unit or linked to a complaint about the same problem, and answered by the unit
    (which may forward it to another); the citizen reads the answer with the tracking code.
    """

    process_class = ComplaintProcess
    process_title = _("Citizen's complaint")

    start = (
        StartHandle(this.start_process)
        .Annotation(title=_("Register the complaint"))
        .Next(this.route)
    )

    # one-stop shop
    route = common.step(
        _("Route the complaint"),
        lane=(this.own_institution, ONE_STOP_SHOP_OFFICER),
        permission="workflows.route_complaint",
        actions=("route", "link"),
        handler=this.routed,
        form=RouteForm,
        then=this.check_linked,
    )

    check_linked = (
        If(lambda activation: activation.process.linked_to is not None)
        .Annotation(title=_("Same problem as another complaint?"))
        .Then(this.linked)
        .Else(this.answer)
    )

    # the unit it was routed to
    answer = common.step(
        _("Answer the complaint"),
        lane=(this.unit_institution, this.unit_role),
        permission="workflows.answer_complaint",
        actions=("answer", "forward"),
        handler=this.answered,
        form=AnswerForm,
        then=this.check_answered,
    )

    check_answered = (
        If(lambda activation: activation.process.answered_at is not None)
        .Annotation(title=_("Answered?"))
        .Then(this.end)
        .Else(this.answer)
    )

    linked = flow.End().Annotation(title=_("Counted with the same problem"))
    end = flow.End().Annotation(title=_("Answered"))

    # lanes

    def unit_institution(self, process: ComplaintProcess) -> Institution | None:
        """The answering lane applies once the complaint has a unit."""
        return process.institution if process.unit else None

    def unit_role(self, process: ComplaintProcess) -> str:
        return unit_lane_role(COMPLAINTS_OFFICER, process.unit)

    starter_roles = (ONE_STOP_SHOP_OFFICER,)
    # The buttons and the history's words for this flow's own actions (workflows.views).
    action_labels = {
        "route": _("Route to the unit"),
        "link": _("Link to an earlier complaint"),
        "answer": _("Send the answer"),
        "forward": _("Forward to another unit"),
    }

    # clocks

    def task_events(self, task: Any, process: Any) -> list[str]:
        """The registration opens the routing task, and with it the topic's answer clock: the
        start announces `registered:<topic>` too, in the same transition (one announcement:
        the clocks, the index and the audit log hear of the registration once)."""
        if task.flow_task is not self.route:
            return []
        return [answer_clock_event(process)]

    # what a caller sees of the process (workflows.views)

    def process_page_shown(
        self, process: Any, context: dict[str, Any], *, user: Any
    ) -> dict[str, Any]:
        """The process page adds the complainant's contact for the municipality's own
        officials (`selectors.complainant_shown`)."""
        shown = complainant_shown(user=user, process=process)
        return {**context, "details": [*context["details"], *shown]} if shown else context

    def data_shown(self, process: Any, name: str, value: Any) -> Any:
        """The topic by its name in the reader's language (topics are the municipality's
        data, named in three languages)."""
        if name == "topic" and value:
            topic = ComplaintTopic.objects.filter(
                institution_id=process.institution_id, code=value
            ).first()
            return topic.name_in() if topic is not None else value
        return super().data_shown(process, name, value)

    def clock_event_shown(self, event: str, institution_id: Any) -> str | None:
        """The answer clock's start (`registered:<topic>`) in words, for its basis on the
        pages (deadlines.basis); None for another event."""
        name, colon, code = event.partition(":")
        if name != "registered" or not colon:
            return None
        topic = ComplaintTopic.objects.filter(institution_id=institution_id, code=code).first()
        if topic is None:
            return gettext("Registered")
        return gettext("Registered, topic: %(topic)s") % {"topic": topic.name_in()}

    def canceled(self, process: ComplaintProcess) -> dict[str, Any]:
        """Withdrawn by the head of the municipality (`workflows.services.process_cancel`):
        the complainant's tracking page says closed, and it is no longer counted open."""
        complaint = Complaint.objects.filter(pk=process.pk).first()
        if complaint is not None and complaint.status in OPEN_STATUSES:
            Complaint.objects.filter(pk=process.pk).update(status=Status.CLOSED)
            tallies.withdrawn(complaint, process.unit or "")
        return {}

    # start and task handlers

    def start_process(
        self,
        activation: Any,
        *,
        actor: Any,
        institution: Institution,
        fields: dict[str, Any],
    ) -> ComplaintProcess:
        """`fields` as `services.complaint_register` checked them: `topic` (a topic of the
        institution), `text`, `location`, `channel`, `registrar` (who signs the book)."""
        process = activation.process
        process.institution = institution
        process.created_by = actor
        registration = registration_allocate(actor=fields["registrar"], institution=institution)
        process.topic = fields["topic"].code
        process.text = fields["text"]
        process.location = fields.get("location", "")
        process.channel = fields["channel"]
        process.registration_number = registration.registration_number
        process.units = []
        first_line = " ".join(fields["text"].split())[:120]
        process.title = f"{registration.registration_number} · {first_line}"[:500]
        if actor is not None:
            activation.task.owner = actor
        return process

    def routed(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        process: ComplaintProcess = activation.process
        now = timezone.now()
        if action == "link":
            return self._linked(process, acting=acting, data=data, now=now)
        unit = _unit_checked(process, data.get("unit"))
        previous = process.unit or ""
        self._unit_given(process, unit, acting=acting)
        Complaint.objects.filter(pk=process.pk).update(unit=unit, status=Status.ROUTED)
        tallies.moved(Complaint.objects.get(pk=process.pk), previous, unit.code)
        return {"unit": unit.code, "events": [("routed", now)]}

    def _linked(
        self, process: ComplaintProcess, *, acting: Acting, data: dict[str, Any], now: Any
    ) -> dict[str, Any]:
        value = data.get("complaint")
        if isinstance(value, bool) or not isinstance(value, int | str):
            value = None
        try:
            target_id = int(value) if value is not None else 0
        except ValueError:
            target_id = 0
        target = (
            Complaint.objects.filter(pk=target_id, institution_id=process.institution_id).first()
            if 0 < target_id < 2**63 and target_id != process.pk
            else None
        )
        if target is None:
            raise ValidationError(
                {
                    "complaint": [
                        gettext("Give the number of another complaint of this municipality.")
                    ]
                }
            )
        root = target.linked_to if target.linked_to_id else target
        assert root is not None
        if root.pk == process.pk:
            raise ValidationError(
                {"complaint": [gettext("A complaint cannot be linked to itself.")]}
            )
        process.linked_to = root.pk
        Complaint.objects.filter(pk=process.pk).update(linked_to=root, status=Status.CLOSED)
        tallies.linked(Complaint.objects.get(pk=process.pk), process.unit or "")
        return {"linked_to": root.pk, "events": [("closed", now)]}

    def _unit_given(self, process: ComplaintProcess, unit: Unit, *, acting: Acting) -> None:
        """The unit's complaints officers may answer it (and the previous unit no longer)."""
        role = Role.objects.get(code=COMPLAINTS_OFFICER)
        obj = permission_object(process)
        if process.unit:
            previous = Unit.objects.filter(
                institution_id=process.institution_id, code=process.unit
            ).first()
            if previous is not None:
                revoke(
                    actor=acting.user,
                    on_behalf_of=acting.on_behalf_of,
                    perm="workflows.answer_complaint",
                    obj=obj,
                    group=unit_role_group(previous, role),
                )
        grant(
            actor=acting.user,
            on_behalf_of=acting.on_behalf_of,
            perm="workflows.answer_complaint",
            obj=obj,
            group=unit_role_group(unit, role),
        )
        process.unit = unit.code
        process.units = [*(process.units or []), unit.code]
        _clock_moved(process, unit_lane_role(COMPLAINTS_OFFICER, unit.code))

    def answered(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        process: ComplaintProcess = activation.process
        now = timezone.now()
        if action == "forward":
            unit = _unit_checked(process, data.get("unit"))
            if unit.code == process.unit:
                raise ValidationError(
                    {"unit": [gettext("The complaint is with this unit already.")]}
                )
            previous = process.unit or ""
            self._unit_given(process, unit, acting=acting)
            Complaint.objects.filter(pk=process.pk).update(unit=unit)
            tallies.moved(Complaint.objects.get(pk=process.pk), previous, unit.code)
            return {"unit": unit.code, "events": [("forwarded", now)]}
        answer = plain_text(
            data.get("answer"),
            "answer",
            longest=ANSWER_MAX_LENGTH,
            one_line=False,
            required=False,
        )
        if not answer:
            raise ValidationError({"answer": [gettext("Write the answer to the citizen.")]})
        process.answer = answer
        process.answered_at = now
        Complaint.objects.filter(pk=process.pk).update(
            answer=answer, answered_at=now, status=Status.ANSWERED
        )
        tallies.answered(Complaint.objects.get(pk=process.pk), process.unit or "", now)
        answer_mail.delay_on_commit(process.pk)
        return {"events": [("answered", now), ("closed", now)]}
