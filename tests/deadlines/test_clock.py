"""The clock the workflows drive: start, pause, resume, met or missed by the event's own time."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.models import Task

from audit.models import AuditEntry
from deadlines.clock import clock_event
from deadlines.models import Deadline, DeadlineEvent, DeadlineRule, State
from deadlines.selectors import deadlines_for_process, tasks_with_deadline

from .conftest import local, make_process, make_task

pytestmark = pytest.mark.django_db

END_OF_DAY = (23, 59, 59, 999_999)


def decision(adopted_on: str = "2026-10-22", institution: str = "KLLOKOT"):  # type: ignore[no-untyped-def]
    return make_process("assembly_decision", institution=institution, adopted_on=adopted_on)


def kinds(deadline: Deadline) -> list[str]:
    return list(deadline.events.order_by("at", "pk").values_list("kind", flat=True))


def test_an_assembly_decision_has_seven_calendar_days_from_adoption(rules) -> None:  # type: ignore[no-untyped-def]
    process = decision("2026-10-22")
    clock_event(process=process, event="started", at=local(2026, 10, 23, 9, 30))
    deadline = Deadline.objects.get(process=process)
    assert deadline.rule.code == "assembly-decision-to-mapl"
    assert deadline.basis == "adopted on 2026-10-22"
    assert deadline.starts_at == local(2026, 10, 23, 9, 30)
    # Across the end of summer time (25 October): still the end of the 29th, local time.
    assert deadline.due_at == local(2026, 10, 29, *END_OF_DAY)
    assert (deadline.institution.code, deadline.role) == ("KLLOKOT", "assembly_officer")
    assert deadline.task_id is None and deadline.state == State.OPEN
    assert deadline.escalate_at == deadline.due_at + timedelta(hours=24)
    # The first thing the sweep does: the 56-hour reminder.
    assert deadline.next_check_at == deadline.due_at - timedelta(hours=56)
    assert kinds(deadline) == ["started"]
    entry = AuditEntry.objects.filter(action="deadline.clock").get()
    assert entry.object_id == str(process.pk) and entry.data["event"] == "started"
    assert entry.data["deadlines"][0]["rule"] == "assembly-decision-to-mapl"

    # Once per process: a second start (a retry) changes nothing.
    clock_event(process=process, event="started", at=local(2026, 10, 24, 9, 30))
    assert Deadline.objects.filter(process=process).count() == 1


@pytest.mark.parametrize(
    ("transmitted_at", "state"),
    [
        (local(2026, 10, 29, 23, 59, 59), State.MET),
        (local(2026, 10, 30, 0, 0, 1), State.MISSED),
    ],
)
def test_met_or_missed_is_decided_by_the_transmission_time(rules, transmitted_at, state) -> None:  # type: ignore[no-untyped-def]
    process = decision("2026-10-22")
    clock_event(process=process, event="started", at=local(2026, 10, 22, 12, 0))
    # Recorded weeks later (this test runs after November 2026): the event's time decides.
    clock_event(process=process, event="transmitted", at=transmitted_at)
    deadline = Deadline.objects.get(process=process)
    assert deadline.state == state
    assert deadline.completed_at == transmitted_at
    assert deadline.next_check_at is None
    assert kinds(deadline) == ["started", state]
    # A later transmission (after a reconsideration) does not reopen or re-judge it.
    clock_event(process=process, event="transmitted", at=local(2026, 12, 1, 10, 0))
    deadline.refresh_from_db()
    assert deadline.state == state and deadline.completed_at == transmitted_at


@pytest.fixture
def pausing_rule(rules) -> DeadlineRule:  # type: ignore[no-untyped-def]
    rule = DeadlineRule(
        code="test-waiting",
        name="Answer with a pause while waiting for the other institution",
        legal_basis="Test rule.",
        process_type="assembly_decision",
        starts_on="started",
        anchor="event",
        days=3,
        day_kind="calendar",
        ends_on="acknowledged",
        pauses_on="waiting",
        resumes_on="answered",
        reminders=[24],
        grace_hours=12,
        responsible_role="assembly_officer",
        escalate_to_role="assembly_chair",
    )
    rule.full_clean()
    rule.save()
    return rule


def test_pause_and_resume_extend_the_clock_by_the_pause(pausing_rule) -> None:  # type: ignore[no-untyped-def]
    process = decision()
    clock_event(process=process, event="started", at=local(2026, 3, 2, 10, 0))
    deadline = Deadline.objects.get(process=process, rule=pausing_rule)
    assert deadline.due_at == local(2026, 3, 5, *END_OF_DAY)

    clock_event(process=process, event="waiting", at=local(2026, 3, 3, 11, 0))
    deadline.refresh_from_db()
    assert deadline.paused_at == local(2026, 3, 3, 11, 0)
    assert deadline.next_check_at is None  # a paused clock sends nothing
    clock_event(process=process, event="waiting", at=local(2026, 3, 3, 12, 0))  # already paused

    clock_event(process=process, event="answered", at=local(2026, 3, 5, 16, 0))
    deadline.refresh_from_db()
    paused = timedelta(days=2, hours=5)
    assert deadline.paused_at is None
    assert deadline.paused_seconds == paused.total_seconds()
    assert deadline.due_at == local(2026, 3, 5, *END_OF_DAY) + paused
    assert deadline.escalate_at == deadline.due_at + timedelta(hours=12)
    assert deadline.next_check_at == deadline.due_at - timedelta(hours=24)

    # A second pause, completed while paused: the pause counts until the completion (due
    # 8 March 04:59:59 + 3 days of pause → met on the 10th).
    clock_event(process=process, event="waiting", at=local(2026, 3, 7, 10, 0))
    clock_event(process=process, event="acknowledged", at=local(2026, 3, 10, 10, 0))
    deadline.refresh_from_db()
    assert deadline.state == State.MET
    assert deadline.due_at == local(2026, 3, 11, 4, 59, 59, 999_999)
    assert kinds(deadline) == ["started", "paused", "resumed", "paused", "met"]
    resumed = deadline.events.get(kind="resumed")
    assert resumed.data["paused_seconds"] == paused.total_seconds()


def test_a_rule_bound_to_a_step_runs_per_task_in_the_tasks_lane(rules) -> None:  # type: ignore[no-untyped-def]
    process = make_process("press_statement", institution="KLLOKOT", text_sq="a", text_sr="b")
    first = make_task(process, "approve", institution="KLLOKOT", role="mayor")
    # Friday 15 February 2030, 16:00 + 1 working day: Monday 18 is Independence Day (moved
    # from Sunday) → due at the end of Tuesday 19.
    clock_event(process=process, event="task:approve", at=local(2030, 2, 15, 16, 0), task=first)
    deadline = Deadline.objects.get(task=first)
    assert deadline.rule.code == "press-statement-approval"
    assert deadline.due_at == local(2030, 2, 19, *END_OF_DAY)
    assert (deadline.institution.code, deadline.role) == ("KLLOKOT", "mayor")
    assert deadline.basis == "task:approve 2030-02-15 16:00"

    # Returned, revised, back for approval: a second clock for the second task.
    clock_event(process=process, event="done:approve", at=local(2030, 2, 18, 9, 0), task=first)
    second = make_task(process, "approve", institution="KLLOKOT", role="mayor")
    clock_event(process=process, event="task:approve", at=local(2030, 2, 20, 10, 0), task=second)
    assert Deadline.objects.get(task=first).state == State.MET
    assert Deadline.objects.get(task=second).state == State.OPEN
    clock_event(process=process, event="done:approve", at=local(2030, 2, 25, 9, 0), task=second)
    assert Deadline.objects.get(task=second).state == State.MISSED
    assert Deadline.objects.get(task=first).completed_at == local(2030, 2, 18, 9, 0)


def test_the_central_offices_review_is_its_own_deadline(rules) -> None:  # type: ignore[no-untyped-def]
    process = make_process("meeting_material", institution="MF", meeting_date="2026-12-10")
    clock_event(process=process, event="started", at=local(2026, 11, 20, 9, 0))
    submission = Deadline.objects.get(process=process, rule__code="meeting-material-submission")
    assert submission.due_at == local(2026, 12, 3, *END_OF_DAY)  # meeting date minus 7 days
    assert submission.basis == "meeting date 2026-12-10"
    assert (submission.institution.code, submission.role) == ("MF", "communications_officer")

    review = make_task(process, "zkp_review", institution="ZKM", role="communications_coordinator")
    # Friday 27 November 2026 + 2 working days → Tuesday 1 December.
    clock_event(
        process=process, event="task:zkp_review", at=local(2026, 11, 27, 15, 0), task=review
    )
    clock = Deadline.objects.get(task=review)
    assert clock.due_at == local(2026, 12, 1, *END_OF_DAY)
    assert clock.institution.code == "ZKM" and clock.role == "communications_coordinator"

    schedule = make_task(process, "schedule", institution="ZKM", role="government_secretary")
    clock_event(process=process, event="task:schedule", at=local(2026, 12, 2, 9, 0), task=schedule)
    submission.refresh_from_db()
    assert submission.state == State.MET  # it reached the Secretariat before 3 December ended
    assert Deadline.objects.get(task=review).completed_at is None  # a different rule

    assert [d.rule.code for d in deadlines_for_process(process, user=None)] == [
        "communication-plan-review",
        "meeting-material-submission",
    ]


def test_month_end_anchor_counts_from_the_last_day_of_the_events_month(rules) -> None:  # type: ignore[no-untyped-def]
    DeadlineRule.objects.create(
        code="test-month-end",
        name="By the end of the month",
        legal_basis="Test rule.",
        process_type="assembly_decision",
        starts_on="started",
        anchor="month_end",
        days=0,
        ends_on="transmitted",
        responsible_role="mayor",
    )
    process = decision()
    clock_event(process=process, event="started", at=local(2028, 2, 3, 8, 0))
    deadline = Deadline.objects.get(process=process, rule__code="test-month-end")
    assert deadline.due_at == local(2028, 2, 29, *END_OF_DAY)
    assert deadline.basis == "month end 2028-02-29"


def test_no_date_to_count_from_means_no_clock(rules, caplog) -> None:  # type: ignore[no-untyped-def]
    process = make_process("assembly_decision", institution="KLLOKOT")  # no adopted_on
    clock_event(process=process, event="started", at=local(2026, 11, 2, 8, 0))
    assert not Deadline.objects.filter(process=process).exists()
    assert "no date in 'adopted_on'" in caplog.text
    assert not AuditEntry.objects.filter(action="deadline.clock").exists()


def test_an_inactive_rule_starts_nothing_but_still_stops_its_clocks(rules) -> None:  # type: ignore[no-untyped-def]
    running = decision()
    clock_event(process=running, event="started", at=local(2026, 10, 22, 12, 0))
    DeadlineRule.objects.filter(code="assembly-decision-to-mapl").update(active=False)
    later = decision()
    clock_event(process=later, event="started", at=local(2026, 10, 22, 12, 0))
    assert not Deadline.objects.filter(process=later).exists()
    clock_event(process=running, event="transmitted", at=local(2026, 10, 23, 12, 0))
    assert Deadline.objects.get(process=running).state == State.MET


def test_few_queries_inside_the_workflow_transaction(rules) -> None:  # type: ignore[no-untyped-def]
    process = decision()
    with CaptureQueriesContext(connection) as nothing:
        clock_event(process=process, event="task:approve", at=local(2026, 10, 22, 12, 0))
    assert len(nothing) == 1  # the rules the event concerns: none
    with CaptureQueriesContext(connection) as started:
        clock_event(process=process, event="started", at=local(2026, 10, 22, 12, 0))
    with CaptureQueriesContext(connection) as met:
        clock_event(process=process, event="transmitted", at=local(2026, 10, 23, 12, 0))
    # rules, clocks, insert/update, events, and the audit entry (head lock, insert, head move).
    print(f"clock_event queries: none {len(nothing)}, start {len(started)}, met {len(met)}")
    assert len(started) <= 9 and len(met) <= 9
    working = make_process("press_statement", institution="KLLOKOT", text_sq="a", text_sr="b")
    task = make_task(working, "approve", institution="KLLOKOT", role="mayor")
    with CaptureQueriesContext(connection) as task_start:
        clock_event(process=working, event="task:approve", at=local(2026, 12, 30, 12, 0), task=task)
    # + the override table for the two years the working days cross.
    assert len(task_start) <= 11, [query["sql"] for query in task_start]
    assert DeadlineEvent.objects.count() == 3


def test_tasks_carry_their_due_time_and_whether_it_passed(rules) -> None:  # type: ignore[no-untyped-def]
    process = decision("2026-11-02")
    clock_event(process=process, event="started", at=local(2026, 11, 2, 12, 0))
    transmit = make_task(process, "transmit", institution="KLLOKOT", role="assembly_officer")
    approve = make_task(process, "approve", institution="KLLOKOT", role="assembly_chair")
    elsewhere = make_task(process, "acknowledge", institution="MAPL", role="registry_clerk")
    tasks = {
        task.pk: task
        for task in tasks_with_deadline(
            Task.objects.filter(process_id=process.pk), now=local(2026, 11, 10, 8, 0)
        )
    }
    # The process-wide 7 days show on the task of the role that answers for them.
    assert tasks[transmit.pk].deadline_due_at == local(2026, 11, 9, *END_OF_DAY)
    assert tasks[transmit.pk].deadline_overdue is True
    assert tasks[approve.pk].deadline_due_at is None
    assert (
        tasks[elsewhere.pk].deadline_due_at is None
        and tasks[elsewhere.pk].deadline_overdue is False
    )
    before = tasks_with_deadline(Task.objects.filter(pk=transmit.pk), now=local(2026, 11, 9, 8, 0))
    assert before.get().deadline_overdue is False
