"""Press statements approved before release, in both official languages at once
(DOMAIN.md, 2): drafted by the information (or ministry communications) officer, approved or
returned by the mayor or minister, cleared by the central office (ZKP) when government-level,
released at once or at the embargo time and archived as registered documents; the statement
is complete only once its scanned, signed and stamped original is registered beside the
language texts (the communication strategy's archive; rule `press-statement-original`)."""

import io
from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import STATUS, flow

from audit.services import audit_record
from config.errors import Conflict
from documents.access import documents_visible
from documents.intake import JPEG, PDF, PNG, TIFF
from documents.models import Document
from documents.services import document_create
from notifications.services import notify
from roles.models import Institution
from roles.permissions import Acting

from ..models import PressStatementProcess, permission_object
from ..nodes import If, StartHandle
from . import common

LANGUAGES = (("sq", "text_sq", True), ("sr", "text_sr", True), ("en", "text_en", False))
# What a scan of the signed and stamped original may be (types the intake detected).
ORIGINAL_TYPES = (PDF, PNG, JPEG, TIFF)


class RevisionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500, required=False)
    text_sq = forms.CharField(label=_("Text in Albanian"), widget=forms.Textarea, required=False)
    text_sr = forms.CharField(label=_("Text in Serbian"), widget=forms.Textarea, required=False)
    text_en = forms.CharField(label=_("Text in English"), widget=forms.Textarea, required=False)


class OriginalForm(forms.Form):
    original_document = forms.IntegerField(
        label=_("Signed and stamped original"),
        min_value=1,
        help_text=_(
            "The id of the registered scan (PDF or image) of the signed and stamped statement."
        ),
    )


def original_checked(process: PressStatementProcess, user: Any, value: Any) -> Document:
    """The scanned original: a document the user sees, registered by the statement's own
    institution and not annulled, whose current version the intake found to be a PDF or an
    image. Anything else is a 400 on `original_document`."""
    field = "original_document"
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise ValidationError({field: [gettext("Give the id of a registered document.")]})
    number = int(value)
    document = (
        documents_visible(user=user)
        .filter(pk=number, registration__annulled_at__isnull=True)
        .select_related("registration")
        .first()
        if 0 < number < 2**63
        else None
    )
    if document is None:
        raise ValidationError({field: [gettext("No such document: %s.") % value]})
    if document.institution_id != process.institution_id:
        raise ValidationError(
            {field: [gettext("The original is registered in the statement's own institution.")]}
        )
    version = document.versions.order_by("-number").first()
    if version is None or version.mime_type not in ORIGINAL_TYPES:
        raise ValidationError(
            {field: [gettext("The original is a scan: a PDF or an image (PNG, JPEG, TIFF).")]}
        )
    return document


def texts_apply(process: PressStatementProcess, data: dict[str, Any], *, partial: bool) -> dict:
    """Set the title and texts given in `data` (all of them unless `partial`); both official
    languages must stay non-empty. Returns what changed."""
    changes: dict[str, Any] = {}
    if "title" in data or not partial:
        process.title = changes["title"] = common.title_checked(data.get("title"))
    for _language, field, required in LANGUAGES:
        if field in data or not partial:
            text = common.text_checked(data.get(field), field, required=required)
            if text != (getattr(process, field, "") or ""):
                changes[field] = text
            setattr(process, field, text)
    return changes


