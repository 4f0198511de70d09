"""The deadline clocks the workflows drive: a clock starts, pauses, resumes and is met or
missed on the events of a process (`clock_events`, subscribed to the workflows' transitions in
`receivers.py`).

It runs inside the workflow's own transaction (the process row is locked there), so it does
little: one query for the rules the event concerns (none → done), one for the clocks those
rules already run on the process, then at most one insert or update of each kind and one audit
entry.
"""

import logging
from datetime import date, datetime, timedelta
from functools import partial
from itertools import groupby
from typing import Any

from django.utils import dateparse, timezone
from django.utils.translation import gettext
from viewflow.workflow.models import Task

from audit.services import audit_record
from config.prepared import Prepared
from roles.models import Institution
from workflows.events import ProcessEvent
from workflows.models import CoordinationProcess, permission_object

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

    Every time returned is later than any moment at which `sweep._sweep_one` has just handled the
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
    rule: DeadlineRule,
    process: CoordinationProcess,
    task: Task | None,
    institution_ids: dict[str, int],
) -> tuple[int, str] | None:
    """Who answers for a new clock: the task's own lane for a rule bound to a step, else the
    rule's role in the process's institution. `institution_ids`: the institutions the tasks
    name, read beforehand for all of them (`_lanes_known`)."""
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
    if code not in institution_ids:  # the process's own, not loaded with it
        found = Institution.objects.filter(code=code).values_list("pk", flat=True).first()
        if found is None:
            return None
        institution_ids[code] = found
    return institution_ids[code], role


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
    `done:<node>` (it was completed: pass it), `timeout:<node>` (its time ran out and it was
    canceled: pass it; it ends the clocks `done:<node>` ends), and domain events such as
    `transmitted` or `received`. Opens a clock for each active rule of the process type
    starting on the event (once per process, or once per task for rules bound to a step),
    completes the open clocks whose rule ends on it (met when `at` <= due), and pauses or
    resumes others. Call it inside the workflow's transaction; `actor` (optional) is who caused
    the event, for the audit log.
    """
    clock_events(process=process, events=[ClockEvent(event, at, task)], actor=actor)


# What the clocks are told is what the workflows announce (`workflows.events`).
ClockEvent = ProcessEvent

# The process was withdrawn (`workflows.services.process_cancel`): every clock still running
# stops, neither met nor missed, whatever the rules say.
CANCELED = "canceled"


# A step's time ran out (`timeout:<node>`: the timer on its border fired and canceled it, as
# when an access request's silence becomes a refusal): the clocks that end when the step is
# done end there too, by the same `_complete` — the timer fires at the due time or later, so
# they are missed, and their record keeps how late.
TIMEOUT = "timeout:"


def _time_ran_out(
    process: CoordinationProcess, deadlines: list[Deadline], rules: dict[int, DeadlineRule]
) -> None:
    """A clock a timer closed as missed is never overdue, so the sweep's alert and escalation
    never come: its lane and the rule's escalation roles are told here, at once, instead."""
    from notifications.services import notify

    missed = [deadline for deadline in deadlines if deadline.state == State.MISSED]
    lanes = {
        (deadline.institution_id, role)
        for deadline in missed
        for role in [deadline.role, *rules[deadline.rule_id].escalation_roles]
    }
    people = people_responsible(lanes) if lanes else {}
    for deadline in missed:
        rule = rules[deadline.rule_id]
        notify(
            recipients=lane_recipients(
                people, deadline.institution_id, [deadline.role, *rule.escalation_roles]
            ),
            kind="escalation",
            key=f"deadline:{deadline.pk}:time_ran_out",
            process=process,
            task=deadline.task,
            message=partial(_time_ran_out_message, rule, process.title, deadline.due_at),
        )


def _time_ran_out_message(rule: DeadlineRule, title: str, due_at: datetime) -> str:
    return gettext("Time ran out: %(rule)s — %(process)s (was due %(due)s)") % {
        "rule": rule.name_in(),
        "process": title,
        "due": legal_time(due_at),
    }


def legal_time(moment: datetime) -> str:
    """A moment as the notices write it: in the law's time zone, to the minute."""
    return f"{timezone.localtime(moment, calendar.LEGAL_TIME_ZONE):%Y-%m-%d %H:%M}"


def lane_recipients(
    people: dict[Any, list[Any]], institution_id: int, roles: list[str]
) -> list[Any]:
    """The people of an institution's lanes for `roles` (`people_responsible`'s answer), each
    once."""
    found: dict[int, Any] = {}
    for role in roles:
        for person in people.get((institution_id, role), []):
            found.setdefault(person.pk, person)
    return list(found.values())


