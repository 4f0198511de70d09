"""Access to public documents (Law 06/L-081; DOMAIN.md, 5), one request from registration to
its final answer.

The institution registers the request (from the portal at once, or an official registers one
received on paper or orally); its information officer decides: grant, partial grant, refusal,
one extension, or a transfer to the institution that holds the documents (a new clock there).
Silence is refusal: the decision step carries a timer at its clock's due time, and when it
fires first the request is deemed refused. After a refusal of any kind the requester may
complain to the Information and Privacy Agency (AIP) within the complaint period; AIP upholds
the complaint (the institution must release, with a clock of its own) or dismisses it.
"""

from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import dateparse, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from audit.services import audit_record
from config.text import plain_text
from deadlines import calendar
from deadlines.clock import rules_of
from deadlines.models import DeadlineRule
from documents.access import documents_attachable
from documents.models import Kind
from documents.services import document_share
from roles.models import Institution, Role
from roles.permissions import Acting, grant, institution_group, revoke, role_group
from roles.selectors import institution_by_code
from workflows.attachments import DocumentsStep
from workflows.flows import common
from workflows.models import PROCESS_VIEW, permission_object
from workflows.nodes import HumanTask, If, StartHandle

from .models import (
    AccessRequest,
    AccessRequestProcess,
    ComplaintOutcome,
    Decision,
    Format,
    Status,
)
from .selectors import requester_shown

PROCESS_TYPE = "access_request"
DECIDE_PERMISSION = "workflows.decide_access_request"
COMPLAINT_PERMISSION = "workflows.decide_access_complaint"
# Who decides complaints at the agency (roles/catalogue.py).
AGENCY_ROLE = common.LEGAL_REVIEWER
# The figures of the law, used only when an administrator deactivated the rule that states them
# (the rules, data in `deadlines.DeadlineRule`, are what counts).
FALLBACK_DAYS = {
    "decide": 7,
    "decide_urgent": 1,
    "decide_extended": 0,
    "complaint": 15,
}
COMPLAINT_WINDOW_RULE = "access-request-complaint-window"
MAX_EXTENSION_DAYS = 15
REASONS_LENGTH = 5000
LEGAL_BASIS_LENGTH = 1000


def agency() -> Institution | None:
    """The Information and Privacy Agency (configurable by code; AIP by law)."""
    return institution_by_code(getattr(settings, "ACCESS_COMPLAINTS_AGENCY", "AIP"))


def _anchor_day(rule: DeadlineRule | None, process: Any, at: datetime) -> date:
    """The day the rule counts from, as the deadline clock reads it (`deadlines.clock`)."""
    if rule is None or rule.anchor == "event":
        return calendar.local_date(at)
    value = (process.data or {}).get(rule.anchor)
    if isinstance(value, date):
        return value
    parsed = dateparse.parse_date(str(value or "")[:10]) if value else None
    return parsed or calendar.local_date(at)


def step_due(process: Any, step: str, at: datetime | None = None) -> datetime:
    """When the clock of `step` (its rule: started by `task:<step>`) ends if the step opens at
    `at`: the same rule and calendar as the clock itself, so the timer and the clock agree."""
    at = at or timezone.now()
    rule = next((r for r in rules_of(process) if r.active and r.starts_on == f"task:{step}"), None)
    days = rule.days if rule is not None else FALLBACK_DAYS.get(step, 7)
    working = rule is not None and rule.day_kind == "working"
    return calendar.due_at(_anchor_day(rule, process, at), days, working=working)


def complaint_period_end(at: datetime) -> datetime:
    """The end of the period in which the requester may complain to AIP."""
    rule = DeadlineRule.objects.filter(code=COMPLAINT_WINDOW_RULE).first()
    days = rule.days if rule is not None else FALLBACK_DAYS["complaint"]
    working = rule is not None and rule.day_kind == "working"
    return calendar.due_at(calendar.local_date(at), days, working=working)


def _data_text(data: dict[str, Any], field: str, *, longest: int) -> str:
    """A required text of the task's `data` (`config.text.plain_text`), its errors named
    `data.<field>` as the API reports them."""
    return plain_text(
        data.get(field), f"data.{field}", longest=longest, one_line=False, required=True
    )


