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
from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow import jsonstore
from viewflow.workflow.models import Process

from documents.models import Document
from roles.models import Institution

# Every task permission of every flow, granted per process to (institution, role) groups.
TASK_PERMISSIONS = (
    ("prepare_assembly_decision", _("Prepare or revise an assembly decision")),
    ("approve_assembly_decision", _("Sign off an assembly decision")),
    ("transmit_assembly_decision", _("Transmit an assembly decision to the ministry")),
    ("acknowledge_assembly_decision", _("Acknowledge receipt of an assembly decision")),
    ("review_assembly_decision", _("Review the legality of an assembly decision")),
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
    )

    class Meta:
        verbose_name = _("process")
        verbose_name_plural = _("processes")
        default_permissions = DEFAULT_PERMISSIONS
        permissions = TASK_PERMISSIONS

    def __str__(self) -> str:
        return self.title


def permission_object(process: Any) -> CoordinationProcess:
    """The object task permissions are granted and checked on.

    viewflow passes the flow's proxy when it creates a task and its bare `Process` when it checks
    one; both share the primary key, so the concrete row stands in for either (no query)."""
    obj = CoordinationProcess(pk=process.pk)
    obj._state.adding = False
    obj._state.db = process._state.db
    return obj


class LegalOutcome(models.TextChoices):
    LAWFUL = "lawful", _("lawful")
    RECONSIDER = "reconsider", _("returned for reconsideration")


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

    class Meta:
        proxy = True
        verbose_name = _("assembly decision")
        verbose_name_plural = _("assembly decisions")
        default_permissions = DEFAULT_PERMISSIONS
