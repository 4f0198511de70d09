"""Municipal-assembly decisions to the supervising ministry (MAPL) within 7 days (DOMAIN.md, 1)."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import act, flow, lock

from roles.models import Institution
from roles.permissions import Acting, grant_to_institution

from ..attachments import process_documents_set
from ..models import PROCESS_VIEW, AssemblyDecisionProcess, LegalOutcome, permission_object
from ..nodes import HumanTask, If
from . import common

MUNICIPAL_ASSEMBLY_OFFICER = common.ASSEMBLY_OFFICER
MUNICIPAL_ASSEMBLY_CHAIR = common.ASSEMBLY_CHAIR
MINISTRY_REGISTRY_CLERK = common.REGISTRY_CLERK
MINISTRY_LEGAL_REVIEWER = common.LEGAL_REVIEWER


class RevisionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500, required=False)
    adopted_on = forms.DateField(label=_("Adopted on"), required=False)


class ReviewForm(forms.Form):
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea, required=False)


class AssemblyDecisionFlow(flow.Flow):
    """Assembly decision to MAPL

    The municipal assembly office registers a decision, the chair signs it off, the office
    transmits it to the ministry, the ministry's registry acknowledges receipt and its legal
    office finds it lawful or returns it for reconsideration.
    """

    process_class = AssemblyDecisionProcess
    process_title = _("Assembly decision to MAPL")
    process_summary_template = "{{ process.title }}"
    # Blocking row lock on the process: concurrent clicks queue instead of failing.
    lock_impl = lock.SelectForUpdateLock(nowait=False)

    # municipal assembly office
    start = (
        flow.StartHandle(this.start_process)
        .Annotation(title=_("Register the decision"))
        .Next(this.approve)
    )

    # municipal assembly chair
    approve = (
        HumanTask()
        .Annotation(title=_("Sign off the decision"))
        .Lane(this.municipality, MUNICIPAL_ASSEMBLY_CHAIR)
        .Permission("workflows.approve_assembly_decision", obj=permission_object)
        .Actions("approve", "return", handler=this.approved)
        .Next(this.check_approval)
    )

    check_approval = (
        If(act.process.approved)
        .Annotation(title=_("Signed off?"))
        .Then(this.transmit)
        .Else(this.revise)
    )

    # municipal assembly office
    revise = (
        HumanTask()
        .Annotation(title=_("Revise the returned decision"))
        .Lane(this.municipality, MUNICIPAL_ASSEMBLY_OFFICER)
        .Permission("workflows.prepare_assembly_decision", obj=permission_object)
        .Actions("submit", handler=this.resubmitted)
        .Form(RevisionForm)
        .Next(this.approve)
    )

    transmit = (
        HumanTask()
        .Annotation(title=_("Transmit the decision to MAPL"))
        .Lane(this.municipality, MUNICIPAL_ASSEMBLY_OFFICER)
        .Permission("workflows.transmit_assembly_decision", obj=permission_object)
        .Actions("transmit", handler=this.transmitted)
        .Next(this.acknowledge)
    )

    reconsider = (
        HumanTask()
        .Annotation(title=_("Reconsider the decision"))
        .Lane(this.municipality, MUNICIPAL_ASSEMBLY_OFFICER)
        .Permission("workflows.prepare_assembly_decision", obj=permission_object)
        .Actions("submit", handler=this.resubmitted)
        .Form(RevisionForm)
        .Next(this.approve)
    )

    # ministry registry
    acknowledge = (
        HumanTask()
        .Annotation(title=_("Acknowledge receipt"))
        .Lane(this.supervisor, MINISTRY_REGISTRY_CLERK)
        .Permission("workflows.acknowledge_assembly_decision", obj=permission_object)
        .Actions("acknowledge", handler=this.acknowledged)
        .Next(this.review)
    )

    # ministry legal office
    review = (
        HumanTask()
        .Annotation(title=_("Review legality"))
        .Lane(this.supervisor, MINISTRY_LEGAL_REVIEWER)
        .Permission("workflows.review_assembly_decision", obj=permission_object)
        .Actions("lawful", "reconsider", handler=this.reviewed)
        .Form(ReviewForm)
        .Next(this.check_legality)
    )

    check_legality = (
        If(lambda activation: activation.process.legal_outcome == LegalOutcome.LAWFUL)
        .Annotation(title=_("Lawful?"))
        .Then(this.end)
        .Else(this.reconsider)
    )

    end = flow.End().Annotation(title=_("Found lawful"))

    # lanes

    def municipality(self, process: AssemblyDecisionProcess) -> Institution:
        return process.institution

    def supervisor(self, process: AssemblyDecisionProcess) -> Institution:
        """The supervising ministry (configurable by code; MAPL by law)."""
        code = getattr(settings, "ASSEMBLY_DECISION_SUPERVISOR", "MAPL")
        return Institution.objects.get(code=code)

    def observers(self, process: AssemblyDecisionProcess) -> list[Institution]:
        """The ministry sees the decision once it is transmitted, not before."""
        return []

    starter_roles = (MUNICIPAL_ASSEMBLY_OFFICER,)

    # start and task handlers: each applies its action to the process

    def start_process(
        self, activation: Any, *, actor: Any, institution: Institution, fields: dict[str, Any]
    ) -> AssemblyDecisionProcess:
        if not common.is_municipality(institution):
            raise ValidationError(
                {"institution": [gettext("Only municipalities have assemblies.")]}
            )
        process = activation.process
        process.institution = institution
        process.created_by = actor
        process.title = common.title_checked(fields.get("title"))
        process.adopted_on = common.not_in_future(fields.get("adopted_on"), "adopted_on")
        activation.task.owner = actor
        return process

    def approved(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        return common.decision_recorded(
            activation.process,
            "approved",
            action=action,
            comment=comment,
            why=gettext("Say why the decision is returned."),
        )

    def resubmitted(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """The office corrects (after a return) or the assembly re-adopts (after a
        reconsideration): title, adoption date and documents may change."""
        process = activation.process
        changes: dict[str, Any] = {}
        if "title" in data:
            process.title = changes["title"] = common.title_checked(data["title"])
        if "adopted_on" in data:
            process.adopted_on = common.not_in_future(data["adopted_on"], "adopted_on")
            changes["adopted_on"] = process.adopted_on.isoformat()
        if "documents" in data:
            changes["documents"] = process_documents_set(
                process=process, user=acting.user, document_ids=data["documents"]
            )
        process.approved = False
        return {"changes": changes} if changes else {}

    def transmitted(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        process = activation.process
        ministry = self.supervisor(process)
        process.transmitted_at = timezone.now()
        process.received_at = None
        process.transmissions = (process.transmissions or 0) + 1
        if process.transmissions == 1:
            grant_to_institution(
                actor=acting.user,
                on_behalf_of=acting.on_behalf_of,
                perm=PROCESS_VIEW,
                obj=permission_object(process),
                institution=ministry,
            )
        return {
            "transmitted_at": process.transmitted_at,
            "to": ministry.code,
            "events": [("transmitted", process.transmitted_at)],
            **common.documents_sent(process, ministry, acting=acting),
        }

    def acknowledged(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        activation.process.received_at = timezone.now()
        return {
            "received_at": activation.process.received_at,
            "events": [("received", activation.process.received_at)],
        }

    def reviewed(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        process = activation.process
        reasons = str(data.get("reasons") or comment or "").strip()
        if action == "reconsider" and not reasons:
            raise ValidationError({"reasons": [gettext("Give the reasons for reconsideration.")]})
        process.legal_outcome = action
        process.legal_reasons = reasons
        return {"legal_outcome": action, "reasons": reasons}
