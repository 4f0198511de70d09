"""Communication plans: an institution keeps its yearly plan and marks progress; the central
office sees every ministry's plan and what is late; MAPL sees the municipalities'; nobody else
(404); the keepers are reminded by the deadline sweep, once."""

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from audit.models import AuditEntry
from config.errors import Conflict
from coordination.models import CommunicationPlan
from coordination.plans import plan_create
from deadlines.sweep import sweep
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def day(offset: int) -> str:
    return (timezone.localdate() + timedelta(days=offset)).isoformat()


def plan_made(client: Any, year: int | None = None) -> dict[str, Any]:
    response = client.post(
        "/api/communication-plans/",
        {"year": year or timezone.localdate().year, "title": "Plani i komunikimit"},
        format="json",
    )
    assert response.status_code == 201, response.content
    return dict(response.json())


def activity_added(client: Any, plan_id: int, **fields: Any) -> dict[str, Any]:
    body = {"goal": "Transparenca", "activity": "Konferenca për media", "due_on": day(30), **fields}
    response = client.post(f"/api/communication-plans/{plan_id}/activities/", body, format="json")
    assert response.status_code == 201, response.content
    return dict(response.json())


def test_a_ministry_keeps_its_plan_the_centre_sees_it_and_what_is_late(api_as) -> None:  # type: ignore[no-untyped-def]
    mf = api_as("mf.comms")
    plan = plan_made(mf)
    assert plan["institution"] == "MF"
    late = activity_added(
        mf,
        plan["id"],
        activity="Fushata për buxhetin",
        due_on=day(-3),
        budget="1500.50",
        responsible_unit="public-communication",
    )
    assert late["late"] is True
    assert late["budget"] == "1500.50"
    assert late["responsible_unit"] == "public-communication"
    soon = activity_added(mf, plan["id"], activity="Raporti vjetor", due_on=day(2))
    activity_added(mf, plan["id"], activity="Takim me OJQ", due_on=day(60))
    # Progress marked by the keeper; audited with old and new values.
    marked = mf.patch(
        f"/api/communication-plan-activities/{soon['id']}/",
        {"progress": "in_progress", "progress_note": "Drafti gati"},
        format="json",
    )
    assert marked.status_code == 200, marked.content
    assert marked.json()["progress"] == "in_progress"
    entry = AuditEntry.objects.filter(action="coordination.activity_changed").get()
    assert entry.data["changes"]["progress"] == ["planned", "in_progress"]

    # The central office (ZKP) sees the ministry's plan and what is late.
    zkp = api_as("zkp.coordinator")
    listed = zkp.get("/api/communication-plans/").json()["results"]
    assert [(p["institution"], p["activity_count"], p["late_count"]) for p in listed] == [
        ("MF", 3, 1)
    ]
    lates = zkp.get("/api/communication-plans/late/").json()
    assert [(a["institution"], a["activity"], a["days_late"]) for a in lates] == [
        ("MF", "Fushata për buxhetin", 3)
    ]
    assert zkp.get(f"/api/communication-plans/{plan['id']}/").status_code == 200
    # ... but may not change it (visible: 403).
    refused = zkp.post(
        f"/api/communication-plans/{plan['id']}/activities/",
        {"goal": "g", "activity": "a", "due_on": day(1)},
        format="json",
    )
    assert refused.status_code == 403
    # The minister keeps it too; a municipality and MAPL do not see it (404).
    assert api_as("mf.minister").get(f"/api/communication-plans/{plan['id']}/").status_code == 200
    for username in ("kllokot.info", "mapl.registry", "prishtine.mayor"):
        client = api_as(username)
        assert client.get(f"/api/communication-plans/{plan['id']}/").status_code == 404
        assert client.get("/api/communication-plans/").json()["results"] == []
        assert (
            client.patch(
                f"/api/communication-plan-activities/{soon['id']}/",
                {"progress": "done"},
                format="json",
            ).status_code
            == 404
        )
    assert api_as("auditor").get(f"/api/communication-plans/{plan['id']}/").status_code == 200

    # Reminders: by the deadline sweep, the late one and the one coming due, each once.
    sweep()
    messages = list(
        Notification.objects.filter(user__username="mf.comms").values_list("kind", "message")
    )
    kinds = sorted(
        kind for kind, message in messages if "Fushata" in message or "Raporti" in message
    )
    assert kinds == ["overdue", "reminder"]
    sweep()
    assert Notification.objects.filter(user__username="mf.comms").count() == len(messages)
    assert AuditEntry.objects.filter(action="coordination.activity_reminded").count() == 2


