"""Coordination requests from the centre to many institutions, and communication plans.

A request is a `workflows.CoordinationProcess` row like every flow's (its proxy below declares
what the flow keeps in `data`: what every recipient may read). Each recipient's part is a row of
`Response`: its answer, documents and status. The answers never live in the process's JSON, so
nothing that shows or indexes a process (its API body, its page, the search index) can show one
recipient's answer to another. A `Response` row is also the object the recipient's `respond`
task is permitted on (guardian, granted to that institution's lane only): the recipients of one
request share the process but none holds another's task.

A communication plan is an institution's yearly list of activities (`CommunicationPlan`,
`PlanActivity`): goal, activity, due date, responsible unit, budget and progress.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow import jsonstore
from viewflow.workflow.models import Task

from documents.models import Document
from roles.models import Institution, Unit
from workflows.models import DEFAULT_PERMISSIONS, CoordinationProcess

TITLE_MAX = 500
TEXT_MAX = 20_000
ANSWER_MAX = 20_000
RECIPIENTS_MAX = 200
DOCUMENTS_MAX = 50


class CoordinationRequestProcess(CoordinationProcess):
    """A request for information or action sent by a coordinating office to many
    institutions at once."""

    text = jsonstore.TextField(_("request"))
    due_on = jsonstore.DateField(_("due on"))
    recipients = jsonstore.JSONField(_("recipients"), default=list)
    sender_role = jsonstore.CharField(_("sender's role"), max_length=64, blank=True)
    closed = jsonstore.BooleanField(_("closed"), default=False)
    closed_at = jsonstore.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        proxy = True
        verbose_name = _("coordination request")
        verbose_name_plural = _("coordination requests")
        default_permissions = DEFAULT_PERMISSIONS


class ResponseStatus(models.TextChoices):
    OPEN = "open", _("open")
    ANSWERED = "answered", _("answered")
    CLOSED = "closed", _("closed unanswered")


class Response(models.Model):
    """One recipient's part of a coordination request."""

    process = models.ForeignKey(
        CoordinationProcess,
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="coordination_responses",
    )
    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="+"
    )
    task = models.OneToOneField(
        Task,
        verbose_name=_("task"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coordination_response",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ResponseStatus.choices, default=ResponseStatus.OPEN
    )
    answer = models.TextField(_("answer"), blank=True, max_length=ANSWER_MAX)
    documents = models.ManyToManyField(
        Document, verbose_name=_("documents"), blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)
    reminders = models.PositiveIntegerField(_("reminders sent"), default=0)

    class Meta:
        verbose_name = _("response to a coordination request")
        verbose_name_plural = _("responses to coordination requests")
        constraints = [
            models.UniqueConstraint(
                fields=["process", "institution"], name="coordination_one_response_each"
            )
        ]
        # The recipient's task is permitted on its own response, not on the shared process.
        permissions = (("respond_coordination_request", _("Answer a coordination request")),)

    def __str__(self) -> str:
        return f"{self.process_id} · {self.institution_id}"


class CommunicationPlan(models.Model):
    """An institution's communication plan for one year."""

    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="communication_plans",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=TITLE_MAX, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("communication plan")
        verbose_name_plural = _("communication plans")
        constraints = [
            models.UniqueConstraint(fields=["institution", "year"], name="coordination_plan_year")
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.year}"


class Progress(models.TextChoices):
    PLANNED = "planned", _("planned")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


OPEN_PROGRESS = (Progress.PLANNED, Progress.IN_PROGRESS)


class PlanActivity(models.Model):
    """One row of a communication plan."""

    plan = models.ForeignKey(
        CommunicationPlan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="activities",
    )
    goal = models.CharField(_("goal"), max_length=1000)
    activity = models.CharField(_("activity"), max_length=2000)
    due_on = models.DateField(_("due on"))
    responsible_unit = models.ForeignKey(
        Unit,
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    budget = models.DecimalField(
        _("budget (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    progress = models.CharField(
        _("progress"), max_length=16, choices=Progress.choices, default=Progress.PLANNED
    )
    progress_note = models.CharField(_("progress note"), max_length=2000, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    reminded_soon = models.BooleanField(_("reminded it is coming due"), default=False)
    reminded_late = models.BooleanField(_("reminded it is late"), default=False)

    class Meta:
        verbose_name = _("plan activity")
        verbose_name_plural = _("plan activities")
        indexes = [models.Index(fields=["progress", "due_on"], name="coordination_activity_due")]

    def __str__(self) -> str:
        return self.activity[:80]
