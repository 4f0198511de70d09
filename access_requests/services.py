"""Writes about access requests: registration (portal or official), the requester's complaint
to AIP. Every other step is a task of the flow (`flows.py`), completed through
`workflows.services.task_complete` like any other; the deemed refusal is the flow's timer."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import dateparse, timezone, translation
from django.utils.translation import gettext

from audit.services import appended_together, audit_record
from config.errors import Conflict, NotFound
from config.public import tracking_code_digest, tracking_code_new
from config.text import plain_text
from documents.services import registration_allocate
from roles.models import Institution, User
from roles.services import portal_account
from workflows import services as workflow_services
from workflows.flows import FLOWS
from workflows.models import permission_object

from .models import AccessRequest, Channel, Format, Status

DESCRIPTION_LENGTH = 5000
NAME_LENGTH = 200
ADDRESS_LENGTH = 500
REASON_LENGTH = 1000
COMPLAINT_LENGTH = 5000
TITLE_LENGTH = 120


@dataclass(frozen=True)
class Registered:
    request: AccessRequest
    tracking_code: str  # shown once; only its digest is stored


def access_request_register(
    *,
    actor: User | None,
    institution: Institution,
    description: Any,
    requester_name: Any,
    email: Any = "",
    postal_address: Any = "",
    format: Any = Format.ELECTRONIC,
    urgent: bool = False,
    urgent_reason: Any = "",
    channel: str = Channel.PORTAL,
    received_on: date | None = None,
    on_behalf_of: User | None = None,
) -> Registered:
    """Register a request in the institution's book at once and start its flow: from the
    portal (`actor` None) or by an official who received it on paper or orally."""
    errors: dict[str, list[str]] = {}

    def checked(field: str, value: Any, **kwargs: Any) -> str:
        try:
            return plain_text(value, field, **kwargs)
        except ValidationError as error:
            errors.update(error.message_dict)
            return ""

    description = checked(
        "description", description, longest=DESCRIPTION_LENGTH, required=True, one_line=False
    )
    requester_name = checked(
        "requester_name", requester_name, longest=NAME_LENGTH, required=True, one_line=True
    )
    email = checked("email", email, longest=254, required=False, one_line=True)
    postal_address = checked(
        "postal_address", postal_address, longest=ADDRESS_LENGTH, required=False, one_line=False
    )
    urgent_reason = checked(
        "urgent_reason",
        urgent_reason,
        longest=REASON_LENGTH,
        required=bool(urgent),
        one_line=False,
    )
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [gettext("Enter a valid e-mail address.")]
    if not email and not postal_address and "email" not in errors:
        errors["email"] = [gettext("Give an e-mail or a postal address for the answer.")]
    if format not in Format.values:
        errors["format"] = [gettext("Choose one of: %s.") % ", ".join(Format.values)]
    if channel not in Channel.values:
        errors["channel"] = [gettext("Choose one of: %s.") % ", ".join(Channel.values)]
    today = timezone.localdate()
    received_on = received_on or today
    if received_on > today:
        errors["received_on"] = [gettext("This date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)

    code, digest = tracking_code_new()
    # The title is what is asked for, in the requester's words: lists and pages name the
    # process type beside it in the reader's language (a type written into the title would
    # stay in the language of the submission).
    title = " ".join(description.split())
    if len(title) > TITLE_LENGTH:
        title = title[: TITLE_LENGTH - 1] + "…"
    # The entries join the audit chain together at the end: its head is held only up to the
    # commit, not from the first of the registration's six entries.
    with transaction.atomic(), appended_together():
        registration = registration_allocate(
            actor=actor or portal_account(), institution=institution
        )
        fields = {
            "title": title,
            "description": description,
            "format": format,
            "urgent": bool(urgent),
            "urgent_reason": urgent_reason if urgent else "",
            "channel": channel,
            "received_on": received_on,
            "registration_number": registration.registration_number,
        }
        process = workflow_services.process_start_registered(
            flow_class=FLOWS["access_request"],
            actor=actor,
            on_behalf_of=on_behalf_of,
            institution=institution,
            fields=fields,
        )
        request = AccessRequest(
            process=process,
            tracking_digest=digest,
            registration=registration,
            institution=institution,
            requester_name=requester_name,
            email=email,
            postal_address=postal_address,
            submitted_at=process.created,
            urgent=bool(urgent),
            status=Status.RECEIVED,
            language=(translation.get_language() or "")[:8],
        )
        # Its unique fields are new (the process and registration made now, the digest of 256
        # random bits): the unique indexes stand guard, no look-up for each of them first (its
        # one constraint is the digest's).
        request.full_clean(
            exclude=["process", "registration", "institution"],
            validate_unique=False,
            validate_constraints=False,
        )
        request.save()
        # The requester's details are recorded as present or not, never written out.
        audit_record(
            actor=actor,
            on_behalf_of=on_behalf_of,
            action="access_request.registered",
            obj=permission_object(process),
            extra={
                "registration_number": registration.registration_number,
                "channel": channel,
                "urgent": bool(urgent),
                "email_given": bool(email),
                "postal_address_given": bool(postal_address),
            },
        )
    return Registered(request=request, tracking_code=code)


def access_request_by_code(tracking_code: Any) -> AccessRequest:
    """The request a tracking code names, or NotFound: one probe of the digest's unique index
    whether the code is right or wrong."""
    digest = tracking_code_digest(str(tracking_code or ""))
    request = (
        AccessRequest.objects.select_related("process", "institution", "registration")
        .filter(tracking_digest=digest)
        .first()
    )
    if request is None:
        raise NotFound(gettext("No request has this tracking code."))
    return request


def complaint_until(process: Any) -> datetime | None:
    value = (process.data or {}).get("complaint_until")
    if not value:
        return None
    return value if isinstance(value, datetime) else dateparse.parse_datetime(str(value))


def access_request_complain(*, tracking_code: Any, text: Any) -> AccessRequest:
    """The requester complains to AIP: only after a refusal, a partial grant or a deemed
    refusal, and only until the complaint period ends (else Conflict)."""
    request = access_request_by_code(tracking_code)
    text = plain_text(text, "text", longest=COMPLAINT_LENGTH, required=True, one_line=False)
    from .flows import AccessRequestFlow

    with transaction.atomic():
        process = request.process
        process.refresh_from_db()
        data = process.data or {}
        until = complaint_until(process)
        open_to_complaint = (
            data.get("request_status") in (Status.DECIDED, Status.DEEMED_REFUSED)
            and data.get("decision") != "granted"
            and until is not None
            and timezone.now() <= until
        )
        if not open_to_complaint:
            raise Conflict(
                gettext("A complaint is not possible for this request now."),
                code="complaint_not_possible",
            )
        workflow_services.handle_run(
            process_id=process.pk, node=AccessRequestFlow.complaint_window, text=text
        )
    request.refresh_from_db()
    return request
