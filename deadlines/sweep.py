"""The deadline sweep: fires the due timers, then sends every due reminder, overdue alert and
escalation (`sweep`, run by Celery beat and `manage.py sweep_deadlines`).

Its alerts are recorded as `DeadlineEvent` rows only; the permission grant an overdue alert
makes is audited by `roles.permissions` itself.
"""

import logging
import time as monotonic_time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from roles.models import Institution, User
from roles.permissions import grant, institution_group
from roles.selectors import Lane
from workflows.models import PROCESS_VIEW, CoordinationProcess, permission_object
from workflows.services import timers_fire

from .clock import lane_recipients, legal_time, next_check
from .models import Deadline, DeadlineEvent, State
from .selectors import people_responsible

logger = logging.getLogger(__name__)

# More functions `(now) -> int` the sweep calls after firing the workflows' timers
# (`workflows.services.timers_fire`), each returning how many it fired. Register with `timer_hook`.
TIMER_HOOKS: list[Callable[[datetime], int]] = []

# No sweep transaction works longer than this: its row locks (and the audit chain's head, which
# the overdue grant takes) are held by nobody for more than about this long.
SWEEP_TRANSACTION_SECONDS = 0.4


def timer_hook(hook: Callable[[datetime], int]) -> Callable[[datetime], int]:
    """Register `hook` (once) for every sweep; usable as a decorator."""
    if hook not in TIMER_HOOKS:
        TIMER_HOOKS.append(hook)
    return hook


@dataclass
class _Sweep:
    """What one sweep looks up once: the people to tell and the monitoring institutions."""

    now: datetime
    counts: Counter[str] = field(default_factory=Counter)
    people: dict[Lane, list[User]] = field(default_factory=dict)
    institutions: dict[str, Institution | None] = field(default_factory=dict)
    # Views to grant at the end of the batch: (process id, institution id) → the objects.
    grants: dict[tuple[int, int], tuple[CoordinationProcess, Institution]] = field(
        default_factory=dict
    )
    grant_seconds: float = 0.01  # what one grant took in the last batch: to keep within time

    def prefetch(self, batch: list[Deadline]) -> None:
        """The people of every lane the batch may notify, in one look-up."""
        lanes = {
            (deadline.institution_id, role)
            for deadline in batch
            for role in [deadline.role, *deadline.rule.escalation_roles]
        }
        self.people.update(people_responsible(lanes - set(self.people)))

    def recipients(self, institution_id: int, roles: list[str]) -> list[User]:
        return lane_recipients(self.people, institution_id, roles)

    def institution(self, code: str) -> Institution | None:
        if code not in self.institutions:
            self.institutions[code] = Institution.objects.filter(code=code).first()
        return self.institutions[code]


def _tell(
    run: _Sweep,
    deadline: Deadline,
    *,
    kind: str,
    key: str,
    roles: list[str],
    message: Callable[[], str],
) -> int:
    from notifications.services import notify

    return notify(
        recipients=run.recipients(deadline.institution_id, roles),
        kind=kind,
        message=message,
        process=deadline.process,
        task=deadline.task,
        key=key,
    )


