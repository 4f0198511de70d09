"""Complaints end to end: submitted on the portal's API or registered by the one-stop shop,
routed, forwarded, answered, linked — with an outsider's 404 at every step."""

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from audit.models import AuditEntry
from deadlines.models import Deadline
from documents.models import Registration
from notifications.models import Notification
from roles.models import User

from .steps import (
    complete,
    completed,
    inbox,
    statistics_agree,
    submitted,
    task_of,
    tracked,
    unit_officer,
)

OUTSIDERS = ("prishtine.info", "prishtine.mayor", "mf.comms", "mapl.legal")


def assert_blind(api_as, process_id: int, task_ids: list[int]) -> None:  # type: ignore[no-untyped-def]
    """Officials of other institutions neither see nor act on the complaint."""
    for username in OUTSIDERS:
        client = api_as(username)
        assert client.get(f"/api/processes/{process_id}/").status_code == 404, username
        assert process_id not in [t["process_id"] for t in inbox(client)]
        for task_id in task_ids:
            assert client.post(f"/api/tasks/{task_id}/claim/").status_code == 404
            assert complete(client, task_id, "route", unit="public-services").status_code == 404
            assert complete(client, task_id, "answer", answer="x").status_code == 404
        statistics = client.get("/api/complaints/statistics/", {"institution": "KLLOKOT"})
        assert statistics.status_code == 200 and statistics.json()["by_topic"] == []