def test_a_municipality_plan_is_seen_by_mapl_not_by_the_centre(api_as) -> None:  # type: ignore[no-untyped-def]
    kllokot = api_as("kllokot.info")
    plan = plan_made(kllokot)
    activity_added(kllokot, plan["id"])
    assert api_as("mapl.legal").get(f"/api/communication-plans/{plan['id']}/").status_code == 200
    assert (
        api_as("zkp.coordinator").get(f"/api/communication-plans/{plan['id']}/").status_code == 404
    )
    assert (
        api_as("prishtine.info").get(f"/api/communication-plans/{plan['id']}/").status_code == 404
    )
    # One plan a year: a second is a conflict.
    again = kllokot.post(
        "/api/communication-plans/", {"year": timezone.localdate().year}, format="json"
    )
    assert again.status_code == 409


def test_bad_input_is_a_clear_400(api_as) -> None:  # type: ignore[no-untyped-def]
    mf = api_as("mf.comms")
    plan = plan_made(mf)
    bad: list[dict[str, Any]] = [
        {"goal": ""},
        {"due_on": "soon"},
        {"budget": "-5"},
        {"budget": "abc"},
        {"responsible_unit": "nowhere"},
        {"activity": "x" * 2001},
        {"progress": "finished"},
        {"goal": "a\x00b"},
    ]
    for fields in bad:
        body = {"goal": "g", "activity": "a", "due_on": day(3), **fields}
        response = mf.post(
            f"/api/communication-plans/{plan['id']}/activities/", body, format="json"
        )
        assert response.status_code == 400, (fields, response.content)
        assert "error" in response.json()
    for body in ({"year": "next"}, {"year": 1900}, {}):
        assert mf.post("/api/communication-plans/", body, format="json").status_code == 400
    # Not a plan keeper (an auditor, an assembly officer): 403.
    assert (
        api_as("kllokot.assembly")
        .post("/api/communication-plans/", {"year": 2027}, format="json")
        .status_code
        == 403
    )
    assert mf.get("/api/communication-plans/", {"year": "20x6"}).status_code == 400
    assert (
        mf.patch(
            "/api/communication-plan-activities/999999/",
            {"progress": "done"},
            format="json",
        ).status_code
        == 404
    )


@pytest.mark.parametrize("threads", [6])
def test_the_same_plan_asked_for_at_once_is_made_once_the_others_told_it_exists(
    transactional_db: None, demo: Any, threads: int
) -> None:
    """Two keepers (or one double click) asking together: one plan, and each other request the
    409 a later one gets, never the database's refusal of the second row."""
    start = threading.Barrier(threads)
    outcomes: list[str] = []

    def ask() -> None:
        try:
            start.wait()
            plan_create(actor=demo["mf.comms"], year=2031, title="Plani")
            outcomes.append("made")
        except Conflict as refusal:
            outcomes.append(refusal.code)
        except BaseException as error:  # an IntegrityError or a constraint's 400 is the defect
            outcomes.append(repr(error))
        finally:
            connection.close()

    workers = [threading.Thread(target=ask) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(outcomes) == ["made"] + ["plan_exists"] * (threads - 1), outcomes
    assert CommunicationPlan.objects.filter(year=2031).count() == 1
