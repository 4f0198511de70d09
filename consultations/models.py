"""Public consultations (Regulation No. 05/2016 on minimum standards for public consultation).

The process is a `workflows.CoordinationProcess` row like every flow's (its proxy below declares
what the flow keeps in `data`). Beside it, two tables of this app: `Consultation`, the columns the
public lists filter and sort on (opening and closing times, approval, the report's publication),
written only by the flow's handlers in the same transaction as the process; and `Comment`, one row
per comment from the public (a consultation may draw thousands: they are never kept in the
process's JSON). `MinimumPeriod` is the configurable rule of the shortest period a consultation
may stay open, with its legal basis.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow import jsonstore

from deadlines.models import DayKind
from roles.models import Institution
from workflows.models import DEFAULT_PERMISSIONS, CoordinationProcess

# Bounds of what the public may send (characters).
NAME_MAX = 200
ORGANISATION_MAX = 300
FIELDS_OF_ACTION_MAX = 1000
EMAIL_MAX = 254
PHONE_MAX = 40
ADDRESS_MAX = 300
SECTION_MAX = 200
TEXT_MAX = 20_000
REASON_MAX = 5_000
SUMMARY_MAX = 20_000


class PublicConsultationProcess(CoordinationProcess):
    """A draft act put to public consultation, its comments' answers and its report."""

    summary_sq = jsonstore.TextField(_("summary in Albanian"))
    summary_sr = jsonstore.TextField(_("summary in Serbian"))
    opens_at = jsonstore.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = jsonstore.DateTimeField(_("closes at"), null=True, blank=True)
    approved = jsonstore.BooleanField(_("approved for publication"), default=False)
    report_approved = jsonstore.BooleanField(_("report approved"), default=False)
    closed_at = jsonstore.DateTimeField(_("closed at"), null=True, blank=True)
    published_at = jsonstore.DateTimeField(_("report published at"), null=True, blank=True)
    # The documents of the answers and of the report's approval (ids among the process's
    # documents): published with the report, not before.
    report_documents = jsonstore.JSONField(_("report documents"), default=list, blank=True)

    class Meta:
        proxy = True
        verbose_name = _("public consultation")
        verbose_name_plural = _("public consultations")
        default_permissions = DEFAULT_PERMISSIONS


class MinimumPeriod(models.Model):
    """How long a consultation must at least stay open (data, not a constant: the regulation
    may change and an institution's practice may be longer)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    days = models.PositiveIntegerField(_("days"))
    day_kind = models.CharField(
        _("kind of days"), max_length=16, choices=DayKind.choices, default=DayKind.WORKING
    )
    legal_basis = models.TextField(
        _("legal basis"), help_text=_("The law or regulation, in words, with its article.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("minimum consultation period")
        verbose_name_plural = _("minimum consultation periods")

    def __str__(self) -> str:
        return f"{self.code}: {self.days} {self.get_day_kind_display()}"


class Consultation(models.Model):
    """What the public lists need as columns, one row per consultation process."""

    process = models.OneToOneField(
        CoordinationProcess,
        verbose_name=_("process"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="consultation",
    )
    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=500)
    summary_sq = models.TextField(_("summary in Albanian"))
    summary_sr = models.TextField(_("summary in Serbian"))
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    approved_at = models.DateTimeField(
        _("approved at"), null=True, blank=True, help_text=_("Empty until the head approves.")
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    report_published_at = models.DateTimeField(_("report published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        indexes = [
            models.Index(fields=["closes_at", "opens_at"], name="consultation_period"),
        ]

    def __str__(self) -> str:
        return self.title


class Capacity(models.TextChoices):
    INDIVIDUAL = "individual", _("individual")
    ORGANISATION = "organisation", _("organisation")
    COMPANY = "company", _("company")
    INSTITUTION = "institution", _("institution")


class Outcome(models.TextChoices):
    ACCEPTED = "accepted", _("accepted")
    PARTIALLY_ACCEPTED = "partially_accepted", _("partially accepted")
    REJECTED = "rejected", _("rejected")


class Comment(models.Model):
    """A comment from the public. The contact details stay with the officials: no public
    answer carries them."""

    consultation = models.ForeignKey(
        Consultation,
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="comments",
        db_index=False,  # the indexes below lead with it
    )
    received_at = models.DateTimeField(_("received at"))
    name = models.CharField(_("name"), max_length=NAME_MAX)
    capacity = models.CharField(_("capacity"), max_length=16, choices=Capacity.choices)
    organisation = models.CharField(_("organisation"), max_length=ORGANISATION_MAX, blank=True)
    fields_of_action = models.CharField(
        _("main fields of action"), max_length=FIELDS_OF_ACTION_MAX, blank=True
    )
    email = models.EmailField(_("e-mail"), max_length=EMAIL_MAX)
    phone = models.CharField(_("phone"), max_length=PHONE_MAX, blank=True)
    address = models.CharField(_("address"), max_length=ADDRESS_MAX, blank=True)
    section = models.CharField(_("section commented on"), max_length=SECTION_MAX, blank=True)
    text = models.TextField(_("comment"), max_length=TEXT_MAX)
    language = models.CharField(_("language of the page"), max_length=8, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    reason = models.TextField(_("reason"), max_length=REASON_MAX, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["consultation", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            # A consultation's comments in order (the report, the export), and its unanswered.
            models.Index(fields=["consultation", "id"], name="comment_by_consultation"),
            models.Index(fields=["consultation", "outcome"], name="comment_unanswered"),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id}/{self.pk}"

    @property
    def author(self) -> str:
        return comment_author(
            name=self.name, organisation=self.organisation, capacity=self.capacity
        )


def comment_author(*, name: str, organisation: str, capacity: str) -> str:
    """Who the report names: the organisation, or the person commenting as an individual."""
    return organisation if capacity != Capacity.INDIVIDUAL and organisation else name
