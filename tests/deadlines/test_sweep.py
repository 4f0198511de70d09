"""The sweep: reminders before the due time, the overdue alert with the monitoring institution's
view, the escalation to the supervisor — each once, however many sweeps run."""

import threading
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from deadlines.clock import clock_event
from deadlines.models import Deadline, DeadlineEvent, State
from deadlines.sweep import TIMER_HOOKS, sweep, timer_hook
from deadlines.tasks import sweep_deadlines
from notifications.models import Notification
from roles import services as roles_services
from roles.models import User
from workflows.selectors import processes_visible

from .conftest import add_member, local, make_process

# Adopted on 22 October 2026: due at the end of 29 October (CET); reminders 56 and 8 hours
# before; escalation 24 hours after.
DUE = local(2026, 10, 29, 23, 59, 59, 999_999)


def started_decision(institution: str = "KLLOKOT", title: str = "Vendimi nr. 7") -> Any:
    process = make_process(
        "assembly_decision", institution=institution, title=title, adopted_on="2026-10-22"
    )
    clock_event(process=process, event="started", at=local(2026, 10, 22, 18, 0))
    return process


def told(kind: str) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(kind=kind).values_list("user__username", "key"))


def assert_swept(now: Any, **expected: int) -> None:
    counts = sweep(now=now)
    assert {key: counts[key] for key in expected} == expected, counts


@pytest.mark.django_db
def test_reminders_then_overdue_then_escalation_each_once(rules) -> None:  # type: ignore[no-untyped-def]
    process = started_decision()
    deadline = Deadline.objects.get(process=process)
    mapl = User.objects.get(username="mapl.registry")
    assert not processes_visible(user=mapl).filter(pk=process.pk).exists()

    assert_swept(DUE - timedelta(hours=57), reminders=0, overdue=0)
    assert_swept(DUE - timedelta(hours=55), reminders=1, overdue=0)
    assert_swept(DUE - timedelta(hours=54), reminders=0)  # the same reminder: not again
    deadline.refresh_from_db()
    assert deadline.state == State.DUE_SOON
    assert told("reminder") == [("kllokot.assembly", f"deadline:{deadline.pk}:reminder:56")]

    assert_swept(DUE - timedelta(hours=7), reminders=1, overdue=0)
    assert not processes_visible(user=mapl).filter(pk=process.pk).exists()

    # Overdue once the due day has ended: the assembly office is told, MAPL sees the item.
    assert_swept(DUE, overdue=0)
    assert_swept(DUE + timedelta(minutes=30), overdue=1, escalations=0)
    deadline.refresh_from_db()
    assert deadline.state == State.OVERDUE
    assert deadline.alerted_at == DUE + timedelta(minutes=30)
    assert told("overdue") == [("kllokot.assembly", f"deadline:{deadline.pk}:overdue")]
    assert processes_visible(user=mapl).filter(pk=process.pk).exists()
    assert not processes_visible(user=User.objects.get(username="prishtine.chair")).filter(
        pk=process.pk
    )
    assert_swept(DUE + timedelta(hours=12), overdue=0, escalations=0)

    # After the grace period: the assembly chair, once.
    assert_swept(DUE + timedelta(hours=25), escalations=1)
    assert_swept(DUE + timedelta(hours=26), escalations=0, overdue=0, reminders=0)
    assert told("escalation") == [("kllokot.chair", f"deadline:{deadline.pk}:escalation")]
    deadline.refresh_from_db()
    assert deadline.next_check_at is None
    assert list(deadline.events.values_list("kind", flat=True)) == [
        "started",
        "reminder",
        "reminder",
        "overdue",
        "escalation",
    ]
    overdue = deadline.events.get(kind="overdue")
    assert overdue.data == {"notified": 1, "monitoring": "MAPL"}
    note = Notification.objects.get(kind="overdue")
    assert note.process_id == process.pk and "Vendimi nr. 7" in note.message


@pytest.mark.django_db
def test_escalation_reaches_the_supervisor_and_nobody_outside_the_institution(rules) -> None:  # type: ignore[no-untyped-def]
    admin = User.objects.get(username="admin")
    # A colleague acting for the Kllokot chair (same institution) hears it too.
    deputy = add_member("kllokot.deputy", "KLLOKOT", "officer")
    now = timezone.now()
    roles_services.delegation_create(
        actor=admin,
        principal=User.objects.get(username="kllokot.chair"),
        deputy=deputy,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=3),
        reason="Leave",
    )
    # Prishtinë's chair also works in Kllokot, but not as its chair: not a recipient.
    add_member("prishtine.chair", "KLLOKOT", "officer")
    kllokot = started_decision("KLLOKOT")
    started_decision("PRISHTINE", title="Vendimi i Prishtinës").delete()  # another municipality

    # A sweep after a long outage: overdue and escalation at once; stale reminders skipped.
    assert_swept(DUE + timedelta(days=3), reminders=0, overdue=1, escalations=1)
    deadline = Deadline.objects.get(process=kllokot)
    assert told("escalation") == [
        ("kllokot.chair", f"deadline:{deadline.pk}:escalation"),
        ("kllokot.deputy", f"deadline:{deadline.pk}:escalation"),
    ]
    assert told("overdue") == [("kllokot.assembly", f"deadline:{deadline.pk}:overdue")]
    assert deadline.events.get(kind="escalation").data == {
        "notified": 2,
        "roles": ["assembly_chair"],
    }
    assert not Notification.objects.filter(user__username__startswith="prishtine.").exists()
    assert not Notification.objects.filter(kind="reminder").exists()


