"""Citizens' complaints and requests to their municipality.

A complaint is a `workflows.CoordinationProcess` (the proxy `ComplaintProcess`, its flow in
`flows.py`) plus one `Complaint` row: what the public tracking page, the statistics and the
portal read (topic, unit, status, times, the digest of the tracking code) as real, indexed
columns. The complainant's contact details, when given, live apart in `ComplaintContact`, never
in the process's data (which the municipality's officials, the search index and the audit log
see), and no public endpoint returns them.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from viewflow import jsonstore

from config.text import latin_to_cyrillic
from roles.models import Institution, Unit
from workflows.models import DEFAULT_PERMISSIONS, CoordinationProcess

# A topic's code names the deadline events of its answer clock (`registered:<code>`), so it
# follows their spelling.
TOPIC_CODE = RegexValidator(
    r"^[a-z][a-z0-9_]*$", _("Lower-case letters, digits and _, starting with a letter.")
)


class ComplaintTopic(models.Model):
    """What a municipality's complaints are about: data, editable in the admin."""

    institution = models.ForeignKey(
        Institution,
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="complaint_topics",
    )
    code = models.CharField(_("code"), max_length=40, validators=[TOPIC_CODE])
    name_sq = models.CharField(_("name (Albanian)"), max_length=200)
    name_sr = models.CharField(_("name (Serbian, Latin script)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["institution__code", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "code"], name="complaint_topic_once")
        ]
        verbose_name = _("complaint topic")
        verbose_name_plural = _("complaint topics")

    def __str__(self) -> str:
        return f"{self.institution.code}: {self.name_en}"

    @property
    def names(self) -> dict[str, str]:
        return {"sq": self.name_sq, "sr": self.name_sr, "en": self.name_en}

    def name_in(self, language: str | None = None) -> str:
        from django.utils import translation

        language = (language or translation.get_language() or "sq").lower()
        if language == "sr":
            return latin_to_cyrillic(self.name_sr)
        if language.startswith("sr"):
            return self.name_sr
        if language.startswith("en"):
            return self.name_en
        return self.name_sq


class Channel(models.TextChoices):
    PORTAL = "portal", _("public portal")
    WALK_IN = "walk_in", _("in person at the one-stop shop")
    PHONE = "phone", _("by phone")


class Status(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("complaint status", "received")
    ROUTED = "routed", pgettext_lazy("complaint status", "routed to a unit")
    ANSWERED = "answered", pgettext_lazy("complaint status", "answered")
    CLOSED = "closed", pgettext_lazy("complaint status", "closed")


OPEN_STATUSES = (Status.RECEIVED, Status.ROUTED)


class ComplaintProcess(CoordinationProcess):
    """The flow's view of the process: what the officials' API shows in `data`."""

    topic = jsonstore.CharField(_("topic"), max_length=40)
    text = jsonstore.TextField(_("text"))
    location = jsonstore.CharField(_("where"), max_length=300, blank=True)
    channel = jsonstore.CharField(_("channel"), max_length=16, choices=Channel.choices)
    registration_number = jsonstore.CharField(_("registration number"), max_length=64)
    unit = jsonstore.CharField(_("unit"), max_length=64, blank=True)
    units = jsonstore.JSONField(_("units it passed through"), default=list)
    answer = jsonstore.TextField(_("answer"), blank=True)
    answered_at = jsonstore.DateTimeField(_("answered at"), null=True, blank=True)
    linked_to = jsonstore.IntegerField(_("same problem as"), null=True, blank=True)

    class Meta:
        proxy = True
        verbose_name = _("citizen's complaint")
        verbose_name_plural = _("citizens' complaints")
        default_permissions = DEFAULT_PERMISSIONS


class Complaint(models.Model):
    """A complaint's public face and the statistics' row (one per complaint process)."""

    process = models.OneToOneField(
        CoordinationProcess,
        verbose_name=_("process"),
        on_delete=models.CASCADE,
        related_name="complaint",
        primary_key=True,
    )
    institution = models.ForeignKey(
        Institution, verbose_name=_("municipality"), on_delete=models.PROTECT, related_name="+"
    )
    topic = models.ForeignKey(
        ComplaintTopic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="+"
    )
    tracking_digest = models.CharField(_("tracking code (SHA-256)"), max_length=64)
    registration_number = models.CharField(_("registration number"), max_length=64)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    language = models.CharField(
        _("language"), max_length=10, blank=True, help_text=_("Of the answer by e-mail.")
    )
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    linked_to = models.ForeignKey(
        "self",
        verbose_name=_("same problem as"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("complaint record")
        verbose_name_plural = _("complaint records")
        indexes = [
            models.Index(fields=["institution", "submitted_at"], name="complaint_by_date"),
            models.Index(
                fields=["institution", "due_at"],
                condition=models.Q(status__in=["received", "routed"]),
                name="complaint_open_due",
            ),
        ]
        # The code's uniqueness as a constraint, not `unique=True`: on PostgreSQL Django gives a
        # unique CharField a second, pattern-ops index for LIKE, which nobody asks of a digest; at
        # a million rows it cost every submission a write to one more large index.
        constraints = [
            models.UniqueConstraint(fields=["tracking_digest"], name="complaint_tracking_code_once")
        ]

    def __str__(self) -> str:
        return self.registration_number


class ComplaintContact(models.Model):
    """Who complained, when they said: for the answer by e-mail and for the officials who
    handle the complaint. Never in process data, never in a public response."""

    complaint = models.OneToOneField(
        Complaint,
        verbose_name=_("complaint"),
        on_delete=models.CASCADE,
        related_name="contact",
        primary_key=True,
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    answer_mailed_at = models.DateTimeField(_("answer e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("complainant's contact")
        verbose_name_plural = _("complainants' contacts")

    def __str__(self) -> str:
        return str(self.complaint_id)


class ComplaintTally(models.Model):
    """The statistics kept as they happen, per municipality, month of submission, topic and unit
    (empty: not routed): what the dashboard reads instead of counting every complaint.
    `complaints.tallies` changes it in the transaction of each registration and task action."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("municipality"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("month"), help_text=_("Its first day, in legal time."))
    topic = models.ForeignKey(
        ComplaintTopic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="+"
    )
    unit = models.CharField(_("unit"), max_length=64, blank=True)
    reports = models.IntegerField(_("complaints"), default=0)
    problems = models.IntegerField(_("problems"), default=0)
    open = models.IntegerField(_("open"), default=0)
    answered = models.IntegerField(_("answered"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "month", "topic", "unit"], name="complaint_tally_once"
            )
        ]
        verbose_name = _("complaint tally")
        verbose_name_plural = _("complaint tallies")

    def __str__(self) -> str:
        return f"{self.institution_id} {self.month} {self.topic_id} {self.unit}"


class ComplaintAnswerTime(models.Model):
    """How many complaints of a municipality, submitted in a month, were answered in how many
    whole hours: the median answer time without reading every complaint."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("municipality"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("month"))
    hours = models.IntegerField(_("hours"))
    count = models.IntegerField(_("complaints"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "month", "hours"], name="complaint_answer_time_once"
            )
        ]
        verbose_name = _("complaint answer time")
        verbose_name_plural = _("complaint answer times")

    def __str__(self) -> str:
        return f"{self.institution_id} {self.month} {self.hours} h"
