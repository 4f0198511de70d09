"""The answer clock of a complaint: per topic (rules as data), reminders to whoever has the
complaint now, the overdue alert, and the escalation to the mayor."""

from datetime import timedelta

import pytest

from deadlines.models import Deadline, DeadlineRule
from deadlines.sweep import sweep
from notifications.models import Notification

from .steps import completed, submitted, task_of


@pytest.mark.django_db
def test_each_topic_has_its_rule_with_a_basis_in_words(demo) -> None:  # type: ignore[no-untyped-def]
    rules = DeadlineRule.objects.filter(process_type="complaint")
    assert rules.count() == 8
    for rule in rules:
        rule.full_clean()
        assert rule.starts_on.startswith("registered:") and rule.ends_on == "closed"
        assert "Not set by law" in rule.legal_basis and "Configurable" in rule.legal_basis
    water = rules.get(code="complaint-answer-water-irrigation")
    roads = rules.get(code="complaint-answer-roads")
    assert (water.days, roads.days) == (7, 15)


@pytest.mark.django_db
def test_topics_run_their_own_clock_and_one_without_a_rule_runs_the_fallback(api, demo) -> None:  # type: ignore[no-untyped-def]
    from complaints.models import Complaint, ComplaintTopic

    water = submitted(api)
    roads = submitted(api, topic="roads")
    assert water["due_at"] < roads["due_at"]
    ComplaintTopic.objects.create(
        institution=Complaint.objects.first().institution,  # type: ignore[union-attr]
        code="snow",
        name_sq="Bora",
        name_sr="Sneg",
        name_en="Snow",
    )
    snow = submitted(api, topic="snow")
    clock = Deadline.objects.get(
        process_id=Complaint.objects.get(registration_number=snow["registration_number"]).pk
    )
    assert clock.rule.code == "complaint-answer-other"
    # A rule edited in the admin applies to the next complaint.
    DeadlineRule.objects.filter(code="complaint-answer-roads").update(days=1)
    assert submitted(api, topic="roads")["due_at"] < roads["due_at"]


@pytest.mark.django_db
def test_reminder_overdue_and_escalation_reach_the_unit_and_the_mayor(api, api_as, demo) -> None:  # type: ignore[no-untyped-def]
    receipt = submitted(api)
    oneshop = api_as("kllokot.oneshop")
    route = task_of(oneshop, receipt["registration_number"], "route")
    completed(oneshop, route["id"], "route", unit="public-services")
    clock = Deadline.objects.get(process_id=route["process_id"])
    assert clock.role == "complaints_officer@public-services"

    sweep(now=clock.due_at - timedelta(hours=3))
    sweep(now=clock.due_at + timedelta(hours=1))
    sweep(now=clock.due_at + timedelta(hours=49))
    kinds = set(
        Notification.objects.filter(process_id=route["process_id"]).values_list(
            "user__username", "kind"
        )
    )
    assert ("kllokot.services", "reminder") in kinds
    assert ("kllokot.services", "overdue") in kinds
    assert ("kllokot.mayor", "escalation") in kinds
    assert not any(user == "kllokot.oneshop" and kind != "assigned" for user, kind in kinds)
    assert not any(user.startswith("prishtine") for user, _ in kinds)
