"""Reads about deadlines: what a person may see, the state of each clock now, the people a
clock concerns, and the figures of the dashboards."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from viewflow.workflow.models import Task

from roles.models import Institution
from roles.selectors import lane_people
from workflows.models import CoordinationProcess
from workflows.selectors import lane_shown, lanes_private_types, lanes_viewer, processes_visible

from .calendar import LEGAL_TIME_ZONE
from .models import Deadline, State, TaskDue

STATES = [state.value for state in State]
# What the dashboards count: a clock stopped by a withdrawal is neither on time nor late.
JUDGED_STATES = [state for state in STATES if state != State.CANCELED]


def process_type_of(process: Any) -> str | None:
    """The API's process type (a key of `workflows.flows.FLOWS`) of a process row."""
    from workflows.flows import process_type_of as registered_type

    return registered_type(process.flow_class)


# Who a clock reminds is who the workflows tell of the task: the lane's people, by the one
# rule for deputies (`roles.selectors.lane_people`).
people_responsible = lane_people


# --- State now --------------------------------------------------------------------------------


def _clock_now(now: datetime) -> Any:
    """The moment a clock has reached: `now`, or the moment it was paused (a paused clock
    does not run on into overdue)."""
    return Case(
        When(paused_at__isnull=False, then=F("paused_at")),
        default=Value(now),
    )


def state_now(now: datetime) -> Case:
    """The state a clock is in at `now`, whatever the last sweep recorded: met and missed as
    stored, otherwise decided by the clock's times."""
    reached = _clock_now(now)
    return Case(
        When(completed_at__isnull=False, then=F("state")),
        When(due_at__lt=reached, then=Value(State.OVERDUE.value)),
        When(due_soon_at__lte=reached, then=Value(State.DUE_SOON.value)),
        default=Value(State.OPEN.value),
        output_field=CharField(),
    )


def state_is(state: str, now: datetime) -> Q:
    """A filter for clocks in `state` at `now`, written so the open ones are a range scan on
    the partial index over `due_at` (no expression around the column)."""
    running = Q(completed_at__isnull=True)
    if state in (State.MET, State.MISSED, State.CANCELED):
        return Q(completed_at__isnull=False, state=state)
    overdue = Q(paused_at__isnull=True, due_at__lt=now) | Q(
        paused_at__isnull=False, due_at__lt=F("paused_at")
    )
    due_soon = Q(paused_at__isnull=True, due_soon_at__lte=now) | Q(
        paused_at__isnull=False, due_soon_at__lte=F("paused_at")
    )
    if state == State.OVERDUE:
        return running & overdue
    if state == State.DUE_SOON:
        return running & due_soon & ~overdue
    return running & ~due_soon & ~overdue


def clocks_shown(deadlines: QuerySet[Deadline], *, user: Any) -> QuerySet[Deadline]:
    """Whose clocks a person sees, of processes they may already see: every clock, except in a
    flow with private lanes, where a clock is its lane's and seen by the one rule of private
    lanes (`workflows.selectors.lane_shown`, as the tasks are: its own institution, the
    institution that started the process, auditors, superusers). The list, its filters, the
    dashboards' counts and a process's body and page all read clocks through it. `user`
    None: the system (the sweep, the clock's own tests)."""
    viewer = lanes_viewer(user=user)
    if viewer is None:
        return deadlines
    return deadlines.filter(
        ~Q(process_type__in=lanes_private_types())
        | lane_shown(
            viewer, lane_institution="institution_id", process_institution="process__institution_id"
        )
    )


def deadlines_visible(*, user: Any, now: datetime | None = None) -> QuerySet[Deadline]:
    """Deadlines of the processes the user may see (the same rules as the process) that are
    theirs to see (`clocks_shown`), with `state_now` annotated."""
    visible = processes_visible(user=user).values("pk")
    return (
        clocks_shown(Deadline.objects.filter(process_id__in=visible), user=user)
        .select_related("rule", "institution", "process")
        .annotate(state_now=state_now(now or timezone.now()))
    )


