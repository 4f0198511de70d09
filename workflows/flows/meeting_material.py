"""Government-meeting material with its communication plan (DOMAIN.md, 3): a ministry's
communications officer submits it, the minister approves, the central office (ZKP) reviews the
plan, the Government Secretariat puts it on a meeting's agenda and records the outcome, and
approved material becomes accessible to the media in both official languages."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from audit.services import audit_record
from config.text import control_characters_refused
from documents.access import documents_publishable
from notifications.services import notify
from roles.models import Institution
from roles.permissions import Acting

from ..attachments import process_documents_set
from ..models import MeetingMaterialProcess, MeetingOutcome, permission_object
from ..nodes import If, StartHandle
from . import common

# What a communication plan must say (all required).
PLAN_FIELDS = ("key_messages", "audiences", "channels", "spokesperson", "timing", "languages")
OFFICIAL_LANGUAGES = {"sq", "sr"}


def plan_checked(value: Any) -> dict[str, Any]:
    """Every part of the plan present and non-empty; the languages include both official
    ones (the material reaches the media in Albanian and Serbian at the same time)."""
    if not isinstance(value, dict):
        raise ValidationError(
            {"communication_plan": [gettext("A communication plan is required.")]}
        )
    errors: dict[str, list[str]] = {}
    plan: dict[str, Any] = {}
    for field in PLAN_FIELDS:
        item = value.get(field)
        if isinstance(item, str):
            item = item.strip()
        elif isinstance(item, list):
            item = [str(part).strip() for part in item if str(part).strip()]
        else:
            item = None
        if not item:
            errors[field] = [gettext("This part of the plan is required.")]
            continue
        try:
            for part in [item] if isinstance(item, str) else item:
                control_characters_refused(part, field, one_line=False)
        except ValidationError as refusal:
            errors.update(refusal.message_dict)
        else:
            plan[field] = item
    languages = plan.get("languages")
    if languages is not None:
        parts = languages.replace(";", ",").split(",") if isinstance(languages, str) else languages
        codes = {part.strip().lower() for part in parts}
        if not codes >= OFFICIAL_LANGUAGES:
            errors["languages"] = [gettext("Both official languages (sq, sr) are required.")]
    if errors:
        raise ValidationError({"communication_plan": [errors]})
    return plan


class RevisionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500, required=False)
    meeting_date = forms.DateField(label=_("Meeting date"), required=False)
    key_messages = forms.CharField(label=_("Key messages"), widget=forms.Textarea, required=False)
    audiences = forms.CharField(label=_("Audiences"), required=False)
    channels = forms.CharField(label=_("Channels"), required=False)
    spokesperson = forms.CharField(label=_("Spokesperson"), required=False)
    timing = forms.CharField(label=_("Timing"), required=False)
    languages = forms.CharField(label=_("Languages"), required=False)

    @staticmethod
    def initial_for(process: Any) -> dict[str, Any]:
        """The plan's parts as the fields show them (a list one item a line, or with commas),
        so that the official edits the plan in place and what they leave is not sent."""
        plan = process.data.get("communication_plan") or {}
        return {
            name: ("\n" if name == "key_messages" else ", ").join(map(str, value))
            if isinstance(value, list)
            else value
            for name, value in plan.items()
            if name in PLAN_FIELDS
        }


def languages_missing(process: MeetingMaterialProcess) -> list[str]:
    """The official languages the material's publishable documents lack (named)."""
    return common.missing_languages(
        common.languages_of(
            documents_publishable(process.documents.all()),
            process.data.get("bilingual_documents") or [],
        )
    )


class ScheduleForm(forms.Form):
    meeting_date = forms.DateField(label=_("Meeting date"), required=False)
    agenda_item = forms.CharField(label=_("Agenda item"), max_length=64, required=False)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=MeetingOutcome.choices)


