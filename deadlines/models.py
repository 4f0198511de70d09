"""Legal deadlines: the rules (data, with their legal basis), the calendar's exceptions, and each
running clock with its record of events.

A `Deadline` is one clock on one process (or on one task of it, for rules bound to a step). Its
times are stored, not recomputed: `due_at` moves only when the clock is paused and resumed, and
`next_check_at` says when the sweep next has something to do for it (a reminder, the overdue
alert, the escalation), so the sweep is one range scan on a partial index however many clocks
are running.
"""

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task

from config.text import name_in_language
from roles.models import Institution, Role
from workflows.models import CoordinationProcess

from .basis import MONTH_END, basis_shown

# `started`, `transmitted`, `task:zkp_review`, `done:approve`: what the workflows announce.
EVENT_NAME = RegexValidator(
    r"^[a-z][a-z0-9_]*(:[a-z][a-z0-9_]*)?$",
    _("An event name: lower-case words joined by _, optionally prefixed (task:, done:)."),
)
ANCHOR_EVENT = "event"
ANCHOR_MONTH_END = MONTH_END
ANCHOR = RegexValidator(
    r"^[a-z][a-z0-9_]*$", _("`event`, `month_end` or the name of a date field of the process.")
)


class DayKind(models.TextChoices):
    CALENDAR = "calendar", _("calendar days")
    WORKING = "working", _("working days")


class State(models.TextChoices):
    OPEN = "open", _("open")
    DUE_SOON = "due_soon", _("due soon")
    OVERDUE = "overdue", _("overdue")
    MET = "met", _("met")
    MISSED = "missed", _("missed")
    # Stopped because its process was withdrawn: neither met nor missed.
    CANCELED = "canceled", _("canceled")


OPEN_STATES = (State.OPEN, State.DUE_SOON, State.OVERDUE)
CLOSED_STATES = (State.MET, State.MISSED, State.CANCELED)


def _codes(value: str) -> list[str]:
    return [code for code in re.split(r"[\s,]+", value or "") if code]


