"""A public consultation from the officer's draft to the published report, through the API as
the officials and the public use it."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from consultations.models import Comment, Consultation
from deadlines.models import Deadline
from documents.models import Document
from notifications.models import Notification
from tests.workflows.steps import audit_actions, complete, completed, inbox

from .steps import (
    ORGANISATION,
    PERSON,
    SUMMARY_SQ,
    approved,
    closed,
    comment,
    start,
    started,
    upload,
)

pytestmark = pytest.mark.django_db


def public_ids(api, **params: str) -> list[int]:  # type: ignore[no-untyped-def]
    response = api.get("/api/public/consultations/", params)
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def test_consultation_from_draft_to_published_report(api_as, api, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    officer, mayor = api_as("kllokot.info"), api_as("kllokot.mayor")
    document = upload(officer, "Projekti i linjave")

    # Too short a period: refused, naming the rule.
    response = start(officer, closes_at=timezone.now() + timedelta(days=8), documents=[document])
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and "closes_at" in error["details"]
    assert "15" in error["details"]["closes_at"][0]
    # A confidential document is never published with it.
    confidential = upload(officer, "Shënime konfidenciale", classification="confidential")
    response = start(officer, documents=[document, confidential])
    assert response.status_code == 400 and "documents" in response.json()["error"]["details"]
    # The draft's document is internal, as uploaded, until the head approves publication.
    unattached = upload(officer, "Shënime të brendshme")
    assert Document.objects.get(pk=document).classification == "internal"

    process = started(officer, documents=[document])
    assert Document.objects.get(pk=document).classification == "internal"
    assert process["type"] == "public_consultation" and process["status"] == "active"
    assert process["data"]["summary_sq"] == SUMMARY_SQ
    # Not yet approved: nothing public.
    assert public_ids(api) == []
    assert api.get(f"/api/public/consultations/{process['id']}/").status_code == 404
    assert comment(api, process["id"]).status_code == 404

    # The mayor returns it, the officer revises it, the mayor approves.
    [task] = inbox(mayor)
    assert (task["name"], task["institution"], task["role"]) == ("approve", "KLLOKOT", "mayor")
    assert Notification.objects.filter(
        user__username="kllokot.mayor", kind="assigned", process_id=process["id"]
    ).exists()
    assert complete(mayor, task["id"], "return").status_code == 400  # a return says why
    completed(mayor, task["id"], "return", "Shtoni orarin e dëgjimit publik.")
    [revision] = [t for t in inbox(officer) if t["process_id"] == process["id"]]
    assert revision["name"] == "revise"
    too_short = (timezone.now() + timedelta(days=3)).isoformat()
    assert complete(officer, revision["id"], "submit", closes_at=too_short).status_code == 400
    completed(officer, revision["id"], "submit", title="Koncept-dokumenti për autobusët")
    process = completed(mayor, inbox(mayor)[0]["id"], "approve")
    assert process["data"]["approved"] is True
    # Approval made the draft's document public, as a recorded change; nothing else changed.
    assert Document.objects.get(pk=document).classification == "public"
    assert Document.objects.get(pk=unattached).classification == "internal"
    [reclassified] = AuditEntry.objects.filter(action="document.reclassified")
    assert reclassified.object_id == str(document)
    assert reclassified.actor == "kllokot.mayor"

    # Open: listed for the public with its documents, downloadable without an account.
    assert public_ids(api, status="open") == [process["id"]]
    assert public_ids(api, status="closed") == []
    body = api.get(f"/api/public/consultations/{process['id']}/").json()
    assert body["title"] == "Koncept-dokumenti për autobusët"
    assert body["summary"] == {"sq": SUMMARY_SQ, "sr": process["data"]["summary_sr"]}
    assert body["status"] == "open" and body["institution"] == "KLLOKOT"
    [listed] = body["documents"]
    assert listed["title"] == "Projekti i linjave"
    download = api.get(listed["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # Anyone downloads it; another internal document of the institution stays a 404.
    prefix = f"/api/public/consultations/{process['id']}/documents/"
    assert listed["url"].endswith(f"{prefix}{document}/")
    assert api.get(f"{prefix}{unattached}/").status_code == 404

    # The public comments; the report does not exist yet.
    first = comment(api, process["id"])
    assert first.status_code == 201, first.content
    assert set(first.json()) == {"id", "received_at"}
    second = comment(api, process["id"], **ORGANISATION)
    assert second.status_code == 201, second.content
    assert api.get(f"/api/public/consultations/{process['id']}/").json()["comment_count"] == 2
    assert api.get(f"/api/public/consultations/{process['id']}/report/").status_code == 404
    # The officials see who wrote, with the contact details.
    listing = officer.get(f"/api/consultations/{process['id']}/comments/").json()
    assert [row["email"] for row in listing["results"]] == [PERSON["email"], ORGANISATION["email"]]

    # Closed by its timer: a late comment is refused, the officer is told to answer.
    closed(monkeypatch, process)
    late = comment(api, process["id"])
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "consultation_closed"
    assert public_ids(api, status="closed") == [process["id"]]
    [answer_task] = [t for t in inbox(officer) if t["process_id"] == process["id"]]
    assert answer_task["name"] == "answer_comments"
    assert answer_task["actions"] == ["answer_comments"]
    assert Notification.objects.filter(
        user__username="kllokot.info", kind="assigned", task_id=answer_task["id"]
    ).exists()

    # Every comment answered before the report goes on.
    one = [{"comment": first.json()["id"], "outcome": "accepted", "reason": "Do të shtohet."}]
    response = complete(officer, answer_task["id"], "answer_comments", answers=one)
    assert response.status_code == 400 and "answers" in response.json()["error"]["details"]
    assert not Comment.objects.exclude(outcome="").exists()  # nothing half-saved
    rejected = {"comment": second.json()["id"], "outcome": "rejected", "reason": ""}
    response = complete(officer, answer_task["id"], "answer_comments", answers=[*one, rejected])
    assert response.status_code == 400  # a rejection gives its reason
    rejected["reason"] = "Oraret publikohen tashmë në të dyja gjuhët."
    completed(officer, answer_task["id"], "answer_comments", answers=[*one, rejected])

    # The mayor approves the report: published, every comment with its answer, no contact.
    [report_task] = [t for t in inbox(mayor) if t["process_id"] == process["id"]]
    assert report_task["name"] == "publish_report"
    assert report_task["actions"] == ["publish_report", "return"]
    process = completed(mayor, report_task["id"], "publish_report")
    assert process["status"] == "done"
    response = api.get(f"/api/public/consultations/{process['id']}/report/")
    assert response.status_code == 200
    report = response.json()
    assert report["published_at"]
    assert [(row["author"], row["capacity"], row["outcome"]) for row in report["comments"]] == [
        (PERSON["name"], "individual", "accepted"),
        (ORGANISATION["organisation"], "organisation", "rejected"),
    ]
    assert report["comments"][0]["section"] == "Neni 3"
    assert report["comments"][1]["reason"] == rejected["reason"]
    raw = json.dumps(report)
    for secret in (PERSON["email"], PERSON["phone"], PERSON["address"], ORGANISATION["email"]):
        assert secret not in raw
    assert ORGANISATION["name"] not in raw  # the organisation, not its member, is the author

    # The record: each step audited, no contact detail in the audit log, the clocks met.
    actions = [action for action, *_ in audit_actions(process["id"])]
    assert "consultation.closed" in actions and "consultation.report_published" in actions
    received = AuditEntry.objects.filter(action="consultation.comment_received")
    assert received.count() == 2
    assert all(PERSON["email"] not in json.dumps(entry.data) for entry in received)
    # (Met or missed depends on the test's jump in time, which viewflow's task times ignore.)
    clocks = {d.rule.code: d for d in Deadline.objects.filter(process_id=process["id"])}
    assert set(clocks) == {"public-consultation-answers", "public-consultation-report"}
    assert all(clock.completed_at is not None for clock in clocks.values())
    answers_clock = clocks["public-consultation-answers"]
    assert (answers_clock.institution.code, answers_clock.role) == (
        "KLLOKOT",
        "information_officer",
    )
    assert Notification.objects.filter(
        user__username="kllokot.info", kind="published", process_id=process["id"]
    ).exists()


def test_a_consultation_opening_later_takes_comments_only_from_then(
    api_as, api, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    opens_at = timezone.now() + timedelta(days=2)
    process = approved(
        api_as("mf.comms"),
        api_as("mf.minister"),
        opens_at=opens_at.isoformat(),
        closes_at=opens_at + timedelta(days=40),
    )
    # Approved but not opened: not public, and a comment is refused as out of its period.
    assert api.get(f"/api/public/consultations/{process['id']}/").status_code == 404
    response = comment(api, process["id"])
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "consultation_closed"
    later = opens_at + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert api.get(f"/api/public/consultations/{process['id']}/").status_code == 200
    assert comment(api, process["id"]).status_code == 201


def test_a_late_approval_must_still_leave_the_minimum_period(api_as, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    officer, mayor = api_as("prishtine.info"), api_as("prishtine.mayor")
    process = started(officer, closes_at=timezone.now() + timedelta(days=30))
    later = timezone.now() + timedelta(days=20)
    monkeypatch.setattr(timezone, "now", lambda: later)
    [task] = inbox(mayor)
    response = complete(mayor, task["id"], "approve")
    assert response.status_code == 400
    assert "closes_at" in response.json()["error"]["details"]
    data = api_as("prishtine.info").get(f"/api/processes/{process['id']}/").json()["data"]
    assert not data.get("approved")
    assert not Consultation.objects.filter(pk=process["id"]).exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"text": "<script>alert(1)</script>"}, "text"),
        ({"name": "<b>Arbër</b>"}, "name"),
        ({"text": "Shih &lt;këtu&gt;"}, "text"),
        ({"text": "x" * 20_001}, "text"),
        ({"name": "n" * 201}, "name"),
        ({"email": "not-an-address"}, "email"),
        ({"email": ""}, "email"),
        ({"capacity": "citizen"}, "capacity"),
        ({"text": "bad\x00byte"}, "text"),
        ({"name": ["list"]}, "name"),
        ({"section": "s" * 201}, "section"),
    ],
)
def test_bad_comments_are_400_in_the_shared_shape(api_as, api, fields, field) -> None:  # type: ignore[no-untyped-def]
    process = approved(api_as("kllokot.info"), api_as("kllokot.mayor"))
    response = comment(api, process["id"], **fields)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["details"], error
    assert not Comment.objects.exists()


def test_unknown_or_odd_ids_are_404_and_bodies_400(api_as, api) -> None:  # type: ignore[no-untyped-def]
    process = approved(api_as("kllokot.info"), api_as("kllokot.mayor"))
    for path in ("99999999", str(2**63)):
        assert api.get(f"/api/public/consultations/{path}/").status_code == 404
        assert comment(api, int(path)).status_code == 404
        assert api.get(f"/api/public/consultations/{path}/report/").status_code == 404
    response = api.post(
        f"/api/public/consultations/{process['id']}/comments/",
        "[1, 2]",
        content_type="application/json",
    )
    assert response.status_code == 400
    response = api.post(
        f"/api/public/consultations/{process['id']}/comments/",
        "{not json",
        content_type="application/json",
    )
    assert response.status_code == 400
    assert api.get("/api/public/consultations/", {"status": "draft"}).status_code == 400
    assert api.get("/api/public/consultations/", {"page": "x"}).status_code == 400


def test_the_head_withdraws_an_open_consultation_and_it_takes_no_more_comments(api_as, api) -> None:  # type: ignore[no-untyped-def]
    officer, mayor = api_as("kllokot.info"), api_as("kllokot.mayor")
    process = approved(officer, mayor)
    assert comment(api, process["id"]).status_code == 201
    url = f"/api/processes/{process['id']}/cancel/"
    # The officer who prepared it does not withdraw it; the mayor does, with a reason.
    assert officer.post(url, {"reason": "Gabim."}, format="json").status_code == 403
    assert mayor.post(url, {}, format="json").status_code == 400
    withdrawn = mayor.post(url, {"reason": "Ligji ndryshoi."}, format="json")
    assert withdrawn.status_code == 200, withdrawn.content
    body = withdrawn.json()
    assert body["status"] == "canceled"
    assert body["data"]["cancellation"]["reason"] == "Ligji ndryshoi."
    assert "comments_closed_at" in body["data"]["cancellation"]
    # Closed for the public: listed as closed, a further comment is a conflict, no report.
    assert api.get(f"/api/public/consultations/{process['id']}/").json()["status"] == "closed"
    late = comment(api, process["id"])
    assert late.status_code == 409 and late.json()["error"]["code"] == "consultation_closed"
    assert api.get(f"/api/public/consultations/{process['id']}/report/").status_code == 404
    assert "process.canceled" in [action for action, *_ in audit_actions(process["id"])]
    assert mayor.post(url, {"reason": "Sërish."}, format="json").status_code == 409


def test_the_steps_actions_are_labelled_in_the_readers_language(api_as, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The officer's and the mayor's buttons, and the history's action, by their labels."""
    from django.test import Client

    from roles.models import User

    officer, mayor = api_as("kllokot.info"), api_as("kllokot.mayor")
    process = approved(officer, mayor)
    first = comment(api_as(None), process["id"]).json()
    closed(monkeypatch, process)

    def page(username: str, path: str) -> str:
        client = Client(HTTP_ACCEPT_LANGUAGE="sq")
        client.force_login(User.objects.get(username=username))
        return client.get(path).content.decode()

    answer = inbox(officer)[0]
    shown = page("kllokot.info", f"/work/tasks/{answer['id']}/")
    assert "Dërgo përgjigjet" in shown and ">answer_comments<" not in shown
    answers = [{"comment": first["id"], "outcome": "accepted", "reason": "Po."}]
    completed(officer, answer["id"], "answer_comments", answers=answers)
    report = inbox(mayor)[0]
    shown = page("kllokot.mayor", f"/work/tasks/{report['id']}/")
    assert "Mirato dhe publiko raportin" in shown and ">publish_report<" not in shown
    assert "Dërgo përgjigjet" in shown  # the officer's step, in the history