def _ends(rule: DeadlineRule, event: str) -> bool:
    """Whether the event ends the rule's clocks: its `ends_on`, or its step's time running out."""
    return event == rule.ends_on or (
        event.startswith(TIMEOUT) and rule.ends_on == f"done:{event[len(TIMEOUT) :]}"
    )


def _concerns(rule: DeadlineRule, event: str) -> bool:
    """Whether the rule starts, ends, pauses or resumes on the event."""
    return (
        (rule.active and rule.starts_on == event)
        or _ends(rule, event)
        or event in (rule.pauses_on, rule.resumes_on)
    )


# Read in every workflow transition: compiled once (config.prepared).
_RULES_OF_TYPE = Prepared(
    lambda process_type: DeadlineRule.objects.filter(process_type=process_type).order_by("pk")
)

# What a transition already read or wrote of its process's clocks, kept on the process
# instance it holds (as Django keeps a prefetched relation): its timers, its clocks and the
# receipt it answers with then read them once.
_RULES = "_deadline_rules"
_CLOCKS = "_deadline_clocks"


def rules_of(process: CoordinationProcess) -> list[DeadlineRule]:
    """The rules of the process's type (active or not), read once for the process instance a
    transition holds: a step's timer and its clock then reckon from the same rule."""
    rules = process.__dict__.get(_RULES)
    if rules is None:
        process_type = process_type_of(process)
        rules = _RULES_OF_TYPE.objects(process_type=process_type) if process_type else []
        process.__dict__[_RULES] = rules
    return rules


def clocks_of(process: CoordinationProcess) -> list[Deadline]:
    """The process's clocks: those its starting transition made, without a query, else as
    stored."""
    clocks = process.__dict__.get(_CLOCKS)
    if clocks is None:
        clocks = list(Deadline.objects.filter(process_id=process.pk).order_by("starts_at", "pk"))
    return clocks


def clock_events(
    *,
    process: CoordinationProcess,
    events: list[ClockEvent],
    actor: Any = None,
    created: bool = False,
) -> None:
    """`clock_event` for the events of one transition, in their order, with the process
    type's rules for all of them read in one query (a process type has a handful of rules:
    picking the concerned ones here costs less than having SQL pick them). A run of events of
    the same name (a split opening one task per recipient) is handled at once: one look-up of
    the running clocks, one insert of the new ones and one of their records, whatever the
    number of tasks."""
    for event in events:
        if timezone.is_naive(event.at):
            raise ValueError("clock_event needs an aware datetime")
    if process_type_of(process) is None:
        return
    rules = rules_of(process)
    # A process made in this transaction (`created`) had no clocks before these events: the
    # ones it has are those started here, none to look up (and `clocks_of` needs none either).
    known: list[Deadline] | None = [] if created else None
    process.__dict__[_CLOCKS] = known
    for name, run in groupby(events, key=lambda event: event.name):
        if name == CANCELED:
            for event in run:
                _clocks_stopped(process=process, at=event.at, actor=actor, rules=rules)
            continue
        concerned = {rule.pk: rule for rule in rules if _concerns(rule, name)}
        if concerned:
            _clock_event(
                process=process,
                event=name,
                occurrences=list(run),
                actor=actor,
                rules=concerned,
                known=known,
            )


def _clocks_stopped(
    *, process: CoordinationProcess, at: datetime, actor: Any, rules: list[DeadlineRule]
) -> None:
    """Stop every running clock of the withdrawn process: `canceled`, with the record of it."""
    running = list(Deadline.objects.filter(process_id=process.pk, completed_at__isnull=True))
    if not running:
        return
    for deadline in running:
        if deadline.paused_at is not None:
            deadline.due_at += max(at - deadline.paused_at, timedelta(0))
            deadline.paused_at = None
        deadline.completed_at = at
        deadline.state = State.CANCELED
        deadline.next_check_at = None
    Deadline.objects.bulk_update(running, CLOCK_FIELDS)
    DeadlineEvent.objects.bulk_create(
        DeadlineEvent(deadline=deadline, kind=DeadlineEvent.Kind.CANCELED, at=at, data={})
        for deadline in running
    )
    codes = {rule.pk: rule.code for rule in rules}
    audit_record(
        actor=actor,
        action="deadline.clock",
        obj=permission_object(process),
        extra={
            "event": CANCELED,
            "at": at,
            "task_id": None,
            "deadlines": [
                {
                    "id": deadline.pk,
                    "rule": codes.get(deadline.rule_id, deadline.rule_id),
                    "kind": DeadlineEvent.Kind.CANCELED,
                    "due_at": deadline.due_at,
                }
                for deadline in running
            ],
        },
    )


