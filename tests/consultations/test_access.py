"""Who reaches what: an outsider gets 404 at every officials' step of a consultation, the
consulting institution reads the commenters' contact details and nobody else does, and the
Office for Good Governance sees every institution's consultations and their on-time rates."""

import csv
import io
from typing import Any

import pytest

from consultations.models import Comment
from tests.workflows.steps import complete, completed, inbox

from .steps import ORGANISATION, PERSON, approved, closed, comment, started

pytestmark = pytest.mark.django_db

OUTSIDERS = ("prishtine.info", "prishtine.mayor", "mf.comms", "mapl.legal")


def officials_paths(process_id: int) -> list[str]:
    return [
        f"/api/processes/{process_id}/",
        f"/api/consultations/{process_id}/comments/",
        f"/api/consultations/{process_id}/comments/export/",
    ]


def assert_outsiders_blind(api_as, process: dict[str, Any], task_id: int | None) -> None:  # type: ignore[no-untyped-def]
    for username in OUTSIDERS:
        client = api_as(username)
        for path in officials_paths(process["id"]):
            response = client.get(path)
            assert response.status_code == 404, (username, path, response.status_code)
        response = client.post(
            f"/api/consultations/{process['id']}/answers/", {"answers": []}, format="json"
        )
        assert response.status_code == 404, username
        if task_id is not None:
            for verb in ("claim", "unclaim"):
                assert client.post(f"/api/tasks/{task_id}/{verb}/").status_code == 404
            response = complete(client, task_id, "approve")
            assert response.status_code == 404, username
        assert all(task["process_id"] != process["id"] for task in inbox(client))
    anonymous = api_as(None)
    for path in officials_paths(process["id"]):
        assert anonymous.get(path).status_code == 401


