"""Public consultation on a draft act (Regulation No. 05/2016; DOMAIN.md, 4): the institution's
officer prepares the draft (title, summaries in Albanian and Serbian, the documents, the
closing time), the head of the institution approves its publication or returns it, the public
comments on the portal until the closing time (a timer closes it), the officer answers every
comment, the head approves the report, and the report is published with every comment and its
answer."""

from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from audit.services import audit_record
from documents.models import Document, Kind
from documents.services import documents_made_public
from notifications.services import notify
from roles.models import Institution
from roles.permissions import Acting
from workflows.attachments import (
    DocumentsStep,
    process_documents_checked,
    process_documents_set,
)
from workflows.flows import common
from workflows.models import permission_object
from workflows.nodes import StartHandle

from .models import SUMMARY_MAX, Consultation, PublicConsultationProcess
from .periods import period_checked
from .selectors import documents_unpublishable
from .services import answers_record

OFFICER = "officer"

# Who prepares it and answers the comments.
OFFICER_ROLES = {
    Institution.Kind.MUNICIPALITY: common.INFORMATION_OFFICER,
    Institution.Kind.MINISTRY: common.COMMUNICATIONS_OFFICER,
}


def publishable_checked(documents: QuerySet[Document], *, institution: Institution | None) -> None:
    """Refuses (400 on `documents`) a consultation's documents it may not publish
    (`selectors.documents_unpublishable`): at the start and at every step that adds some."""
    refused = documents_unpublishable(documents, institution=institution)
    if refused:
        raise ValidationError(
            {
                "documents": [
                    gettext(
                        "A consultation publishes its documents: attach your institution's "
                        "own documents or public ones, never confidential ones (not: %s)."
                    )
                    % ", ".join(map(str, refused))
                ]
            }
        )


def officer_role(institution: Institution) -> str:
    return OFFICER_ROLES.get(institution.kind, OFFICER)  # type: ignore[call-overload]


class RevisionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500, required=False)
    summary_sq = forms.CharField(
        label=_("Summary in Albanian"), widget=forms.Textarea, required=False
    )
    summary_sr = forms.CharField(
        label=_("Summary in Serbian"), widget=forms.Textarea, required=False
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def summary_checked(value: Any, field: str) -> str:
    text = common.text_checked(value, field, required=True)
    if len(text) > SUMMARY_MAX:
        raise ValidationError(
            {field: [gettext("At most %(count)s characters.") % {"count": SUMMARY_MAX}]}
        )
    return text


def draft_apply(
    process: PublicConsultationProcess, fields: dict[str, Any], *, partial: bool
) -> dict[str, Any]:
    """Set the draft's title, summaries and times given in `fields` (all required unless
    `partial`) and check the period against the minimum. Returns what changed."""
    changes: dict[str, Any] = {}
    if "title" in fields or not partial:
        process.title = changes["title"] = common.title_checked(fields.get("title"))
    for field in ("summary_sq", "summary_sr"):
        if field in fields or not partial:
            text = summary_checked(fields.get(field), field)
            if text != (getattr(process, field, "") or ""):
                changes[field] = text
            setattr(process, field, text)
    now = timezone.now()
    if "opens_at" in fields or not partial:
        process.opens_at = common.moment_checked(fields.get("opens_at"), "opens_at") or now
        changes["opens_at"] = process.opens_at
    if "closes_at" in fields or not partial:
        closes_at = common.moment_checked(fields.get("closes_at"), "closes_at")
        if closes_at is None:
            raise ValidationError({"closes_at": [gettext("Give the closing time.")]})
        process.closes_at = changes["closes_at"] = closes_at
    opens_at = process.opens_at or now
    period_checked(opens_at=max(opens_at, now), closes_at=process.closes_at)
    return changes


class PublicConsultationFlow(common.CoordinationFlow):
    """Public consultation

    The officer prepares a draft act's consultation, the head of the institution approves its
    publication, the public comments until the closing time, the officer answers every
    comment and the head approves the report, which is then published.
    """

    process_class = PublicConsultationProcess
    process_title = _("Public consultation")
    starter_roles = (common.INFORMATION_OFFICER, common.COMMUNICATIONS_OFFICER, OFFICER)
    # The buttons and the history's words for this flow's own actions (workflows.views).
    action_labels = {
        "answer_comments": _("Send the answers"),
        "publish_report": _("Approve and publish the report"),
    }
    # The returned draft's page offers its documents and upload slots (`workflows.files`):
    # sent as `data.documents`, the draft's whole set. The head's approvals take a signed
    # decision and the officer's answers the report's documents, each step's own (`adds`):
    # added to the process and published with what it approves — the draft's with the
    # consultation, the answers' and the report's with the report.
    document_steps = {
        "revise": DocumentsStep(),
        "approve": DocumentsStep(kind=Kind.DECISION, adds=True, label=_("Signed decision")),
        "answer_comments": DocumentsStep(
            kind=Kind.REPORT, adds=True, label=_("Documents of the answers' report")
        ),
        "publish_report": DocumentsStep(
            kind=Kind.DECISION, adds=True, label=_("Signed decision on the report")
        ),
    }

    start = (
        StartHandle(this.start_process)
        .Annotation(title=_("Prepare the consultation"))
        .Next(this.approve)
    )

    # the head of the institution approves or returns it; the officer revises it
    approve, check_approval, revise = common.approval_round(
        (
            _("Approve the public consultation"),
            _("Approved?"),
            _("Revise the returned consultation"),
        ),
        lanes=(this.own_institution, this.head_lane, this.officer_lane),
        process="public_consultation",
        then=this.comment_period,
        revision_form=RevisionForm,
    )

    comment_period = (
        flow.Timer(this.closing_time)
        .Annotation(title=_("Open for comments until the closing time"))
        .Next(this.close)
    )

    close = (
        flow.Function(this.closed)
        .Annotation(title=_("Close the comments"))
        .Next(this.answer_comments)
    )

    answer_comments = common.step(
        _("Answer every comment"),
        lane=(this.own_institution, this.officer_lane),
        permission="workflows.prepare_public_consultation",
        actions=("answer_comments",),
        handler=this.answered,
        then=this.publish_report,
    )

    publish_report = common.step(
        _("Approve the consultation report"),
        lane=(this.own_institution, this.head_lane),
        permission="workflows.approve_public_consultation",
        actions=("publish_report", "return"),
        handler=this.report_decided,
        then=this.check_report,
    )
    check_report = common.approved_gate(
        _("Report approved?"),
        flag="report_approved",
        then=this.publish,
        otherwise=this.answer_comments,
    )

    publish = flow.Function(this.published).Annotation(title=_("Publish the report")).Next(this.end)

    end = flow.End().Annotation(title=_("Report published"))

    # lanes

    def head_lane(self, process: PublicConsultationProcess) -> str:
        return common.head_roles(process.institution)[0]

    def officer_lane(self, process: PublicConsultationProcess) -> str:
        return officer_role(process.institution)

    def observers(self, process: PublicConsultationProcess) -> list[Institution]:
        """The Office for Good Governance (in the Office of the Prime Minister) follows every
        institution's consultations."""
        return [] if process.institution.code == "ZKM" else [common.central_office()]

    # start and task handlers

    def start_process(
        self,
        activation: Any,
        *,
        actor: Any,
        institution: Institution,
        fields: dict[str, Any],
    ) -> PublicConsultationProcess:
        process = activation.process
        process.institution = institution
        process.created_by = actor
        draft_apply(process, fields, partial=False)
        activation.task.owner = actor
        return process

    def documents_added(
        self, process: PublicConsultationProcess, *, acting: Acting, data: dict[str, Any]
    ) -> list[int]:
        """The step's own documents (`data.documents`, optional) added to the process: each
        one the official may attach (`workflows.attachments`) and the consultation may
        publish (its institution's own, or public ones; never a confidential one)."""
        if not data.get("documents"):
            return []
        found = process_documents_checked(
            process=process, user=acting.user, document_ids=data["documents"]
        )
        publishable_checked(Document.objects.filter(pk__in=found), institution=process.institution)
        process.documents.add(*found)
        return sorted(found)

    def approved(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        process: PublicConsultationProcess = activation.process
        added = self.documents_added(process, acting=acting, data=data)
        decided = self.decided(activation, "approved", action=action, comment=comment)
        if added:
            decided = {**decided, "documents": added}
        if not process.approved:
            return decided
        # It opens at its opening time, or now if that has passed: the period left must still
        # be the minimum (a late approval is returned for new dates instead).
        now = timezone.now()
        opens_at = max(process.opens_at or now, now)
        period_checked(opens_at=opens_at, closes_at=process.closes_at)
        process.opens_at = opens_at
        # The draft's documents are published with it: the institution's internal ones become
        # public now, each an audited reclassification (no other document changes).
        documents_made_public(
            actor=acting.user,
            on_behalf_of=acting.on_behalf_of,
            institution=process.institution,
            documents=list(process.documents.all()),
            reason=f"public consultation {process.pk} approved for publication",
        )
        Consultation.objects.update_or_create(
            process_id=process.pk,
            defaults={
                "institution_id": process.institution_id,
                "title": process.title,
                "summary_sq": process.summary_sq,
                "summary_sr": process.summary_sr,
                "opens_at": opens_at,
                "closes_at": process.closes_at,
                "approved_at": now,
            },
        )
        return {"opens_at": opens_at, "closes_at": process.closes_at}

    def revised(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        process = activation.process
        changes = draft_apply(process, data, partial=True)
        if "documents" in data:
            changes["documents"] = process_documents_set(
                process=process, user=acting.user, document_ids=data["documents"]
            )
        process.approved = False
        return {"changes": changes} if changes else {}

    def canceled(self, process: PublicConsultationProcess) -> dict[str, Any]:
        """A consultation withdrawn while open takes no more comments: it closes now (the
        public still sees what was consulted on, with no report to follow)."""
        now = timezone.now()
        closed = Consultation.objects.filter(process_id=process.pk, closes_at__gt=now).update(
            closes_at=now, closed_at=now
        )
        return {"comments_closed_at": now.isoformat()} if closed else {}

    def closing_time(self, activation: Any) -> datetime:
        return activation.process.closes_at

    def closed(self, activation: Any) -> None:
        process: PublicConsultationProcess = activation.process
        now = timezone.now()
        process.closed_at = now
        process.save(update_fields=["data"])
        Consultation.objects.filter(process_id=process.pk).update(closed_at=now)
        counts = Consultation.objects.filter(process_id=process.pk).aggregate(
            comments=Count("comments")
        )
        audit_record(
            actor=None,
            action="consultation.closed",
            obj=permission_object(process),
            extra={"closed_at": now, "comments": counts["comments"]},
        )

    def answered(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        process = activation.process
        answers = data.get("answers", [])
        recorded = answers_record(
            actor=acting.user, process_id=process.pk, answers=answers, audited=False
        )
        unanswered = Consultation.objects.filter(process_id=process.pk).aggregate(
            left=Count("comments", filter=Q(comments__outcome=""))
        )["left"]
        if unanswered:
            raise ValidationError(
                {
                    "answers": [
                        gettext("%(count)s comments have no answer yet: answer every comment.")
                        % {"count": unanswered}
                    ]
                }
            )
        added = self.report_documents_added(process, acting=acting, data=data)
        process.report_approved = False
        return {"answers": recorded, **({"documents": added} if added else {})}

    def report_documents_added(
        self, process: PublicConsultationProcess, *, acting: Acting, data: dict[str, Any]
    ) -> list[int]:
        """The step's documents added to the process as the report's: published with it."""
        added = self.documents_added(process, acting=acting, data=data)
        if added:
            process.report_documents = sorted({*(process.report_documents or []), *added})
        return added

    def report_decided(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        process: PublicConsultationProcess = activation.process
        if action == "return" and not comment:
            raise ValidationError({"comment": [gettext("Say what to change in the answers.")]})
        added = self.report_documents_added(process, acting=acting, data=data)
        process.report_approved = action == "publish_report"
        if process.report_approved:
            # The report's documents are published with it: the institution's internal ones
            # become public now, as the draft's did at its approval.
            documents_made_public(
                actor=acting.user,
                on_behalf_of=acting.on_behalf_of,
                institution=process.institution,
                documents=list(process.documents.filter(pk__in=process.report_documents or [])),
                reason=f"public consultation {process.pk}: report approved for publication",
            )
        decided: dict[str, Any] = {"reason": comment} if action == "return" else {}
        return {**decided, "documents": added} if added else decided

    def published(self, activation: Any) -> None:
        process: PublicConsultationProcess = activation.process
        now = timezone.now()
        process.published_at = now
        process.save(update_fields=["data"])
        Consultation.objects.filter(process_id=process.pk).update(report_published_at=now)
        title = process.title
        if process.created_by is not None:
            notify(
                recipients=[process.created_by],
                kind="published",
                message=lambda: gettext("Consultation report published: %s") % title,
                process=process,
                key=f"process:{process.pk}:published",
            )
        audit_record(
            actor=None,
            action="consultation.report_published",
            obj=permission_object(process),
            extra={"published_at": now},
        )
