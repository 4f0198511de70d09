"""Forms that help: a consequential choice starts empty, and leaving it so is refused next to
its field; annulling a registration asks first and says what it does."""

import io
import re
from typing import Any

from django.test import Client
from rest_framework.test import APIClient
from viewflow.workflow import STATUS
from viewflow.workflow.models import Task

from roles.models import User
from tests.workflows.demo_work import demo_work_seeded


def client_for(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=username, password="demo")
    return client


def outcome_task() -> Task:
    for task in Task.objects.filter(status__in=[STATUS.NEW, STATUS.ASSIGNED]):
        if task.flow_task.name == "record_outcome":
            return task
    raise AssertionError("no meeting waits for its outcome")


def test_the_meeting_outcome_starts_unchosen_and_must_be_chosen(demo: dict[str, User]) -> None:
    demo_work_seeded()
    task = outcome_task()
    secretary = client_for("sq.secretary")
    html = secretary.get(f"/work/tasks/{task.pk}/").content.decode()
    select = re.search(r'<select name="data-outcome".*?</select>', html, re.S)
    assert select is not None
    # Only the blank option is chosen: no outcome is suggested.
    assert re.findall(r'<option value="([^"]*)" selected', select.group(0)) == [""]
    refused = secretary.post(f"/work/tasks/{task.pk}/", {"action": "record_outcome"})
    assert refused.status_code in (400, 422)  # refused on the form, never a 500
    task.refresh_from_db()
    assert task.status in (STATUS.NEW, STATUS.ASSIGNED)
    done = secretary.post(
        f"/work/tasks/{task.pk}/", {"action": "record_outcome", "data-outcome": "postponed"}
    )
    assert done.status_code == 302


def test_annulling_a_registration_asks_first_and_is_named_so(demo: dict[str, User]) -> None:
    upload = io.BytesIO(b"Vendimi per rruget")
    upload.name = "vendimi.txt"
    api = APIClient()
    assert api.login(username="kllokot.assembly", password="demo")
    created = api.post(
        "/api/documents/",
        {"file": upload, "title": "Vendimi për rrugët", "kind": "decision"},
        format="multipart",
    )
    assert created.status_code == 201, created.content
    client = client_for("kllokot.assembly")
    html = client.get(f"/documents/{created.json()['id']}/").content.decode()
    form: Any = re.search(r'<form[^>]*id="annul-form"[^>]*>', html)
    assert form is not None and "data-confirm=" in form.group(0)
    assert ">Annul registration</button>" in html
    assert html.count("<h1") == 1
