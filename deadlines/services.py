"""Writes about deadlines: the clock the workflows drive (`clock_event`) and the sweep that
reminds, alerts and escalates (`sweep`).

`clock_event` runs inside the workflow's own transaction (the process row is locked there), so
it does little: one query for the rules the event concerns (none → done), one for the clocks
those rules already run on the process, then at most one insert or update of each kind and one
audit entry. Sweep alerts (reminder, overdue, escalation) are recorded as `DeadlineEvent` rows
only; the permission grant an overdue alert makes is audited by `roles.permissions` itself.
"""

import logging
import time as monotonic_time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import dateparse, timezone
from django.utils.translation import gettext
from viewflow.workflow.models import Task

from audit.services import audit_record
from config.prepared import Prepared
from roles.models import Institution, User
from roles.permissions import grant_to_institution_many
from roles.selectors import Lane
from workflows.events import ProcessEvent
from workflows.models import PROCESS_VIEW, CoordinationProcess, permission_object
from workflows.services import timers_fire

from . import calendar
from .models import (
    ANCHOR_EVENT,
    ANCHOR_MONTH_END,
    DayKind,
    Deadline,
    DeadlineEvent,
    DeadlineRule,
    State,
)
from .selectors import people_responsible, process_type_of

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


# --- The clock --------------------------------------------------------------------------------


def _anchor_day(rule: DeadlineRule, process: CoordinationProcess, at: datetime) -> date | None:
    """The day the rule counts from; None when the process lacks the date field it names."""
    if rule.anchor == ANCHOR_EVENT:
        return calendar.local_date(at)
    if rule.anchor == ANCHOR_MONTH_END:
        return calendar.month_end(calendar.local_date(at))
    value = (process.data or {}).get(rule.anchor)
    if isinstance(value, datetime):
        return calendar.local_date(value)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        moment = dateparse.parse_datetime(value)
        if moment is not None and timezone.is_aware(moment):
            return calendar.local_date(moment)
        try:
            return dateparse.parse_date(value[:10])
        except ValueError:
            return None
    return None


def _basis(rule: DeadlineRule, event: str, at: datetime, day: date) -> str:
    """What started the clock, as data (e.g. "adopted on 2026-11-20")."""
    if rule.anchor == ANCHOR_EVENT:
        return f"{event} {timezone.localtime(at, calendar.LEGAL_TIME_ZONE):%Y-%m-%d %H:%M}"
    return f"{rule.anchor.replace('_', ' ')} {day.isoformat()}"


def next_check(deadline: Deadline, rule: DeadlineRule) -> datetime | None:
    """When the sweep next has something to do for the clock (None: nothing, ever).

    Every time returned is later than any moment at which `_sweep_one` has just handled the
    clock, so a sweep always makes progress."""
    if deadline.completed_at is not None or deadline.paused_at is not None:
        return None
    if deadline.alerted_at is None:
        moments = [
            deadline.due_at - timedelta(hours=hours)
            for hours in rule.reminders
            if hours not in deadline.reminded
        ]
        if deadline.state == State.OPEN:
            moments.append(deadline.due_soon_at)
        # Overdue once the last instant of the due day has passed.
        moments.append(deadline.due_at + timedelta(microseconds=1))
        return min(moments)
    if deadline.escalated_at is None and deadline.escalate_at is not None:
        return deadline.escalate_at
    return None


def _deadline_new(
    *,
    rule: DeadlineRule,
    process: CoordinationProcess,
    event: str,
    at: datetime,
    task: Task | None,
    institution_id: int,
    role: str,
    working_calendar: calendar.WorkingCalendar,
) -> Deadline | None:
    day = _anchor_day(rule, process, at)
    if day is None:
        logger.warning(
            "deadline rule %s: process %s has no date in %r; no clock started",
            rule.code,
            process.pk,
            rule.anchor,
        )
        return None
    due = calendar.due_at(
        day, rule.days, working=rule.day_kind == DayKind.WORKING, calendar=working_calendar
    )
    deadline = Deadline(
        process_id=process.pk,
        task=task,
        rule=rule,
        process_type=rule.process_type,
        institution_id=institution_id,
        role=role,
        basis=_basis(rule, event, at, day)[:300],
        starts_at=at,
        due_at=due,
        due_soon_at=due - timedelta(hours=rule.due_soon_hours),
        escalate_at=due + timedelta(hours=rule.grace_hours) if rule.escalation_roles else None,
        state=State.OPEN,
        reminded=[],
    )
    deadline.next_check_at = next_check(deadline, rule)
    return deadline


