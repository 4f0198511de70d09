"""The officials' side picks access requests up through the engine's generic mechanisms: the
task page with the decision form, the process page, search, the deadlines list and dashboard,
the audit log — for those who may see them, and a 404 for everyone else."""

from typing import Any

from django.test import Client

from roles.models import User
from search.outbox import drain

from .conftest import complete, inbox_task, submitted


def signed_in(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.get(username=username))
    return client


def test_task_and_process_pages(demo: Any, api: Any, api_as: Any) -> None:
    receipt = submitted(api, description="Kontrata e mirëmbajtjes së ndriçimit publik")
    task = inbox_task(api_as("kllokot.info"), "decide", receipt["registration_number"])
    officer = signed_in("kllokot.info")
    page = officer.get(f"/work/tasks/{task['id']}/")
    assert page.status_code == 200
    body = page.content.decode()
    for field in ("data-reasons", "data-legal_basis", "data-days", "data-institution"):
        assert f'name="{field}"' in body
    assert receipt["registration_number"] in body
    assert "ana@example.org" not in body and "Jovanović" not in body
    assert officer.get(f"/work/processes/{task['process_id']}/").status_code == 200
    inbox = officer.get("/work/").content.decode()
    assert f"/work/tasks/{task['id']}/" in inbox
    for outsider in ("prishtine.info", "mf.info", "aip.officer"):
        client = signed_in(outsider)
        assert client.get(f"/work/tasks/{task['id']}/").status_code == 404
        assert client.get(f"/work/processes/{task['process_id']}/").status_code == 404

    refused = officer.post(
        f"/work/tasks/{task['id']}/",
        {"action": "refuse", "comment": "", "data-reasons": "Not public."},
    )
    assert refused.status_code == 422  # the legal ground is missing
    done = officer.post(
        f"/work/tasks/{task['id']}/",
        {
            "action": "refuse",
            "comment": "",
            "data-reasons": "The contract is under negotiation.",
            "data-legal_basis": "Law No. 06/L-081",
        },
    )
    assert done.status_code == 302
    assert (
        api.get(f"/api/public/access-requests/{receipt['tracking_code']}/").json()["decision"]
        == "refused"
    )


def test_search_deadlines_and_audit_for_those_who_may_see(demo: Any, api: Any, api_as: Any) -> None:
    receipt = submitted(api, description="Kontrata e mirëmbajtjes së ndriçimit publik")
    drain()
    officer = api_as("kllokot.info")
    found = officer.get("/api/search/", {"q": "ndriçimit"}).json()
    assert [r["object_type"] for r in found["results"]] == ["process"]
    assert found["results"][0]["kind"] == "access_request"
    assert api_as("prishtine.info").get("/api/search/", {"q": "ndriçimit"}).json()["count"] == 0
    # The requester's name is not in the index.
    assert officer.get("/api/search/", {"q": "Jovanović"}).json()["count"] == 0

    clocks = officer.get("/api/deadlines/", {"type": "access_request"}).json()["results"]
    assert len(clocks) == 1
    assert clocks[0]["rule"] == "access-request-decision"
    assert (
        api_as("prishtine.info").get("/api/deadlines/", {"type": "access_request"}).json()["count"]
        == 0
    )
    dashboard = api_as("auditor").get("/api/deadlines/dashboard/")
    assert dashboard.status_code == 200
    assert "access_request" in str(dashboard.json())

    process_id = inbox_task(officer, "decide", receipt["registration_number"])["process_id"]
    audit = api_as("auditor").get(
        "/api/audit/", {"object_type": "workflows.coordinationprocess", "object_id": process_id}
    )
    assert audit.status_code == 200
    actions = [entry["action"] for entry in audit.json()["results"]]
    assert "access_request.registered" in actions
    assert "ana@example.org" not in str(audit.json())


def test_requester_details_for_the_deciding_institution_only(
    demo: Any, api: Any, api_as: Any
) -> None:
    receipt = submitted(api, postal_address="Rruga e Kishës 4, Kllokot")
    officer = api_as("kllokot.info")
    task = inbox_task(officer, "decide", receipt["registration_number"])
    path = f"/api/access-requests/{task['process_id']}/requester/"
    details = officer.get(path)
    assert details.status_code == 200
    assert details.json()["email"] == "ana@example.org"
    assert details.json()["postal_address"] == "Rruga e Kishës 4, Kllokot"
    for outsider in ("prishtine.info", "mf.info", "aip.officer", "auditor"):
        assert api_as(outsider).get(path).status_code == 404
    assert api.get(path).status_code == 401
    # After a transfer, the new institution answers; the first one no longer reads them.
    assert complete(officer, task["id"], "transfer", institution="MF").status_code == 200
    assert api_as("mf.info").get(path).status_code == 200
    assert officer.get(path).status_code == 404
