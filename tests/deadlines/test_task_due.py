"""The stored due time of each open step (`TaskDue`, kept by the triggers of migration 0006)
is the one `tasks_with_clock` judges from the clocks, whatever happens to the clocks and the
steps: a clock opens, moves (pause and resumption, an extension, another lane) or closes, a
step is claimed or completed. And the work queue's views are sorted and filtered by it."""

from datetime import datetime, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone
from viewflow.workflow import STATUS
from viewflow.workflow.models import Task

from deadlines.clock import clock_event
from deadlines.models import Deadline, DeadlineRule, TaskDue
from deadlines.selectors import tasks_with_clock
from roles.models import Institution, User
from roles.permissions import grant, institution_group
from workflows.models import CoordinationProcess, permission_object
from workflows.queue import queue

from .conftest import add_member, local, make_process, make_task

pytestmark = pytest.mark.django_db

END_OF_DAY = (23, 59, 59, 999_999)
APPROVE = "workflows.approve_assembly_decision"


def stored() -> dict[int, tuple[datetime | None, datetime | None]]:
    return {row.task_id: (row.due_at, row.late_from) for row in TaskDue.objects.all()}


def assert_exact(*moments: datetime) -> None:
    """Every open human step has its row, and only those; its due time is the clocks', and it
    is overdue at each moment exactly when the clocks say so."""
    open_steps = Task.objects.filter(
        status__in=[STATUS.NEW, STATUS.ASSIGNED], flow_task_type="HUMAN"
    )
    rows = stored()
    assert set(rows) == set(open_steps.values_list("pk", flat=True))
    for now in moments:
        for task in tasks_with_clock(open_steps, now=now):
            due_at, late_from = rows[task.pk]
            assert due_at == task.clock_due_at, (task.pk, now)
            assert (late_from is not None and late_from < now) == task.clock_overdue, (task.pk, now)


def decision(adopted_on: str, title: str = "Vendimi") -> CoordinationProcess:
    return make_process(
        "assembly_decision", institution="KLLOKOT", adopted_on=adopted_on, title=title
    )


def step(
    process: CoordinationProcess, node: str = "transmit", role: str = "assembly_officer"
) -> Task:
    """An open step of the Kllokot lane, open to the institution's group (so it is in the
    inbox of its members, `queue`'s view "all")."""
    task = make_task(process, node, institution="KLLOKOT", role=role)
    task.owner_permission = APPROVE
    task.owner_permission_content_type = ContentType.objects.get_for_model(CoordinationProcess)
    task.owner_permission_obj_pk = str(process.pk)
    task.save()
    grant(
        actor=None,
        perm=APPROVE,
        obj=permission_object(process),
        group=institution_group(Institution.objects.get(code="KLLOKOT")),
    )
    return task


