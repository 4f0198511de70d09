"""The notifications page: one's own notifications, opening one, marking all read."""

from typing import Any

import pytest
from django.test import Client
from viewflow.workflow.models import Task

from notifications.models import Notification
from roles.models import User

from .test_api import process, told  # noqa: F401 (the fixture)


def signed_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password="demo")
    return client


@pytest.mark.django_db
def test_the_page_lists_ones_own_and_opening_one_reads_it_and_leads_to_its_task(
    demo: dict[str, User],
    process: dict[str, Any],  # noqa: F811
) -> None:
    chair, mayor = demo["kllokot.chair"], demo["kllokot.mayor"]
    task = Task.objects.get(pk=process["tasks"][-1]["id"])
    mine = told(chair, "assigned", "Detyrë e re: nënshkruani vendimin", task=task)
    told(chair, "reminder", "Afati afrohet")
    theirs = told(mayor, "assigned", "Vetëm për kryetarin")
    client = signed_in("kllokot.chair")

    page = client.get("/work/notifications/", HTTP_ACCEPT_LANGUAGE="sq").content.decode()
    assert "Detyrë e re: nënshkruani vendimin" in page and "Afati afrohet" in page
    assert "Vetëm për kryetarin" not in page
    assert page.count("notification--unread") == 2
    menu = client.get("/work/", HTTP_ACCEPT_LANGUAGE="sq").content.decode()
    assert "Njoftimet (2)" in menu

    opened = client.post(f"/work/notifications/{mine.pk}/open/")
    assert opened.status_code == 302 and opened["Location"] == f"/work/tasks/{task.pk}/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert "Njoftimet (1)" in client.get("/work/", HTTP_ACCEPT_LANGUAGE="sq").content.decode()

    # Somebody else's notification does not exist for this person; opening takes a POST.
    assert client.post(f"/work/notifications/{theirs.pk}/open/").status_code == 404
    assert client.get(f"/work/notifications/{mine.pk}/open/").status_code == 405
    theirs.refresh_from_db()
    assert theirs.read_at is None

    done = client.post("/work/notifications/read-all/", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "Marked as read: 1." in done.content.decode()
    assert not Notification.objects.filter(user=chair, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=mayor, read_at__isnull=True).count() == 1
    assert "Njoftimet (" not in client.get("/work/", HTTP_ACCEPT_LANGUAGE="sq").content.decode()


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_sign_in(demo: dict[str, User]) -> None:
    for method, path in [
        ("get", "/work/notifications/"),
        ("post", "/work/notifications/1/open/"),
        ("post", "/work/notifications/read-all/"),
    ]:
        response = getattr(Client(), method)(path)
        assert response.status_code == 302 and "login" in response["Location"]
