"""Institutions, their units, the role catalogue, who holds which role when, and delegations."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.text import name_in_language


class User(AbstractUser):
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )


class TranslatedNames(models.Model):
    """A name in each official language plus English; Serbian is stored in Latin script."""

    name_sq = models.CharField(_("name (Albanian)"), max_length=200)
    name_sr = models.CharField(_("name (Serbian, Latin script)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name_in()

    @property
    def names(self) -> dict[str, str]:
        return {"sq": self.name_sq, "sr": self.name_sr, "en": self.name_en}

    def name_in(self, language: str | None = None) -> str:
        """The name in a Django language code; `sr` is Cyrillic, `sr-latn` Latin."""
        return name_in_language(**self.names, language=language)


# The type checker's Django plugin cannot type the reverse manager of viewflow's custom process
# manager (typeddjango/django-stubs#1354); the relation itself is ordinary.
class Institution(TranslatedNames):  # type: ignore[django-manager-missing]
    class Kind(models.TextChoices):
        GOVERNMENT_OFFICE = "government_office", _("government office")
        CENTRAL_OFFICE = "central_office", _("central office")
        MINISTRY = "ministry", _("ministry")
        MUNICIPALITY = "municipality", _("municipality")
        AGENCY = "agency", _("agency")

    code = models.SlugField(_("code"), max_length=32, unique=True, allow_unicode=False)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")

    def clean(self) -> None:
        self.code = self.code.upper()
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk:
                raise ValidationError({"parent": _("An institution cannot be its own ancestor.")})
            ancestor = ancestor.parent


class Unit(TranslatedNames):
    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="units"
    )
    code = models.SlugField(_("code"), max_length=64)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["institution__code", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "code"], name="unit_code_per_institution"
            )
        ]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def clean(self) -> None:
        if self.parent_id and self.parent and self.parent.institution_id != self.institution_id:
            raise ValidationError(
                {"parent": _("A parent unit must belong to the same institution.")}
            )


class Role(TranslatedNames):
    """A function people hold in a unit: the catalogue is shared by all institutions."""

    code = models.SlugField(_("code"), max_length=64, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self, on=None):  # type: ignore[no-untyped-def]
        day = on or timezone.localdate()
        return self.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day), valid_from__lte=day
        )


class Membership(models.Model):
    """A person holds a role in a unit of an institution from one day to another (inclusive)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.ForeignKey(
        Role, verbose_name=_("role"), on_delete=models.PROTECT, related_name="memberships"
    )
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["institution__code", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="membership_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.role.code} · {self.institution.code}"

    def clean(self) -> None:
        if self.valid_until and self.valid_from and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The end cannot precede the start.")})
        if self.unit_id and self.unit and self.unit.institution_id != self.institution_id:
            raise ValidationError({"unit": _("The unit must belong to the institution.")})

    def is_active(self, on=None) -> bool:  # type: ignore[no-untyped-def]
        day = on or timezone.localdate()
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class DelegationQuerySet(models.QuerySet["Delegation"]):
    def active(self, at=None):  # type: ignore[no-untyped-def]
        moment = at or timezone.now()
        return self.filter(starts_at__lte=moment, ends_at__gt=moment, revoked_at__isnull=True)


class Delegation(models.Model):
    """The deputy acts on behalf of the principal in [starts_at, ends_at); both are recorded."""

    principal = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("principal"),
        on_delete=models.PROTECT,
        related_name="delegations_given",
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acting official"),
        on_delete=models.PROTECT,
        related_name="delegations_received",
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="delegation_period_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(principal=models.F("deputy")), name="delegation_not_to_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deputy} → {self.principal}"

    def clean(self) -> None:
        # Both rules are told at once, each on its field: a rule left unchecked here would be
        # reported by its database constraint instead, in the constraint's own words.
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The end must follow the start.")
        if self.principal_id and self.principal_id == self.deputy_id:
            errors["deputy"] = _("Nobody can act on their own behalf by delegation.")
        if errors:
            raise ValidationError(errors)


class DirectoryGroup(models.Model):
    """A group of the directory (LDAP, Active Directory) whose members hold a role in a unit of
    an institution: at each sign-in through the directory, a person's memberships of the mapped
    kind follow their groups (roles.directory). Set by `import_organisation`."""

    name = models.CharField(
        _("directory group"),
        max_length=500,
        unique=True,
        help_text=_("The group's distinguished name or its common name, compared ignoring case."),
    )
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="directory_groups",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="directory_groups",
    )
    role = models.ForeignKey(
        Role, verbose_name=_("role"), on_delete=models.PROTECT, related_name="directory_groups"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("directory group")
        verbose_name_plural = _("directory groups")

    def __str__(self) -> str:
        return f"{self.name} → {self.role.code} · {self.institution.code}"

    def clean(self) -> None:
        self.name = self.name.strip().lower()
        if self.unit_id and self.unit and self.unit.institution_id != self.institution_id:
            raise ValidationError({"unit": _("The unit must belong to the institution.")})
