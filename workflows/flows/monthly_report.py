"""The mayor's monthly report to MAPL (DOMAIN.md, 1): at the end of each month the system
compiles, for each municipality, the decisions taken under the mayor's authority that month (by
their decision date, the last day included); the mayor approves it (or has it corrected) and it
goes to MAPL, whose registry acknowledges receipt. The register is read again at each
correction and at the approval, so a decision of the month's last day recorded after the report
was compiled still counts."""

import calendar
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import dateparse, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import PROCESS, flow
from viewflow.workflow.fields import get_flow_ref

from documents.models import Document
from roles.models import Institution
from roles.permissions import Acting, grant, institution_group

from ..models import PROCESS_VIEW, CoordinationProcess, MonthlyReportProcess, permission_object
from ..nodes import StartHandle
from . import common
from .assembly_decision import AssemblyDecisionFlow


class RevisionForm(forms.Form):
    note = forms.CharField(label=_("Note to the ministry"), widget=forms.Textarea, required=False)


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The first and the last instant of a `YYYY-MM` month, local time."""
    try:
        year, number = (int(part) for part in month.split("-"))
        first = date(year, number, 1)
    except ValueError as error:
        raise ValidationError({"month": [gettext("Give a month as YYYY-MM.")]}) from error
    last = date(year, number, calendar.monthrange(year, number)[1])
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(first, time.min, tzinfo=zone),
        datetime.combine(last, time.max, tzinfo=zone),
    )


def decisions_registered(institution: Institution, month: str) -> list[dict[str, Any]]:
    """The mayor's decisions of the month, by decision date: the municipality's decision
    processes issued by the mayor (`issuing_body`), not withdrawn, with their texts from its
    registration book (not annulled)."""
    start, end = month_bounds(month)
    first, last = timezone.localdate(start), timezone.localdate(end)
    processes = (
        CoordinationProcess.objects.filter(
            institution=institution,
            flow_class=get_flow_ref(AssemblyDecisionFlow),
            data__issuing_body="mayor",
        )
        .exclude(status=PROCESS.CANCELED)
        .prefetch_related(
            Prefetch(
                "documents",
                queryset=Document.objects.filter(
                    institution=institution,
                    kind="decision",
                    registration__annulled_at__isnull=True,
                )
                .select_related("registration")
                .order_by("pk"),
                to_attr="texts",
            )
        )
    )
    decisions = []
    for process in processes:
        decided_on = dateparse.parse_date(str(process.data.get("adopted_on") or ""))
        if decided_on is None or not first <= decided_on <= last:
            continue
        texts = process.texts  # type: ignore[attr-defined]
        decisions.append(
            {
                "process": process.pk,
                "title": process.title,
                "decided_on": decided_on.isoformat(),
                "documents": [document.pk for document in texts],
                "document": texts[0].pk if texts else None,
                "registration_number": texts[0].registration_number if texts else "",
            }
        )
    return sorted(decisions, key=lambda decision: (decision["decided_on"], decision["process"]))


class MonthlyReportFlow(common.CoordinationFlow):
    """Monthly report to MAPL

    The system compiles each municipality's decisions of the month from its register; the mayor
    approves the report or has it corrected, it is transmitted to the ministry, and the
    ministry's registry acknowledges receipt.
    """

    process_class = MonthlyReportProcess
    process_title = _("Monthly report to MAPL")
    return_hint = _("Say what to correct.")
    starter_roles: tuple[str, ...] = ()  # started by the system only

    start = (
        StartHandle(this.start_process)
        .Annotation(title=_("Compile the month's decisions"))
        .Next(this.approve)
    )

    # the mayor approves (which transmits it) or returns it; the information officer revises it
    approve, check_approval, revise = common.approval_round(
        (_("Approve the monthly report"), _("Approved?"), _("Correct the monthly report")),
        lanes=(this.own_institution, common.MAYOR, common.INFORMATION_OFFICER),
        process="monthly_report",
        then=this.acknowledge,
        revision_form=RevisionForm,
    )

    # the ministry's registry
    acknowledge = common.step(
        _("Acknowledge receipt"),
        lane=(this.supervisor, common.REGISTRY_CLERK),
        permission="workflows.acknowledge_monthly_report",
        actions=("acknowledge",),
        handler=this.acknowledged,
        then=this.end,
    )

    end = flow.End().Annotation(title=_("Received by the ministry"))

    def supervisor(self, process: MonthlyReportProcess) -> Institution:
        """The ministry the municipality reports to (it sees the report once transmitted)."""
        return AssemblyDecisionFlow.instance.supervisor(process)

    def start_process(
        self, activation: Any, *, actor: Any, institution: Institution, fields: dict[str, Any]
    ) -> MonthlyReportProcess:
        process = activation.process
        month = str(fields.get("month") or "")
        month_bounds(month)  # validates
        process.institution = institution
        process.created_by = actor
        process.month = month
        process.title = gettext("Decisions of %(month)s — %(institution)s") % {
            "month": month,
            "institution": institution.code,
        }
        process.decisions = decisions_registered(institution, month)
        process.decision_count = len(process.decisions)
        return process

    def approved(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """Approval transmits the report at once: the ministry sees it from then on."""
        process = activation.process
        answer = super().approved(
            activation, acting=acting, action=action, comment=comment, data=data
        )
        if action == "return":
            return answer
        process.approved = True
        # What the register holds when the report leaves: the month's last decisions too.
        process.decisions = decisions_registered(process.institution, process.month)
        process.decision_count = len(process.decisions)
        process.transmitted_at = timezone.now()
        grant(
            actor=acting.user,
            on_behalf_of=acting.on_behalf_of,
            perm=PROCESS_VIEW,
            obj=permission_object(process),
            group=institution_group(self.supervisor(process)),
        )
        return {
            "transmitted_at": process.transmitted_at,
            "decision_count": process.decision_count,
            "events": [("transmitted", process.transmitted_at)],
        }

    def revised(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """The register is read again (a late registration or an annulment counts), and a
        note may explain the month."""
        process = activation.process
        process.decisions = decisions_registered(process.institution, process.month)
        process.decision_count = len(process.decisions)
        if "note" in data:
            process.note = common.text_checked(data["note"], "note", required=False)
        return {"decision_count": process.decision_count}

    def acknowledged(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        activation.process.received_at = timezone.now()
        return {
            "received_at": activation.process.received_at,
            "events": [("received", activation.process.received_at)],
        }
