"""Partial grant, refusal, extension and transfer through the officials' API, followed on the
public API; an outsider gets 404 at every step."""

from typing import Any

from deadlines.models import Deadline, State
from notifications.models import Notification

from .conftest import complete, inbox_task, public_document, submitted, tracked

OUTSIDERS = ("prishtine.info", "mf.info", "aip.officer")


def outsiders_refused(api_as: Any, task: dict[str, Any], action: str, **data: Any) -> None:
    for username in OUTSIDERS:
        client = api_as(username)
        assert client.get(f"/api/processes/{task['process_id']}/").status_code == 404
        assert complete(client, task["id"], action, **data).status_code == 404


def test_partial_grant_needs_reasons_and_legal_ground(demo: Any, api: Any, api_as: Any) -> None:
    receipt = submitted(api)
    officer = api_as("kllokot.info")
    task = inbox_task(officer, "decide", receipt["registration_number"])
    document = public_document("KLLOKOT", "kllokot.info")
    outsiders_refused(api_as, task, "partially_grant", documents=[document])

    missing = complete(officer, task["id"], "partially_grant", documents=[document])
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "invalid"
    assert "data.reasons" in missing.json()["error"]["details"]
    markup = complete(
        officer,
        task["id"],
        "partially_grant",
        documents=[document],
        reasons="<b>x</b>",
        legal_basis="Law",
    )
    assert markup.status_code == 400

    done = complete(
        officer,
        task["id"],
        "partially_grant",
        documents=[document],
        reasons="Personal data of third persons are withheld.",
        legal_basis="Law No. 06/L-081, limitations (privacy)",
    )
    assert done.status_code == 200, done.content
    view = tracked(api, receipt["tracking_code"])
    assert view["decision"] == "partially_granted"
    assert view["reasons"] == "Personal data of third persons are withheld."
    assert view["legal_basis"].startswith("Law No. 06/L-081")
    assert len(view["documents"]) == 1
    assert view["complaint_until"] is not None
    clock = Deadline.objects.get(
        process_id=task["process_id"], rule__code="access-request-decision"
    )
    assert clock.state == State.MET


def test_refusal(demo: Any, api: Any, api_as: Any) -> None:
    receipt = submitted(api, urgent=True, urgent_reason="A detainee's hearing tomorrow.")
    officer = api_as("kllokot.info")
    task = inbox_task(officer, "decide_urgent", receipt["registration_number"])
    clock = Deadline.objects.get(process_id=task["process_id"])
    assert clock.rule.code == "access-request-urgent-decision"
    assert (clock.due_at - clock.starts_at).total_seconds() <= 48 * 3600
    outsiders_refused(api_as, task, "refuse", reasons="x", legal_basis="y")
    assert complete(officer, task["id"], "refuse", reasons="Classified.").status_code == 400
    done = complete(
        officer, task["id"], "refuse", reasons="The document is classified.", legal_basis="Art. X"
    )
    assert done.status_code == 200, done.content
    view = tracked(api, receipt["tracking_code"])
    assert (view["status"], view["decision"]) == ("decided", "refused")
    assert view["documents"] == []


def test_extension_once_and_requester_told(demo: Any, api: Any, api_as: Any) -> None:
    receipt = submitted(api)
    officer = api_as("kllokot.info")
    task = inbox_task(officer, "decide", receipt["registration_number"])
    first_due = tracked(api, receipt["tracking_code"])["due_at"]
    outsiders_refused(api_as, task, "extend", days=5, reason="Archive search.")
    too_long = complete(officer, task["id"], "extend", days=16, reason="Archive search.")
    assert too_long.status_code == 400
    no_reason = complete(officer, task["id"], "extend", days=5)
    assert no_reason.status_code == 400
    done = complete(officer, task["id"], "extend", days=10, reason="The archive is searched.")
    assert done.status_code == 200, done.content

    view = tracked(api, receipt["tracking_code"])
    assert view["status"] == "extended"
    assert view["extended_days"] == 10
    assert view["due_at"] > first_due
    again = inbox_task(officer, "decide_extended", receipt["registration_number"])
    assert "extend" not in again["actions"]
    assert again["due_at"] is not None
    outsiders_refused(api_as, again, "grant")
    assert complete(officer, again["id"], "extend", days=2, reason="x").status_code == 400
    document = public_document("KLLOKOT", "kllokot.info")
    assert complete(officer, again["id"], "grant", documents=[document]).status_code == 200
    assert tracked(api, receipt["tracking_code"])["decision"] == "granted"