def deadlines_for_process(
    process: CoordinationProcess, *, user: Any, now: datetime | None = None
) -> list[Deadline]:
    """The clocks of one process (already checked visible by the caller) that the user sees,
    soonest first."""
    return list(
        clocks_shown(Deadline.objects.filter(process_id=process.pk), user=user)
        .select_related("rule", "institution")
        .annotate(state_now=state_now(now or timezone.now()))
        .order_by("due_at", "pk")
    )


def deadlines_for_processes(
    process_ids: Iterable[int], *, user: Any, now: datetime | None = None
) -> dict[int, list[Deadline]]:
    """The clocks of a page of processes that the user sees, in one query, by process id."""
    grouped: dict[int, list[Deadline]] = defaultdict(list)
    for deadline in (
        clocks_shown(Deadline.objects.filter(process_id__in=list(process_ids)), user=user)
        .select_related("rule", "institution")
        .annotate(state_now=state_now(now or timezone.now()))
        .order_by("due_at", "pk")
    ):
        grouped[deadline.process_id].append(deadline)
    return grouped


def tasks_with_deadline(queryset: QuerySet[Task], *, now: datetime | None = None) -> QuerySet[Task]:
    """Tasks annotated with `deadline_due_at` (the earliest running clock that concerns the
    task) and `deadline_overdue`: the task's own clock (rules bound to a step), or else a
    process-wide clock of the same institution and role as the task's lane (the assembly
    office's 7 days show on its `transmit` task). Two correlated subqueries on indexed columns;
    filter the inbox's `?overdue=true` with `.filter(deadline_overdue=True)`."""
    now = now or timezone.now()
    queryset = queryset.annotate(
        lane_role=KT("data__role"), lane_institution=KT("data__institution")
    )
    running = Deadline.objects.filter(completed_at__isnull=True).filter(
        Q(task_id=OuterRef("pk"))
        | Q(
            task__isnull=True,
            process_id=OuterRef("process_id"),
            role=OuterRef("lane_role"),
            institution__code=OuterRef("lane_institution"),
        )
    )
    late = Q(paused_at__isnull=True, due_at__lt=now) | Q(
        paused_at__isnull=False, due_at__lt=F("paused_at")
    )
    return queryset.annotate(
        deadline_due_at=Subquery(running.order_by("due_at").values("due_at")[:1]),
        deadline_overdue=Exists(running.filter(late)),
    )


def tasks_with_late_start(queryset: QuerySet[Task]) -> QuerySet[Task]:
    """Tasks annotated with `process_started_late`: a clock of the task's process began after
    its due time (what a process's warnings name), so that a list of tasks reads the clocks
    only of the processes that have something to warn of. One subquery on the process's key."""
    return queryset.annotate(
        process_started_late=Exists(
            Deadline.objects.filter(process_id=OuterRef("process_id"), starts_at__gt=F("due_at"))
        )
    )


def tasks_with_clock(queryset: QuerySet[Task], *, now: datetime | None = None) -> QuerySet[Task]:
    """`tasks_with_deadline`, and for a step without a clock of its own or of its lane, its
    process's earliest running clock (the chair signing a decision sees the 7 days of the
    decision): `clock_due_at` and `clock_overdue`, which the work queue sorts and marks by."""
    now = now or timezone.now()
    queryset = tasks_with_deadline(queryset, now=now)
    process_clocks = Deadline.objects.filter(
        completed_at__isnull=True, process_id=OuterRef("process_id")
    )
    late = Q(paused_at__isnull=True, due_at__lt=now) | Q(
        paused_at__isnull=False, due_at__lt=F("paused_at")
    )
    return queryset.annotate(
        clock_due_at=Coalesce(
            F("deadline_due_at"),
            Subquery(process_clocks.order_by("due_at").values("due_at")[:1]),
        ),
        clock_overdue=Case(
            When(deadline_due_at__isnull=False, then=F("deadline_overdue")),
            default=Exists(process_clocks.filter(late)),
            output_field=BooleanField(),
        ),
    )