def _lane(
    rule: DeadlineRule, process: CoordinationProcess, task: Task | None
) -> tuple[int, str] | None:
    """Who answers for a new clock: the task's own lane for a rule bound to a step, else the
    rule's role in the process's institution."""
    lane = (task.data or {}) if task is not None and rule.task_bound else {}
    role = lane.get("role") or rule.responsible_role
    code = lane.get("institution")
    if not role:
        logger.warning("deadline rule %s names no responsible role; no clock", rule.code)
        return None
    if not code:
        return process.institution_id, role
    if CoordinationProcess.institution.is_cached(process) and process.institution.code == code:
        return process.institution_id, role
    institution_id = Institution.objects.filter(code=code).values_list("pk", flat=True).first()
    return (institution_id, role) if institution_id is not None else None


def _pause(deadline: Deadline, at: datetime) -> dict[str, Any]:
    deadline.paused_at = at
    deadline.next_check_at = None
    return {}


def _resume(deadline: Deadline, rule: DeadlineRule, at: datetime) -> dict[str, Any]:
    """The pause extends every time of the clock by its length in elapsed (calendar) time:
    a 3-hour wait for the other institution gives back 3 hours, whatever the days were. The
    due day is not recounted in working days, which would turn a 10-minute pause across a
    Friday evening into a whole weekend."""
    assert deadline.paused_at is not None
    paused = max(at - deadline.paused_at, timedelta(0))
    deadline.due_at += paused
    deadline.due_soon_at += paused
    if deadline.escalate_at is not None:
        deadline.escalate_at += paused
    deadline.paused_seconds += int(paused.total_seconds())
    deadline.paused_at = None
    deadline.next_check_at = next_check(deadline, rule)
    return {"paused_seconds": int(paused.total_seconds()), "due_at": deadline.due_at.isoformat()}


def _complete(deadline: Deadline, at: datetime) -> dict[str, Any]:
    """Met or missed by the completing event's own time (e.g. when the decision was
    transmitted), not by when someone recorded it."""
    if deadline.paused_at is not None:  # completed while paused: the pause counts until now
        deadline.due_at += max(at - deadline.paused_at, timedelta(0))
        deadline.paused_at = None
    deadline.completed_at = at
    deadline.state = State.MET if at <= deadline.due_at else State.MISSED
    deadline.next_check_at = None
    return {
        "due_at": deadline.due_at.isoformat(),
        "late_seconds": max(0, int((at - deadline.due_at).total_seconds())),
    }


CLOCK_FIELDS = [
    "due_at",
    "due_soon_at",
    "escalate_at",
    "paused_at",
    "paused_seconds",
    "completed_at",
    "state",
    "next_check_at",
]


def clock_event(
    *,
    process: CoordinationProcess,
    event: str,
    at: datetime,
    task: Task | None = None,
    actor: Any = None,
) -> None:
    """Tell the deadline clocks of `process` that `event` happened at `at`.

    Events: `started` (the process started), `task:<node>` (a human task opened: pass it),
    `done:<node>` (it was completed: pass it), and domain events such as `transmitted` or
    `received`. Opens a clock for each active rule of the process type starting on the event
    (once per process, or once per task for rules bound to a step), completes the open clocks
    whose rule ends on it (met when `at` <= due), and pauses or resumes others. Call it inside
    the workflow's transaction; `actor` (optional) is who caused the event, for the audit log.
    """
    clock_events(process=process, events=[ClockEvent(event, at, task)], actor=actor)


# What the clocks are told is what the workflows announce (`workflows.events`).
ClockEvent = ProcessEvent


def _concerns(rule: DeadlineRule, event: str) -> bool:
    """Whether the rule starts, ends, pauses or resumes on the event."""
    return (rule.active and rule.starts_on == event) or event in (
        rule.ends_on,
        rule.pauses_on,
        rule.resumes_on,
    )


# Read in every workflow transition: compiled once (config.prepared).
_RULES_OF_TYPE = Prepared(
    lambda process_type: DeadlineRule.objects.filter(process_type=process_type)
)