class PressStatementFlow(common.CoordinationFlow):
    """Press statement

    The officer drafts a statement in Albanian and Serbian, the mayor or minister approves or
    returns it, the central office clears a government-level statement, and it is released at
    once or at its embargo time and archived.
    """

    process_class = PressStatementProcess
    process_title = _("Press statement")
    starter_roles = (common.INFORMATION_OFFICER, common.COMMUNICATIONS_OFFICER)
    # The page shows the original's registration number and the document itself, not its id.
    data_shown_apart = ("original_document",)

    start = (
        StartHandle(this.start_process)
        .Annotation(title=_("Draft the statement"))
        .Next(this.approve)
    )

    # the mayor or minister approves or returns it; the information (or communications)
    # officer revises it
    approve, check_approval, revise = common.approval_round(
        (_("Approve the statement"), _("Approved?"), _("Revise the returned statement")),
        lanes=(this.own_institution, this.approver_role, this.officer_role),
        process="press_statement",
        then=this.check_level,
        revision_form=RevisionForm,
    )

    check_level = (
        If(lambda activation: activation.process.government_level)
        .Annotation(title=_("Government level?"))
        .Then(this.zkp_review)
        .Else(this.check_embargo)
    )

    # the central office (ZKP)
    zkp_review = common.approval(
        _("Clear the statement (central office)"),
        lane=(this.central_office_lane, common.COMMUNICATIONS_COORDINATOR),
        permission="workflows.review_press_statement",
        handler=this.reviewed,
        then=this.check_clearance,
    )
    check_clearance = common.approved_gate(
        _("Cleared?"), flag="reviewed", then=this.check_embargo, otherwise=this.revise
    )

    check_embargo = (
        If(this.is_embargoed)
        .Annotation(title=_("Under embargo?"))
        .Then(this.embargo)
        .Else(this.release)
    )

    embargo = (
        flow.Timer(this.embargo_ends)
        .Annotation(title=_("Wait for the embargo time"))
        .Next(this.release)
    )

    release = (
        flow.Function(this.released)
        .Annotation(title=_("Release and archive"))
        .Next(this.archive_original)
    )

    # the information (or communications) officer, with its own clock (a deadline rule)
    archive_original = common.step(
        _("Archive the signed and stamped original"),
        lane=(this.own_institution, this.officer_role),
        permission="workflows.prepare_press_statement",
        actions=("submit",),
        handler=this.original_archived,
        form=OriginalForm,
        then=this.end,
    )

    end = flow.End().Annotation(title=_("Released and archived"))

    # lanes

    def central_office_lane(self, process: PressStatementProcess) -> Institution | None:
        return common.central_office() if process.government_level else None

    def officer_role(self, process: PressStatementProcess) -> str:
        if common.is_municipality(process.institution):
            return common.INFORMATION_OFFICER
        return common.COMMUNICATIONS_OFFICER

    def approver_role(self, process: PressStatementProcess) -> str:
        return common.MAYOR if common.is_municipality(process.institution) else common.MINISTER

    def observers(self, process: PressStatementProcess) -> list[Institution]:
        """Institutions that see the item besides its own: the central office coordinates
        every ministry's communication."""
        return [] if common.is_municipality(process.institution) else [common.central_office()]

    def cancel_roles(self, process: PressStatementProcess) -> tuple[str, ...]:
        """The approver withdraws a statement (held back before its embargo, too)."""
        return (self.approver_role(process),)

    def canceled(self, process: PressStatementProcess) -> dict[str, Any]:
        """An approved statement waiting for its embargo is held back: never released. One
        released is public already: it is archived, not withdrawn."""
        if process.released_at is not None:
            raise Conflict(
                gettext("The statement is released already; it cannot be withdrawn."),
                code="already_released",
            )
        waiting = process.task_set.filter(flow_task=self.embargo, status=STATUS.SCHEDULED).exists()
        return {"withdrawn_before_embargo": True} if waiting else {}

    # start and task handlers

    def start_process(
        self,
        activation: Any,
        *,
        actor: Any,
        institution: Institution,
        fields: dict[str, Any],
    ) -> PressStatementProcess:
        process = activation.process
        process.institution = institution
        process.created_by = actor
        texts_apply(process, fields, partial=False)
        process.embargo_until = common.moment_checked(fields.get("embargo_until"), "embargo_until")
        government_level = bool(fields.get("government_level", False))
        if government_level and common.is_municipality(institution):
            raise ValidationError(
                {"government_level": [gettext("Only ministries issue government statements.")]}
            )
        process.government_level = government_level
        activation.task.owner = actor
        return process

    def revised(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        process = activation.process
        changes = texts_apply(process, data, partial=True)
        if "embargo_until" in data:
            process.embargo_until = common.moment_checked(data["embargo_until"], "embargo_until")
            changes["embargo_until"] = process.embargo_until
        process.approved = process.reviewed = False
        return {"changes": changes} if changes else {}

    def is_embargoed(self, activation: Any) -> bool:
        embargo = activation.process.embargo_until
        return embargo is not None and embargo > timezone.now()

    def embargo_ends(self, activation: Any) -> datetime:
        return activation.process.embargo_until

    def released(self, activation: Any) -> None:
        """Release and archive: each language becomes a registered document of the
        institution, linked as translations of the Albanian text."""
        process = activation.process
        process.released_at = timezone.now()
        archived: list[int] = []
        original = None
        for language, field, _required in LANGUAGES:
            text = getattr(process, field, "") or ""
            if not text:
                continue
            content = f"{process.title}\n\n{text}\n".encode()
            document = document_create(
                actor=process.created_by,
                institution=process.institution,
                upload=io.BytesIO(content),
                filename=f"{slugify(process.title)[:80] or 'statement'}-{language}.txt",
                size=len(content),
                title=process.title,
                kind="press_statement",
                language=language,
                classification="public",
                translation_of=original,
            )
            original = original or document
            archived.append(document.pk)
        process.data["archived_documents"] = archived
        process.save()
        process.documents.add(*archived)
        title = process.title
        notify(
            recipients=[process.created_by],
            kind="published",
            message=lambda: gettext("Released: %s") % title,
            process=process,
            key=f"process:{process.pk}:published",
        )
        audit_record(
            actor=None,
            action="process.released",
            obj=permission_object(process),
            extra={"released_at": process.released_at, "documents": archived},
        )

    def original_archived(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """The officer registers the scan of the signed and stamped statement: attached to the
        process beside the archived language texts; the statement is complete with it."""
        process = activation.process
        document = original_checked(process, acting.user, data.get("original_document"))
        process.documents.add(document)
        process.original_document = document.pk
        process.original_registration_number = document.registration_number
        process.archived_at = timezone.now()
        return {
            "original_document": document.pk,
            "original_registration_number": document.registration_number,
            "archived_at": process.archived_at,
        }
