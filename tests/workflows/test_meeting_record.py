"""Government-meeting material on the record (issue 27, item 7): a late submission is accepted
with a warning, the agenda item is required, no outcome before the meeting, the outcome in the
history, and publication only in both official languages."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from roles.models import User

from .steps import complete, completed, inbox, open_task
from .test_meeting_material import PLAN, upload

pytestmark = pytest.mark.django_db


def submitted(api_as, days: int, documents: list[int]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    body = {
        "title": "Projektligji për tatimet",
        "meeting_date": str(timezone.localdate() + timedelta(days=days)),
        "communication_plan": PLAN,
        "documents": documents,
    }
    response = api_as("mf.comms").post("/api/processes/meeting-material/", body, format="json")
    assert response.status_code == 201, response.content
    return dict(response.json())


def page(username: str, path: str) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.get(username=username))
    return client.get(path).content.decode()


def scheduled(api_as, process: dict[str, Any]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    minister, zkp = api_as("mf.minister"), api_as("zkp.coordinator")
    process = completed(minister, open_task(process, "approve")["id"], "approve")
    process = completed(zkp, open_task(process, "zkp_review")["id"], "approve")
    secretary = api_as("sq.secretary")
    schedule = open_task(process, "schedule")
    refused = complete(secretary, schedule["id"], "schedule")
    assert refused.status_code == 400 and "agenda_item" in refused.json()["error"]["details"]
    return completed(secretary, schedule["id"], "schedule", agenda_item="12")


def test_a_late_submission_is_accepted_with_a_warning(api_as) -> None:  # type: ignore[no-untyped-def]
    comms = api_as("mf.comms")
    on_time = submitted(api_as, 10, [upload(comms, "Projektligji", "sq")])
    assert on_time["warnings"] == []
    late = submitted(api_as, 3, [upload(comms, "Projektligji", "sq")])
    [warning] = late["warnings"]
    assert "before the government meeting" in warning or "mbledhjes" in warning
    approval = open_task(late, "approve")
    # The task carries it too, wherever the API shows it: the process body, the inbox and
    # the answer of an action on it.
    assert approval["warnings"] == [warning]
    assert open_task(on_time, "approve")["warnings"] == []
    minister = api_as("mf.minister")
    shown = {task["id"]: task["warnings"] for task in inbox(minister)}
    assert shown == {approval["id"]: [warning], open_task(on_time, "approve")["id"]: []}
    claimed = minister.post(f"/api/tasks/{approval['id']}/claim/")
    assert claimed.status_code == 200, claimed.content
    assert claimed.json()["task"]["warnings"] == [warning]
    listed = minister.get("/api/processes/", {"type": "meeting_material"}).json()["results"]
    assert {p["id"]: p["tasks"][-1]["warnings"] for p in listed} == {
        late["id"]: [warning],
        on_time["id"]: [],
    }
    text = page("mf.minister", f"/work/tasks/{approval['id']}/")
    assert 'class="process-warning"' in text and "Late:" in text
    assert "Late:" in page("mf.comms", f"/work/processes/{late['id']}/")
    assert "Late:" not in page("mf.comms", f"/work/processes/{on_time['id']}/")


def test_no_outcome_before_the_meeting_and_the_outcome_in_the_history(api_as, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    comms, secretary = api_as("mf.comms"), api_as("sq.secretary")
    documents = [
        upload(comms, "Projektligji", "sq", "public"),
        upload(comms, "Nacrt zakona", "sr", "public"),
    ]
    process = scheduled(api_as, submitted(api_as, 10, documents))
    assert process["data"]["agenda_item"] == "12"
    outcome = open_task(process, "record_outcome")
    for decided in ("approved", "rejected"):
        early = complete(secretary, outcome["id"], "record_outcome", outcome=decided)
        assert early.status_code == 400 and "outcome" in early.json()["error"]["details"]
    assert api_as(None).get("/api/public/meeting-materials/").json()["count"] == 0

    meeting_day = timezone.now() + timedelta(days=10)
    monkeypatch.setattr(timezone, "now", lambda: meeting_day)
    process = completed(secretary, outcome["id"], "record_outcome", outcome="approved")
    assert process["status"] == "done"
    [row] = [t for t in process["tasks"] if t["id"] == outcome["id"]]
    assert row["outcome"] == "approved"
    text = page("sq.secretary", f"/work/processes/{process['id']}/")
    assert '<span class="step__outcome">approved</span>' in text


def test_publication_waits_for_both_official_languages(api_as, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    comms, secretary = api_as("mf.comms"), api_as("sq.secretary")
    albanian = upload(comms, "Projektligji", "sq", "public")
    process = scheduled(api_as, submitted(api_as, 10, [albanian]))
    meeting_day = timezone.now() + timedelta(days=10)
    monkeypatch.setattr(timezone, "now", lambda: meeting_day)
    process = completed(
        secretary, open_task(process, "record_outcome")["id"], "record_outcome", outcome="approved"
    )
    # Approved, but only in Albanian: not published; the ministry adds the Serbian version.
    assert process["status"] == "active" and "published_at" not in process["data"]
    assert api_as(None).get("/api/public/meeting-materials/").json()["count"] == 0
    [task] = [t for t in inbox(comms) if t["process_id"] == process["id"]]
    assert task["name"] == "complete_languages"
    assert complete(comms, task["id"], "submit").status_code == 400
    serbian = upload(comms, "Nacrt zakona", "sr", "public")
    process = completed(comms, task["id"], "submit", documents=[albanian, serbian])
    assert process["status"] == "done" and process["data"]["published_at"]
    [published] = api_as(None).get("/api/public/meeting-materials/").json()["results"]
    assert sorted(d["language"] for d in published["documents"]) == ["sq", "sr"]


def test_the_schema_types_the_warnings_of_tasks_and_processes(api_as) -> None:  # type: ignore[no-untyped-def]
    response = api_as("mf.comms").get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schemas = response.json()["components"]["schemas"]
    for component in ("Task", "Process"):
        warnings = schemas[component]["properties"]["warnings"]
        assert warnings["type"] == "array" and warnings["items"]["type"] == "string", component
