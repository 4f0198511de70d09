"""Requests for access to public documents (Law 06/L-081).

The process itself is a row of `workflows.CoordinationProcess` (proxy `AccessRequestProcess`,
its flow's fields in `data`), which every institution that handles the request, and AIP once a
complaint reaches it, may read. What identifies the requester (name, e-mail, postal address)
is kept apart, in `AccessRequest`, which no process body, search entry or public answer shows;
so are the tracking code's digest and what the public tracking page and the yearly statistics
read without touching the process's JSON.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow import jsonstore

from documents.models import Registration
from roles.models import Institution
from workflows.models import DEFAULT_PERMISSIONS, CoordinationProcess


class Status(models.TextChoices):
    RECEIVED = "received", _("received")
    EXTENDED = "extended", _("extended")
    TRANSFERRED = "transferred", _("transferred")
    DECIDED = "decided", _("decided")
    DEEMED_REFUSED = "deemed_refused", _("deemed refused (no decision in time)")
    COMPLAINT_OPEN = "complaint_open", _("complaint with the Information and Privacy Agency")
    CLOSED = "closed", _("closed")


class Decision(models.TextChoices):
    GRANTED = "granted", _("granted")
    PARTIALLY_GRANTED = "partially_granted", _("partially granted")
    REFUSED = "refused", _("refused")


class Format(models.TextChoices):
    ELECTRONIC = "electronic", _("electronic copy")
    PAPER = "paper", _("paper copy")
    INSPECTION = "inspection", _("inspection on the premises")


class Channel(models.TextChoices):
    PORTAL = "portal", _("public portal")
    PAPER = "paper", _("in writing (on paper)")
    ORAL = "oral", _("orally")
    ELECTRONIC = "electronic", _("electronically (e-mail)")


class ComplaintOutcome(models.TextChoices):
    UPHELD = "upheld", _("upheld")
    DISMISSED = "dismissed", _("dismissed")


class AccessRequestProcess(CoordinationProcess):
    """What the institutions handling the request (and AIP, on a complaint) read."""

    description = jsonstore.TextField(_("documents asked for"))
    format = jsonstore.CharField(_("format"), max_length=16, choices=Format.choices)
    urgent = jsonstore.BooleanField(_("urgent (life or liberty)"), default=False)
    urgent_reason = jsonstore.TextField(_("why it is urgent"), blank=True)
    channel = jsonstore.CharField(_("received"), max_length=16, choices=Channel.choices)
    received_on = jsonstore.DateField(_("received on"))
    registration_number = jsonstore.CharField(_("registration number"), max_length=64)
    holder = jsonstore.CharField(
        _("institution deciding"), max_length=32, help_text="Code; changes on a transfer."
    )
    request_status = jsonstore.CharField(_("status"), max_length=20, choices=Status.choices)
    decision = jsonstore.CharField(
        _("decision"), max_length=20, choices=Decision.choices, blank=True
    )
    reasons = jsonstore.TextField(_("reasons"), blank=True)
    legal_basis = jsonstore.TextField(_("legal basis"), blank=True)
    released_documents = jsonstore.JSONField(_("released documents"), default=list)
    decided_at = jsonstore.DateTimeField(_("decided at"), null=True, blank=True)
    extended_days = jsonstore.IntegerField(_("extended by (days)"), default=0)
    extension_reason = jsonstore.TextField(_("reason for the extension"), blank=True)
    extended_until = jsonstore.DateField(_("extended until"), null=True, blank=True)
    transfers = jsonstore.JSONField(_("transfers"), default=list)
    complaint_until = jsonstore.DateTimeField(_("complaint until"), null=True, blank=True)
    complaint = jsonstore.JSONField(_("complaint"), default=dict)
    next_step = jsonstore.CharField(_("next step"), max_length=20, blank=True)

    class Meta:
        proxy = True
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        default_permissions = DEFAULT_PERMISSIONS


class AccessRequest(models.Model):
    """The requester's side of one request: their details (shown to no one but the deciding
    institution's officials through its own pages), the tracking code's digest, and the
    figures the public page and the statistics read."""

    process = models.OneToOneField(
        CoordinationProcess,
        verbose_name=_("process"),
        on_delete=models.PROTECT,
        related_name="access_request",
    )
    tracking_digest = models.CharField(_("tracking code (SHA-256)"), max_length=64)
    registration = models.OneToOneField(
        Registration, verbose_name=_("registration"), on_delete=models.PROTECT, related_name="+"
    )
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The institution that registered the request (its statistics)."),
    )
    requester_name = models.CharField(_("requester"), max_length=200)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    postal_address = models.CharField(_("postal address"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    language = models.CharField(
        _("language"), max_length=8, blank=True, help_text=_("Of the notices by e-mail.")
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    extended = models.BooleanField(_("extended"), default=False)
    transferred = models.BooleanField(_("transferred"), default=False)
    deemed_refused = models.BooleanField(_("deemed refused"), default=False)
    complaint_at = models.DateTimeField(_("complaint filed at"), null=True, blank=True)
    complaint_outcome = models.CharField(
        _("complaint outcome"), max_length=16, choices=ComplaintOutcome.choices, blank=True
    )

    class Meta:
        verbose_name = _("access request (requester)")
        verbose_name_plural = _("access requests (requesters)")
        indexes = [
            models.Index(fields=["institution", "submitted_at"], name="access_request_by_year")
        ]
        # The code's uniqueness as a constraint, not `unique=True`: on PostgreSQL Django gives a
        # unique CharField a second, pattern-ops index for LIKE, which nobody asks of a digest; at
        # a million rows it cost every submission a write to one more large index.
        constraints = [
            models.UniqueConstraint(
                fields=["tracking_digest"], name="access_request_tracking_code_once"
            )
        ]

    def __str__(self) -> str:
        return self.registration.registration_number