class DeadlineRule(models.Model):
    """When a clock starts, how long it runs, when it stops, and who hears about it."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name (English)"), max_length=200)
    name_sq = models.CharField(_("name (Albanian)"), max_length=200, blank=True)
    name_sr = models.CharField(_("name (Serbian, Latin script)"), max_length=200, blank=True)
    legal_basis = models.TextField(
        _("legal basis"), help_text=_("The law or regulation, in words, with its article.")
    )
    legal_basis_sq = models.TextField(_("legal basis (Albanian)"), blank=True)
    legal_basis_sr = models.TextField(_("legal basis (Serbian, Latin script)"), blank=True)
    process_type = models.SlugField(
        _("process type"),
        max_length=64,
        help_text=_("assembly_decision, press_statement, meeting_material, monthly_report …"),
    )
    starts_on = models.CharField(
        _("starts on"),
        max_length=100,
        validators=[EVENT_NAME],
        help_text=_(
            "The event that starts the clock: `started`, `task:<step>` (a step opens; the "
            "clock is then bound to that task) or a domain event such as `received`."
        ),
    )
    anchor = models.CharField(
        _("anchor"),
        max_length=64,
        default=ANCHOR_EVENT,
        validators=[ANCHOR],
        help_text=_(
            "What the days count from: `event` (the starting event's time), `month_end` (the "
            "last day of the event's month) or a date field of the process such as "
            "`adopted_on` or `meeting_date`."
        ),
    )
    days = models.IntegerField(
        _("days"), help_text=_("Negative: before the anchor (a meeting date minus a lead time).")
    )
    day_kind = models.CharField(
        _("kind of days"), max_length=16, choices=DayKind.choices, default=DayKind.CALENDAR
    )
    ends_on = models.CharField(
        _("ends on"),
        max_length=100,
        validators=[EVENT_NAME],
        help_text=_("The event that meets the deadline: `done:<step>`, `transmitted` …"),
    )
    pauses_on = models.CharField(
        _("pauses on"), max_length=100, blank=True, validators=[EVENT_NAME]
    )
    resumes_on = models.CharField(
        _("resumes on"), max_length=100, blank=True, validators=[EVENT_NAME]
    )
    reminders = models.JSONField(
        _("reminders"),
        default=list,
        blank=True,
        help_text=_("Hours before the due time at which to remind, e.g. [24, 2]."),
    )
    grace_hours = models.PositiveIntegerField(
        _("grace hours"), default=24, help_text=_("Hours overdue before the escalation.")
    )
    responsible_role = models.CharField(
        _("responsible role"),
        max_length=64,
        blank=True,
        help_text=_(
            "Role code in the process's institution that gets reminders; empty for a rule bound "
            "to a step: the step's own institution and role."
        ),
    )
    escalate_to_role = models.CharField(
        _("escalate to"),
        max_length=200,
        blank=True,
        help_text=_(
            "Role code(s) of the supervisor in the responsible institution, comma-separated "
            "(e.g. `mayor, minister`: whichever the institution has). Empty: no escalation."
        ),
    )
    monitoring_institution = models.CharField(
        _("monitoring institution"),
        max_length=32,
        blank=True,
        help_text=_("Code of the receiving institution that sees overdue items (MAPL, ZKM)."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["process_type", "code"]
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")

    def __str__(self) -> str:
        return self.name

    def name_in(self, language: str | None = None) -> str:
        """The name in a Django language code (`sr` in Cyrillic), English when missing."""
        return name_in_language(sq=self.name_sq, sr=self.name_sr, en=self.name, language=language)

    def legal_basis_in(self, language: str | None = None) -> str:
        """The legal basis in a Django language code (`sr` in Cyrillic), English when missing."""
        return name_in_language(
            sq=self.legal_basis_sq, sr=self.legal_basis_sr, en=self.legal_basis, language=language
        )

    @property
    def task_bound(self) -> bool:
        return self.starts_on.startswith("task:")

    @property
    def escalation_roles(self) -> list[str]:
        return _codes(self.escalate_to_role)

    @property
    def due_soon_hours(self) -> int:
        """A clock is `due_soon` from its earliest reminder on (a day when it has none)."""
        return max(self.reminders or [24])

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        reminders = self.reminders
        if not isinstance(reminders, list) or not all(
            isinstance(hours, int) and not isinstance(hours, bool) and 0 < hours <= 24 * 366
            for hours in reminders
        ):
            errors["reminders"] = _("A list of whole hours before the due time, e.g. [24, 2].")
        else:
            self.reminders = sorted(set(reminders), reverse=True)
        if bool(self.pauses_on) != bool(self.resumes_on):
            errors["resumes_on"] = _("A clock that pauses must also resume (give both or none).")
        roles = {*self.escalation_roles, *_codes(self.responsible_role)}
        known = set(Role.objects.filter(code__in=roles).values_list("code", flat=True))
        if unknown := sorted(roles - known):
            errors["escalate_to_role"] = _("Unknown role code(s): %s.") % ", ".join(unknown)
        if len(_codes(self.responsible_role)) > 1:
            errors["responsible_role"] = _("One role code.")
        if not self.task_bound and not self.responsible_role:
            errors["responsible_role"] = _("Give the role that answers for this deadline.")
        if self.monitoring_institution:
            self.monitoring_institution = self.monitoring_institution.upper()
            if not Institution.objects.filter(code=self.monitoring_institution).exists():
                errors["monitoring_institution"] = _("No institution has this code.")
        if errors:
            raise ValidationError(errors)


class HolidayOverride(models.Model):
    """Corrects the `holidays` package for one day: a day off it does not know (an ad-hoc
    holiday, a moved Easter Monday), or a day it wrongly lists as a holiday."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    is_holiday = models.BooleanField(
        _("day off"),
        default=True,
        help_text=_("Checked: a day off. Unchecked: a working day despite the package."),
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday override")
        verbose_name_plural = _("holiday overrides")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class Deadline(models.Model):
    process = models.ForeignKey(
        CoordinationProcess,
        verbose_name=_("process"),
        on_delete=models.CASCADE,
        related_name="deadlines",
    )
    # Indexed (a foreign key): the inbox joins tasks to their clocks.
    task = models.ForeignKey(
        Task,
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deadlines",
    )
    rule = models.ForeignKey(
        DeadlineRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="deadlines"
    )
    # Copied from the rule and the process when the clock starts: lists, filters and
    # dashboards group by them without joins, and an edited rule does not rewrite history.
    process_type = models.SlugField(_("process type"), max_length=64, db_index=False)
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("responsible institution"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    role = models.CharField(_("responsible role"), max_length=64)
    basis = models.CharField(_("basis"), max_length=300, help_text=_("What started the clock."))
    starts_at = models.DateTimeField(_("starts at"))
    due_at = models.DateTimeField(_("due at"))
    due_soon_at = models.DateTimeField(_("due soon from"))
    escalate_at = models.DateTimeField(_("escalate at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    paused_seconds = models.PositiveBigIntegerField(_("paused seconds"), default=0)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.OPEN)
    reminded = models.JSONField(_("reminders sent (hours before)"), default=list, blank=True)
    alerted_at = models.DateTimeField(_("overdue alert at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    next_check_at = models.DateTimeField(_("next sweep"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        indexes = [
            # "Open deadlines due before T": a range scan over open clocks only.
            models.Index(
                fields=["due_at"], condition=Q(completed_at__isnull=True), name="deadline_open_due"
            ),
            # What the sweep has to do now; clocks with nothing left to send drop out.
            models.Index(
                fields=["next_check_at"],
                condition=Q(completed_at__isnull=True, next_check_at__isnull=False),
                name="deadline_sweep_next",
            ),
            # Paused clocks are judged at their pause: a small index of its own, so "overdue
            # now" stays two index scans (this and deadline_open_due) instead of a table scan.
            models.Index(
                fields=["due_at"],
                condition=Q(completed_at__isnull=True, paused_at__isnull=False),
                name="deadline_paused_due",
            ),
            models.Index(fields=["institution", "due_at"], name="deadline_institution_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["process", "rule"],
                condition=Q(task__isnull=True),
                name="deadline_once_per_process",
            ),
            models.UniqueConstraint(
                fields=["task", "rule"],
                condition=Q(task__isnull=False),
                name="deadline_once_per_task",
            ),
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True, state__in=OPEN_STATES)
                | Q(completed_at__isnull=False, state__in=CLOSED_STATES),
                name="deadline_state_matches_completion",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} · {self.process_id} · {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def basis_shown(self) -> str:
        """What started the clock, in the reader's language (`basis.basis_shown`)."""
        return basis_shown(self.basis, self.process_type, self.institution_id)


class DeadlineEvent(models.Model):
    """The record of one clock: every start, pause, resumption, completion and alert."""

    class Kind(models.TextChoices):
        STARTED = "started", _("started")
        PAUSED = "paused", _("paused")
        RESUMED = "resumed", _("resumed")
        MET = "met", _("met")
        MISSED = "missed", _("missed")
        REMINDER = "reminder", _("reminder")
        OVERDUE = "overdue", _("overdue")
        ESCALATION = "escalation", _("escalation")
        CANCELED = "canceled", _("canceled")

    deadline = models.ForeignKey(
        Deadline, verbose_name=_("deadline"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("at"))
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("deadline event")
        verbose_name_plural = _("deadline events")

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class TaskDue(models.Model):
    """When an open step is due: the clock the work queue sorts and marks it by (its own
    clock, else the running clock of its lane on the process, else the process's earliest
    running clock — `selectors.tasks_with_clock`'s rule), kept per open task so the queue
    orders, filters and pages by columns instead of judging every clock of every row.

    The database keeps it exact by itself (migration 0006): triggers on viewflow's task table
    add the row when a step opens and drop it when the step is done, and triggers on
    `Deadline` recompute the rows of a process whenever one of its clocks starts, moves
    (paused, resumed, handed to another lane) or stops. So no code path (viewflow's saves, a
    bulk update of clocks, an edit in the admin) can leave it stale. A claim keeps the row:
    the clock does not change hands with the task."""

    task = models.OneToOneField(
        Task, primary_key=True, on_delete=models.CASCADE, related_name="due"
    )
    # Copied from the task when it opens (its lane never changes): the triggers recompute a
    # process's rows from these without reading the task table.
    process = models.ForeignKey(
        "viewflow.Process", on_delete=models.CASCADE, related_name="+", db_index=True
    )
    lane_role = models.CharField(max_length=64, blank=True)
    lane_institution = models.CharField(max_length=64, blank=True)
    # The task's, for the queue's order after the due time (oldest first) without the task.
    created = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    # From when the step is overdue: the earliest due time among its clocks that can still
    # be late (a paused clock is judged at its pause: late already, or not while paused —
    # None). Overdue at `now` is `late_from < now`, as `tasks_with_clock` judges it.
    late_from = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The queue's default order: a page of a long queue can be read in order.
            models.Index(fields=["due_at", "created", "task"], name="deadlines_taskdue_order")
        ]

    def __str__(self) -> str:
        return f"task {self.task_id} due {self.due_at}"
