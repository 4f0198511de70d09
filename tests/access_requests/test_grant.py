"""A request submitted on the portal, registered at once, granted by the information officer,
its documents downloaded with the tracking code; every other party gets 404."""

from typing import Any

from audit.models import AuditEntry

from .conftest import complete, inbox_task, public_document, submitted, tracked


def test_submitted_request_is_registered_and_tracked(demo: Any, api: Any) -> None:
    receipt = submitted(api)
    assert set(receipt) == {
        "tracking_code",
        "registration_number",
        "institution",
        "status",
        "submitted_at",
        "due_at",
    }
    assert len(receipt["tracking_code"]) >= 22  # ≥ 128 bits
    assert receipt["registration_number"].startswith("KLLOKOT-")
    assert receipt["status"] == "received"
    assert receipt["due_at"] is not None
    view = tracked(api, receipt["tracking_code"])
    assert view["registration_number"] == receipt["registration_number"]
    assert view["status"] == "received"
    assert view["decision"] is None
    assert "ana@example.org" not in str(view)
    assert "Ana" not in str(view)


def test_grant_releases_documents_to_the_code_only(demo: Any, api: Any, api_as: Any) -> None:
    receipt = submitted(api)
    code = receipt["tracking_code"]
    officer = api_as("kllokot.info")
    task = inbox_task(officer, "decide", receipt["registration_number"])
    assert task["due_at"] is not None
    assert task["actions"] == ["grant", "partially_grant", "refuse", "extend", "transfer"]
    document = public_document("KLLOKOT", "kllokot.info")

    # Nobody else sees or acts on it: another municipality, the ministry, AIP, the public.
    for outsider in ("prishtine.info", "mf.info", "aip.officer", "mapl.legal"):
        client = api_as(outsider)
        assert client.get(f"/api/processes/{task['process_id']}/").status_code == 404
        assert complete(client, task["id"], "grant", documents=[document]).status_code == 404

    response = complete(officer, task["id"], "grant", documents=[document])
    assert response.status_code == 200, response.content
    process = response.json()["process"]
    assert process["data"]["decision"] == "granted"
    assert "ana@example.org" not in str(process)
    assert "Ana Jovanović" not in str(process)

    view = tracked(api, code)
    assert view["status"] == "decided"
    assert view["decision"] == "granted"
    assert view["complaint_until"] is None
    [released] = view["documents"]
    download = api.get(released["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"Ugovor 12/2026")

    # A wrong code, or another request's code, does not open the document.
    other = submitted(api, description="Drugi zahtev")
    path = released["url"].split("testserver")[-1]
    assert api.get(path.replace(code, other["tracking_code"])).status_code == 404
    assert api.get(path.replace(code, code[:-2] + "xx")).status_code == 404
    # A complaint after a full grant is refused with the shared error shape.
    refused = api.post(
        f"/api/public/access-requests/{code}/complaint/", {"text": "Nisam zadovoljna."}
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "complaint_not_possible"

    actions = list(
        AuditEntry.objects.filter(object_id=str(task["process_id"])).values_list(
            "action", flat=True
        )
    )
    assert "access_request.registered" in actions
    assert "process.started" in actions
    assert "task.completed" in actions
