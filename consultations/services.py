"""Writes of the consultations: a comment from the public, the officer's answers. Each is
audited; contact details never enter an audit entry."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from audit.services import audit_record
from config.errors import Conflict, NotFound
from config.text import plain_text
from roles.models import User

from . import models
from .models import Capacity, Comment, Consultation, Outcome

# One request answers at most this many comments (10,000 comments: two requests at most).
ANSWERS_MAX = 5_000

# What only the consulting institution reads: never published, never another institution's.
CONTACT_FIELDS = ("email", "phone", "address")

# field: (longest, one line, required)
COMMENT_FIELDS = {
    "name": (models.NAME_MAX, True, True),
    "organisation": (models.ORGANISATION_MAX, True, False),
    "fields_of_action": (models.FIELDS_OF_ACTION_MAX, False, False),
    "email": (models.EMAIL_MAX, True, True),
    "phone": (models.PHONE_MAX, True, False),
    "address": (models.ADDRESS_MAX, True, False),
    "section": (models.SECTION_MAX, True, False),
    "text": (models.TEXT_MAX, False, True),
}


def comment_fields_checked(values: dict[str, Any]) -> dict[str, str]:
    """Every field of a comment checked, all errors at once."""
    cleaned: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for field, (longest, one_line, required) in COMMENT_FIELDS.items():
        try:
            cleaned[field] = plain_text(
                values.get(field), field, longest=longest, one_line=one_line, required=required
            )
        except ValidationError as error:
            errors.update(error.message_dict)
    capacity = values.get("capacity")
    if capacity not in Capacity.values:
        errors["capacity"] = [gettext("Choose one of: %s.") % ", ".join(Capacity.values)]
    else:
        cleaned["capacity"] = capacity
    if cleaned.get("email") and "email" not in errors:
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            errors["email"] = [gettext("Give a valid e-mail address.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


def comment_window_open(consultation: Consultation, now: datetime) -> bool:
    return (
        consultation.approved_at is not None
        and consultation.opens_at <= now < consultation.closes_at
    )


def comment_create(
    *, consultation_id: int, values: dict[str, Any], language: str = "", now: datetime | None = None
) -> Comment:
    """A comment from the public on an opened consultation; 409 `consultation_closed` before
    its opening or from its closing time on."""
    cleaned = comment_fields_checked(values)
    now = now or timezone.now()
    with transaction.atomic():
        consultation = (
            Consultation.objects.filter(pk=consultation_id, approved_at__isnull=False)
            .only("pk", "opens_at", "closes_at", "approved_at")
            .first()
        )
        if consultation is None:
            raise NotFound
        if not comment_window_open(consultation, now):
            raise Conflict(
                gettext("This consultation is not open for comments."),
                code="consultation_closed",
                details={
                    "opens_at": consultation.opens_at.isoformat(),
                    "closes_at": consultation.closes_at.isoformat(),
                },
            )
        comment = Comment(
            consultation=consultation, received_at=now, language=language[:8], **cleaned
        )
        comment.save()
        audit_record(
            actor=None,
            action="consultation.comment_received",
            obj=comment,
            extra={
                "consultation": consultation.pk,
                "capacity": comment.capacity,
                "characters": len(comment.text),
            },
        )
    return comment


def _answer_checked(answer: Any, index: int) -> tuple[int, str, str]:
    where = f"answers[{index}]"
    if not isinstance(answer, dict):
        raise ValidationError({where: [gettext("Give an object: comment, outcome, reason.")]})
    comment_id = answer.get("comment")
    if (
        isinstance(comment_id, bool)
        or not isinstance(comment_id, int)
        or not 0 < comment_id < 2**63
    ):
        raise ValidationError({where: [gettext("`comment` is a comment's id.")]})
    outcome = answer.get("outcome")
    if outcome not in Outcome.values:
        raise ValidationError({where: [gettext("Choose one of: %s.") % ", ".join(Outcome.values)]})
    reason = plain_text(
        answer.get("reason"), where, longest=models.REASON_MAX, one_line=False, required=False
    )
    if outcome != Outcome.ACCEPTED and not reason:
        raise ValidationError({where: [gettext("Give the reason for not accepting it whole.")]})
    return comment_id, outcome, reason


def answers_record(
    *,
    actor: User,
    process_id: int,
    answers: Iterable[Any],
    audited: bool = True,
    on_behalf_of: User | None = None,
) -> int:
    """Record the officer's answers to comments of one consultation (an answer given again
    replaces the earlier one); returns how many. `audited`: False inside a task completion,
    whose own entry counts them."""
    if isinstance(answers, str | bytes | dict) or not isinstance(answers, Iterable):
        raise ValidationError({"answers": [gettext("Give a list of answers.")]})
    answers = list(answers)
    if len(answers) > ANSWERS_MAX:
        raise ValidationError(
            {"answers": [gettext("At most %(count)s answers at once.") % {"count": ANSWERS_MAX}]}
        )
    checked = {}
    for index, answer in enumerate(answers):
        comment_id, outcome, reason = _answer_checked(answer, index)
        checked[comment_id] = (outcome, reason)
    if not checked:
        return 0
    with transaction.atomic():
        comments = list(
            Comment.objects.select_for_update()
            .filter(consultation_id=process_id, pk__in=list(checked))
            .only("pk", "outcome", "reason")
        )
        missing = sorted(set(checked) - {comment.pk for comment in comments})
        if missing:
            raise ValidationError(
                {
                    "answers": [
                        gettext("Not comments of this consultation: %s.")
                        % ", ".join(map(str, missing[:20]))
                    ]
                }
            )
        now = timezone.now()
        for comment in comments:
            comment.outcome, comment.reason = checked[comment.pk]
            comment.answered_at, comment.answered_by = now, actor
        Comment.objects.bulk_update(
            comments, ["outcome", "reason", "answered_at", "answered_by"], batch_size=500
        )
        if audited:
            audit_record(
                actor=actor,
                on_behalf_of=on_behalf_of,
                action="consultation.comments_answered",
                object_type="workflows.coordinationprocess",
                object_id=process_id,
                extra={"answers": len(comments)},
            )
    return len(comments)