def _sweep_one(deadline: Deadline, run: _Sweep) -> list[DeadlineEvent]:
    """Whatever is due for one clock at `run.now`: a reminder, the overdue alert (with the
    monitoring institution's view), the escalation. Notification keys make a retry harmless."""
    now, rule, records = run.now, deadline.rule, []
    title, due = deadline.process.title, legal_time(deadline.due_at)
    if deadline.alerted_at is None and now > deadline.due_at:
        # Reminders not sent by now are not sent late: the overdue alert says more.
        deadline.reminded = sorted({*deadline.reminded, *rule.reminders}, reverse=True)
        deadline.state, deadline.alerted_at = State.OVERDUE, now
        monitoring = (
            run.institution(rule.monitoring_institution) if rule.monitoring_institution else None
        )
        if monitoring is not None:
            run.grants[(deadline.process_id, monitoring.pk)] = (deadline.process, monitoring)
        sent = _tell(
            run,
            deadline,
            kind="overdue",
            key=f"deadline:{deadline.pk}:overdue",
            roles=[deadline.role],
            message=lambda: (
                gettext("Overdue: %(rule)s — %(process)s (was due %(due)s)")
                % {"rule": rule.name_in(), "process": title, "due": due}
            ),
        )
        run.counts["overdue"] += 1
        records.append(
            DeadlineEvent(
                deadline=deadline,
                kind=DeadlineEvent.Kind.OVERDUE,
                at=now,
                data={"notified": sent, "monitoring": monitoring.code if monitoring else None},
            )
        )
    elif deadline.alerted_at is None:
        pending = [
            hours
            for hours in rule.reminders
            if hours not in deadline.reminded and now >= deadline.due_at - timedelta(hours=hours)
        ]
        if pending:
            hours = min(pending)  # the latest one due; earlier ones missed by a pause in sweeps
            sent = _tell(
                run,
                deadline,
                kind="reminder",
                key=f"deadline:{deadline.pk}:reminder:{hours}",
                roles=[deadline.role],
                message=lambda: (
                    gettext("Due %(due)s: %(rule)s — %(process)s")
                    % {"rule": rule.name_in(), "process": title, "due": due}
                ),
            )
            deadline.reminded = sorted({*deadline.reminded, *pending}, reverse=True)
            run.counts["reminders"] += 1
            records.append(
                DeadlineEvent(
                    deadline=deadline,
                    kind=DeadlineEvent.Kind.REMINDER,
                    at=now,
                    data={"hours_before": hours, "notified": sent},
                )
            )
        if deadline.state == State.OPEN and now >= deadline.due_soon_at:
            deadline.state = State.DUE_SOON
    if (
        deadline.alerted_at is not None
        and deadline.escalated_at is None
        and deadline.escalate_at is not None
        and now >= deadline.escalate_at
    ):
        deadline.escalated_at = now
        sent = _tell(
            run,
            deadline,
            kind="escalation",
            key=f"deadline:{deadline.pk}:escalation",
            roles=rule.escalation_roles,
            message=lambda: (
                gettext("Escalated, overdue since %(due)s: %(rule)s — %(process)s")
                % {"rule": rule.name_in(), "process": title, "due": due}
            ),
        )
        run.counts["escalations"] += 1
        records.append(
            DeadlineEvent(
                deadline=deadline,
                kind=DeadlineEvent.Kind.ESCALATION,
                at=now,
                data={"notified": sent, "roles": rule.escalation_roles},
            )
        )
    deadline.next_check_at = next_check(deadline, rule)
    return records


def _write_back(handled: list[Deadline]) -> None:
    """Save what the sweep changed: one UPDATE per set of equal values (an overdue batch is
    one or two; `next_check_at` equal to the clock's own escalation time is written as that
    column), not Django's bulk_update, whose CASE per row and field costs more than the rest
    of the batch."""
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for deadline in handled:
        upcoming: Any = deadline.next_check_at
        if upcoming is not None and upcoming == deadline.escalate_at:
            upcoming = F("escalate_at")
        key = (
            deadline.state,
            tuple(deadline.reminded),
            deadline.alerted_at,
            deadline.escalated_at,
            upcoming,
        )
        groups[key].append(deadline.pk)
    for (state, reminded, alerted_at, escalated_at, upcoming), ids in groups.items():
        Deadline.objects.filter(pk__in=ids).update(
            state=state,
            reminded=list(reminded),
            alerted_at=alerted_at,
            escalated_at=escalated_at,
            next_check_at=upcoming,
        )