def _lanes_known(
    process: CoordinationProcess,
    event: str,
    occurrences: list[ClockEvent],
    rules: dict[int, DeadlineRule],
) -> dict[str, int]:
    """The ids of the institutions named by the tasks whose clocks `event` starts, in one query
    (none when every task is the process's own institution's)."""
    if not any(
        rule.active and rule.task_bound and rule.starts_on == event for rule in rules.values()
    ):
        return {}
    codes = {
        str(occurrence.task.data.get("institution"))
        for occurrence in occurrences
        if occurrence.task is not None and (occurrence.task.data or {}).get("institution")
    }
    if CoordinationProcess.institution.is_cached(process):
        codes.discard(process.institution.code)
    if not codes:
        return {}
    return dict(Institution.objects.filter(code__in=codes).values_list("code", "pk"))


def _clock_event(
    *,
    process: CoordinationProcess,
    event: str,
    occurrences: list[ClockEvent],
    actor: Any,
    rules: dict[int, DeadlineRule],
    known: list[Deadline] | None,
) -> None:
    """Every occurrence of `event` (one per task when a step opens for many at once) on the
    process's clocks of the concerned `rules`: one audit entry per occurrence, as one event.
    `known`: all the process's clocks when the caller holds them (kept up to date here)."""
    if known is None:
        existing = list(Deadline.objects.filter(process_id=process.pk, rule_id__in=list(rules)))
    else:
        existing = [deadline for deadline in known if deadline.rule_id in rules]
    institution_ids = _lanes_known(process, event, occurrences, rules)
    working_calendar = calendar.WorkingCalendar()
    started: list[Deadline] = []
    changed: dict[int, Deadline] = {}
    told: list[tuple[ClockEvent, list[tuple[Deadline, str, dict[str, Any]]]]] = []
    for occurrence in occurrences:
        at, task = occurrence.at, occurrence.task
        events: list[tuple[Deadline, str, dict[str, Any]]] = []
        for deadline in existing:
            rule = rules[deadline.rule_id]
            if deadline.completed_at is not None or rule.starts_on == event:
                continue
            if task is not None and deadline.task_id is not None and deadline.task_id != task.pk:
                continue  # another round of the same step (after a return) has its own clock
            if _ends(rule, event):
                events.append((deadline, "", _complete(deadline, at)))
            elif event == rule.pauses_on and deadline.paused_at is None:
                events.append((deadline, DeadlineEvent.Kind.PAUSED, _pause(deadline, at)))
            elif event == rule.resumes_on and deadline.paused_at is not None:
                events.append((deadline, DeadlineEvent.Kind.RESUMED, _resume(deadline, rule, at)))
            else:
                continue
            changed[id(deadline)] = deadline
        for rule in rules.values():
            if not (rule.active and rule.starts_on == event):
                continue
            bound = task if rule.task_bound else None
            bound_id = bound.pk if bound is not None else None
            if any(d.rule_id == rule.pk and d.task_id == bound_id for d in existing):
                continue  # once per process (or per task)
            lane = _lane(rule, process, bound, institution_ids)
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
                existing.append(clock)  # the next occurrence sees it: once per process
                events.append(
                    (
                        clock,
                        DeadlineEvent.Kind.STARTED,
                        {"due_at": clock.due_at.isoformat(), "basis": clock.basis},
                    )
                )
        if events:
            told.append((occurrence, events))
    if not told:
        return

    if started:
        Deadline.objects.bulk_create(started)
        if known is not None:
            known += started
    if changed:
        Deadline.objects.bulk_update(list(changed.values()), CLOCK_FIELDS)
    if event.startswith(TIMEOUT):
        _time_ran_out(
            process,
            [deadline for _o, events in told for deadline, _k, _d in events],
            rules,
        )
    DeadlineEvent.objects.bulk_create(
        DeadlineEvent(deadline=deadline, kind=kind or deadline.state, at=occurrence.at, data=data)
        for occurrence, events in told
        for deadline, kind, data in events
    )
    for occurrence, events in told:
        audit_record(
            actor=actor,
            action="deadline.clock",
            obj=permission_object(process),
            extra={
                "event": event,
                "at": occurrence.at,
                "task_id": occurrence.task.pk if occurrence.task is not None else None,
                "deadlines": [
                    {
                        "id": deadline.pk,
                        "rule": rules[deadline.rule_id].code,
                        "kind": kind or deadline.state,
                        "due_at": deadline.due_at,
                    }
                    for deadline, kind, _data in events
                ],
            },
        )
