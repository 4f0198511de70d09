"""Municipal decisions to the supervising ministry (MAPL) within 7 days (DOMAIN.md, 1): the
assembly's, and the mayor's that the municipality sends the same way.

Each transmission is a round, recorded in `data.rounds`: the texts sent (registered documents
in Albanian and Serbian), when, MAPL's receipt (its own number, in its book), the legality
review and its reasons, and the municipality's answer to a reconsideration (re-adopted, or
kept by the assembly, after which MAPL records whether it goes to court). Every round has its
clocks (deadline rules: the transmission from the adoption date, MAPL's review from receipt,
the reconsideration from MAPL's return)."""

import io
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from documents.services import document_create, document_share, registration_allocate
from notifications.services import notify
from roles.models import Institution
from roles.permissions import Acting, grant, institution_group
from roles.selectors import role_holders

from ..attachments import process_documents_set
from ..models import PROCESS_VIEW, AssemblyDecisionProcess, LegalOutcome, permission_object
from ..nodes import If, StartHandle
from . import common, receipts

MUNICIPAL_ASSEMBLY_OFFICER = common.ASSEMBLY_OFFICER
MUNICIPAL_ASSEMBLY_CHAIR = common.ASSEMBLY_CHAIR
MINISTRY_REGISTRY_CLERK = common.REGISTRY_CLERK
MINISTRY_LEGAL_REVIEWER = common.LEGAL_REVIEWER

MUNICIPAL_ASSEMBLY = "municipal_assembly"
MAYOR = "mayor"
ISSUING_BODIES = (MUNICIPAL_ASSEMBLY, MAYOR)


class RevisionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500, required=False)
    adopted_on = forms.DateField(label=_("Adopted on"), required=False)


class ReconsiderationForm(forms.Form):
    adopted_on = forms.DateField(
        label=_("Adopted again on"),
        required=False,
        help_text=_("Submit: the date the assembly adopted the decision again."),
    )
    reasons = forms.CharField(
        label=_("Reasons"),
        widget=forms.Textarea,
        required=False,
        help_text=_("Kept by the assembly: why it keeps the act."),
    )

    @staticmethod
    def initial_for(process: Any) -> dict[str, Any]:
        # The field asks for the new adoption date: prefilled with the first one, an official
        # who left it would send nothing (the page sends changed fields only) and be refused.
        return {"adopted_on": None}


class ReviewForm(forms.Form):
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea, required=False)


def texts_of(process: AssemblyDecisionProcess) -> list[dict[str, Any]]:
    """The decision's texts: the municipality's registered, not annulled decision documents
    attached to it, each with its language (`sq+sr` for one marked bilingual)."""
    bilingual = set(process.data.get("bilingual_documents") or [])
    documents = (
        process.documents.filter(
            institution_id=process.institution_id,
            kind="decision",
            registration__annulled_at__isnull=True,
        )
        .select_related("registration")
        .order_by("pk")
    )
    return [
        {
            "document": document.pk,
            "registration_number": document.registration_number,
            "language": "sq+sr" if document.pk in bilingual else document.language,
        }
        for document in documents
    ]


def texts_checked(process: AssemblyDecisionProcess) -> list[dict[str, Any]]:
    """The texts, refused (400 on `documents`) unless they hold the Albanian and the Serbian
    text: nothing is signed off or sent without both."""
    texts = texts_of(process)
    # Each text's language is already read ("sq+sr" for one marked bilingual): no second query.
    languages = {language for text in texts for language in text["language"].split("+")}
    missing = common.missing_languages(languages)
    if missing:
        raise ValidationError(
            {
                "documents": [
                    gettext(
                        "The decision needs its registered text in Albanian and in Serbian (two "
                        "documents, or one marked bilingual); missing: %(languages)s."
                    )
                    % {"languages": ", ".join(missing)}
                ]
            }
        )
    return texts


def bilingual_checked(process: AssemblyDecisionProcess, value: Any) -> list[int]:
    """Documents marked as carrying both texts: attached ones only."""
    if value in (None, ""):
        return []
    if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
        raise ValidationError({"documents": [gettext("Give a list of document ids.")]})
    attached = set(process.documents.values_list("pk", flat=True))
    try:
        marked = sorted({int(item) for item in value})
    except (TypeError, ValueError) as error:
        raise ValidationError(
            {"documents": [gettext("Document ids are whole numbers.")]}
        ) from error
    stray = [pk for pk in marked if pk not in attached]
    if stray:
        raise ValidationError(
            {
                "documents": [
                    gettext("Marked bilingual but not attached: %s.") % ", ".join(map(str, stray))
                ]
            }
        )
    return marked