@pytest.mark.django_db
def test_met_and_paused_clocks_send_nothing(rules) -> None:  # type: ignore[no-untyped-def]
    met = started_decision()
    clock_event(process=met, event="transmitted", at=local(2026, 10, 27, 10, 0))
    assert_swept(DUE + timedelta(days=5), reminders=0, overdue=0, escalations=0)
    assert Deadline.objects.get(process=met).state == State.MET
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_a_reminder_reaches_the_tasks_own_lane(rules) -> None:  # type: ignore[no-untyped-def]
    from .conftest import make_task

    process = make_process("meeting_material", institution="MF", meeting_date="2026-12-10")
    review = make_task(process, "zkp_review", institution="ZKM", role="communications_coordinator")
    clock_event(
        process=process, event="task:zkp_review", at=local(2026, 11, 27, 15, 0), task=review
    )
    head = add_member("zkm.head", "ZKM", "head_of_unit")
    add_member("mf.head", "MF", "head_of_unit")
    due = Deadline.objects.get(task=review).due_at
    counts = sweep(now=due + timedelta(days=2))
    assert (counts["overdue"], counts["escalations"]) == (1, 1)
    assert [user for user, _ in told("overdue")] == ["zkp.coordinator"]
    assert [user for user, _ in told("escalation")] == [head.username]
    assert Notification.objects.get(kind="overdue").task_id == review.pk


@pytest.mark.django_db
def test_timer_hooks_fire_first_and_a_broken_one_does_not_stop_the_sweep(rules, caplog) -> None:  # type: ignore[no-untyped-def]
    seen: list[Any] = []

    def release_embargoes(now: Any) -> int:
        seen.append(now)
        return 2

    def broken(now: Any) -> int:
        raise RuntimeError("no")

    started_decision()
    timer_hook(broken)
    timer_hook(release_embargoes)
    timer_hook(release_embargoes)  # registered once
    try:
        counts = sweep(now=DUE + timedelta(hours=1))
    finally:
        TIMER_HOOKS.remove(broken)
        TIMER_HOOKS.remove(release_embargoes)
    assert seen == [DUE + timedelta(hours=1)]
    assert counts["timers"] == 2 and counts["overdue"] == 1
    assert "timer hook" in caplog.text


@pytest.mark.django_db
def test_the_command_and_the_celery_task_sweep(rules) -> None:  # type: ignore[no-untyped-def]
    started_decision()
    out = StringIO()
    call_command("sweep_deadlines", "--now", "2026-10-30T01:00:00+01:00", stdout=out)
    assert "1 overdue alerts" in out.getvalue()
    # The periodic task sweeps at the real time: weeks past the grace period.
    counts = sweep_deadlines()
    assert (counts["overdue"], counts["escalations"]) == (0, 1)
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("sweep_deadlines", "--now", "yesterday")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_alert_once(demo, rules) -> None:  # type: ignore[no-untyped-def]
    processes = [started_decision(title=f"Vendimi nr. {i}") for i in range(24)]
    start = threading.Barrier(2)
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def sweeper() -> None:
        try:
            start.wait()
            results.append(sweep(now=DUE + timedelta(hours=1), batch_size=3))
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sum(result["overdue"] for result in results) == len(processes)
    assert DeadlineEvent.objects.filter(kind="overdue").count() == len(processes)
    assert Notification.objects.filter(kind="overdue").count() == len(processes)
    assert set(Deadline.objects.values_list("state", flat=True)) == {State.OVERDUE}
    print("sweepers:", results)


@pytest.mark.django_db(transaction=True)
def test_a_clock_whose_process_a_workflow_holds_waits_for_the_next_sweep(demo, rules) -> None:  # type: ignore[no-untyped-def]
    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("SQLite runs one writer at a time: nothing to skip")
    from workflows.models import CoordinationProcess

    held, free = started_decision(title="Held"), started_decision(title="Free")
    locked, release = threading.Event(), threading.Event()

    def workflow_transaction() -> None:  # a task completion in progress on `held`
        try:
            with transaction.atomic():
                CoordinationProcess.objects.select_for_update().get(pk=held.pk)
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=workflow_transaction)
    thread.start()
    try:
        assert locked.wait(10)
        assert_swept(DUE + timedelta(hours=1), overdue=1)  # did not wait for the lock
        assert Deadline.objects.get(process=free).state == State.OVERDUE
        assert Deadline.objects.get(process=held).alerted_at is None
    finally:
        release.set()
        thread.join(30)
    assert_swept(DUE + timedelta(hours=1), overdue=1)
    assert Deadline.objects.get(process=held).state == State.OVERDUE