def _due_batch(now: datetime, size: int, busy: set[int]) -> tuple[list[Deadline], bool]:
    """Up to `size` clocks with something due, locked, and whether there may be more.

    Rows another sweeper holds are skipped, not waited for. So are clocks whose process a
    workflow transaction holds (it may be completing them): notifying refers to the process,
    which would wait for that transaction while it waits for these clocks. Those are added to
    `busy` and left to the next sweep. Three short queries, each on an index, rather than one
    join whose plan could scan the table."""
    due = list(
        Deadline.objects.select_for_update(skip_locked=True)
        .filter(completed_at__isnull=True, next_check_at__lte=now)
        .exclude(pk__in=busy)
        .order_by("next_check_at")
        .values_list("pk", "process_id")[:size]
    )
    if not due:
        return [], False
    free = set(
        CoordinationProcess.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk__in={process_id for _, process_id in due})
        .order_by()
        .values_list("pk", flat=True)
    )
    busy.update(pk for pk, process_id in due if process_id not in free)
    batch = (
        Deadline.objects.select_related("rule", "process", "task")
        .filter(pk__in=[pk for pk, process_id in due if process_id in free])
        .order_by("next_check_at", "pk")
    )
    return list(batch), len(due) == size


def _grant_monitoring(run: _Sweep) -> None:
    """The receiving institutions see what became overdue in the batch: one grant per
    institution for all its processes (one insert, one audit append of an entry per process).

    Last in the batch's transaction: the audit chain's head stays locked from the first entry
    to the commit."""
    if not run.grants:
        return
    began = monotonic_time.perf_counter()
    by_institution: dict[int, tuple[Institution, list[CoordinationProcess]]] = {}
    for process, institution in run.grants.values():
        by_institution.setdefault(institution.pk, (institution, []))[1].append(
            permission_object(process)
        )
    for institution, processes in by_institution.values():
        grant(actor=None, perm=PROCESS_VIEW, obj=processes, group=institution_group(institution))
    run.grant_seconds = (monotonic_time.perf_counter() - began) / len(run.grants)
    run.grants.clear()


def _fire_workflow_timers(now: datetime) -> int:
    return timers_fire()


def _run_hooks(now: datetime, counts: Counter[str]) -> None:
    for hook in [_fire_workflow_timers, *TIMER_HOOKS]:
        try:
            counts["timers"] += int(hook(now) or 0)
        except Exception:  # one broken hook must not stop reminders and alerts
            logger.exception("timer hook %r failed", hook)


def sweep(now: datetime | None = None, batch_size: int = 500) -> dict[str, int]:
    """Fire due timers, then send every due reminder, overdue alert and escalation.

    Idempotent and safe to run concurrently: each batch is a short transaction over rows
    locked with SKIP LOCKED, a clock's bookkeeping moves on in the same transaction as its
    notifications, and notification keys (`deadline:<id>:overdue` …) refuse duplicates.
    Returns counts: timers, reminders, overdue, escalations, batches, longest_batch_ms."""
    now = now or timezone.now()
    state = _Sweep(now=now)
    _run_hooks(now, state.counts)
    longest, size, busy = 0.0, batch_size, set[int]()
    while True:
        began = monotonic_time.perf_counter()
        with transaction.atomic():
            batch, more = _due_batch(now, size, busy)
            state.prefetch(batch)
            handled: list[Deadline] = []
            records: list[DeadlineEvent] = []
            for deadline in batch:
                records += _sweep_one(deadline, state)
                handled.append(deadline)
                spent = monotonic_time.perf_counter() - began
                if spent + len(state.grants) * state.grant_seconds > SWEEP_TRANSACTION_SECONDS:
                    break  # the rest of the batch is unlocked at commit, for the next round
            _grant_monitoring(state)
            if handled:
                _write_back(handled)
                DeadlineEvent.objects.bulk_create(records)
        # From the first lock to the commit that releases it.
        longest = max(longest, monotonic_time.perf_counter() - began)
        if handled:
            state.counts["batches"] += 1
        if len(handled) < len(batch):  # cut short by the time limit: lock fewer next time
            size = max(1, min(batch_size, len(handled) * 5 // 4))
        elif not more:
            break
        else:
            size = min(batch_size, size * 2)
    state.counts["longest_batch_ms"] = round(longest * 1000)
    return {
        key: state.counts[key]
        for key in ("timers", "reminders", "overdue", "escalations", "batches", "longest_batch_ms")
    }
