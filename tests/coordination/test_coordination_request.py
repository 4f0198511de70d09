"""A coordination request to all ministries, through the API as the officials use it: each
ministry answers in its own task, a late one is reminded and escalated, nobody sees another
recipient's answer, the sender sees all and closes the request."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from viewflow.workflow.models import Task

from audit.models import AuditEntry
from coordination.models import Response
from deadlines.models import Deadline
from deadlines.sweep import sweep
from notifications.models import Notification
from roles.models import User
from workflows.models import CoordinationProcess

from .conftest import due_in, member, ministry, respond_task, sent

pytestmark = pytest.mark.django_db


def told(username: str, kind: str) -> list[str]:
    return list(
        Notification.objects.filter(user__username=username, kind=kind).values_list(
            "message", flat=True
        )
    )


def test_every_ministry_answers_in_its_own_task_and_the_sender_sees_all(api_as, rule) -> None:  # type: ignore[no-untyped-def]
    ministry("MAPLX")  # a third ministry with its own officer and minister
    zkp = api_as("zkp.coordinator")
    process = sent(zkp)
    assert process["type"] == "coordination_request"
    assert process["status"] == "active"
    assert sorted(process["data"]["recipients"]) == ["MAPL", "MAPLX", "MF"]
    # The sender's view: every recipient, all open.
    assert [(r["institution"], r["status"]) for r in process["data"]["responses"]] == [
        ("MAPL", "open"),
        ("MAPLX", "open"),
        ("MF", "open"),
    ]
    # One respond task per recipient, each with its own clock due at the end of due_on.
    tasks = Task.objects.filter(process_id=process["id"], flow_task_type="HUMAN")
    assert sorted(t.data.get("institution") for t in tasks if "response" in t.data) == [
        "MAPL",
        "MAPLX",
        "MF",
    ]
    clocks = Deadline.objects.filter(process_id=process["id"])
    assert clocks.count() == 3
    assert {c.role for c in clocks} == {"communications_officer"}

    # The Finance ministry's officer finds its task and answers.
    mf = api_as("mf.comms")
    task = respond_task(mf, process["id"])
    assert task["actions"] == ["respond"]
    assert task["institution"] == "MF"
    response = mf.post(
        f"/api/tasks/{task['id']}/complete/",
        {"action": "respond", "data": {"answer": "MF: tre projekte për komunitetet."}},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["task"]["status"] == "done"
    # The recipient sees its own response only.
    assert body["process"]["data"]["responses"] == [
        {
            "institution": "MF",
            "status": "answered",
            "answered_at": body["process"]["data"]["responses"][0]["answered_at"],
            "answer": "MF: tre projekte për komunitetet.",
            "documents": [],
        }
    ]
    assert {t["institution"] for t in body["process"]["tasks"] if t["name"] == "respond"} == {"MF"}
    # MAPLX answers too; MAPL does not.
    other = api_as("maplx.comms")
    task = respond_task(other, process["id"])
    assert (
        other.post(
            f"/api/tasks/{task['id']}/complete/",
            {"action": "respond", "data": {"answer": "MAPLX: asnjë."}},
            format="json",
        ).status_code
        == 200
    )

    # The sender sees all, in the process and in the tracker.
    detail = zkp.get(f"/api/processes/{process['id']}/").json()
    assert [(r["institution"], r["status"], r["answer"]) for r in detail["data"]["responses"]] == [
        ("MAPL", "open", None),
        ("MAPLX", "answered", "MAPLX: asnjë."),
        ("MF", "answered", "MF: tre projekte për komunitetet."),
    ]
    tracker = zkp.get(f"/api/coordination-requests/{process['id']}/tracker/").json()
    assert tracker["sender_view"] is True
    assert tracker["counts"] == {"open": 1, "answered": 2, "overdue": 0, "total": 3}
    # Met clocks for the two who answered.
    assert sorted(
        Deadline.objects.filter(process_id=process["id"]).values_list("state", flat=True)
    ) == [
        "met",
        "met",
        "open",
    ]
    # Audited: the answer is on the completion entry.
    completions = AuditEntry.objects.filter(
        object_id=str(process["id"]), action="task.completed"
    ).order_by("seq")
    assert [entry.data.get("institution") for entry in completions] == ["MF", "MAPLX"]

    # The sender's own task, in its inbox, with the actions of the contract.
    [manage] = [
        t
        for t in zkp.get("/api/inbox/", {"type": "coordination_request"}).json()["results"]
        if t["process_id"] == process["id"]
    ]
    assert (manage["name"], manage["actions"]) == ("manage", ["remind", "close"])
    closed = zkp.post(f"/api/tasks/{manage['id']}/complete/", {"action": "close"}, format="json")
    assert closed.status_code == 200, closed.content
    assert closed.json()["process"]["status"] == "done"
    statuses = {
        r["institution"]: r["status"] for r in closed.json()["process"]["data"]["responses"]
    }
    assert statuses == {"MAPL": "open", "MAPLX": "answered", "MF": "answered"}


def test_recipients_are_isolated_from_each_other_everywhere(api_as, rule) -> None:  # type: ignore[no-untyped-def]
    ministry("MAPLX")
    zkp = api_as("zkp.coordinator")
    process = sent(zkp, title="Kërkesë e izoluar")
    mf = api_as("mf.comms")
    task = respond_task(mf, process["id"])
    secret = "Përgjigje sekrete e Financave"
    assert (
        mf.post(
            f"/api/tasks/{task['id']}/complete/",
            {"action": "respond", "data": {"answer": secret}},
            format="json",
        ).status_code
        == 200
    )
    other = api_as("maplx.comms")
    # Its inbox holds its own task only: MF's (done) and MAPL's (open) are not there.
    inbox = other.get("/api/inbox/").json()["results"]
    mine = [t for t in inbox if t["process_id"] == process["id"]]
    assert [t["institution"] for t in mine] == ["MAPLX"]
    # Another recipient's task: not even seen (its lane is private).
    mapl_task = Task.objects.get(process_id=process["id"], data__institution="MAPL")
    refused = other.post(
        f"/api/tasks/{mapl_task.pk}/complete/",
        {"action": "respond", "data": {"answer": "x"}},
        format="json",
    )
    assert refused.status_code == 404, refused.content
    # The process detail, the list, the tracker and its CSV show its own part only.
    detail = other.get(f"/api/processes/{process['id']}/")
    assert detail.status_code == 200
    assert secret not in detail.content.decode()
    assert [r["institution"] for r in detail.json()["data"]["responses"]] == ["MAPLX"]
    assert {t["institution"] for t in detail.json()["tasks"] if t["name"] == "respond"} == {"MAPLX"}
    listed = other.get("/api/processes/", {"type": "coordination_request"})
    assert secret not in listed.content.decode()
    tracker = other.get(f"/api/coordination-requests/{process['id']}/tracker/")
    assert tracker.status_code == 200
    assert tracker.json()["sender_view"] is False
    assert [r["institution"] for r in tracker.json()["responses"]] == ["MAPLX"]
    exported = other.get(f"/api/coordination-requests/{process['id']}/tracker.csv")
    assert exported.status_code == 200
    assert secret not in exported.content.decode()
    assert "MF" not in exported.content.decode()
    # A recipient cannot remind or close (visible: 403).
    assert other.post(f"/api/coordination-requests/{process['id']}/close/").status_code == 403
    # The sender's export has every answer.
    exported = zkp.get(f"/api/coordination-requests/{process['id']}/tracker.csv")
    assert secret in exported.content.decode()
    assert AuditEntry.objects.filter(action="coordination.exported").count() == 2
    # An outsider (a municipality) sees nothing: 404 everywhere.
    outsider = api_as("kllokot.info")
    for path in (
        f"/api/processes/{process['id']}/",
        f"/api/coordination-requests/{process['id']}/tracker/",
        f"/api/coordination-requests/{process['id']}/tracker.csv",
    ):
        assert outsider.get(path).status_code == 404, path
    assert outsider.post(f"/api/coordination-requests/{process['id']}/remind/").status_code == 404
    assert (
        outsider.post(f"/api/tasks/{mapl_task.pk}/complete/", {"action": "respond"}).status_code
        == 404
    )


def test_a_late_recipient_is_reminded_and_escalated_then_the_request_closes(api_as, rule) -> None:  # type: ignore[no-untyped-def]
    zkp = api_as("zkp.coordinator")
    process = sent(zkp, due_on=due_in(1))
    mf = api_as("mf.comms")
    task = respond_task(mf, process["id"])
    assert (
        mf.post(
            f"/api/tasks/{task['id']}/complete/",
            {"action": "respond", "data": {"answer": "Gati."}},
            format="json",
        ).status_code
        == 200
    )
    # Nobody is late yet: reminding nobody is refused, naming an unanswered one is not.
    nobody = zkp.post(f"/api/coordination-requests/{process['id']}/remind/", {}, format="json")
    assert nobody.status_code == 400, nobody.content
    named = zkp.post(
        f"/api/coordination-requests/{process['id']}/remind/",
        {"institutions": ["MAPL"]},
        format="json",
    )
    assert named.status_code == 200, named.content
    # The MAPL clock: reminded before, overdue after the due day, escalated to the minister role.
    clock = Deadline.objects.get(process_id=process["id"], completed_at__isnull=True)
    member("mapl.comms", "MAPL", "communications_officer")
    member("mapl.minister", "MAPL", "minister")
    sweep(now=clock.due_at - timedelta(hours=23))
    assert told("mapl.comms", "reminder")
    sweep(now=clock.due_at + timedelta(minutes=5))
    assert told("mapl.comms", "overdue")
    sweep(now=clock.due_at + timedelta(hours=25))
    assert told("mapl.minister", "escalation")
    assert not told("mf.minister", "escalation")
    clock.refresh_from_db()
    assert clock.state == "overdue" and clock.escalated_at is not None

    # Days later (the due date has passed): the tracker says who is late, and remind with no
    # names reaches the late one only.
    row = CoordinationProcess.objects.get(pk=process["id"])
    row.data["due_on"] = (timezone.localdate() - timedelta(days=1)).isoformat()
    row.save(update_fields=["data"])
    tracker = zkp.get(f"/api/coordination-requests/{process['id']}/tracker/").json()
    assert {r["institution"]: r["status"] for r in tracker["responses"]} == {
        "MAPL": "overdue",
        "MF": "answered",
    }
    assert tracker["counts"]["overdue"] == 1
    before = len(told("mapl.comms", "reminder"))
    late = zkp.post(f"/api/coordination-requests/{process['id']}/remind/", {}, format="json")
    assert late.status_code == 200, late.content
    assert len(told("mapl.comms", "reminder")) == before + 1
    assert not told("mf.comms", "reminder")
    reminded = AuditEntry.objects.filter(action="coordination.reminded").order_by("seq")
    assert [entry.object_type for entry in reminded] == ["coordination.response"] * 2
    assert {r["institution"]: r["reminders"] for r in late.json()["responses"]}["MAPL"] == 2
    # Close: the open task is cancelled, its clock stops, the process is done.
    closed = zkp.post(f"/api/coordination-requests/{process['id']}/close/", {}, format="json")
    assert closed.status_code == 200, closed.content
    assert closed.json()["closed"] is True
    detail = zkp.get(f"/api/processes/{process['id']}/").json()
    assert detail["status"] == "done"
    assert Task.objects.get(process_id=process["id"], data__institution="MAPL").status == "CANCELED"
    clock.refresh_from_db()
    assert clock.paused_at is not None and clock.next_check_at is None
    # Closed again: a conflict, not a 500.
    again = zkp.post(f"/api/coordination-requests/{process['id']}/close/", {}, format="json")
    assert again.status_code == 409
    # Nothing left in MAPL's inbox.
    assert not [
        t
        for t in api_as("mapl.comms").get("/api/inbox/").json()["results"]
        if t["process_id"] == process["id"]
    ]


def test_who_may_send_and_bad_input(api_as, rule, demo) -> None:  # type: ignore[no-untyped-def]
    # The Office for Community Affairs sends to a list of codes; a head of a municipality too.
    zck = api_as("zck.officer")
    process = sent(zck, recipients=["KLLOKOT", "prishtine"])
    assert process["institution"] == "ZKM"
    assert sorted(process["data"]["recipients"]) == ["KLLOKOT", "PRISHTINE"]
    assert respond_task(api_as("kllokot.info"), process["id"])["institution"] == "KLLOKOT"
    mayor = sent(api_as("prishtine.mayor"), recipients={"kind": "municipality"})
    assert "PRISHTINE" not in mayor["data"]["recipients"]  # never its own recipient
    # Not a sender: 403 (an information officer; an auditor).
    for username in ("kllokot.info", "auditor", "sq.secretary"):
        refused = api_as(username).post(
            "/api/processes/coordination-request/",
            {"title": "x", "text": "y", "recipients": ["MF"], "due_on": due_in(3)},
            format="json",
        )
        assert refused.status_code == 403, (username, refused.content)
    bad: list[dict[str, Any]] = [
        {"recipients": ["NOPE"]},
        {"recipients": []},
        {"recipients": {"kind": "planet"}},
        {"recipients": "MF"},
        {"recipients": [1, 2]},
        {"due_on": "2001-01-01"},
        {"due_on": "9999-12-31"},
        {"due_on": "tomorrow"},
        {"title": ""},
        {"text": ""},
        {"title": "x" * 501},
        {"documents": ["a"]},
        {"recipients": ["ZKM"]},  # the sender's own
    ]
    zkp = api_as("zkp.coordinator")
    for fields in bad:
        body = {"title": "T", "text": "X", "recipients": ["MF"], "due_on": due_in(3), **fields}
        response = zkp.post("/api/processes/coordination-request/", body, format="json")
        assert response.status_code == 400, (fields, response.content)
        assert "error" in response.json()
    # A respond without an answer, or with a comment (seen by all): 400.
    process = sent(zkp, recipients=["MF"])
    mf = api_as("mf.comms")
    task = respond_task(mf, process["id"])
    for payload in (
        {"action": "respond", "data": {}},
        {"action": "respond", "data": {"answer": "ok", "documents": "x"}},
        {"action": "respond", "data": {"answer": "ok", "documents": [999999]}},
        {"action": "respond", "comment": "shihet nga të gjithë", "data": {"answer": "ok"}},
        {"action": "answer", "data": {"answer": "ok"}},
    ):
        response = mf.post(f"/api/tasks/{task['id']}/complete/", payload, format="json")
        assert response.status_code == 400, (payload, response.content)
    # The minister may answer for the ministry too (the escalation reaches someone who can act).
    minister = api_as("mf.minister")
    response = minister.post(
        f"/api/tasks/{task['id']}/complete/",
        {"action": "respond", "data": {"answer": "Nga ministri."}},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert (
        User.objects.get(username="mf.minister").pk
        == Response.objects.get(process_id=process["id"]).answered_by_id
    )
    assert timezone.now()


def test_search_finds_the_request_for_its_recipients_and_never_an_answer(api_as, rule) -> None:  # type: ignore[no-untyped-def]
    from django.test import override_settings

    from search import backends
    from search.outbox import drain

    with override_settings(SEARCH_BACKEND="database"):
        backends._instances.pop("database", None)
        process = sent(
            api_as("zkp.coordinator"), title="Pyetësori për zhvillimin rural", recipients=["MF"]
        )
        mf = api_as("mf.comms")
        task = respond_task(mf, process["id"])
        answer = "Gjetjet konfidenciale: subvencionet bujqësore"
        assert (
            mf.post(
                f"/api/tasks/{task['id']}/complete/",
                {"action": "respond", "data": {"answer": answer}},
                format="json",
            ).status_code
            == 200
        )
        drain()
        found = mf.get("/api/search/", {"q": "zhvillimin rural"}).json()
        assert [r["id"] for r in found["results"] if r["object_type"] == "process"] == [
            process["id"]
        ]
        # Answers are never indexed: nobody finds one by its words (nor sees it in a snippet).
        for username in ("zkp.coordinator", "mf.comms", "kllokot.info"):
            body = api_as(username).get("/api/search/", {"q": "subvencionet"}).json()
            assert body["count"] == 0, (username, body)
        outsider = api_as("kllokot.info").get("/api/search/", {"q": "zhvillimin rural"}).json()
        assert outsider["count"] == 0


def test_an_acting_official_sends_for_the_coordinator(api_as, rule) -> None:  # type: ignore[no-untyped-def]
    from roles import services as roles_services

    now = timezone.now()
    roles_services.delegation_create(
        actor=User.objects.get(username="admin"),
        principal=User.objects.get(username="zkp.coordinator"),
        deputy=User.objects.get(username="sq.secretary"),
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=2),
        reason="Pushim",
    )
    deputy = api_as("sq.secretary")
    deputy.credentials(
        HTTP_AUTHORIZATION=deputy._credentials["HTTP_AUTHORIZATION"],
        HTTP_X_ON_BEHALF_OF="zkp.coordinator",
    )
    process = sent(deputy, recipients=["MF"])
    started = AuditEntry.objects.get(object_id=str(process["id"]), action="process.started")
    assert (started.actor, started.on_behalf_of) == ("sq.secretary", "zkp.coordinator")
    # The acting official follows it up for the coordinator too.
    closed = deputy.post(f"/api/coordination-requests/{process['id']}/close/", {}, format="json")
    assert closed.status_code == 200, closed.content


def test_the_senders_head_withdraws_a_request_and_the_unanswered_close(api_as, rule) -> None:  # type: ignore[no-untyped-def]
    member("mapl.comms", "MAPL", "communications_officer")
    zkp = api_as("zkp.coordinator")
    process = sent(zkp, title="Kërkesë e tërhequr")
    mapl = api_as("mapl.comms")
    assert respond_task(mapl, process["id"])["institution"] == "MAPL"
    mf = api_as("mf.comms")
    task = respond_task(mf, process["id"])
    assert (
        mf.post(
            f"/api/tasks/{task['id']}/complete/",
            {"action": "respond", "data": {"answer": "Gati."}},
            format="json",
        ).status_code
        == 200
    )
    url = f"/api/processes/{process['id']}/cancel/"
    # A recipient sees the request but does not withdraw it; nor does the coordinator who
    # sent it: the head of the sending institution does.
    assert mf.post(url, {"reason": "Jo."}, format="json").status_code == 403
    assert zkp.post(url, {"reason": "Jo."}, format="json").status_code == 403
    withdrawn = api_as("sq.secretary").post(url, {"reason": "U zgjidh ndryshe."}, format="json")
    assert withdrawn.status_code == 200, withdrawn.content
    assert withdrawn.json()["status"] == "canceled"
    assert withdrawn.json()["data"]["cancellation"]["unanswered"] == ["MAPL"]
    statuses = dict(
        Response.objects.filter(process_id=process["id"]).values_list("institution__code", "status")
    )
    assert statuses == {"MAPL": "closed", "MF": "answered"}
    # MAPL's task and clock stop; its inbox no longer holds the request.
    states = dict(
        Deadline.objects.filter(process_id=process["id"]).values_list("institution__code", "state")
    )
    assert states == {"MAPL": "canceled", "MF": "met"}
    inbox = mapl.get("/api/inbox/").json()["results"]
    assert process["id"] not in [t["process_id"] for t in inbox]