def tasks_with_due(queryset: QuerySet[Task], *, now: datetime | None = None) -> QuerySet[Task]:
    """`tasks_with_clock`'s `clock_due_at` and `clock_overdue`, read from the stored due time
    of each open step (`TaskDue`, which triggers keep exact) instead of judged from every
    clock of every row: what the work queue sorts, filters and counts thousands of steps by.
    A step that is not open has no row: no due time, not overdue."""
    now = now or timezone.now()
    return queryset.annotate(
        clock_due_at=F("due__due_at"),
        clock_overdue=Case(
            When(due__late_from__lt=now, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def due_times(task_ids: list[QuerySet[Any]]) -> QuerySet[TaskDue]:
    """The stored due times (`TaskDue`, keyed by task) of the open steps in any of `task_ids`
    (subqueries of one column): the work queue counts, filters, sorts and slices these narrow
    rows, then loads only its page's tasks."""
    among = Q()
    for ids in task_ids:
        among |= Q(task_id__in=ids)
    return TaskDue.objects.filter(among)


def due_overdue(now: datetime) -> Q:
    """On `due_times`: the steps overdue at `now` (`tasks_with_clock`'s `clock_overdue`)."""
    return Q(late_from__lt=now)


def tasks_overdue(queryset: QuerySet[Task], *, overdue: bool) -> QuerySet[Task]:
    """Of `queryset`, the tasks whose deadline has passed (or, `overdue=False`, has not):
    the inbox's `?overdue=`."""
    return tasks_with_deadline(queryset).filter(deadline_overdue=overdue)


# --- Dashboards -------------------------------------------------------------------------------


def dashboard(
    *,
    user: Any,
    now: datetime | None = None,
    process_type: str | None = None,
    institution: str | None = None,
) -> dict[str, Any]:
    """Counts per institution and process type in each state now, and each municipality's
    on-time rate per month of the due date (met ÷ met, missed and overdue) — only over the
    deadlines the user may see."""
    now = now or timezone.now()
    deadlines = clocks_shown(
        Deadline.objects.filter(process_id__in=processes_visible(user=user).values("pk")),
        user=user,
    )
    if process_type:
        deadlines = deadlines.filter(process_type=process_type)
    if institution:
        deadlines = deadlines.filter(institution__code=institution)
    counts = {state: Count("pk", filter=state_is(state, now)) for state in JUDGED_STATES}
    rows = cast(
        list[dict[str, Any]],
        list(
            deadlines.values("institution__code", "process_type")
            .annotate(**counts)
            .order_by("institution__code", "process_type")
        ),
    )
    names = {
        institution.code: institution.name_in()
        for institution in Institution.objects.filter(
            code__in={row["institution__code"] for row in rows}
        )
    }
    by_institution = [
        {
            "institution": row["institution__code"],
            "institution_name": names.get(row["institution__code"], ""),
            "process_type": row["process_type"],
            **{state: row[state] for state in JUDGED_STATES},
        }
        for row in rows
    ]
    months = (
        deadlines.filter(institution__kind=Institution.Kind.MUNICIPALITY)
        .annotate(month=TruncMonth("due_at", tzinfo=LEGAL_TIME_ZONE))
        .values("institution__code", "month")
        .annotate(
            met=Count("pk", filter=state_is(State.MET, now)),
            missed=Count("pk", filter=state_is(State.MISSED, now)),
            overdue=Count("pk", filter=state_is(State.OVERDUE, now)),
        )
        .order_by("institution__code", "month")
    )
    on_time = []
    for row in months:
        judged = row["met"] + row["missed"] + row["overdue"]
        if not judged:
            continue
        month = row["month"]
        on_time.append(
            {
                "institution": row["institution__code"],
                "month": (month.date() if isinstance(month, datetime) else month).strftime("%Y-%m"),
                "met": row["met"],
                "missed": row["missed"],
                "overdue": row["overdue"],
                "on_time_rate": round(row["met"] / judged, 4),
            }
        )
    totals = {state: sum(row[state] for row in by_institution) for state in JUDGED_STATES}
    return {
        "generated_at": now,
        "totals": totals,
        "by_institution": by_institution,
        "on_time": on_time,
    }


def overdue_by_institution(*, now: datetime | None = None) -> list[dict[str, Any]]:
    """Running clocks past their due time now, per institution (the operators' page)."""
    now = now or timezone.now()
    rows = (
        Deadline.objects.filter(state_is(State.OVERDUE, now))
        .values("institution__code")
        .annotate(overdue=Count("pk"))
        .order_by("-overdue", "institution__code")
    )
    return [dict(row) for row in rows]
