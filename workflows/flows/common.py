"""What every flow shares: role codes, the central institutions, and input checks that turn
what the law forbids into a 400 with the field's name."""

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import dateparse, timezone
from django.utils.translation import gettext

from audit.services import audit_record_many
from config.text import control_characters_refused
from documents.access import documents_forwardable
from documents.services import document_share
from roles.models import Institution
from roles.permissions import Acting

# Role codes (roles/catalogue.py)
ASSEMBLY_OFFICER = "assembly_officer"
ASSEMBLY_CHAIR = "assembly_chair"
INFORMATION_OFFICER = "information_officer"
MAYOR = "mayor"
COMMUNICATIONS_OFFICER = "communications_officer"
MINISTER = "minister"
REGISTRY_CLERK = "registry_clerk"
LEGAL_REVIEWER = "legal_reviewer"
COMMUNICATIONS_COORDINATOR = "communications_coordinator"
GOVERNMENT_SECRETARY = "government_secretary"


def decision_recorded(
    process: Any, flag: str, *, action: str, comment: str, why: str
) -> dict[str, Any]:
    """An approve-or-return step: `flag` on the process says which it was; a return without a
    comment is refused with `why` (what the comment must say). The task handlers' answer."""
    if action == "return" and not comment:
        raise ValidationError({"comment": [why]})
    setattr(process, flag, action == "approve")
    return {}


def documents_sent(process: Any, institution: Institution, *, acting: Acting) -> dict[str, Any]:
    """The institution a process is sent to reads its documents from then on: the process's
    institution's own, and another's only with its owner's consent on record
    (`documents.access.documents_forwardable`); any other stays where it was, withheld and
    recorded. Each is shared once: `data["shared_documents"]` remembers them, so a process sent
    again after a revision shares only what the revision attached. What the completion's audit
    entry adds: the ids withheld, if any."""
    shared = set(process.data.get("shared_documents") or [])
    unshared = process.documents.exclude(pk__in=shared).exclude(institution=institution)
    sendable = documents_forwardable(institution=process.institution, queryset=unshared)
    withheld = list(unshared.exclude(pk__in=sendable.values("pk")).order_by("pk"))
    for document in sendable.order_by("pk"):
        document_share(
            actor=acting.user,
            on_behalf_of=acting.on_behalf_of,
            document=document,
            institution=institution,
            forwarded_by=process.institution,
        )
        shared.add(document.pk)
    process.data["shared_documents"] = sorted(shared)
    if not withheld:
        return {}
    audit_record_many(
        actor=acting.user,
        on_behalf_of=acting.on_behalf_of,
        action="document.withheld",
        objects=withheld,
        extra={
            "institution": institution.code,
            "forwarded_by": process.institution.code,
            "process": process.pk,
        },
    )
    return {"withheld_documents": [document.pk for document in withheld]}


def central_office() -> Institution:
    """The Office of the Prime Minister, home of ZKP and the Government Secretariat."""
    return Institution.objects.get(code=getattr(settings, "CENTRAL_OFFICE", "ZKM"))


def is_municipality(institution: Institution) -> bool:
    return institution.kind == Institution.Kind.MUNICIPALITY


def title_checked(value: Any, field: str = "title") -> str:
    title = control_characters_refused(str(value or "").strip(), field, one_line=True)
    if not title:
        raise ValidationError({field: [gettext("Give a title.")]})
    return title[:500]


def text_checked(value: Any, field: str, *, required: bool) -> str:
    text = control_characters_refused(str(value or "").strip(), field, one_line=False)
    if required and not text:
        raise ValidationError({field: [gettext("This language is required.")]})
    return text


def date_checked(value: Any, field: str) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dateparse.parse_date(value)
        except ValueError:
            value = None
    if not isinstance(value, date):
        raise ValidationError({field: [gettext("Give a date as YYYY-MM-DD.")]})
    return value


def not_in_future(value: Any, field: str) -> date:
    checked = date_checked(value, field)
    if checked > timezone.localdate():
        raise ValidationError({field: [gettext("This date cannot be in the future.")]})
    return checked


def not_in_past(value: Any, field: str) -> date:
    checked = date_checked(value, field)
    if checked < timezone.localdate():
        raise ValidationError({field: [gettext("This date is in the past.")]})
    return checked


def moment_checked(value: Any, field: str) -> datetime | None:
    """An aware date-time, or None for an empty value."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = dateparse.parse_datetime(value)
        except ValueError:
            value = None
    if not isinstance(value, datetime):
        raise ValidationError({field: [gettext("Give a date and time in ISO 8601.")]})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value