def clock_events(
    *, process: CoordinationProcess, events: list[ClockEvent], actor: Any = None
) -> None:
    """`clock_event` for the events of one transition, in their order, with the process
    type's rules for all of them read in one query (a process type has a handful of rules:
    picking the concerned ones here costs less than having SQL pick them)."""
    for event in events:
        if timezone.is_naive(event.at):
            raise ValueError("clock_event needs an aware datetime")
    process_type = process_type_of(process)
    if process_type is None:
        return
    rules = _RULES_OF_TYPE.objects(process_type=process_type)
    for event in events:
        concerned = {rule.pk: rule for rule in rules if _concerns(rule, event.name)}
        if concerned:
            _clock_event(
                process=process,
                event=event.name,
                at=event.at,
                task=event.task,
                actor=actor,
                rules=concerned,
            )


def _clock_event(
    *,
    process: CoordinationProcess,
    event: str,
    at: datetime,
    task: Task | None,
    actor: Any,
    rules: dict[int, DeadlineRule],
) -> None:
    existing = list(Deadline.objects.filter(process_id=process.pk, rule_id__in=list(rules)))
    events: list[tuple[Deadline, str, dict[str, Any]]] = []
    changed: list[Deadline] = []
    for deadline in existing:
        rule = rules[deadline.rule_id]
        if deadline.completed_at is not None or rule.starts_on == event:
            continue
        if task is not None and deadline.task_id is not None and deadline.task_id != task.pk:
            continue  # another round of the same step (after a return) has its own clock
        if event == rule.ends_on:
            events.append((deadline, "", _complete(deadline, at)))
        elif event == rule.pauses_on and deadline.paused_at is None:
            events.append((deadline, DeadlineEvent.Kind.PAUSED, _pause(deadline, at)))
        elif event == rule.resumes_on and deadline.paused_at is not None:
            events.append((deadline, DeadlineEvent.Kind.RESUMED, _resume(deadline, rule, at)))
        else:
            continue
        changed.append(deadline)

    started: list[Deadline] = []
    working_calendar = calendar.WorkingCalendar()
    for rule in rules.values():
        if not (rule.active and rule.starts_on == event):
            continue
        bound = task if rule.task_bound else None
        bound_id = bound.pk if bound is not None else None
        if any(d.rule_id == rule.pk and d.task_id == bound_id for d in existing):
            continue  # once per process (or per task)
        lane = _lane(rule, process, bound)
        if lane is None:
            continue
        clock = _deadline_new(
            rule=rule,
            process=process,
            event=event,
            at=at,
            task=bound,
            institution_id=lane[0],
            role=lane[1],
            working_calendar=working_calendar,
        )
        if clock is not None:
            started.append(clock)
    if not started and not changed:
        return

    if started:
        Deadline.objects.bulk_create(started)
        events += [
            (
                deadline,
                DeadlineEvent.Kind.STARTED,
                {"due_at": deadline.due_at.isoformat(), "basis": deadline.basis},
            )
            for deadline in started
        ]
    if changed:
        Deadline.objects.bulk_update(changed, CLOCK_FIELDS)
    records = [
        DeadlineEvent(deadline=deadline, kind=kind or deadline.state, at=at, data=data)
        for deadline, kind, data in events
    ]
    DeadlineEvent.objects.bulk_create(records)
    audit_record(
        actor=actor,
        action="deadline.clock",
        obj=permission_object(process),
        extra={
            "event": event,
            "at": at,
            "task_id": task.pk if task is not None else None,
            "deadlines": [
                {
                    "id": record.deadline.pk,
                    "rule": rules[record.deadline.rule_id].code,
                    "kind": record.kind,
                    "due_at": record.deadline.due_at,
                }
                for record in records
            ],
        },
    )


# --- The sweep --------------------------------------------------------------------------------


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
        people: dict[int, User] = {}
        for role in roles:
            for person in self.people.get((institution_id, role), []):
                people.setdefault(person.pk, person)
        return list(people.values())

    def institution(self, code: str) -> Institution | None:
        if code not in self.institutions:
            self.institutions[code] = Institution.objects.filter(code=code).first()
        return self.institutions[code]


def _local(moment: datetime) -> str:
    return f"{timezone.localtime(moment, calendar.LEGAL_TIME_ZONE):%Y-%m-%d %H:%M}"


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
    title, due = deadline.process.title, _local(deadline.due_at)
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
        grant_to_institution_many(
            actor=None, perm=PROCESS_VIEW, objs=processes, institution=institution
        )
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
