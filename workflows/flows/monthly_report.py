"""The mayor's monthly report to MAPL (DOMAIN.md, 1): at the end of each month the system
compiles, for each municipality, the decisions its register holds for that month; the mayor
approves it (or has it corrected) and it goes to MAPL, whose registry acknowledges receipt."""

import calendar
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from documents.models import Document
from roles.models import Institution
from roles.permissions import Acting, grant_to_institution

from ..models import PROCESS_VIEW, MonthlyReportProcess, permission_object
from ..nodes import HumanTask, If
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
    """The institution's decisions registered in the month and not annulled, from its
    registration book."""
    start, end = month_bounds(month)
    documents = (
        Document.objects.filter(
            institution=institution,
            kind="decision",
            created_at__range=(start, end),
            registration__annulled_at__isnull=True,
        )
        .select_related("registration")
        .order_by("created_at", "pk")
    )
    return [
        {
            "document": document.pk,
            "registration_number": document.registration_number,
            "title": document.title,
            "registered_on": timezone.localdate(document.created_at).isoformat(),
        }
        for document in documents
    ]


class MonthlyReportFlow(flow.Flow):
    """Monthly report to MAPL

    The system compiles each municipality's decisions of the month from its register; the mayor
    approves the report or has it corrected, it is transmitted to the ministry, and the
    ministry's registry acknowledges receipt.
    """

    process_class = MonthlyReportProcess
    process_title = _("Monthly report to MAPL")
    process_summary_template = "{{ process.title }}"
    lock_impl = lock.SelectForUpdateLock(nowait=False)

    start = (
        flow.StartHandle(this.start_process)
        .Annotation(title=_("Compile the month's decisions"))
        .Next(this.approve)
    )

    approve = (
        HumanTask()
        .Annotation(title=_("Approve the monthly report"))
        .Lane(this.municipality, common.MAYOR)
        .Permission("workflows.approve_monthly_report", obj=permission_object)
        .Actions("approve", "return", handler=this.approved)
        .Next(this.check_approval)
    )

    check_approval = (
        If(lambda activation: activation.process.approved)
        .Annotation(title=_("Approved?"))
        .Then(this.acknowledge)
        .Else(this.revise)
    )

    revise = (
        HumanTask()
        .Annotation(title=_("Correct the monthly report"))
        .Lane(this.municipality, common.INFORMATION_OFFICER)
        .Permission("workflows.prepare_monthly_report", obj=permission_object)
        .Actions("submit", handler=this.revised)
        .Form(RevisionForm)
        .Next(this.approve)
    )

    acknowledge = (
        HumanTask()
        .Annotation(title=_("Acknowledge receipt"))
        .Lane(this.supervisor, common.REGISTRY_CLERK)
        .Permission("workflows.acknowledge_monthly_report", obj=permission_object)
        .Actions("acknowledge", handler=this.acknowledged)
        .Next(this.end)
    )

    end = flow.End().Annotation(title=_("Received by the ministry"))

    starter_roles: tuple[str, ...] = ()  # started by the system only

    def municipality(self, process: MonthlyReportProcess) -> Institution:
        return process.institution

    def supervisor(self, process: MonthlyReportProcess) -> Institution:
        return AssemblyDecisionFlow.instance.supervisor(process)

    def observers(self, process: MonthlyReportProcess) -> list[Institution]:
        return []  # the ministry sees it once transmitted

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
        if action == "return":
            if not comment:
                raise ValidationError({"comment": [gettext("Say what to correct.")]})
            process.approved = False
            return {}
        process.approved = True
        process.transmitted_at = timezone.now()
        grant_to_institution(
            actor=acting.user,
            on_behalf_of=acting.on_behalf_of,
            perm=PROCESS_VIEW,
            obj=permission_object(process),
            institution=self.supervisor(process),
        )
        return {
            "transmitted_at": process.transmitted_at,
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
