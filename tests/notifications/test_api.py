"""/api/notifications/: the caller's own, newest first, filtered; marking read; 404 for others'."""

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.models import Task

from notifications.models import Notification
from notifications.services import notify
from roles.models import User
from workflows.models import CoordinationProcess


def told(user: User, kind: str, text: str, **kwargs: Any) -> Notification:
    assert notify(recipients=[user], kind=kind, message=lambda: text, **kwargs) == 1
    return Notification.objects.filter(user=user).latest("created_at", "pk")


def listed(client, **params: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    response = client.get("/api/notifications/", params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.fixture
def process(api_as) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = api_as("kllokot.assembly").post(
        "/api/processes/assembly-decision/",
        {"title": "Vendimi nr. 3", "adopted_on": str(timezone.localdate())},
        format="json",
    )
    assert response.status_code == 201, response.content
    Notification.objects.all().delete()  # whatever the start announced: not this test's subject
    return dict(response.json())


def test_the_list_is_the_callers_own_newest_first_in_the_contract_shape(
    demo: dict[str, User], api_as, process: dict[str, Any]
) -> None:  # type: ignore[no-untyped-def]
    mayor = demo["kllokot.mayor"]
    task_id = process["tasks"][-1]["id"]
    first = told(mayor, "assigned", "Detyrë e re")
    second = told(
        mayor,
        "overdue",
        "Afati ka kaluar",
        process=CoordinationProcess.objects.get(pk=process["id"]),
        task=Task.objects.get(pk=task_id),
    )
    Notification.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(hours=1))
    told(demo["prishtine.mayor"], "assigned", "Not for Kllokot")

    body = api_as("kllokot.mayor").get("/api/notifications/").json()
    assert body["count"] == 2 and body["next"] is None and body["previous"] is None
    newest, oldest = body["results"]
    assert newest["id"] == second.pk and oldest["id"] == first.pk
    assert {key: newest[key] for key in ("kind", "message", "process_id", "task_id", "read")} == {
        "kind": "overdue",
        "message": "Afati ka kaluar",
        "process_id": process["id"],
        "task_id": task_id,
        "read": False,
    }
    assert newest["link"] == reverse("work:task", args=[task_id])  # the task's page in the UI
    assert set(newest) >= {"id", "kind", "created_at", "message", "process_id", "task_id", "read"}
    assert (oldest["process_id"], oldest["task_id"], oldest["link"]) == (None, None, "")

    # Paginated like every list.
    page = api_as("kllokot.mayor").get("/api/notifications/", {"page_size": 1}).json()
    assert page["count"] == 2 and len(page["results"]) == 1 and page["next"]


def test_filters_and_their_bad_values(demo: dict[str, User], api_as) -> None:  # type: ignore[no-untyped-def]
    mayor = demo["kllokot.mayor"]
    reminder = told(mayor, "reminder", "a")
    assigned = told(mayor, "assigned", "b")
    Notification.objects.filter(pk=reminder.pk).update(read_at=timezone.now())
    client = api_as("kllokot.mayor")
    assert [n["id"] for n in listed(client, read="true")] == [reminder.pk]
    assert [n["id"] for n in listed(client, read="false")] == [assigned.pk]
    assert [n["id"] for n in listed(client, kind="reminder")] == [reminder.pk]
    assert [n["id"] for n in listed(client, kind="reminder", read="false")] == []
    assert listed(client, kind="escalation") == []
    for params in ({"read": "yes"}, {"read": ""}, {"kind": "gossip"}, {"kind": ""}, {"page": "x"}):
        response = client.get("/api/notifications/", params)
        assert response.status_code == 400, params
        assert response.json()["error"]["code"] == "invalid"


def test_mark_read_is_for_the_owner_only_and_keeps_the_first_time(
    demo: dict[str, User], api_as
) -> None:  # type: ignore[no-untyped-def]
    notification = told(demo["kllokot.mayor"], "assigned", "a")
    for outsider in ("kllokot.info", "prishtine.mayor", "admin"):
        response = api_as(outsider).post(f"/api/notifications/{notification.pk}/read/")
        assert response.status_code == 404, outsider
        assert response.json()["error"]["code"] == "not_found"
    notification.refresh_from_db()
    assert notification.read_at is None

    client = api_as("kllokot.mayor")
    response = client.post(f"/api/notifications/{notification.pk}/read/")
    assert response.status_code == 200
    assert response.json()["id"] == notification.pk and response.json()["read"] is True
    notification.refresh_from_db()
    first_read = notification.read_at
    assert first_read is not None
    again = client.post(f"/api/notifications/{notification.pk}/read/")
    assert again.status_code == 200
    notification.refresh_from_db()
    assert notification.read_at == first_read
    assert client.post("/api/notifications/99999999999999999999/read/").status_code == 404


def test_read_all_marks_only_the_callers_unread(demo: dict[str, User], api_as) -> None:  # type: ignore[no-untyped-def]
    mayor, info = demo["kllokot.mayor"], demo["kllokot.info"]
    for text in ("a", "b", "c"):
        told(mayor, "reminder", text)
    theirs = told(info, "reminder", "d")
    client = api_as("kllokot.mayor")
    client.post(f"/api/notifications/{Notification.objects.filter(user=mayor).first().pk}/read/")  # type: ignore[union-attr]
    response = client.post("/api/notifications/read-all/")
    assert response.status_code == 200 and response.json() == {"updated": 2}
    assert listed(client, read="false") == []
    assert client.post("/api/notifications/read-all/").json() == {"updated": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_list_costs_the_same_for_one_or_fifty(
    demo: dict[str, User], api_as, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    mayor = demo["kllokot.mayor"]
    client = api_as("kllokot.mayor")
    told(mayor, "assigned", "first")
    with django_assert_max_num_queries(10) as few:
        listed(client)
    for number in range(50):
        told(mayor, "assigned", str(number))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(listed(client)) == 50