def test_an_outsider_gets_404_at_every_officials_step(api_as, api, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    officer, mayor = api_as("kllokot.info"), api_as("kllokot.mayor")
    process = started(officer)
    [approval] = inbox(mayor)
    assert_outsiders_blind(api_as, process, approval["id"])
    completed(mayor, approval["id"], "return", "Datat.")
    [revision] = inbox(officer)
    assert_outsiders_blind(api_as, process, revision["id"])
    completed(officer, revision["id"], "submit")
    process = completed(mayor, inbox(mayor)[0]["id"], "approve")
    assert_outsiders_blind(api_as, process, None)
    first = comment(api, process["id"]).json()
    closed(monkeypatch, process)
    [answering] = inbox(officer)
    assert_outsiders_blind(api_as, process, answering["id"])
    # Saving answers ahead of the completion: the officer may, the mayor sees but may not.
    answer = {"comment": first["id"], "outcome": "accepted", "reason": ""}
    response = mayor.post(
        f"/api/consultations/{process['id']}/answers/", {"answers": [answer]}, format="json"
    )
    assert response.status_code == 403
    response = officer.post(
        f"/api/consultations/{process['id']}/answers/", {"answers": [answer]}, format="json"
    )
    assert response.status_code == 200 and response.json() == {"answered": 1, "unanswered": 0}
    completed(officer, answering["id"], "answer_comments")  # every comment already answered
    [publishing] = inbox(mayor)
    assert_outsiders_blind(api_as, process, publishing["id"])
    # The officer wrote the answers, but the report is the head's to approve.
    assert complete(officer, publishing["id"], "publish_report").status_code == 403
    completed(mayor, publishing["id"], "publish_report")
    assert_outsiders_blind(api_as, process, None)
    # Answers after the report: no longer being answered.
    response = officer.post(
        f"/api/consultations/{process['id']}/answers/", {"answers": [answer]}, format="json"
    )
    assert response.status_code == 409


def test_contact_details_stay_with_the_consulting_institution(api_as, api) -> None:  # type: ignore[no-untyped-def]
    process = approved(api_as("kllokot.info"), api_as("kllokot.mayor"))
    assert comment(api, process["id"]).status_code == 201
    assert comment(api, process["id"], **ORGANISATION).status_code == 201
    own = api_as("kllokot.mayor").get(f"/api/consultations/{process['id']}/comments/").json()
    assert own["count"] == 2 and own["results"][0]["email"] == PERSON["email"]
    assert own["results"][1]["author"] == ORGANISATION["organisation"]
    exported = api_as("kllokot.info").get(f"/api/consultations/{process['id']}/comments/export/")
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
    rows = list(
        csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig")))
    )
    assert [row["email"] for row in rows] == [PERSON["email"], ORGANISATION["email"]]
    # The Office for Good Governance follows it, without anyone's contact details.
    for username in ("zqm.officer", "auditor"):
        client = api_as(username)
        listing = client.get(f"/api/consultations/{process['id']}/comments/")
        assert listing.status_code == 200, username
        body = listing.content.decode()
        assert PERSON["email"] not in body and PERSON["phone"] not in body
        assert listing.json()["results"][0]["text"] == PERSON["text"]
        exported = client.get(f"/api/consultations/{process['id']}/comments/export/")
        text = b"".join(exported.streaming_content).decode("utf-8-sig")
        assert PERSON["text"] in text and PERSON["email"] not in text and "phone" not in text
    unanswered = api_as("kllokot.info").get(
        f"/api/consultations/{process['id']}/comments/", {"answered": "false"}
    )
    assert unanswered.json()["count"] == 2
    assert (
        api_as("kllokot.info")
        .get(f"/api/consultations/{process['id']}/comments/", {"answered": "maybe"})
        .status_code
        == 400
    )


def test_the_office_for_good_governance_sees_every_institution(api_as, api) -> None:  # type: ignore[no-untyped-def]
    approved(api_as("kllokot.info"), api_as("kllokot.mayor"))
    draft = started(api_as("mf.comms"))
    good_governance = api_as("zqm.officer")
    response = good_governance.get("/api/consultations/oversight/")
    assert response.status_code == 200
    rows = {row["institution"]: row for row in response.json()["results"]}
    assert set(rows) == {"KLLOKOT", "MF"}
    assert (rows["KLLOKOT"]["open"], rows["KLLOKOT"]["drafts"]) == (1, 0)
    assert (rows["MF"]["open"], rows["MF"]["drafts"]) == (0, 1)
    assert rows["MF"]["on_time_rate"] is None  # no clock has come due
    # It sees the processes themselves too (the Office of the Prime Minister follows them).
    assert good_governance.get(f"/api/processes/{draft['id']}/").status_code == 200
    # Nobody outside the office reads the overview.
    for username in ("kllokot.info", "kllokot.mayor", "mf.minister", "zkp.coordinator"):
        assert api_as(username).get("/api/consultations/oversight/").status_code == 404
    assert api_as(None).get("/api/consultations/oversight/").status_code == 401
    # And its page, in the officials' menu.
    from django.test import Client

    page = Client()
    page.login(username="zqm.officer", password="demo")
    html = page.get("/consultations/")
    assert html.status_code == 200
    assert 'data-institution="KLLOKOT"' in html.content.decode()
    # Another institution's official has the page with what it may see, without the overview.
    other = Client()
    other.login(username="kllokot.mayor", password="demo")
    listing = other.get("/consultations/").content.decode()
    assert 'id="consultation-oversight"' not in listing and 'data-institution="MF"' not in listing
    assert 'id="consultation-list"' in listing


def test_only_officers_prepare_a_consultation(api_as) -> None:  # type: ignore[no-untyped-def]
    from .steps import start

    for username in ("kllokot.mayor", "mapl.legal", "auditor", "kllokot.assembly"):
        assert start(api_as(username)).status_code == 403, username
    assert start(api_as(None)).status_code == 401
    # The Office for Good Governance runs the Office of the Prime Minister's own; its head
    # (the Government Secretariat) approves them.
    process = started(api_as("zqm.officer"))
    [task] = inbox(api_as("sq.secretary"))
    assert task["process_id"] == process["id"] and task["role"] == "government_secretary"


def test_the_officer_answers_on_the_comments_page(api_as, api, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    officer, mayor = api_as("kllokot.info"), api_as("kllokot.mayor")
    process = approved(officer, mayor)
    first = comment(api, process["id"]).json()
    second = comment(api, process["id"], **ORGANISATION).json()
    path = f"/consultations/{process['id']}/comments/"
    pages = {}
    for username in ("kllokot.info", "kllokot.mayor", "zqm.officer", "prishtine.info"):
        pages[username] = Client()
        pages[username].login(username=username, password="demo")
    assert pages["prishtine.info"].get(path).status_code == 404
    html = pages["zqm.officer"].get(path).content.decode()
    assert PERSON["text"] in html and PERSON["email"] not in html
    html = pages["kllokot.info"].get(path).content.decode()
    assert PERSON["email"] in html and 'name="outcome-' not in html  # not being answered yet
    # Nobody answers while the consultation is open.
    assert (
        pages["kllokot.info"].post(path, {f"outcome-{first['id']}": "accepted"}).status_code == 403
    )

    closed(monkeypatch, process)
    for username, page in pages.items():  # weeks later: signed in again
        page.login(username=username, password="demo")
    html = pages["kllokot.info"].get(path).content.decode()
    assert f'name="outcome-{first["id"]}"' in html
    assert 'name="outcome-' not in pages["kllokot.mayor"].get(path).content.decode()
    assert (
        pages["kllokot.mayor"].post(path, {f"outcome-{first['id']}": "accepted"}).status_code == 403
    )
    # A rejection without its reason is refused; then both are answered, and the step completes.
    response = pages["kllokot.info"].post(
        path,
        {
            f"outcome-{first['id']}": "accepted",
            f"outcome-{second['id']}": "rejected",
            f"reason-{second['id']}": "",
        },
    )
    assert response.status_code == 302
    assert not Comment.objects.exclude(outcome="").exists()
    response = pages["kllokot.info"].post(
        path,
        {
            f"outcome-{first['id']}": "accepted",
            f"outcome-{second['id']}": "rejected",
            f"reason-{second['id']}": "Jashtë fushëveprimit.",
        },
    )
    assert response.status_code == 302
    assert set(Comment.objects.values_list("outcome", flat=True)) == {"accepted", "rejected"}
    [answering] = inbox(officer)
    completed(officer, answering["id"], "answer_comments")
    assert inbox(mayor)[0]["name"] == "publish_report"
