"""Documents, their versions, and the registration book they are numbered from."""

import secrets
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from roles.models import Institution


class Kind(models.TextChoices):
    DECISION = "decision", _("decision")
    PRESS_STATEMENT = "press_statement", _("press statement")
    COMMUNICATION_PLAN = "communication_plan", _("communication plan")
    MEETING_MATERIAL = "meeting_material", _("meeting material")
    REPORT = "report", _("report")
    CORRESPONDENCE = "correspondence", _("correspondence")
    OTHER = "other", _("other")


class Language(models.TextChoices):
    ALBANIAN = "sq", _("Albanian")
    SERBIAN = "sr", _("Serbian")
    ENGLISH = "en", _("English")
    TURKISH = "tr", _("Turkish")
    BOSNIAN = "bs", _("Bosnian")


class Classification(models.TextChoices):
    PUBLIC = "public", _("public")
    INTERNAL = "internal", _("internal")
    CONFIDENTIAL = "confidential", _("confidential")


class TextStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")
    NOT_APPLICABLE = "not_applicable", _("not applicable")


class RegisterCounter(models.Model):
    """The last number given in one institution's register for one year; locked while a new
    number is allocated, so numbers come without gaps or duplicates."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "year"], name="one_counter_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.institution.code}-{self.year}: {self.last_number}"


class Registration(models.Model):
    """One line of the registration (protocol) book. Never deleted: a mistake is annulled."""

    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    registration_number = models.CharField(_("registration number"), max_length=64)
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    annulled_at = models.DateTimeField(_("annulled at"), null=True, blank=True)
    annulled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("annulled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    annulment_reason = models.CharField(_("annulment reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["institution__code", "year", "number"]
        # The number's uniqueness as a constraint, not `unique=True`: on PostgreSQL Django gives
        # a unique CharField a second, pattern-ops index for LIKE, which the number's searches
        # (unanchored) never use; at a million rows it cost every registration one more write.
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "year", "number"], name="registration_number_once"
            ),
            models.UniqueConstraint(
                fields=["registration_number"], name="registration_number_text_once"
            ),
        ]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")

    def __str__(self) -> str:
        return self.registration_number


class Document(models.Model):
    title = models.CharField(_("title"), max_length=500)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ALBANIAN
    )
    classification = models.CharField(
        _("classification"),
        max_length=16,
        choices=Classification.choices,
        default=Classification.INTERNAL,
    )
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    registration = models.OneToOneField(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.PROTECT,
        related_name="document",
    )
    # The language versions of one text share this key (the Albanian, Serbian, English texts).
    translation_group = models.UUIDField(_("translation group"), default=uuid.uuid4, db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        # The owner's recorded consent that an institution it shared the document with may
        # attach it to that institution's own processes and send it on with them
        # (documents.access.documents_forwardable).
        permissions = [
            ("forward_document", _("Attach to the institution's own processes and send on")),
        ]

    def __str__(self) -> str:
        return f"{self.registration.registration_number} {self.title}"

    @property
    def registration_number(self) -> str:
        return self.registration.registration_number


def stored_file_name(version: "DocumentVersion", original_name: str) -> str:
    """A random name: nothing of the uploader's file name reaches the file system."""
    return f"documents/{secrets.token_hex(2)}/{secrets.token_hex(16)}"


class DocumentVersion(models.Model):
    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("number"))
    file = models.FileField(_("file"), upload_to=stored_file_name, max_length=200)
    filename = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    mime_type = models.CharField(_("type"), max_length=120)
    # Same content already registered in the institution: flagged, not silently duplicated.
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text_status = models.CharField(
        _("text status"), max_length=16, choices=TextStatus.choices, default=TextStatus.PENDING
    )
    text_error = models.CharField(_("text error"), max_length=500, blank=True)
    text = models.TextField(_("extracted text"), blank=True)
    text_method = models.CharField(_("extraction method"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="version_number_once")
        ]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")

    def __str__(self) -> str:
        return f"{self.document_id} v{self.number}"

    @property
    def extension(self) -> str:
        return PurePosixPath(self.filename).suffix.lower()