def _document_ids(data: dict[str, Any]) -> list[int]:
    raw = data.get("documents") or []
    if isinstance(raw, str):
        raw = [part for part in raw.replace(",", " ").split() if part]
    if not isinstance(raw, list) or len(raw) > 200:
        raise ValidationError({"data.documents": [gettext("Give a list of document ids.")]})
    ids = []
    for value in raw:
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if not 0 < number < 2**63:
            raise ValidationError({"data.documents": [gettext("Give a list of document ids.")]})
        ids.append(number)
    return sorted(set(ids))


def _record(process: Any, *, told: str = "", **fields: Any) -> None:
    """The requester's row follows the process (status, decision, figures of the statistics);
    `told`: the event the requester hears of by e-mail once the transition commits."""
    AccessRequest.objects.filter(process_id=process.pk).update(**fields)
    if told:
        from .tasks import requester_tell

        pk = AccessRequest.objects.filter(process_id=process.pk).values_list("pk", flat=True)
        for access_request_id in pk:
            requester_tell.delay_on_commit(access_request_id, told)


class DecisionForm(forms.Form):
    """What the decision step's page asks besides the action (the API's `data`)."""

    # The documents to release: the page's picker and upload slots (`document_steps`).
    reasons = forms.CharField(
        label=_("Reasons"), widget=forms.Textarea, max_length=REASONS_LENGTH, required=False
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"), max_length=LEGAL_BASIS_LENGTH, required=False
    )
    days = forms.IntegerField(
        label=_("Extension (days)"), min_value=1, max_value=MAX_EXTENSION_DAYS, required=False
    )
    reason = forms.CharField(
        label=_("Reason for the extension"), max_length=REASONS_LENGTH, required=False
    )
    institution = forms.CharField(
        label=_("Transfer to (institution code)"), max_length=32, required=False
    )


class ComplaintForm(forms.Form):
    reasons = forms.CharField(
        label=_("Reasons"), widget=forms.Textarea, max_length=REASONS_LENGTH, required=False
    )


DECISIONS = ("grant", "partially_grant", "refuse", "extend", "transfer")


def _decision(title: Any, actions: tuple[str, ...]) -> HumanTask:
    """The information officer's decision step; silence past its clock's due time is a refusal
    (the timer on its border: `deemed`)."""
    return common.step(
        title,
        lane=(this.holder, common.INFORMATION_OFFICER),
        permission=DECIDE_PERMISSION,
        actions=actions,
        handler=this.decision_made,
        form=DecisionForm,
        then=this.after_decision,
    ).OnTimeout(this.decision_due, this.deemed, title=_("No decision in time"))