class MeetingMaterialFlow(common.CoordinationFlow):
    """Government-meeting material

    A ministry submits material with its communication plan, the minister approves it, the
    central office reviews the plan, the Government Secretariat schedules it and records the
    meeting's outcome; approved material is published for the media.
    """

    process_class = MeetingMaterialProcess
    process_title = _("Government-meeting material")
    # The communication plan's parts, named as its form names them.
    data_labels = {name: RevisionForm.base_fields[name].label for name in PLAN_FIELDS}
    starter_roles = (common.COMMUNICATIONS_OFFICER,)

    start = (
        StartHandle(this.start_process)
        .Annotation(title=_("Submit the material"))
        .Next(this.approve)
    )

    # the minister approves or returns it; the ministry's communications officer revises it
    approve, check_approval, revise = common.approval_round(
        (_("Approve the material"), _("Approved?"), _("Revise the material")),
        lanes=(this.own_institution, common.MINISTER, common.COMMUNICATIONS_OFFICER),
        process="meeting_material",
        then=this.zkp_review,
        revision_form=RevisionForm,
    )

    # the central office: ZKP, then the Government Secretariat
    zkp_review = common.approval(
        _("Review the communication plan"),
        lane=(this.central_office_lane, common.COMMUNICATIONS_COORDINATOR),
        permission="workflows.review_communication_plan",
        handler=this.reviewed,
        then=this.check_review,
    )
    check_review = common.approved_gate(
        _("Plan cleared?"), flag="reviewed", then=this.schedule, otherwise=this.revise
    )
    schedule = common.step(
        _("Put on a meeting's agenda"),
        lane=(this.central_office_lane, common.GOVERNMENT_SECRETARY),
        permission="workflows.schedule_meeting_material",
        actions=("schedule",),
        handler=this.scheduled,
        form=ScheduleForm,
        then=this.record_outcome,
    )
    record_outcome = common.step(
        _("Record the meeting's outcome"),
        lane=(this.central_office_lane, common.GOVERNMENT_SECRETARY),
        permission="workflows.schedule_meeting_material",
        actions=("record_outcome",),
        handler=this.outcome_recorded,
        form=OutcomeForm,
        then=this.check_outcome,
    )

    check_outcome = (
        flow.Switch()
        .Annotation(title=_("Outcome?"))
        .Case(this.check_languages, lambda a: a.process.outcome == MeetingOutcome.APPROVED)
        .Case(this.schedule, lambda a: a.process.outcome == MeetingOutcome.POSTPONED)
        .Default(this.rejected)
    )

    # Published only in both official languages: else the ministry adds what is missing.
    check_languages = (
        If(lambda activation: not languages_missing(activation.process))
        .Annotation(title=_("In Albanian and Serbian?"))
        .Then(this.publish)
        .Else(this.complete_languages)
    )
    complete_languages = common.step(
        _("Add the material's missing language version"),
        lane=(this.own_institution, common.COMMUNICATIONS_OFFICER),
        permission="workflows.prepare_meeting_material",
        actions=("submit",),
        handler=this.languages_completed,
        then=this.check_languages,
    )

    publish = (
        flow.Function(this.published).Annotation(title=_("Publish for the media")).Next(this.end)
    )

    end = flow.End().Annotation(title=_("Approved and published"))
    rejected = flow.End().Annotation(title=_("Rejected"))

    # lanes

    def observers(self, process: MeetingMaterialProcess) -> list[Institution]:
        return [common.central_office()]

    # start and task handlers

    def start_process(
        self, activation: Any, *, actor: Any, institution: Institution, fields: dict[str, Any]
    ) -> MeetingMaterialProcess:
        if institution.kind != Institution.Kind.MINISTRY:
            raise ValidationError(
                {"institution": [gettext("Meeting material comes from a ministry.")]}
            )
        process = activation.process
        process.institution = institution
        process.created_by = actor
        process.title = common.title_checked(fields.get("title"))
        process.meeting_date = common.not_in_past(fields.get("meeting_date"), "meeting_date")
        process.communication_plan = plan_checked(fields.get("communication_plan"))
        process.data["bilingual_documents"] = sorted(
            {int(pk) for pk in fields.get("bilingual_documents") or []}
        )
        activation.task.owner = actor
        return process

    def approved(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """Approved, the material goes to the central office, whose communications office
        reviews it and whose Secretariat puts it on an agenda: they read its documents."""
        answer = super().approved(
            activation, acting=acting, action=action, comment=comment, data=data
        )
        if activation.process.approved:
            answer |= common.documents_sent(
                activation.process, common.central_office(), acting=acting
            )
        return answer

    def reviewed(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        return self.decided(
            activation,
            "reviewed",
            action=action,
            comment=comment,
            why=gettext("Say what to change in the plan."),
        )

    def revised(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        process = activation.process
        changes: dict[str, Any] = {}
        if "title" in data:
            process.title = changes["title"] = common.title_checked(data["title"])
        if "meeting_date" in data:
            process.meeting_date = common.not_in_past(data["meeting_date"], "meeting_date")
            changes["meeting_date"] = process.meeting_date.isoformat()
        plan_parts = {key: data[key] for key in PLAN_FIELDS if key in data}
        if "communication_plan" in data or plan_parts:
            plan = data.get("communication_plan")
            merged = {
                **(process.communication_plan or {}),
                **(plan if isinstance(plan, dict) else {}),
            }
            merged.update(plan_parts)
            process.communication_plan = changes["communication_plan"] = plan_checked(merged)
        if "documents" in data:
            changes["documents"] = process_documents_set(
                process=process, user=acting.user, document_ids=data["documents"]
            )
        process.approved = process.reviewed = False
        return {"changes": changes} if changes else {}

    def scheduled(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """On a meeting's agenda: an agenda item is required (kept from an earlier scheduling
        when not given again)."""
        process = activation.process
        if data.get("meeting_date"):
            process.meeting_date = common.not_in_past(data["meeting_date"], "meeting_date")
        agenda_item = control_characters_refused(
            str(data.get("agenda_item") or process.agenda_item or "").strip(),
            "agenda_item",
            one_line=True,
        )
        if not agenda_item:
            raise ValidationError({"agenda_item": [gettext("Give the agenda item.")]})
        process.agenda_item = agenda_item[:64]
        process.outcome = ""
        return {
            "meeting_date": process.meeting_date.isoformat(),
            "agenda_item": process.agenda_item,
        }

    def outcome_recorded(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """The meeting's outcome: approved or rejected once the meeting has taken place (a
        postponement, which takes the item off that agenda, also before)."""
        process = activation.process
        outcome = data.get("outcome")
        if outcome not in MeetingOutcome.values:
            raise ValidationError(
                {"outcome": [gettext("Choose one of: %s.") % ", ".join(MeetingOutcome.values)]}
            )
        # A postponement may come before the meeting; its decision only after it.
        if outcome != MeetingOutcome.POSTPONED and timezone.localdate() < process.meeting_date:
            raise ValidationError(
                {
                    "outcome": [
                        gettext("The meeting is on %s: its outcome is recorded after it.")
                        % process.meeting_date.isoformat()
                    ]
                }
            )
        process.outcome = outcome
        return {"outcome": outcome, "meeting_date": process.meeting_date.isoformat()}

    def languages_completed(
        self, activation: Any, *, acting: Acting, action: str, comment: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """The ministry attaches the material again, with the missing language version (a
        public document), so that it goes out in Albanian and Serbian."""
        process = activation.process
        if "documents" not in data:
            raise ValidationError(
                {
                    "documents": [
                        gettext("Attach the material in both official languages; missing: %s.")
                        % ", ".join(languages_missing(process))
                    ]
                }
            )
        attached = process_documents_set(
            process=process, user=acting.user, document_ids=data["documents"]
        )
        marked = data.get("bilingual_documents") or []
        process.data["bilingual_documents"] = sorted({int(pk) for pk in marked} & set(attached))
        return {
            "changes": {"documents": attached},
            **common.documents_sent(process, common.central_office(), acting=acting),
        }

    def published(self, activation: Any) -> None:
        process = activation.process
        process.published_at = timezone.now()
        process.save()
        title = process.title
        notify(
            recipients=[process.created_by],
            kind="published",
            message=lambda: gettext("Published for the media: %s") % title,
            process=process,
            key=f"process:{process.pk}:published",
        )
        # Only public documents go out with it; the rest stay with those who were sent them.
        attached = set(process.documents.values_list("pk", flat=True))
        published = set(documents_publishable(process.documents.all()).values_list("pk", flat=True))
        audit_record(
            actor=None,
            action="process.published",
            obj=permission_object(process),
            extra={
                "published_at": process.published_at,
                "documents": sorted(published),
                "withheld_documents": sorted(attached - published),
            },
        )
