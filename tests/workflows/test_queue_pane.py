"""The task beside the work queue: a row's link (`?task=N`) draws that task's details next to
the list, server-side, keeping the list's choice; a task the official may not see is a 404."""

import re
from typing import Any

import pytest
from django.test import Client
from viewflow.workflow.models import Task

from roles.models import User
from tests.workflows.demo_work import demo_work_seeded


def client_for(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=username, password="demo")
    return client


def text_of(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def work(demo: dict[str, User]) -> dict[str, User]:
    demo_work_seeded()
    return demo


def test_a_task_shown_beside_the_list_with_its_clock_and_documents(
    work: dict[str, User],
) -> None:
    chair = client_for("kllokot.chair")
    listed = text_of(chair.get("/work/?overdue=yes"))
    assert 'id="task-pane"' not in listed
    link = re.search(r'<a class="queue-beside" href="\?([^"]*?)task=(\d+)#task-pane"', listed)
    assert link is not None, listed[-3000:]
    # The link keeps the list as chosen, and the page shows the same list beside the task.
    assert "overdue=yes" in link.group(1)
    task = Task.objects.get(pk=int(link.group(2)))
    shown = text_of(chair.get(f"/work/?{link.group(1).replace('&amp;', '&')}task={task.pk}"))
    pane = shown[shown.index('<aside class="mdc-card task-pane"') :]
    assert (
        f'<h2 class="mdc-typography--headline6" id="task-pane-title" tabindex="-1">{task.title}'
        in pane
    )
    assert "days late" in pane and "task-pane__due--overdue" in pane
    assert f'href="/work/tasks/{task.pk}/"' in pane  # the task's own page, where it is done
    assert "/preview/" in pane  # the decision's text, readable in place
    assert shown.count('class="inbox-task') == listed.count('class="inbox-task')
    assert re.search(rf'data-task-id="{task.pk}"', shown)
    assert "inbox-task--shown" in shown and 'aria-current="true"' in shown


def test_a_task_the_official_may_not_see_is_not_shown_beside_the_list(
    work: dict[str, User],
) -> None:
    chair = client_for("kllokot.chair")
    listed = text_of(chair.get("/work/"))
    [task_id] = re.findall(r'data-task-id="(\d+)"', listed)[:1]
    # Prishtina's chair: the same role, another municipality.
    outsider = client_for("prishtine.chair")
    assert outsider.get(f"/work/?task={task_id}").status_code == 404
    for bad in ("abc", "0", "99999999", "-1", "1" * 30):
        assert chair.get(f"/work/?task={bad}").status_code == 404, bad