@pytest.mark.django_db
def test_portal_complaint_routed_answered_and_read_with_the_code(  # type: ignore[no-untyped-def]
    api, api_as, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    oneshop, services = api_as("kllokot.oneshop"), api_as("kllokot.services")
    receipt = submitted(api, email="qytetari@example.org", name="Arben K.", phone="+38344111222")
    code = receipt["tracking_code"]
    assert len(code) >= 27  # 160 random bits, URL-safe
    assert receipt["registration_number"].startswith("KLLOKOT-")
    assert receipt["status"] == "received" and receipt["due_at"]
    assert set(receipt) >= {"tracking_code", "registration_number", "status", "due_at"}
    # Registered in the municipality's book at once, signed by the portal's account.
    registration = Registration.objects.get(registration_number=receipt["registration_number"])
    assert registration.institution.code == "KLLOKOT"

    view = tracked(api, code)
    assert view["status"] == "received" and view["answer"] is None
    assert view["registration_number"] == receipt["registration_number"]
    assert "email" not in str(view) and "Arben" not in str(view)

    # The one-stop shop's inbox, with the topic's answer clock as due date.
    route = task_of(oneshop, receipt["registration_number"], "route")
    assert route["actions"] == ["route", "link"] and route["due_at"]
    process_id = route["process_id"]
    assert inbox(services) == []  # not routed yet: the unit has nothing
    assert_blind(api_as, process_id, [route["id"]])
    # The unit cannot route, the one-stop shop must give a real unit.
    assert complete(services, route["id"], "route", unit="public-services").status_code == 403
    refused = complete(oneshop, route["id"], "route", unit="nowhere")
    assert refused.status_code == 400 and refused.json()["error"]["details"]["unit"]

    process = completed(oneshop, route["id"], "route", unit="public-services")
    assert process["data"]["unit"] == "public-services"
    assert tracked(api, code)["status"] == "routed"

    # The unit's complaints officer has it, with the same due date; nobody else in the
    # municipality acts on it.
    answer = task_of(services, receipt["registration_number"], "answer")
    assert answer["actions"] == ["answer", "forward"] and answer["due_at"] == route["due_at"]
    assert Notification.objects.filter(
        user__username="kllokot.services", kind="assigned", task_id=answer["id"]
    ).exists()
    for username in ("kllokot.oneshop", "kllokot.mayor", "kllokot.info"):
        assert complete(api_as(username), answer["id"], "answer", answer="x").status_code == 403
    assert_blind(api_as, process_id, [route["id"], answer["id"]])
    bad = complete(services, answer["id"], "answer", answer="<b>done</b>")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid"

    with django_capture_on_commit_callbacks(execute=True):
        process = completed(
            services, answer["id"], "answer", answer="Kanali u pastrua më 3 dhjetor."
        )
    assert process["status"] == "done"
    view = tracked(api, code)
    assert view["status"] == "answered"
    assert view["answer"] == "Kanali u pastrua më 3 dhjetor." and view["answered_at"]
    # The answer also went by e-mail, once.
    assert [message.to for message in mail.outbox] == [["qytetari@example.org"]]
    assert "Kanali u pastrua" in mail.outbox[0].body
    # The clock was met; the audit log has every step.
    [clock] = Deadline.objects.filter(process_id=process_id)
    assert clock.state == "met" and clock.rule.code == "complaint-answer-water-irrigation"
    actions = list(
        AuditEntry.objects.filter(object_id=str(process_id))
        .exclude(action__startswith="permission.")
        .values_list("action", flat=True)
    )
    for action in ("process.started", "complaint.registered", "task.completed"):
        assert action in actions
    assert_blind(api_as, process_id, [route["id"], answer["id"]])


@pytest.mark.django_db
def test_forwarded_to_another_unit_which_answers(  # type: ignore[no-untyped-def]
    api, api_as, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    unit_officer("kllokot.roads", "infrastructure")
    oneshop, services, roads = (
        api_as("kllokot.oneshop"),
        api_as("kllokot.services"),
        api_as("kllokot.roads"),
    )
    receipt = submitted(api, topic="roads", text="Gropë e madhe në rrugën kryesore.")
    number = receipt["registration_number"]
    route = task_of(oneshop, number, "route")
    completed(oneshop, route["id"], "route", unit="public-services")
    assert inbox(roads) == []
    answer = task_of(services, number, "answer")
    same = complete(services, answer["id"], "forward", unit="public-services")
    assert same.status_code == 400
    process = completed(services, answer["id"], "forward", unit="infrastructure")
    statistics_agree("kllokot.roads")
    assert process["data"]["unit"] == "infrastructure"
    assert process["data"]["units"] == ["public-services", "infrastructure"]
    assert tracked(api, receipt["tracking_code"])["status"] == "routed"

    # The first unit no longer has it, the second does (with the clock moved along).
    assert inbox(services) == []
    second = task_of(roads, number, "answer")
    assert second["due_at"] == answer["due_at"]
    assert complete(services, second["id"], "answer", answer="x").status_code == 403
    assert_blind(api_as, route["process_id"], [route["id"], answer["id"], second["id"]])
    with django_capture_on_commit_callbacks(execute=True):
        completed(roads, second["id"], "answer", answer="Rruga u rregullua.")
    assert tracked(api, receipt["tracking_code"])["answer"] == "Rruga u rregullua."
    assert mail.outbox == []  # nobody gave an address


@pytest.mark.django_db
def test_same_problem_linked_counted_once_and_told_the_answer(  # type: ignore[no-untyped-def]
    api, api_as, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    oneshop, services = api_as("kllokot.oneshop"), api_as("kllokot.services")
    first = submitted(api)
    second = submitted(api, email="fqinji@example.org", text="Kanali te shkolla nuk rrjedh.")
    first_route = task_of(oneshop, first["registration_number"], "route")
    second_route = task_of(oneshop, second["registration_number"], "route")

    assert complete(oneshop, second_route["id"], "link", complaint=999999).status_code == 400
    own = complete(oneshop, second_route["id"], "link", complaint=second_route["process_id"])
    assert own.status_code == 400
    process = completed(oneshop, second_route["id"], "link", complaint=first_route["process_id"])
    assert process["status"] == "done" and process["data"]["linked_to"] == first_route["process_id"]
    # Its clock stopped; the problem counts once, with two reports.
    assert Deadline.objects.get(process_id=second_route["process_id"]).completed_at
    figures = oneshop.get("/api/complaints/statistics/", {"institution": "KLLOKOT"}).json()
    [water] = [row for row in figures["by_topic"] if row["topic"] == "water_irrigation"]
    assert (water["problems"], water["reports"]) == (1, 2)
    assert figures["open"] == 1
    statistics_agree("kllokot.oneshop")
    dashboard = Client()
    dashboard.force_login(User.objects.get(username="kllokot.oneshop"))
    top = dashboard.get("/complaints/").content.decode().split('id="complaints-top-problems"')[1]
    assert first["registration_number"] in top.split("</table>")[0]

    # The linked complaint follows the problem's own progress and answer.
    assert tracked(api, second["tracking_code"])["status"] == "received"
    completed(oneshop, first_route["id"], "route", unit="public-services")
    assert tracked(api, second["tracking_code"])["status"] == "routed"
    answer = task_of(services, first["registration_number"], "answer")
    with django_capture_on_commit_callbacks(execute=True):
        completed(services, answer["id"], "answer", answer="U pastrua.")
    view = tracked(api, second["tracking_code"])
    assert (view["status"], view["answer"]) == ("answered", "U pastrua.")
    statistics_agree("kllokot.services")
    assert [message.to for message in mail.outbox] == [["fqinji@example.org"]]


@pytest.mark.django_db
def test_walk_in_registered_by_the_one_stop_shop(api, api_as) -> None:  # type: ignore[no-untyped-def]
    oneshop = api_as("kllokot.oneshop")
    response = oneshop.post(
        "/api/processes/complaint/",
        {
            "topic": "public_lighting",
            "text": "Ndriçimi në lagjen e re nuk punon.",
            "channel": "walk_in",
            "phone": "+38349000000",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["type"] == "complaint" and body["institution"] == "KLLOKOT"
    assert body["registration_number"].startswith("KLLOKOT-") and body["tracking_code"]
    assert body["data"]["channel"] == "walk_in"
    assert "38349000000" not in str(body["data"])  # contact details stay out of process data
    assert [task["name"] for task in body["tasks"] if task["status"] == "new"] == ["route"]
    assert tracked(api, body["tracking_code"])["status"] == "received"

    for username in ("kllokot.services", "prishtine.info", "mf.comms"):
        refused = api_as(username).post(
            "/api/processes/complaint/",
            {"topic": "roads", "text": "x", "channel": "phone"},
            format="json",
        )
        assert refused.status_code == 403, username
    wrong_channel = oneshop.post(
        "/api/processes/complaint/",
        {"topic": "roads", "text": "x", "channel": "portal"},
        format="json",
    )
    assert wrong_channel.status_code == 400
    assert api.post("/api/processes/complaint/", {}, format="json").status_code == 401


@pytest.mark.django_db
def test_statistics_make_thirty_irrigation_complaints_stand_out(api, api_as, demo) -> None:  # type: ignore[no-untyped-def]
    for number in range(30):
        submitted(api, text=f"Kanali i ujitjes është i bllokuar, fshati {number}.")
    submitted(api, topic="roads", text="Gropë.")
    submitted(api, topic="waste", text="Mbeturinat nuk janë mbledhur.")
    oneshop, services = api_as("kllokot.oneshop"), api_as("kllokot.services")
    figures = oneshop.get("/api/complaints/statistics/", {"institution": "KLLOKOT"}).json()
    assert set(figures) >= {"by_topic", "by_unit", "by_month", "open", "overdue"}
    assert figures["by_topic"][0]["topic"] == "water_irrigation"
    assert figures["by_topic"][0]["reports"] == 30
    assert figures["by_topic"][0]["names"]["sr"] == "Voda i navodnjavanje"
    assert figures["open"] == 32 and figures["overdue"] == 0
    assert figures["median_answer_days"] is None
    assert sum(row["reports"] for row in figures["by_month"]) == 32

    receipt = submitted(api, topic="roads", text="Ura është e dëmtuar.")
    route = task_of(oneshop, receipt["registration_number"], "route")
    completed(oneshop, route["id"], "route", unit="public-services")
    answer = task_of(services, receipt["registration_number"], "answer")
    completed(services, answer["id"], "answer", answer="U riparua.")
    figures = services.get("/api/complaints/statistics/").json()
    assert figures["median_answer_days"] is not None and figures["median_answer_days"] < 1
    statistics_agree("kllokot.services")
    [unit] = [row for row in figures["by_unit"] if row["unit"] == "public-services"]
    assert unit["problems"] == 1 and unit["open"] == 0
    in_window = services.get(
        "/api/complaints/statistics/", {"date_from": "2000-01-01", "date_to": "2000-12-31"}
    ).json()
    assert in_window["by_topic"] == [] and in_window["open"] == 0

    # An auditor sees every municipality; another municipality's officials see none of it.
    assert api_as("auditor").get("/api/complaints/statistics/").json()["open"] == 32
    assert api_as("prishtine.mayor").get("/api/complaints/statistics/").json()["open"] == 0
    assert api.get("/api/complaints/statistics/").status_code == 401
    bad = oneshop.get("/api/complaints/statistics/", {"date_from": "yesterday"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid"
    assert oneshop.get("/api/complaints/statistics/", {"institution": "MF"}).status_code == 400


@pytest.mark.django_db
def test_overdue_complaints_are_counted(api, api_as, demo) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.utils import timezone

    from complaints.models import Complaint

    receipt = submitted(api)
    complaint = Complaint.objects.get(registration_number=receipt["registration_number"])
    Complaint.objects.filter(pk=complaint.pk).update(due_at=timezone.now() - timedelta(days=1))
    figures = api_as("kllokot.oneshop").get("/api/complaints/statistics/").json()
    assert (figures["open"], figures["overdue"]) == (1, 1)
    assert statistics_agree("kllokot.oneshop")["overdue"] == 1


def _contact_free(value: Any) -> None:
    text = str(value)
    for secret in ("secret.person@example.org", "Vesna Secret", "+381641234567"):
        assert secret not in text


@pytest.mark.django_db
def test_contact_details_never_leave_the_municipality(api, api_as) -> None:  # type: ignore[no-untyped-def]
    receipt = submitted(
        api, email="secret.person@example.org", name="Vesna Secret", phone="+381641234567"
    )
    _contact_free(receipt)
    _contact_free(tracked(api, receipt["tracking_code"]))
    oneshop = api_as("kllokot.oneshop")
    route = task_of(oneshop, receipt["registration_number"], "route")
    _contact_free(oneshop.get(f"/api/processes/{route['process_id']}/").json())
    _contact_free(list(AuditEntry.objects.values_list("data", flat=True)))
    auditor = api_as("auditor")
    _contact_free(auditor.get(f"/api/processes/{route['process_id']}/").json())
    _contact_free(auditor.get("/api/audit/", {"object_id": route["process_id"]}).json())


@pytest.mark.django_db
def test_the_migration_counts_the_complaints_made_before_it(api, api_as) -> None:  # type: ignore[no-untyped-def]
    from importlib import import_module

    from django.apps import apps

    from complaints.models import ComplaintAnswerTime, ComplaintTally

    oneshop, services = api_as("kllokot.oneshop"), api_as("kllokot.services")
    first, second = submitted(api), submitted(api, topic="roads")
    route = task_of(oneshop, first["registration_number"], "route")
    completed(oneshop, route["id"], "route", unit="public-services")
    other = task_of(oneshop, second["registration_number"], "route")
    completed(oneshop, other["id"], "link", complaint=route["process_id"])
    answer = task_of(services, first["registration_number"], "answer")
    completed(services, answer["id"], "answer", answer="U bë.")
    before = statistics_agree("kllokot.oneshop")
    ComplaintTally.objects.all().delete()
    ComplaintAnswerTime.objects.all().delete()
    import_module("complaints.migrations.0003_statistics_kept").backfill(apps, None)
    assert statistics_agree("kllokot.oneshop") == before


@pytest.mark.django_db
def test_withdrawn_by_the_mayor_is_closed_and_no_longer_open(api, api_as) -> None:  # type: ignore[no-untyped-def]
    receipt = submitted(api)
    oneshop = api_as("kllokot.oneshop")
    route = task_of(oneshop, receipt["registration_number"], "route")
    completed(oneshop, route["id"], "route", unit="public-services")
    url = f"/api/processes/{route['process_id']}/cancel/"
    assert api_as("prishtine.mayor").post(url, {"reason": "x"}, format="json").status_code == 404
    assert oneshop.post(url, {"reason": "x"}, format="json").status_code == 403
    response = api_as("kllokot.mayor").post(url, {"reason": "Kërkesë e dyfishtë."}, format="json")
    assert response.status_code == 200, response.content
    assert tracked(api, receipt["tracking_code"])["status"] == "closed"
    assert statistics_agree("kllokot.oneshop")["open"] == 0