@pytest.fixture
def pausing_rule(rules: dict[str, DeadlineRule]) -> DeadlineRule:
    rule = DeadlineRule(
        code="test-due-waiting",
        name="Transmit, with a pause while waiting for the other institution",
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


@pytest.fixture
def official(rules: dict[str, DeadlineRule]) -> User:
    return add_member("due.officer", "KLLOKOT", "assembly_officer")


def listed(user: User, now: datetime, **choice: str) -> list[int]:
    steps = queue(user, {"sort": "due", **choice}, now)
    ids = list(steps.due.values_list("pk", flat=True))
    # What the pages count (the inbox's halves summed, where they may be) is what they list.
    assert steps.count() == len(ids) == steps.due.count(), choice
    return ids


def test_the_due_time_follows_a_clock_that_opens_moves_and_closes(
    pausing_rule: DeadlineRule,
) -> None:
    process = decision("2026-03-02")
    transmit = step(process)  # the lane of the rule's role: its clock is the lane's
    chair = step(process, "approve", role="assembly_chair")  # no clock of its own: the process's
    assert stored() == {transmit.pk: (None, None), chair.pk: (None, None)}
    assert_exact(local(2026, 3, 2, 9, 0))

    # Opens: the 7 days of the decision and the 3 days of the test rule.
    clock_event(process=process, event="started", at=local(2026, 3, 2, 10, 0))
    three_days = local(2026, 3, 5, *END_OF_DAY)
    assert stored()[transmit.pk] == (three_days, three_days)
    assert stored()[chair.pk][0] == three_days
    assert_exact(local(2026, 3, 4), local(2026, 3, 6), local(2026, 3, 20))

    # Paused: the clock is judged at its pause (not late while waiting), its due time stays.
    clock_event(process=process, event="waiting", at=local(2026, 3, 3, 11, 0))
    assert stored()[transmit.pk][0] == three_days
    assert_exact(local(2026, 3, 4), local(2026, 3, 6), local(2026, 3, 20))

    # Resumed: the pause moves the due time on by its length.
    clock_event(process=process, event="answered", at=local(2026, 3, 5, 16, 0))
    moved = three_days + timedelta(days=2, hours=5)
    assert stored()[transmit.pk] == (moved, moved)
    assert_exact(local(2026, 3, 6), local(2026, 3, 8), local(2026, 3, 20))

    # An extension written straight to the row (the admin, a bulk update): still followed.
    Deadline.objects.filter(rule=pausing_rule).update(due_at=local(2026, 3, 31, *END_OF_DAY))
    assert_exact(local(2026, 3, 20), local(2026, 4, 2))

    # Closes: the decision's own 7 days (the other running clock) take over.
    clock_event(process=process, event="acknowledged", at=local(2026, 3, 6, 10, 0))
    seven_days = Deadline.objects.get(rule__code="assembly-decision-to-mapl").due_at
    assert stored()[transmit.pk][0] == seven_days == local(2026, 3, 9, *END_OF_DAY)
    assert_exact(local(2026, 3, 6), local(2026, 3, 20))

    # Every clock stopped (the process withdrawn): no due time left.
    clock_event(process=process, event="canceled", at=local(2026, 3, 7, 10, 0))
    assert stored() == {transmit.pk: (None, None), chair.pk: (None, None)}
    assert_exact(local(2026, 3, 20))

    # A clock deleted: its process's rows are computed again.
    Deadline.objects.filter(process=process).delete()
    assert_exact(local(2026, 3, 20))


def test_a_step_opened_after_its_process_clock_and_one_with_its_own_clock(
    rules: dict[str, DeadlineRule],
) -> None:
    process = decision("2026-11-02")
    clock_event(process=process, event="started", at=local(2026, 11, 2, 12, 0))
    later = step(process)  # opens while the process's clock runs
    assert stored()[later.pk][0] == local(2026, 11, 9, *END_OF_DAY)
    statement = make_process("press_statement", institution="KLLOKOT", text_sq="a", text_sr="b")
    approve = make_task(statement, "approve", institution="KLLOKOT", role="mayor")
    clock_event(process=statement, event="task:approve", at=local(2030, 2, 15, 16, 0), task=approve)
    assert stored()[approve.pk][0] == local(2030, 2, 19, *END_OF_DAY)
    assert_exact(local(2026, 11, 10), local(2030, 2, 20))
    # Its own clock met: the step is done, its row goes.
    clock_event(process=statement, event="done:approve", at=local(2030, 2, 18, 9, 0), task=approve)
    Task.objects.filter(pk=approve.pk).update(status=STATUS.DONE)
    assert approve.pk not in stored()
    assert_exact(local(2030, 2, 20))


def test_a_lane_handed_over_takes_its_clock_along(rules: dict[str, DeadlineRule]) -> None:
    process = decision("2026-11-02")
    clock_event(process=process, event="started", at=local(2026, 11, 2, 12, 0))
    other = step(process, "approve", role="assembly_chair")
    # As a complaint's answer clock follows the unit it is forwarded to.
    Deadline.objects.filter(process=process).update(role="assembly_chair")
    assert_exact(local(2026, 11, 5), local(2026, 11, 10))
    assert stored()[other.pk][0] == local(2026, 11, 9, *END_OF_DAY)


def test_the_queue_is_sorted_by_the_stored_due_time_in_every_view(
    official: User, pausing_rule: DeadlineRule
) -> None:
    now = local(2026, 3, 4, 12, 0)
    early, middle, late = (
        decision(day, title=f"Vendimi {day}") for day in ("2026-03-01", "2026-03-02", "2026-03-03")
    )
    none = decision("2026-03-03", title="Pa afat")
    tasks = {process.pk: step(process) for process in (early, middle, late, none)}
    for process, day in ((late, 3), (early, 1), (middle, 2)):
        clock_event(process=process, event="started", at=local(2026, 3, day, 10, 0))
    soonest = [tasks[p.pk].pk for p in (early, middle, late, none)]
    for view in ("all", "mine", "team"):
        assert listed(official, now, view=view) == soonest, view
        assert listed(official, now, view=view, sort="-due") == soonest[2::-1] + soonest[3:]
    assert listed(official, now, view="all", overdue="yes") == []

    # The earliest waits for the other institution, then gets back more than the others.
    clock_event(process=early, event="waiting", at=local(2026, 3, 1, 12, 0))
    clock_event(process=early, event="answered", at=local(2026, 3, 4, 11, 0))
    moved = [tasks[p.pk].pk for p in (middle, late, early, none)]
    assert listed(official, now, view="all") == moved

    # Claimed: still where its clock puts it, in "all", "mine", "team" and "claimed".
    claimed = Task.objects.get(pk=tasks[late.pk].pk)
    claimed.owner, claimed.status = official, STATUS.ASSIGNED
    claimed.save()
    for view in ("all", "mine", "team"):
        assert listed(official, now, view=view) == moved, view
    assert listed(official, now, view="claimed") == [claimed.pk]
    # Narrowed through the task table: the same order.
    assert listed(official, now, view="all", institution="KLLOKOT") == moved
    assert listed(official, now, view="mine", state="claimed") == [claimed.pk]
    assert listed(official, now, view="all", state="open") == [t for t in moved if t != claimed.pk]
    assert listed(official, now, view="all", type="assembly_decision", sort="-due") == [
        moved[2],
        moved[1],
        moved[0],
        moved[3],
    ]
    assert_exact(now)

    # The earliest's clocks are met: no due time, it goes to the undated ones (oldest first).
    clock_event(process=early, event="acknowledged", at=local(2026, 3, 4, 11, 30))
    clock_event(process=early, event="transmitted", at=local(2026, 3, 4, 11, 40))
    undated = [tasks[middle.pk].pk, claimed.pk, tasks[early.pk].pk, tasks[none.pk].pk]
    assert listed(official, now, view="all") == undated
    assert listed(official, now, view="all", sort="-due") == undated[1::-1] + undated[:1:-1]

    # Overdue: the two still dated, once their times have passed.
    after = local(2026, 3, 7, 12, 0)
    assert listed(official, local(2026, 3, 6, 12, 0), view="all", overdue="yes") == undated[:1]
    assert listed(official, after, view="all", overdue="yes") == undated[:2]
    assert listed(official, after, view="all", overdue="no") == undated[2:]

    # Completed: gone from every view and from the table.
    claimed.status = STATUS.DONE
    claimed.save()
    assert claimed.pk not in listed(official, now, view="all")
    assert listed(official, now, view="claimed") == []
    assert_exact(now, after)


def test_the_page_shows_the_stored_due_time(official: User) -> None:
    process = decision("2026-11-02", title="Vendimi i afatit")
    step(process)
    clock_event(process=process, event="started", at=local(2026, 11, 2, 12, 0))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(official)
    text = client.get("/work/").content.decode()
    assert "Vendimi i afatit" in text
    due = timezone.localtime(local(2026, 11, 9, *END_OF_DAY))
    assert f'<time datetime="{due:%Y-%m-%dT%H:%M:%S}' in text
