"""Whose tasks and answers of a coordination request a person sees (`lanes_private`): a
recipient its own lane only — another recipient's task is a 404 in the API and on the pages,
and neither that task nor its answer appears in the process's body, its page, the process
list, search, notifications or the tracker's exports; the sender and an auditor see every lane;
an outsider sees nothing."""

import re
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from viewflow.workflow.models import Task

from .conftest import ministry, respond_task, sent

pytestmark = pytest.mark.django_db

SECRET_A = "Përgjigjja e Financave: tre projekte"
SECRET_B = "Odgovor ministrije: dva projekta"


def signed_in(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=username, password="demo")
    return client


def answered(client: Any, process_id: int, answer: str) -> int:
    task = respond_task(client, process_id)
    done = client.post(
        f"/api/tasks/{task['id']}/complete/",
        {"action": "respond", "data": {"answer": answer}},
        format="json",
    )
    assert done.status_code == 200, done.content
    return int(task["id"])


def task_ids_in_body(body: dict[str, Any]) -> set[int]:
    return {task["id"] for task in body["tasks"]}


def test_each_recipient_sees_its_own_lane_and_the_sender_and_auditor_every_lane(
    api_as: Any, rule: Any
) -> None:
    from search import backends
    from search.outbox import drain

    ministry("MAPLX")
    with override_settings(SEARCH_BACKEND="database"):
        backends._instances.pop("database", None)
        zkp = api_as("zkp.coordinator")
        process = sent(zkp, title="Projektet e komuniteteve", recipients=["MF", "MAPLX"])
        pid = process["id"]
        a, b = api_as("mf.comms"), api_as("maplx.comms")
        task_a = answered(a, pid, SECRET_A)
        task_b_open = respond_task(b, pid)["id"]
        task_b = answered(b, pid, SECRET_B)
        assert task_b == task_b_open
        drain()

        [manage] = Task.objects.filter(process_id=pid, flow_task_type="HUMAN").exclude(
            data__has_key="response"
        )
        lanes = {task_a: ("mf.comms", a, SECRET_A), task_b: ("maplx.comms", b, SECRET_B)}
        for own, (username, client, secret) in lanes.items():
            [(other, (_name, _client, other_secret))] = [
                item for item in lanes.items() if item[0] != own
            ]
            # The other recipient's task: 404 in the API, its actions and its page.
            assert client.get(f"/api/tasks/{other}/").status_code == 404
            for action in ("claim", "unclaim", "complete"):
                refused = client.post(
                    f"/api/tasks/{other}/{action}/",
                    {"action": "respond", "data": {"answer": "x"}},
                    format="json",
                )
                assert refused.status_code == 404, (username, action, refused.content)
            page = signed_in(username)
            assert page.get(reverse("work:task", args=[other])).status_code == 404
            assert page.post(reverse("work:task-claim", args=[other])).status_code == 404
            assert page.get(reverse("work:inbox"), {"task": other}).status_code == 404
            # Its own task it still opens.
            assert page.get(reverse("work:task", args=[own])).status_code == 200
            # The process's body, the list, the page: its own task and answer, not the other's.
            body = client.get(f"/api/processes/{pid}/").json()
            assert own in task_ids_in_body(body)
            assert other not in task_ids_in_body(body)
            assert [r["answer"] for r in body["data"]["responses"]] == [secret]
            listed = client.get("/api/processes/", {"type": "coordination_request"})
            assert other_secret not in listed.content.decode()
            [row] = [row for row in listed.json()["results"] if row["id"] == pid]
            assert other not in task_ids_in_body(row)
            html = page.get(reverse("work:process", args=[pid])).content.decode()
            assert f'data-task-id="{own}"' in html
            assert f'data-task-id="{other}"' not in html
            assert other_secret not in html
            # The tracker, its CSV and its printable page: its own part only.
            for path in (
                f"/api/coordination-requests/{pid}/tracker/",
                f"/api/coordination-requests/{pid}/tracker.csv",
            ):
                answer = client.get(path)
                assert answer.status_code == 200, path
                assert other_secret not in answer.content.decode(), path
            for path in ("", "print/", "export.csv"):
                answer = page.get(f"/coordination/requests/{pid}/{path}")
                assert answer.status_code == 200, path
                assert other_secret not in answer.content.decode(), path
            # Search and notifications name nothing of the other lane.
            for word in ("projekta", "projekte"):
                found = client.get("/api/search/", {"q": word})
                assert other_secret not in found.content.decode()
            notices = client.get("/api/notifications/").json()["results"]
            assert other not in {n.get("task_id") for n in notices}

        # The sender and an auditor: every lane, every answer.
        for username in ("zkp.coordinator", "auditor"):
            client = api_as(username)
            body = client.get(f"/api/processes/{pid}/").json()
            assert {task_a, task_b} <= task_ids_in_body(body)
            assert sorted(r["answer"] for r in body["data"]["responses"]) == sorted(
                [SECRET_A, SECRET_B]
            )
            page = signed_in(username)
            html = page.get(reverse("work:process", args=[pid])).content.decode()
            assert f'data-task-id="{task_a}"' in html
            assert f'data-task-id="{task_b}"' in html
            assert page.get(reverse("work:task", args=[task_b])).status_code == 200
        exported = api_as("zkp.coordinator").get(f"/api/coordination-requests/{pid}/tracker.csv")
        assert SECRET_A in exported.content.decode()
        assert SECRET_B in exported.content.decode()
        # The sender's own task stays out of the recipients' reach.
        assert a.post(f"/api/tasks/{manage.pk}/complete/", {"action": "close"}).status_code == 404

        # An outsider: 404 on everything.
        outsider = api_as("kllokot.info")
        outsider_page = signed_in("kllokot.info")
        assert outsider.get(f"/api/processes/{pid}/").status_code == 404
        for task in (task_a, task_b, manage.pk):
            assert outsider.post(f"/api/tasks/{task}/claim/").status_code == 404
            assert outsider_page.get(reverse("work:task", args=[task])).status_code == 404
        assert outsider_page.get(reverse("work:process", args=[pid])).status_code == 404
        assert outsider.get(f"/api/coordination-requests/{pid}/tracker.csv").status_code == 404
        for word in ("projekta", "projekte", "komuniteteve"):
            assert outsider.get("/api/search/", {"q": word}).json()["count"] == 0


def test_the_monitoring_page_names_no_other_lane_as_holding_the_request(
    api_as: Any, rule: Any
) -> None:
    ministry("MAPLX")
    process = sent(api_as("zkp.coordinator"), recipients=["MF", "MAPLX"])
    b = api_as("maplx.comms")
    claimed = b.post(f"/api/tasks/{respond_task(b, process['id'])['id']}/claim/")
    assert claimed.status_code == 200, claimed.content

    def items(username: str) -> list[str]:
        page = signed_in(username).get(
            "/deadlines/", {"state": "open", "type": "coordination_request"}
        )
        assert page.status_code == 200
        return re.findall(r'<tr class="deadline-item".*?</tr>', page.content.decode(), re.S)

    # A recipient's own clock, held by its own lane; nobody of the other recipient's.
    [row] = items("mf.comms")
    assert "MF" in row
    assert "maplx.comms" not in row and "MAPLX" not in row
    # The sender sees who holds each lane.
    assert any("maplx.comms" in row for row in items("zkp.coordinator"))