def test_transfer_opens_a_new_clock_at_the_other_institution(
    demo: Any, api: Any, api_as: Any
) -> None:
    receipt = submitted(api)
    kllokot = api_as("kllokot.info")
    task = inbox_task(kllokot, "decide", receipt["registration_number"])
    outsiders_refused(api_as, task, "transfer", institution="MF")
    unknown = complete(kllokot, task["id"], "transfer", institution="NOPE")
    assert unknown.status_code == 400
    done = complete(kllokot, task["id"], "transfer", institution="MF")
    assert done.status_code == 200, done.content

    view = tracked(api, receipt["tracking_code"])
    assert view["status"] == "transferred"
    assert view["institution"] == "MF"
    assert view["transferred_to"] == ["MF"]
    ministry = api_as("mf.info")
    moved = inbox_task(ministry, "decide", receipt["registration_number"])
    assert moved["institution"] == "MF"
    clocks = Deadline.objects.filter(process_id=task["process_id"]).order_by("pk")
    assert [clock.institution.code for clock in clocks] == ["KLLOKOT", "MF"]
    assert clocks[0].state == State.MET
    assert Notification.objects.filter(
        user__username="mf.info", task_id=moved["id"], kind="assigned"
    ).exists()
    # Kllokot no longer decides it; Prishtina never saw it.
    inbox = kllokot.get("/api/inbox/", {"type": "access_request"}).json()["results"]
    assert moved["id"] not in [item["id"] for item in inbox]
    assert complete(kllokot, moved["id"], "grant").status_code in (403, 404)
    assert api_as("prishtine.info").get(f"/api/processes/{task['process_id']}/").status_code == 404
    # The ministry sees the file but not the requester's details.
    process = ministry.get(f"/api/processes/{task['process_id']}/").json()
    assert "ana@example.org" not in str(process) and "Jovanović" not in str(process)
    done = complete(ministry, moved["id"], "refuse", reasons="Not held.", legal_basis="Law")
    assert done.status_code == 200, done.content
    assert tracked(api, receipt["tracking_code"])["decision"] == "refused"


def test_withdrawn_by_the_head_is_closed_for_the_requester(
    demo: Any, api: Any, api_as: Any
) -> None:
    """The flow's base class (`CoordinationFlow`): the head of the registering institution
    withdraws, nobody else; the requester's record says closed, the clock stops as canceled."""
    receipt = submitted(api)
    task = inbox_task(api_as("kllokot.info"), "decide", receipt["registration_number"])
    url = f"/api/processes/{task['process_id']}/cancel/"
    assert api_as("prishtine.mayor").post(url, {"reason": "x"}, format="json").status_code == 404
    assert api_as("kllokot.info").post(url, {"reason": "x"}, format="json").status_code == 403
    response = api_as("kllokot.mayor").post(url, {"reason": "Submitted twice."}, format="json")
    assert response.status_code == 200, response.content
    view = tracked(api, receipt["tracking_code"])
    assert (view["status"], view["complaint_until"]) == ("closed", None)
    clock = Deadline.objects.get(process_id=task["process_id"])
    assert clock.state == State.CANCELED
    again = api.post(
        f"/api/public/access-requests/{receipt['tracking_code']}/complaint/", {"text": "Why?"}
    )
    assert again.status_code == 409
