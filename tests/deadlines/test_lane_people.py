"""The people of a lane, one rule for the task notices and the deadline reminders alike: the
holders of the role in the institution and their deputies who are members there too. A deputy
from another institution is told neither."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from deadlines.models import Deadline
from deadlines.services import sweep
from notifications.models import Notification
from roles.models import Delegation, Institution, User
from roles.selectors import lane_people, role_holders
from workflows import services
from workflows.flows import FLOWS


def _delegate(demo: dict[str, User], principal: str, deputy: str) -> None:
    now = timezone.now()
    Delegation.objects.create(
        principal=demo[principal],
        deputy=demo[deputy],
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=30),
        reason="leave",
        created_by=demo[principal],
    )


def _told(process: Any, kind: str) -> set[str]:
    return set(
        Notification.objects.filter(process=process, kind=kind).values_list(
            "user__username", flat=True
        )
    )


def _names(people: list[User]) -> set[str]:
    return {person.username for person in people}


@pytest.mark.django_db
def test_notices_and_reminders_reach_the_same_lane_people(rules, demo) -> None:  # type: ignore[no-untyped-def]
    kllokot = Institution.objects.get(code="KLLOKOT")
    _delegate(demo, "kllokot.chair", "kllokot.info")  # a colleague: in the lane
    _delegate(demo, "kllokot.chair", "mapl.legal")  # from another institution: not
    _delegate(demo, "kllokot.assembly", "kllokot.mayor")
    _delegate(demo, "kllokot.assembly", "mapl.registry")

    process = services.process_start(
        flow_class=FLOWS["assembly_decision"],
        actor=demo["kllokot.assembly"],
        institution=kllokot,
        fields={"title": "Vendimi nr. 21", "adopted_on": str(timezone.localdate())},
    )
    # The chair's sign-off is announced to the chair's lane.
    assert _told(process, "assigned") == {"kllokot.chair", "kllokot.info"}
    assert _told(process, "assigned") == _names(
        role_holders(institution=kllokot, role="assembly_chair")
    )

    # The assembly office's 7 days run out: its lane is alerted, by the same rule.
    deadline = Deadline.objects.get(process=process, role="assembly_officer")
    sweep(now=deadline.due_at + timedelta(minutes=30))
    assert _told(process, "overdue") == {"kllokot.assembly", "kllokot.mayor"}
    lane = (kllokot.pk, "assembly_officer")
    assert _told(process, "overdue") == _names(lane_people([lane])[lane])


@pytest.mark.django_db
def test_lane_people_and_role_holders_are_one_rule(demo) -> None:  # type: ignore[no-untyped-def]
    kllokot = Institution.objects.get(code="KLLOKOT")
    _delegate(demo, "kllokot.mayor", "kllokot.info")
    _delegate(demo, "kllokot.mayor", "mf.minister")
    lanes = [(kllokot.pk, "mayor"), (kllokot.pk, "assembly_chair")]
    people = lane_people(lanes)
    assert _names(people[lanes[0]]) == {"kllokot.mayor", "kllokot.info"}
    for institution_id, role in lanes:
        held = role_holders(institution=Institution.objects.get(pk=institution_id), role=role)
        assert people[(institution_id, role)] == held