def _moment(at: Any) -> str:
    """A time as the process's typed fields store theirs."""
    return at.isoformat()


def current_round(process: AssemblyDecisionProcess) -> dict[str, Any]:
    """The round under way (the last transmission's), in the process's own JSON: what is
    written into it is saved with the process. A process sent before rounds were recorded
    gets its first one from what it has."""
    rounds = process.data.setdefault("rounds", [])
    if not rounds:
        rounds.append(
            {
                "number": process.transmissions or 1,
                "adopted_on": process.data.get("adopted_on"),
                "transmitted_at": process.data.get("transmitted_at"),
            }
        )
    return rounds[-1]


class AssemblyDecisionFlow(common.CoordinationFlow):
    """Assembly decision to MAPL

    The municipal assembly office registers a decision, the chair signs it off, the office
    transmits it to the ministry, the ministry's registry acknowledges receipt and its legal
    office finds it lawful or returns it for reconsideration.
    """

    process_class = AssemblyDecisionProcess
    process_title = _("Assembly decision to MAPL")
    return_hint = _("Say why the decision is returned.")
    starter_roles = (MUNICIPAL_ASSEMBLY_OFFICER,)
    # The buttons and the history's words for this flow's own actions (workflows.views).
    action_labels = {
        "uphold": _("Keep the decision as adopted"),
        "refer_to_court": _("Refer to court"),
        "no_referral": _("Do not refer to court"),
    }
    # Shown as a table of their own on the process's page, not as one of its fields.
    data_shown_apart = ("rounds",)

    # municipal assembly office
    start = (
        StartHandle(this.start_process)
        .Annotation(title=_("Register the decision"))
        .Next(this.approve)
    )

    # the assembly's chair (the mayor, for a mayor's decision) signs it off or returns it; the
    # municipal assembly office revises it
    approve, check_approval, revise = common.approval_round(
        (_("Sign off the decision"), _("Signed off?"), _("Revise the returned decision")),
        lanes=(this.municipality, this.approver_role, MUNICIPAL_ASSEMBLY_OFFICER),
        process="assembly_decision",
        then=this.transmit,
        revision_form=RevisionForm,
        revised=this.resubmitted,
    )
    transmit = common.step(
        _("Transmit the decision to MAPL"),
        lane=(this.municipality, MUNICIPAL_ASSEMBLY_OFFICER),
        permission="workflows.transmit_assembly_decision",
        actions=("transmit",),
        handler=this.transmitted,
        then=this.acknowledge,
    )
    reconsider = common.step(
        _("Reconsider the decision"),
        lane=(this.municipality, MUNICIPAL_ASSEMBLY_OFFICER),
        permission="workflows.prepare_assembly_decision",
        actions=("submit", "uphold"),
        handler=this.reconsidered,
        form=ReconsiderationForm,
        then=this.check_reconsideration,
    )
    check_reconsideration = (
        If(lambda activation: activation.process.legal_outcome == LegalOutcome.UPHELD)
        .Annotation(title=_("Kept by the assembly?"))
        .Then(this.court)
        .Else(this.approve)
    )

    # ministry registry
    acknowledge = common.step(
        _("Acknowledge receipt"),
        lane=(this.supervisor, MINISTRY_REGISTRY_CLERK),
        permission="workflows.acknowledge_assembly_decision",
        actions=("acknowledge",),
        handler=this.acknowledged,
        then=this.review,
    )

    # ministry legal office
    review = common.step(
        _("Review legality"),
        lane=(this.supervisor, MINISTRY_LEGAL_REVIEWER),
        permission="workflows.review_assembly_decision",
        actions=("lawful", "reconsider"),
        handler=this.legality_reviewed,
        form=ReviewForm,
        then=this.check_legality,
    )
    check_legality = (
        If(lambda activation: activation.process.legal_outcome == LegalOutcome.LAWFUL)
        .Annotation(title=_("Lawful?"))
        .Then(this.end)
        .Else(this.reconsider)
    )
    court = common.step(
        _("Decide whether to go to court"),
        lane=(this.supervisor, MINISTRY_LEGAL_REVIEWER),
        permission="workflows.review_assembly_decision",
        actions=("refer_to_court", "no_referral"),
        handler=this.court_decided,
        form=ReviewForm,
        then=this.kept,
    )

    end = flow.End().Annotation(title=_("Found lawful"))
    kept = flow.End().Annotation(title=_("Kept by the assembly"))

    # lanes

    def municipality(self, process: AssemblyDecisionProcess) -> Institution:
        return process.institution

    def supervisor(self, process: AssemblyDecisionProcess) -> Institution:
        """The supervising ministry (configurable by code; MAPL by law)."""
        code = getattr(settings, "ASSEMBLY_DECISION_SUPERVISOR", "MAPL")
        return Institution.objects.get(code=code)

    def approver_role(self, process: AssemblyDecisionProcess) -> str:
        """Who signs the decision off: the body that issued it."""
        return common.MAYOR if process.issuing_body == MAYOR else MUNICIPAL_ASSEMBLY_CHAIR

    def task_events(self, task: Any, process: Any) -> list[str]:
        """A transmission after a reconsideration is a round of its own, with its own clock
        from the new adoption date (rule `assembly-decision-retransmission`)."""
        if task.flow_task is not self.transmit:
            return []
        return ["task:retransmit"] if (process.data.get("transmissions") or 0) > 0 else []

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
        issuing_body = fields.get("issuing_body") or MUNICIPAL_ASSEMBLY
        if issuing_body not in ISSUING_BODIES:
            raise ValidationError(
                {"issuing_body": [gettext("Choose one of: %s.") % ", ".join(ISSUING_BODIES)]}
            )
        process.issuing_body = issuing_body
        # Checked against the attached documents by the API's form; a stray mark counts for
        # nothing (`texts_of` reads only the attached).
        process.data["bilingual_documents"] = sorted(
            {int(pk) for pk in fields.get("bilingual_documents") or []}
        )
        process.data["rounds"] = []
        activation.task.owner = actor
        return process

    def approved(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """Signed off only with both texts registered and attached."""
        answer = super().approved(
            activation, acting=acting, action=action, comment=comment, data=data
        )
        if action == "approve":
            answer["texts"] = texts_checked(activation.process)
        return answer

    def _documents_changed(
        self, process: AssemblyDecisionProcess, acting: Acting, data: dict
    ) -> dict:
        """New documents or bilingual marks from a revision; MAPL's receipts stay attached."""
        changes: dict[str, Any] = {}
        if "documents" in data:
            receipts_issued = [
                round_["receipt_document"]
                for round_ in process.data.get("rounds") or []
                if round_.get("receipt_document")
            ]
            changes["documents"] = process_documents_set(
                process=process, user=acting.user, document_ids=data["documents"]
            )
            process.documents.add(*receipts_issued)
        if "documents" in data or "bilingual_documents" in data:
            marked = data.get("bilingual_documents", process.data.get("bilingual_documents"))
            process.data["bilingual_documents"] = bilingual_checked(process, marked)
            changes["bilingual_documents"] = process.data["bilingual_documents"]
        return changes

    def resubmitted(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """The office corrects a returned decision: title, adoption date and texts."""
        process = activation.process
        changes: dict[str, Any] = {}
        if "title" in data:
            process.title = changes["title"] = common.title_checked(data["title"])
        if "adopted_on" in data:
            process.adopted_on = common.not_in_future(data["adopted_on"], "adopted_on")
            changes["adopted_on"] = process.adopted_on.isoformat()
        changes |= self._documents_changed(process, acting, data)
        process.approved = False
        return {"changes": changes} if changes else {}

    def reconsidered(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """The municipality answers MAPL: the assembly adopts the decision again (`submit`, with
        the new adoption date, which starts the new round's transmission clock), or keeps it as
        it was (`uphold`, with its reasons: MAPL then decides whether to go to court)."""
        process = activation.process
        current = current_round(process)
        now = timezone.now()
        if action == "uphold":
            reasons = common.reason_given(
                data.get("reasons") or comment,
                field="reasons",
                why=gettext("Say why the assembly keeps the act."),
            )
            process.legal_outcome = LegalOutcome.UPHELD
            current["reconsideration"] = {
                "outcome": LegalOutcome.UPHELD.value,
                "at": _moment(now),
                "by": acting.user.get_username(),
                "reasons": reasons,
            }
            return {"outcome": LegalOutcome.UPHELD.value, "reasons": reasons}
        if "adopted_on" not in data:
            raise ValidationError(
                {"adopted_on": [gettext("Give the date the assembly adopted it again.")]}
            )
        adopted_on = common.not_in_future(data["adopted_on"], "adopted_on")
        returned_on = timezone.localdate(activation.task.created)
        if adopted_on < returned_on:
            raise ValidationError(
                {"adopted_on": [gettext("Adopted again after MAPL returned it, not before.")]}
            )
        answer = self.resubmitted(
            activation,
            acting=acting,
            action=action,
            comment=comment,
            data={key: value for key, value in data.items() if key != "reasons"},
        )
        process.legal_outcome = ""
        current["reconsideration"] = {
            "outcome": "readopted",
            "at": _moment(now),
            "by": acting.user.get_username(),
            "adopted_on": adopted_on.isoformat(),
        }
        return {"outcome": "readopted", **answer}

    def transmitted(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """A new round: the texts (both languages, or nothing is sent) go to the ministry,
        which sees the process from the first transmission on."""
        process = activation.process
        texts = texts_checked(process)
        ministry = self.supervisor(process)
        process.transmitted_at = timezone.now()
        process.received_at = None
        process.transmissions = (process.transmissions or 0) + 1
        process.data.setdefault("rounds", []).append(
            {
                "number": process.transmissions,
                "adopted_on": process.adopted_on.isoformat(),
                "texts": texts,
                "transmitted_at": _moment(process.transmitted_at),
                "transmitted_by": acting.user.get_username(),
            }
        )
        if process.transmissions == 1:
            grant(
                actor=acting.user,
                on_behalf_of=acting.on_behalf_of,
                perm=PROCESS_VIEW,
                obj=permission_object(process),
                group=institution_group(ministry),
            )
        return {
            "transmitted_at": process.transmitted_at,
            "to": ministry.code,
            "round": process.transmissions,
            "events": [("transmitted", process.transmitted_at)],
            **common.documents_sent(process, ministry, acting=acting),
        }

    def acknowledged(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """The receipt is a registration: the act gets MAPL's own incoming number in MAPL's
        book, and a receipt (a registered PDF in Albanian and Serbian, with both institutions'
        numbers and both times) goes to the municipality, which is told."""
        process = activation.process
        ministry = self.supervisor(process)
        received_at = timezone.now()
        current = current_round(process)
        incoming = registration_allocate(actor=acting.user, institution=ministry)
        content = receipts.receipt_pdf(
            ministry=ministry,
            municipality=process.institution,
            title=process.title,
            texts=current.get("texts") or [],
            incoming_number=incoming.registration_number,
            transmitted_at=process.transmitted_at,
            received_at=received_at,
            received_by=acting.user,
            on_behalf_of=acting.on_behalf_of,
        )
        receipt = document_create(
            actor=acting.user,
            on_behalf_of=acting.on_behalf_of,
            institution=ministry,
            upload=io.BytesIO(content),
            filename=f"{incoming.registration_number}-receipt.pdf",
            size=len(content),
            title=receipts.receipt_title(incoming.registration_number, process.title),
            kind="correspondence",
            language="sq",
        )
        document_share(
            actor=acting.user,
            on_behalf_of=acting.on_behalf_of,
            document=receipt,
            institution=process.institution,
        )
        process.documents.add(receipt)
        process.received_at = received_at
        process.receipt_registration_number = incoming.registration_number
        process.data["receipt_document"] = receipt.pk
        current.update(
            {
                "received_at": _moment(received_at),
                "received_by": acting.user.get_username(),
                "receipt_registration_number": incoming.registration_number,
                "receipt_document": receipt.pk,
            }
        )
        title, number = process.title, incoming.registration_number
        notify(
            recipients=role_holders(
                institution=process.institution, role=MUNICIPAL_ASSEMBLY_OFFICER
            ),
            kind="received",
            message=lambda: (
                gettext("Received by %(ministry)s as %(number)s: %(process)s")
                % {"ministry": ministry.code, "number": number, "process": title}
            ),
            process=process,
            key=f"process:{process.pk}:received:{current['number']}",
        )
        return {
            "received_at": received_at,
            "receipt_registration_number": incoming.registration_number,
            "receipt_document": receipt.pk,
            "events": [("received", received_at)],
        }

    def legality_reviewed(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """Lawful, or returned for reconsideration with reasons. The reasons stay: each
        round's in its row of `rounds`, the last ones in `legal_reasons`."""
        process = activation.process
        reasons = common.reason_given(
            data.get("reasons") or comment,
            field="reasons",
            why=gettext("Give the reasons for reconsideration."),
            required=action == "reconsider",
        )
        process.legal_outcome = action
        if reasons:
            process.legal_reasons = reasons
        current_round(process)["review"] = {
            "outcome": action,
            "at": _moment(timezone.now()),
            "by": acting.user.get_username(),
            "reasons": reasons,
        }
        return {"legal_outcome": action, "outcome": action, "reason": reasons}

    def court_decided(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """After the assembly kept the act, MAPL records whether it takes it to court."""
        process = activation.process
        referred = action == "refer_to_court"
        reasons = common.reason_given(
            data.get("reasons") or comment,
            field="reasons",
            why=gettext("Give the grounds for going to court."),
            required=referred,
        )
        process.court_referral = referred
        current_round(process)["court"] = {
            "referred": referred,
            "at": _moment(timezone.now()),
            "by": acting.user.get_username(),
            "reasons": reasons,
        }
        return {"court_referral": referred, "outcome": action, "reasons": reasons}
