"""The work queue (/work/) and home, driven as officials use them over the demo's work in
progress: every step shows a clock (its own or its process's), overdue rows say how late,
the views, filters and sort narrow what is listed, and the choice is kept per official."""

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from roles.models import User
from tests.workflows.demo_work import demo_work_seeded
from workflows.models import QueuePreference


def client_for(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=username, password="demo")
    return client


def text_of(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", response.content.decode())


def rows(text: str) -> list[str]:
    return re.findall(r'<tr class="inbox-task[^"]*" data-task-id="\d+".*?</tr>', text)


def due_dates(text: str) -> list[str]:
    return [(re.findall(r'<time datetime="([^"]+)"', row) or ["~"])[0] for row in rows(text)]


@pytest.fixture
def work(demo: dict[str, User]) -> dict[str, User]:
    demo_work_seeded()
    return demo


def test_a_step_without_its_own_clock_shows_its_process_and_how_late(
    work: dict[str, User],
) -> None:
    """The chair signs a decision adopted 10 days ago: the decision's 7 days ran out 3 days
    ago, and the row says so by colour, icon and words."""
    text = text_of(client_for("kllokot.chair").get("/work/"))
    [row] = [row for row in rows(text) if "buxhetin komunal" in row]
    assert "inbox-task--overdue" in row
    assert '<span class="material-icons queue-icon" aria-hidden="true">warning</span>' in row
    assert "3 days late" in row
    assert "no deadline" not in row
    assert text.count("<h1") == 1


def test_sorted_by_due_date_soonest_first_by_default_and_on_request(
    work: dict[str, User],
) -> None:
    secretary = client_for("sq.secretary")
    listed = due_dates(text_of(secretary.get("/work/")))
    assert len(listed) == 2
    assert listed == sorted(listed)
    latest_first = due_dates(text_of(secretary.get("/work/?sort=-due")))
    assert latest_first == list(reversed(listed))


def test_views_mine_team_claimed_and_all(work: dict[str, User]) -> None:
    legal = client_for("mapl.legal")
    claimed = text_of(legal.get("/work/?view=claimed"))
    assert len(rows(claimed)) == 1 and "tarifat e tregut" in claimed
    assert "Mimoza" not in claimed  # the reviewer's own name stands as holder
    assert len(rows(text_of(legal.get("/work/?view=all")))) == 1
    # The assembly office's team sees the chair's waiting step, held by the chair's role.
    office = client_for("kllokot.assembly")
    team = text_of(office.get("/work/?view=team"))
    assert "buxhetin komunal" in team and "ndriçimin publik" in team
    mine = text_of(office.get("/work/?view=mine"))
    assert "ndriçimin publik" in mine and "buxhetin komunal" not in mine
    # Another municipality's team never sees Kllokot's steps.
    other = text_of(client_for("prishtine.assembly").get("/work/?view=team"))
    assert "buxhetin komunal" not in other and "subvencionet" in other


def test_filters_by_type_institution_state_and_overdue(work: dict[str, User]) -> None:
    coordinator = client_for("zkp.coordinator")
    everything = rows(text_of(coordinator.get("/work/?view=all")))
    assert len(everything) == 2  # a plan to review and a government-level statement
    assert len(rows(text_of(coordinator.get("/work/?type=meeting_material")))) == 1
    assert len(rows(text_of(coordinator.get("/work/?institution=MF")))) == 2
    assert rows(text_of(coordinator.get("/work/?institution=KLLOKOT"))) == []
    assert len(rows(text_of(coordinator.get("/work/?state=open")))) == 2
    assert rows(text_of(coordinator.get("/work/?state=claimed"))) == []
    minister = client_for("mf.minister")
    late = rows(text_of(minister.get("/work/?overdue=yes")))
    assert len(late) == 1 and "inbox-task--overdue" in late[0]
    assert all(
        "inbox-task--overdue" not in row for row in rows(text_of(minister.get("/work/?overdue=no")))
    )


def test_the_choice_is_saved_per_official_and_can_be_cleared(work: dict[str, User]) -> None:
    legal = client_for("mapl.legal")
    text_of(legal.get("/work/?view=claimed&sort=-created"))
    assert QueuePreference.objects.get(user=work["mapl.legal"]).choices == {
        "view": "claimed",
        "sort": "-created",
    }
    again = text_of(legal.get("/work/"))
    assert re.search(r'mdc-button--raised" aria-current="page">Claimed by me<', again)
    # Someone else's queue is not affected.
    assert not QueuePreference.objects.filter(user=work["mapl.registry"]).exists()
    text_of(legal.get("/work/?reset=1"))
    assert not QueuePreference.objects.filter(user=work["mapl.legal"]).exists()


def test_a_choice_that_does_not_exist_is_refused_next_to_its_field(work: dict[str, User]) -> None:
    chair = client_for("kllokot.chair")
    for query in ("view=everyone", "sort=title", "institution=NOPE", "overdue=maybe"):
        response = chair.get(f"/work/?{query}")
        assert response.status_code == 400, query
        assert 'class="field-error" role="alert"' in response.content.decode()
    assert not QueuePreference.objects.filter(user=work["kllokot.chair"]).exists()


def test_home_shows_what_waits_for_the_official(work: dict[str, User]) -> None:
    text = text_of(client_for("kllokot.chair").get("/", follow=True))
    assert "Waiting for you" in text
    assert "1 task waits for you" in text and "1 overdue" in text
    assert "buxhetin komunal" in text and "3 days late" in text
    assert text.count("<h1") == 1
    auditor = text_of(client_for("auditor").get("/", follow=True))
    assert "Nothing is waiting for you." in auditor


def test_the_queue_page_costs_a_fixed_number_of_queries(
    work: dict[str, User], django_assert_max_num_queries: Any
) -> None:
    secretary = client_for("sq.secretary")
    secretary.get("/work/")
    with django_assert_max_num_queries(25):
        secretary.get("/work/?view=all&overdue=no&sort=due")
    assert timezone.now()


@pytest.mark.parametrize(
    ("language", "heading", "late"),
    [("sq", "Radha e punës", "3 ditë vonesë"), ("sr", "Ред послова", "касни 3 дана")],
)
def test_the_queue_speaks_the_officials_language(
    work: dict[str, User], language: str, heading: str, late: str
) -> None:
    client = client_for("kllokot.chair")
    text = text_of(client.get("/work/", HTTP_ACCEPT_LANGUAGE=language))
    assert heading in text and late in text
    assert "days late" not in text and "Due date, soonest first" not in text