class AccessRequestFlow(common.CoordinationFlow):
    """Access to public documents

    The institution registers a request for public documents; its information officer grants,
    partially grants or refuses it (with reasons and the legal ground), extends the time once
    or transfers it to the institution that holds the documents. No decision in time is a
    refusal. The requester may complain to the Information and Privacy Agency, which upholds
    the complaint (the institution must release) or dismisses it.
    """

    process_class = AccessRequestProcess
    process_title = _("Access to public documents")

    # the institution's registry (the portal registers at once)
    start = (
        StartHandle(this.start_process)
        .Annotation(title=_("Register the request"))
        .Next(this.check_urgency)
    )

    check_urgency = (
        If(lambda activation: activation.process.urgent)
        .Annotation(title=_("Urgent (life or liberty)?"))
        .Then(this.decide_urgent)
        .Else(this.decide)
    )

    # the deciding institution's information officer
    decide = _decision(_("Decide the request"), DECISIONS)
    decide_urgent = _decision(_("Decide the urgent request"), DECISIONS)
    decide_extended = _decision(
        _("Decide the request (extended time)"), tuple(a for a in DECISIONS if a != "extend")
    )

    after_decision = (
        flow.Switch()
        .Annotation(title=_("Decided?"))
        .Case(this.decide_extended, lambda activation: activation.process.next_step == "extend")
        .Case(this.check_urgency, lambda activation: activation.process.next_step == "transfer")
        .Case(this.end, lambda activation: activation.process.next_step == "grant")
        .Default(this.complaint_window)
    )

    deemed = (
        flow.Function(this.deemed_refused)
        .Annotation(title=_("Deemed refused"))
        .Next(this.complaint_window)
    )

    # the requester, on the portal
    complaint_window = (
        flow.Handle(this.complaint_filed)
        .Annotation(title=_("Complaint to the agency?"))
        .OnTimeout(this.complaint_period_ends, this.close, title=_("Complaint period over"))
        .Next(this.review_complaint)
    )

    # the Information and Privacy Agency
    review_complaint = common.step(
        _("Decide the complaint (AIP)"),
        lane=(this.agency_lane, AGENCY_ROLE),
        permission=COMPLAINT_PERMISSION,
        actions=("uphold", "dismiss"),
        handler=this.complaint_decided,
        form=ComplaintForm,
        then=this.check_complaint,
    )

    check_complaint = (
        If(lambda activation: activation.process.next_step == "release")
        .Annotation(title=_("Upheld?"))
        .Then(this.release)
        .Else(this.end)
    )

    # the deciding institution, bound by the agency's decision
    release = common.step(
        _("Release the documents (complaint upheld)"),
        lane=(this.holder, common.INFORMATION_OFFICER),
        permission=DECIDE_PERMISSION,
        actions=("grant",),
        handler=this.decision_made,
        form=DecisionForm,
        then=this.end,
    )

    close = flow.Function(this.closed).Annotation(title=_("Close")).Next(this.end)

    end = flow.End().Annotation(title=_("Done"))

    starter_roles = (common.INFORMATION_OFFICER,)
    # The buttons and the history's words for this flow's own actions (workflows.views).
    action_labels = {
        "grant": _("Grant access"),
        "partially_grant": _("Grant access in part"),
        "refuse": _("Refuse access"),
        "extend": _("Extend the time"),
        "transfer": _("Transfer to the holder"),
        "uphold": _("Uphold the complaint"),
        "dismiss": _("Dismiss the complaint"),
    }
    # The flow's own bookkeeping, not shown among the request's details on the officials' pages.
    data_shown_apart = ("next_step",)
    # The decision steps' pages offer the documents to release: a picker of those the deciding
    # institution may send on, and upload slots (`workflows.files`); sent as `data.documents`.
    document_steps = dict.fromkeys(
        ("decide", "decide_urgent", "decide_extended", "release"),
        DocumentsStep(kind=Kind.OTHER, adds=True, label=_("Documents to release")),
    )
    # No observers (the base's none): AIP sees the request once a complaint reaches it.

    # lanes

    def holder(self, process: AccessRequestProcess) -> Institution:
        code = (process.data or {}).get("holder")
        if not code or code == process.institution.code:
            return process.institution
        return Institution.objects.get(code=code)

    def agency_lane(self, process: AccessRequestProcess) -> Institution | None:
        return agency()

    # what a caller sees of the process (workflows.views)

    def process_page_shown(
        self, process: Any, context: dict[str, Any], *, user: Any
    ) -> dict[str, Any]:
        """The process page adds the requester's details for the deciding institution's own
        members, who answer them; never for another institution, AIP included."""
        shown = requester_shown(user=user, process_id=process.pk)
        return {**context, "details": [*context["details"], *shown]} if shown else context

    # timers

    def decision_due(self, activation: Any) -> datetime:
        step = activation.flow_task._attached_to.name
        return step_due(activation.process, step)

    def complaint_period_ends(self, activation: Any) -> datetime:
        until = activation.process.data.get("complaint_until")
        moment = dateparse.parse_datetime(until) if isinstance(until, str) else until
        return moment or complaint_period_end(timezone.now())

    # start and steps

    def start_process(
        self, activation: Any, *, actor: Any, institution: Institution, fields: dict[str, Any]
    ) -> AccessRequestProcess:
        """The fields come checked from `services.access_request_register`."""
        process = activation.process
        process.institution = institution
        process.created_by = actor
        process.title = fields["title"]
        for name in (
            "description",
            "format",
            "urgent",
            "urgent_reason",
            "channel",
            "received_on",
            "registration_number",
        ):
            setattr(process, name, fields[name])
        process.holder = institution.code
        process.request_status = Status.RECEIVED
        if actor is not None:
            activation.task.owner = actor
        return process

    def decision_made(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        process = activation.process
        now = timezone.now()
        process.next_step = action
        if action == "extend":
            return self._extended(activation, acting=acting, data=data, now=now)
        if action == "transfer":
            return self._transferred(activation, acting=acting, data=data, now=now)
        documents: list[int] = []
        reasons = legal_basis = ""
        if action in ("grant", "partially_grant"):
            documents = _document_ids(data)
            # The page's picker's rule (`document_steps`): what the deciding institution may
            # send on — its own documents, or another's whose owner consented — among those
            # the official reads. Releasing to the public is sending on.
            releasable = set(
                documents_attachable(
                    user=acting.on_behalf_of or acting.user, institution=self.holder(process)
                )
                .filter(pk__in=documents)
                .values_list("pk", flat=True)
            )
            if set(documents) - releasable:
                raise ValidationError(
                    {
                        "data.documents": [
                            gettext(
                                "Release only documents your institution may send on: its "
                                "own, or another's whose owner consented (%(documents)s)."
                            )
                            % {
                                "documents": ", ".join(
                                    map(str, sorted(set(documents) - releasable))
                                )
                            }
                        ]
                    }
                )
            if not documents and process.format != Format.INSPECTION:
                raise ValidationError(
                    {"data.documents": [gettext("Name the documents to release.")]}
                )
            process.documents.add(*documents)
        if action in ("partially_grant", "refuse"):
            reasons = _data_text(data, "reasons", longest=REASONS_LENGTH)
            legal_basis = _data_text(data, "legal_basis", longest=LEGAL_BASIS_LENGTH)
        decision = {
            "grant": Decision.GRANTED,
            "partially_grant": Decision.PARTIALLY_GRANTED,
            "refuse": Decision.REFUSED,
        }[action]
        released = sorted({*(process.released_documents or []), *documents})
        process.decision = decision
        process.reasons = reasons
        process.legal_basis = legal_basis
        process.released_documents = released
        process.decided_at = now
        if activation.flow_task.name == "release" or decision == Decision.GRANTED:
            process.request_status = (
                Status.CLOSED if activation.flow_task.name == "release" else (Status.DECIDED)
            )
            process.complaint_until = None
        else:
            process.request_status = Status.DECIDED
            process.complaint_until = complaint_period_end(now)
        _record(
            process,
            told="decided",
            status=process.request_status,
            decision=decision,
            decided_at=now,
        )
        return {
            "decision": decision,
            "documents": documents,
            "events": [("decided", now)],
        }

    def _extended(
        self, activation: Any, *, acting: Acting, data: dict[str, Any], now: datetime
    ) -> dict[str, Any]:
        process = activation.process
        if process.extended_days:
            raise ValidationError({"action": [gettext("The time was already extended once.")]})
        try:
            days = int(data.get("days") or 0)
        except (TypeError, ValueError):
            days = 0
        if not 1 <= days <= MAX_EXTENSION_DAYS:
            raise ValidationError(
                {"data.days": [gettext("From 1 to %(most)s days.") % {"most": MAX_EXTENSION_DAYS}]}
            )
        reason = _data_text(data, "reason", longest=REASONS_LENGTH)
        due = step_due(process, activation.flow_task.name, activation.task.created)
        until = calendar.local_date(due) + timedelta(days=days)
        process.extended_days = days
        process.extension_reason = reason
        process.extended_until = until
        process.request_status = Status.EXTENDED
        _record(process, told="extended", status=Status.EXTENDED, extended=True)
        return {"days": days, "extended_until": until.isoformat(), "events": [("extended", now)]}

    def _transferred(
        self, activation: Any, *, acting: Acting, data: dict[str, Any], now: datetime
    ) -> dict[str, Any]:
        process = activation.process
        code = str(data.get("institution") or "").strip().upper()[:32]
        target = Institution.objects.filter(code=code).first() if code else None
        current = self.holder(process)
        if target is None:
            raise ValidationError({"data.institution": [gettext("No such institution.")]})
        if target.pk == current.pk:
            raise ValidationError(
                {"data.institution": [gettext("The request is already with this institution.")]}
            )
        role = Role.objects.get(code=common.INFORMATION_OFFICER)
        obj = permission_object(process)
        on_behalf_of = acting.on_behalf_of
        grant(
            actor=acting.user,
            on_behalf_of=on_behalf_of,
            perm=PROCESS_VIEW,
            obj=obj,
            group=institution_group(target),
        )
        grant(
            actor=acting.user,
            on_behalf_of=on_behalf_of,
            perm=DECIDE_PERMISSION,
            obj=obj,
            group=role_group(target, role),
        )
        # The next decision is the new institution's alone (its inbox, not the old one's).
        revoke(
            actor=acting.user,
            on_behalf_of=on_behalf_of,
            perm=DECIDE_PERMISSION,
            obj=obj,
            group=role_group(current, role),
        )
        process.transfers = [
            *(process.transfers or []),
            {"from": current.code, "to": target.code, "at": now.isoformat()},
        ]
        process.holder = target.code
        process.request_status = Status.TRANSFERRED
        # A new institution, a new period: an extension at the old one does not carry over.
        process.extended_days = 0
        process.extended_until = None
        _record(process, told="transferred", status=Status.TRANSFERRED, transferred=True)
        return {"from": current.code, "to": target.code, "events": [("transferred", now)]}

    def deemed_refused(self, activation: Any) -> None:
        """The decision's time ran out: the law reads silence as a refusal."""
        process = activation.process
        now = timezone.now()
        process.request_status = Status.DEEMED_REFUSED
        process.decision = ""
        process.complaint_until = complaint_period_end(now)
        process.next_step = ""
        process.save()
        _record(process, told="deemed_refused", status=Status.DEEMED_REFUSED, deemed_refused=True)
        audit_record(
            actor=None,
            action="access_request.deemed_refused",
            obj=permission_object(process),
            extra={"at": now, "complaint_until": process.complaint_until},
        )

    def complaint_filed(self, activation: Any, *, text: str) -> Any:
        """The requester complains to the agency, which sees the whole file from now on."""
        process = activation.process
        now = timezone.now()
        process.complaint = {"text": text, "filed_at": now.isoformat()}
        process.request_status = Status.COMPLAINT_OPEN
        process.next_step = ""
        process.save()
        aip = agency()
        if aip is not None:
            grant(
                actor=None,
                perm=PROCESS_VIEW,
                obj=permission_object(process),
                group=institution_group(aip),
            )
            # The whole file: the documents the decision released or named, too.
            for document in process.documents.exclude(institution=aip).order_by("pk"):
                document_share(actor=None, document=document, institution=aip)  # type: ignore[arg-type]
        _record(process, status=Status.COMPLAINT_OPEN, complaint_at=now)
        audit_record(
            actor=None,
            action="access_request.complaint_filed",
            obj=permission_object(process),
            extra={"at": now, "agency": aip.code if aip else None},
        )
        return process

    def complaint_decided(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        process = activation.process
        reasons = _data_text(
            {"reasons": data.get("reasons") or comment}, "reasons", longest=REASONS_LENGTH
        )
        outcome = ComplaintOutcome.UPHELD if action == "uphold" else ComplaintOutcome.DISMISSED
        process.complaint = {
            **(process.complaint or {}),
            "outcome": outcome,
            "reasons": reasons,
            "decided_at": timezone.now().isoformat(),
        }
        process.next_step = "release" if outcome == ComplaintOutcome.UPHELD else ""
        process.request_status = (
            Status.RECEIVED if outcome == ComplaintOutcome.UPHELD else Status.CLOSED
        )
        process.complaint_until = None
        _record(
            process,
            told="complaint_decided",
            status=process.request_status,
            complaint_outcome=outcome,
        )
        return {"outcome": outcome, "events": [(f"complaint_{outcome}", timezone.now())]}

    def closed(self, activation: Any) -> None:
        process = activation.process
        process.request_status = Status.CLOSED
        process.save()
        _record(process, status=Status.CLOSED)

    def canceled(self, process: AccessRequestProcess) -> dict[str, Any]:
        """Withdrawn by the head of the institution (`workflows.services.process_cancel`, which
        saves the process): the requester's tracking page says closed, with no due date and no
        complaint period."""
        process.request_status = Status.CLOSED
        process.complaint_until = None
        process.next_step = ""
        _record(process, status=Status.CLOSED)
        return {}
