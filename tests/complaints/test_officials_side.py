"""The engine's generic pages and lists pick complaints up: the process pages, the deadlines
(list and dashboard), search and the audit log — for those who may see them only."""

import pytest
from django.test import Client

from search.outbox import drain

from .steps import completed, submitted, task_of

TEXT = "Kanali i ujitjes afër xhamisë në Grnçar është i bllokuar."


@pytest.mark.django_db
def test_pages_deadlines_search_and_audit(api, api_as, demo) -> None:  # type: ignore[no-untyped-def]
    receipt = submitted(api, text=TEXT, email="hidden@example.org")
    oneshop = api_as("kllokot.oneshop")
    route = task_of(oneshop, receipt["registration_number"], "route")
    process_id = route["process_id"]
    completed(oneshop, route["id"], "route", unit="public-services")

    # Process and task pages.
    services = Client()
    services.force_login(demo["kllokot.services"])
    page = services.get(f"/work/processes/{process_id}/")
    assert page.status_code == 200 and receipt["registration_number"] in page.content.decode()
    # The contact is for the municipality's officials who answer (tests/complaints/
    # test_officials_pages.py): on the process page, never in search or the audit log.
    assert "hidden@example.org" in page.content.decode()
    inbox_page = services.get("/work/")
    assert inbox_page.status_code == 200
    assert receipt["registration_number"] in inbox_page.content.decode()
    outsider = Client()
    outsider.force_login(demo["prishtine.mayor"])
    assert outsider.get(f"/work/processes/{process_id}/").status_code == 404

    # Deadlines: the topic's clock, listed and counted for the municipality only.
    clocks = oneshop.get("/api/deadlines/", {"type": "complaint"}).json()["results"]
    assert [clock["process_id"] for clock in clocks] == [process_id]
    assert clocks[0]["basis"].startswith("registered:water_irrigation")
    dashboard = oneshop.get("/api/deadlines/dashboard/", {"type": "complaint"}).json()
    assert dashboard["totals"]["open"] == 1
    other = api_as("prishtine.mayor")
    assert other.get("/api/deadlines/", {"type": "complaint"}).json()["results"] == []

    # Search: the municipality's officials and auditors find it, nobody else.
    drain()
    found = api_as("kllokot.services").get("/api/search/", {"q": "Grnçar"}).json()
    assert process_id in [row["id"] for row in found["results"] if row["object_type"] == "process"]
    assert api_as("auditor").get("/api/search/", {"q": "Grnçar"}).json()["count"] >= 1
    assert other.get("/api/search/", {"q": "Grnçar"}).json()["count"] == 0
    assert api_as("kllokot.services").get("/api/search/", {"q": "hidden"}).json()["count"] == 0

    # Audit: every step, readable by the auditor.
    entries = api_as("auditor").get(
        "/api/audit/", {"object_type": "workflows.coordinationprocess", "object_id": process_id}
    )
    assert entries.status_code == 200
    body = entries.json()
    actions = [entry["action"] for entry in body.get("results", body)]
    for action in ("process.started", "complaint.registered", "task.completed", "deadline.clock"):
        assert action in actions
    assert "hidden@example.org" not in str(body)
