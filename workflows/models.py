"""The processes that move between institutions.

One table serves every flow: `CoordinationProcess` extends viewflow's process row with what
every list, inbox and permission check needs as real columns (the institution the item comes
from, its title, its documents, who started it). What only one flow needs lives in viewflow's
`data` JSON, declared as typed `jsonstore` fields on that flow's proxy model — so a new flow adds
no table and no join, and the API's `Process.data` is exactly that JSON.

Guardian permissions are always granted on the concrete `CoordinationProcess` row (one content
type for all flows), which lets the inbox match task permissions in one SQL subquery.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow import jsonstore
from viewflow.workflow import PROCESS
from viewflow.workflow.models import Process, Task

from documents.models import Document
from roles.models import Institution

# Every task permission of every flow, granted per process to (institution, role) groups.
TASK_PERMISSIONS = (
    ("prepare_assembly_decision", _("Prepare or revise an assembly decision")),
    ("approve_assembly_decision", _("Sign off an assembly decision")),
    ("transmit_assembly_decision", _("Transmit an assembly decision to the ministry")),
    ("acknowledge_assembly_decision", _("Acknowledge receipt of an assembly decision")),
    ("review_assembly_decision", _("Review the legality of an assembly decision")),
    ("prepare_press_statement", _("Draft or revise a press statement")),
    ("approve_press_statement", _("Approve a press statement")),
    ("review_press_statement", _("Review a government-level press statement")),
    ("prepare_meeting_material", _("Prepare or revise government-meeting material")),
    ("approve_meeting_material", _("Approve government-meeting material")),
    ("review_communication_plan", _("Review the communication plan of meeting material")),
    ("schedule_meeting_material", _("Put meeting material on the agenda and record the outcome")),
    ("prepare_monthly_report", _("Correct the monthly report of the mayor's decisions")),
    ("approve_monthly_report", _("Approve the monthly report of the mayor's decisions")),
    ("acknowledge_monthly_report", _("Acknowledge receipt of a monthly report")),
    # The process apps above `workflows` (access_requests, complaints, consultations,
    # coordination) keep their task permissions here too: one content type for every flow.
    ("decide_access_request", _("Decide a request for access to public documents")),
    ("decide_access_complaint", _("Decide a complaint about an access request (AIP)")),
    ("route_complaint", _("Route or link a citizen's complaint (one-stop shop)")),
    ("answer_complaint", _("Answer or forward a citizen's complaint")),
    ("prepare_public_consultation", _("Prepare a public consultation and answer its comments")),
    ("approve_public_consultation", _("Approve a public consultation or its report")),
    ("respond_coordination_request", _("Answer a coordination request")),
    ("manage_coordination_request", _("Remind or close a coordination request")),
)

# viewflow's Flow adds "manage" to the process model's default permissions at import time;
# declaring it here keeps migrations the same whether or not a flow was imported first.
DEFAULT_PERMISSIONS = ("add", "change", "delete", "view", "manage")


class CoordinationProcess(Process):
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="processes",
        help_text=_("The institution the item comes from."),
    )
    title = models.CharField(_("title"), max_length=500)
    documents = models.ManyToManyField(
        Document, verbose_name=_("documents"), blank=True, related_name="processes"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Empty for processes the system starts (the monthly report)."),
    )

    class Meta:
        verbose_name = _("process")
        verbose_name_plural = _("processes")
        default_permissions = DEFAULT_PERMISSIONS
        permissions = TASK_PERMISSIONS

    def __str__(self) -> str:
        return self.title


# Who sees a process: granted on it to the institutions it comes from and is sent to.
PROCESS_VIEW = "workflows.view_coordinationprocess"

# A process's status as the API (and the search index) words it; viewflow stores NEW while
# the process runs.
PROCESS_STATUS = {PROCESS.NEW: "active", PROCESS.DONE: "done", PROCESS.CANCELED: "canceled"}
# The stored status of each of those words: what a `status` filter looks up.
PROCESS_STATUS_STORED = {word: stored for stored, word in PROCESS_STATUS.items()}


def permission_object(process: Any) -> CoordinationProcess:
    """The object task permissions are granted and checked on.

    viewflow passes the flow's proxy when it creates a task and its bare `Process` when it checks
    one; both share the primary key, so the concrete row stands in for either (no query)."""
    obj = CoordinationProcess(pk=process.pk)
    obj._state.adding = False
    obj._state.db = process._state.db
    return obj


def task_permission_codename(owner_permission: str | None) -> str | None:
    """The codename of a task's permission on its process (viewflow stores it as
    "app_label.codename"), or None if it is no permission on the process."""
    app_label, _, codename = (owner_permission or "").partition(".")
    return codename if app_label == CoordinationProcess._meta.app_label and codename else None


class InboxEntry(models.Model):
    """An open, unclaimed task and a group that holds the task's permission on its object: the
    inbox pages through these rows (index-only) instead of matching every open task against
    guardian's grants at request time.

    The database keeps the table exact by itself: triggers on viewflow's task table and on
    guardian's group permissions (migration 0005) add and remove rows in the transaction that
    opens, claims, releases or closes a task or grants or revokes a permission. So no code path
    (viewflow's own saves, a bulk grant, a revoke) can leave it stale, and a transition sends no
    extra statement. Claimed tasks are found by their owner; they have no rows here."""

    pk = models.CompositePrimaryKey("task", "group")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(help_text="The task's: the inbox's order, from the index.")

    class Meta:
        indexes = [
            models.Index(fields=["group", "created", "task"], name="workflows_inbox_by_group")
        ]

    def __str__(self) -> str:
        return f"task {self.task_id} open to group {self.group_id}"


class LegalOutcome(models.TextChoices):
    LAWFUL = "lawful", _("lawful")
    RECONSIDER = "reconsider", _("returned for reconsideration")
    UPHELD = "upheld_by_assembly", _("kept by the assembly")


class AssemblyDecisionProcess(CoordinationProcess):
    """A municipal assembly's decision on its way to the supervising ministry (MAPL)."""

    adopted_on = jsonstore.DateField(_("adopted on"))
    approved = jsonstore.BooleanField(_("signed off by the chair"), default=False)
    transmitted_at = jsonstore.DateTimeField(_("transmitted at"), null=True, blank=True)
    received_at = jsonstore.DateTimeField(_("received at"), null=True, blank=True)
    legal_outcome = jsonstore.CharField(
        _("legal outcome"), max_length=16, choices=LegalOutcome.choices, blank=True
    )
    legal_reasons = jsonstore.TextField(_("reasons"), blank=True)
    transmissions = jsonstore.IntegerField(_("transmissions"), default=0)
    # Issue 27: who issued it, MAPL's own number of its receipt, and each transmission's
    # round (texts, receipt, review, reconsideration, court) kept whole.
    issuing_body = jsonstore.CharField(
        _("issuing body"),
        max_length=32,
        choices=[("municipal_assembly", _("municipal assembly")), ("mayor", _("mayor"))],
        default="municipal_assembly",
    )
    receipt_registration_number = jsonstore.CharField(
        _("MAPL registration number"), max_length=64, blank=True
    )
    court_referral = jsonstore.BooleanField(_("referred to court"), null=True, default=None)
    rounds = jsonstore.JSONField(_("rounds"), default=list)

    class Meta:
        proxy = True
        verbose_name = _("assembly decision")
        verbose_name_plural = _("assembly decisions")
        default_permissions = DEFAULT_PERMISSIONS


class PressStatementProcess(CoordinationProcess):
    """A press statement in both official languages, released at once or at its embargo."""

    text_sq = jsonstore.TextField(_("text in Albanian"))
    text_sr = jsonstore.TextField(_("text in Serbian"))
    text_en = jsonstore.TextField(_("text in English"), blank=True)
    embargo_until = jsonstore.DateTimeField(_("embargo until"), null=True, blank=True)
    government_level = jsonstore.BooleanField(_("government-level statement"), default=False)
    approved = jsonstore.BooleanField(_("approved"), default=False)
    reviewed = jsonstore.BooleanField(_("cleared by the central office"), default=False)
    released_at = jsonstore.DateTimeField(_("released at"), null=True, blank=True)
    # The scanned, signed and stamped original, registered after the release.
    original_document = jsonstore.IntegerField(_("original (document)"), null=True, blank=True)
    original_registration_number = jsonstore.CharField(
        _("signed and stamped original"), max_length=64, blank=True
    )
    archived_at = jsonstore.DateTimeField(_("original archived at"), null=True, blank=True)

    class Meta:
        proxy = True
        verbose_name = _("press statement")
        verbose_name_plural = _("press statements")
        default_permissions = DEFAULT_PERMISSIONS


class MeetingOutcome(models.TextChoices):
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    POSTPONED = "postponed", _("postponed")


class MeetingMaterialProcess(CoordinationProcess):
    """Material for a government meeting with its communication plan."""

    meeting_date = jsonstore.DateField(_("meeting date"))
    communication_plan = jsonstore.JSONField(_("communication plan"), default=dict)
    approved = jsonstore.BooleanField(_("approved by the minister"), default=False)
    reviewed = jsonstore.BooleanField(_("plan cleared by the central office"), default=False)
    agenda_item = jsonstore.CharField(_("agenda item"), max_length=64, blank=True)
    outcome = jsonstore.CharField(
        _("outcome"), max_length=16, choices=MeetingOutcome.choices, blank=True
    )
    published_at = jsonstore.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        proxy = True
        verbose_name = _("government-meeting material")
        verbose_name_plural = _("government-meeting materials")
        default_permissions = DEFAULT_PERMISSIONS


class MonthlyReportProcess(CoordinationProcess):
    """A municipality's monthly report to MAPL of the decisions in its register."""

    month = jsonstore.CharField(_("month"), max_length=7, help_text="YYYY-MM")
    decisions = jsonstore.JSONField(_("decisions"), default=list)
    decision_count = jsonstore.IntegerField(_("number of decisions"), default=0)
    note = jsonstore.TextField(_("note"), blank=True)
    approved = jsonstore.BooleanField(_("approved by the mayor"), default=False)
    transmitted_at = jsonstore.DateTimeField(_("transmitted at"), null=True, blank=True)
    received_at = jsonstore.DateTimeField(_("received at"), null=True, blank=True)

    class Meta:
        proxy = True
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        default_permissions = DEFAULT_PERMISSIONS


class QueuePreference(models.Model):
    """The work queue's view, filters and sort as an official last chose them: the queue opens
    that way again, on any device."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="queue_preference",
    )
    choices = models.JSONField(_("choices"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("work queue preference")
        verbose_name_plural = _("work queue preferences")

    def __str__(self) -> str:
        return str(self.user_id)
