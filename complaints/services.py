"""Writes about complaints: registering one (from the portal, or by the one-stop shop for a
walk-in or a phone call) and the default topics of a municipality. Routing, linking,
forwarding and answering are the flow's task actions (`flows.py`), completed through
`workflows.services.task_complete` like every task."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext

from audit.services import appended_together, audit_record
from config.public import tracking_code_new
from config.text import plain_text
from deadlines.clock import clocks_of
from roles.models import Institution, User
from roles.services import portal_account
from workflows import services as workflow_services
from workflows.flows import FLOWS
from workflows.models import CoordinationProcess, permission_object

from . import tallies
from .models import Channel, Complaint, ComplaintContact, ComplaintTopic
from .selectors import topic_active

TEXT_MAX_LENGTH = 5_000
NAME_MAX_LENGTH = 200
PHONE_MAX_LENGTH = 40
LOCATION_MAX_LENGTH = 300

# code: (Albanian, Serbian in Latin script, English)
DEFAULT_TOPICS: dict[str, tuple[str, str, str]] = {
    "water_irrigation": ("Uji dhe ujitja", "Voda i navodnjavanje", "Water and irrigation"),
    "roads": ("Rrugët", "Putevi", "Roads"),
    "waste": ("Mbeturinat", "Otpad", "Waste"),
    "public_lighting": ("Ndriçimi publik", "Javna rasveta", "Public lighting"),
    "permits": ("Lejet", "Dozvole", "Permits"),
    "education": ("Arsimi", "Obrazovanje", "Education"),
    "health": ("Shëndetësia", "Zdravstvo", "Health"),
    "other": ("Tjetër", "Ostalo", "Other"),
}


def complaint_topics_seed(*, institution: Institution) -> int:
    """The default topics of a municipality (those it lacks); how many were added."""
    existing = set(
        ComplaintTopic.objects.filter(institution=institution).values_list("code", flat=True)
    )
    added = [
        ComplaintTopic(
            institution=institution,
            code=code,
            name_sq=names[0],
            name_sr=names[1],
            name_en=names[2],
            position=position,
        )
        for position, (code, names) in enumerate(DEFAULT_TOPICS.items())
        if code not in existing
    ]
    ComplaintTopic.objects.bulk_create(added)
    return len(added)


def _checked(
    *,
    institution: Institution | None,
    topic: Any,
    text: Any,
    name: Any,
    email: Any,
    phone: Any,
    location: Any,
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if institution is None or institution.kind != Institution.Kind.MUNICIPALITY:
        raise ValidationError({"institution": [gettext("Choose a municipality.")]})
    found = (
        topic_active(institution, topic) if isinstance(topic, str) and len(topic) <= 40 else None
    )
    if found is None:
        errors["topic"] = [gettext("Choose one of the municipality's topics.")]
    checked: dict[str, Any] = {"topic": found}
    for field, value, longest, one_line in (
        ("text", text, TEXT_MAX_LENGTH, False),
        ("name", name, NAME_MAX_LENGTH, True),
        ("phone", phone, PHONE_MAX_LENGTH, True),
        ("location", location, LOCATION_MAX_LENGTH, True),
        ("email", email, 254, True),
    ):
        try:
            checked[field] = plain_text(
                value, field, longest=longest, one_line=one_line, required=False
            )
        except ValidationError as error:
            errors.update(error.message_dict)
    if "text" not in errors and not checked["text"]:
        errors["text"] = [gettext("Describe the problem.")]
    if checked.get("email") and "email" not in errors:
        try:
            validate_email(checked["email"])
        except ValidationError:
            errors["email"] = [gettext("Give a valid e-mail address, or none.")]
    if errors:
        raise ValidationError(errors)
    return checked


def complaint_register(
    *,
    actor: User | None,
    institution: Institution | None,
    topic: Any,
    text: Any,
    name: Any = "",
    email: Any = "",
    phone: Any = "",
    location: Any = "",
    channel: str = Channel.PORTAL,
    language: str = "",
    on_behalf_of: User | None = None,
) -> tuple[Complaint, str]:
    """Register a complaint in the municipality's book at once and start its process: from the
    portal (`actor` None; anonymous allowed) or by the one-stop shop (`actor` holds its role
    there; channel `walk_in` or `phone`). Returns the record and the tracking code, which is
    shown once and stored only as its digest."""
    checked = _checked(
        institution=institution,
        topic=topic,
        text=text,
        name=name,
        email=email,
        phone=phone,
        location=location,
    )
    assert institution is not None
    if channel not in Channel.values or (actor is None) != (channel == Channel.PORTAL):
        raise ValidationError({"channel": [gettext("Choose walk_in or phone.")]})
    code, digest = tracking_code_new()
    fields = {
        "topic": checked["topic"],
        "text": checked["text"],
        "location": checked["location"],
        "channel": channel,
        "registrar": actor or portal_account(),
    }
    # The entries join the audit chain together at the end: its head is held only up to the
    # commit, not from the first of the registration's entries.
    with transaction.atomic(), appended_together():
        process = workflow_services.process_start_registered(
            flow_class=FLOWS["complaint"],
            actor=actor,
            on_behalf_of=on_behalf_of,
            institution=institution,
            fields=fields,
        )
        complaint = Complaint.objects.create(
            process=process,
            institution=institution,
            topic=checked["topic"],
            tracking_digest=digest,
            registration_number=process.data["registration_number"],
            channel=channel,
            submitted_at=process.created,
            language=language[:10],
            due_at=_answer_due(process),
        )
        if checked["name"] or checked["email"] or checked["phone"]:
            ComplaintContact.objects.create(
                complaint=complaint,
                name=checked["name"],
                email=checked["email"],
                phone=checked["phone"],
            )
        tallies.registered(complaint)
        audit_record(
            actor=actor,
            on_behalf_of=on_behalf_of,
            action="complaint.registered",
            obj=permission_object(process),
            extra={
                "registration_number": complaint.registration_number,
                "topic": complaint.topic.code,
                "channel": channel,
                "contact_given": bool(checked["name"] or checked["email"] or checked["phone"]),
            },
        )
    return complaint, code


def _answer_due(process: CoordinationProcess) -> Any:
    """The due time of the answer clock the registration started (`ComplaintFlow.task_events`),
    copied to the record for the public."""
    return min(
        (clock.due_at for clock in clocks_of(process) if clock.task_id is None), default=None
    )
