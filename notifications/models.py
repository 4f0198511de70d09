"""What a person is told: in-app notifications (each also in the daily digest, urgent ones
e-mailed at once) and the record of which digests went out."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ASSIGNED = "assigned", _("assigned")
    RETURNED = "returned", _("returned")
    REMINDER = "reminder", _("reminder")
    OVERDUE = "overdue", _("overdue")
    ESCALATION = "escalation", _("escalation")
    PUBLISHED = "published", _("published")
    # MAPL's receipt of a municipal act, told to the municipality that sent it.
    RECEIVED = "received", _("received")
    # A process withdrawn by the head of its institution, told to everyone who had a task.
    CANCELED = "canceled", _("canceled")


# Mailed as soon as the transaction that created them commits; the rest wait for the digest.
URGENT_KINDS = frozenset({Kind.OVERDUE, Kind.ESCALATION})


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(_("created at"))
    # Rendered once, in the recipient's language, when it was sent: what they were told.
    message = models.TextField(_("message"))
    process = models.ForeignKey(
        "workflows.CoordinationProcess",
        verbose_name=_("process"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    task = models.ForeignKey(
        "viewflow.Task",
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Set when the urgent e-mail is claimed for sending, so a redelivered task mails nobody twice.
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    # The sender's name for "this event for this person" (e.g. "overdue:deadline:42"): a second
    # notify() with the same key sends that person nothing (sweeps may run twice, or at once).
    key = models.CharField(_("key"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], condition=~Q(key=""), name="notification_user_key_unique"
            ),
        ]
        indexes = [
            # The list: a person's notifications, newest first.
            models.Index(fields=["user", "-created_at", "-id"], name="notification_user_list"),
            # Unread: a person's badge, and the digest's look-up of who has unread ones today.
            models.Index(
                fields=["user", "-created_at"],
                condition=Q(read_at__isnull=True),
                name="notification_user_unread",
            ),
            models.Index(
                fields=["created_at"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_recent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.message[:60]}"

    @property
    def read(self) -> bool:
        return self.read_at is not None

    def link_path(self) -> str:
        """Where the notification leads: its task's page (or its process's) in the UI, which
        checks access itself; the process's API resource where the UI is not mounted; empty
        when it concerns neither."""
        for view_name, pk in (("work:task", self.task_id), ("work:process", self.process_id)):
            if pk is not None:
                try:
                    return reverse(view_name, args=[pk])
                except NoReverseMatch:
                    pass
        if self.process_id is not None:
            return f"/api/processes/{self.process_id}/"
        return ""


class DigestSent(models.Model):
    """One row per person and local day whose digest was sent: a second run that day (or two
    at once) finds the row and sends nothing."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    count = models.PositiveIntegerField(_("notifications listed"), default=0)

    class Meta:
        verbose_name = _("digest sent")
        verbose_name_plural = _("digests sent")
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="digest_sent_user_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"
