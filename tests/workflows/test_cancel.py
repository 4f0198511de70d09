"""Withdrawing a process (issue 27, item 8): `POST /api/processes/{id}/cancel/` by the head of
the institution that started it, with a reason; its waiting steps close, its clocks stop
(neither met nor missed), everyone who had a task is told, the audit log records it."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from viewflow.workflow.timers import fire_due_timers

from audit.models import AuditEntry
from audit.services import audit_verify
from deadlines.models import Deadline, DeadlineEvent
from notifications.models import Notification
from roles import services as roles_services

from .steps import (
    PROCESS_TYPE,
    completed,
    decision_transmitted,
    inbox,
    member,
    open_task,
    statement_drafted,
)
from .test_press_statement import original_archived

pytestmark = pytest.mark.django_db

REASON = "Ngjarja u anulua nga organizatorët."


def cancel(client, process_id: int, reason: str | None = REASON):  # type: ignore[no-untyped-def]
    body = {} if reason is None else {"reason": reason}
    return client.post(f"/api/processes/{process_id}/cancel/", body, format="json")


def drafted(api_as) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return statement_drafted(
        api_as("kllokot.info"),
        "Njoftim: festivali",
        "Festivali mbahet të shtunën.",
        "Festival se održava u subotu.",
    )


def test_the_mayor_withdraws_a_statement_its_step_closes_and_its_clock_stops(api_as) -> None:  # type: ignore[no-untyped-def]
    process = drafted(api_as)
    mayor = api_as("kllokot.mayor")
    approval = open_task(process, "approve")
    [clock] = process["deadlines"]
    assert clock["state"] == "open"

    response = cancel(mayor, process["id"])
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "canceled" and body["finished_at"]
    assert body["data"]["cancellation"]["reason"] == REASON
    assert body["data"]["cancellation"]["by"] == "kllokot.mayor"
    assert body["data"]["cancellation"]["steps"] == ["approve"]
    [step] = [t for t in body["tasks"] if t["id"] == approval["id"]]
    assert step["status"] == "canceled" and step["actions"] == []
    # The clock stopped at the withdrawal, neither met nor missed.
    [clock] = body["deadlines"]
    assert clock["state"] == "canceled" and clock["completed_at"]
    assert DeadlineEvent.objects.filter(deadline_id=clock["id"], kind="canceled").count() == 1
    assert not Deadline.objects.filter(process_id=process["id"], next_check_at__isnull=False)
    # Nothing is left to do; whoever had a task is told why.
    assert inbox(mayor) == []
    assert api_as("kllokot.mayor").post(f"/api/tasks/{approval['id']}/claim/").status_code == 409
    told = Notification.objects.get(user__username="kllokot.info", kind="canceled")
    assert REASON in told.message and told.process_id == process["id"]
    assert not Notification.objects.filter(user__username="kllokot.mayor", kind="canceled")
    entry = AuditEntry.objects.get(
        object_type=PROCESS_TYPE, object_id=str(process["id"]), action="process.canceled"
    )
    assert (entry.actor, entry.data["reason"]) == ("kllokot.mayor", REASON)
    assert audit_verify().ok
    # Withdrawn is final: a second withdrawal is a conflict; the list filters by it.
    again = cancel(mayor, process["id"])
    assert again.status_code == 409 and again.json()["error"]["code"] == "process_done"
    listed = mayor.get("/api/processes/", {"status": "canceled"}).json()["results"]
    assert [p["id"] for p in listed] == [process["id"]]
    assert api_as("auditor").get("/api/deadlines/", {"state": "canceled"}).json()["count"] == 1


def test_only_the_head_of_the_starting_institution_withdraws(api_as) -> None:  # type: ignore[no-untyped-def]
    process = drafted(api_as)
    # Those who see it but do not head the institution: 403; everybody else: 404.
    for username in ("kllokot.info", "kllokot.chair", "auditor"):
        response = cancel(api_as(username), process["id"])
        assert response.status_code == 403, username
    for username in ("prishtine.mayor", "mf.minister", "mapl.registry"):
        assert cancel(api_as(username), process["id"]).status_code == 404, username
    assert cancel(api_as("kllokot.mayor"), 10**12).status_code == 404
    # A reason is required.
    for reason in (None, "", "   "):
        response = cancel(api_as("kllokot.mayor"), process["id"], reason)
        assert response.status_code == 400 and "reason" in response.json()["error"]["details"]
    assert api_as("kllokot.mayor").get(f"/api/processes/{process['id']}/").json()["status"] == (
        "active"
    )


def test_a_finished_process_is_not_withdrawn(api_as) -> None:  # type: ignore[no-untyped-def]
    process = drafted(api_as)
    mayor = api_as("kllokot.mayor")
    process = completed(mayor, open_task(process, "approve")["id"], "approve")
    process = original_archived(api_as, process)
    assert process["status"] == "done"
    response = cancel(mayor, process["id"])
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "process_done"


def test_an_acting_official_withdraws_for_the_mayor(api_as, demo) -> None:  # type: ignore[no-untyped-def]
    deputy = member("kllokot.deputy", "KLLOKOT", "officer")
    process = drafted(api_as)
    assert cancel(api_as("kllokot.deputy"), process["id"]).status_code == 403  # sees, not head
    mayor = demo["kllokot.mayor"]
    roles_services.delegation_create(
        actor=mayor,
        principal=mayor,
        deputy=deputy,
        starts_at=timezone.now() - timedelta(minutes=1),
        ends_at=timezone.now() + timedelta(days=7),
        reason="Pushim vjetor",
    )
    body = cancel(api_as("kllokot.deputy"), process["id"]).json()
    assert body["status"] == "canceled"
    assert body["data"]["cancellation"]["on_behalf_of"] == "kllokot.mayor"
    entry = AuditEntry.objects.get(object_id=str(process["id"]), action="process.canceled")
    assert (entry.actor, entry.on_behalf_of) == ("kllokot.deputy", "kllokot.mayor")
    # The mayor did not do it: told like everyone who had the task.
    assert Notification.objects.filter(user__username="kllokot.mayor", kind="canceled").exists()


def test_an_approved_statement_is_held_back_before_its_embargo(api_as, api, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    embargo = timezone.now() + timedelta(hours=3)
    response = api_as("kllokot.info").post(
        "/api/processes/press-statement/",
        {
            "title": "Njoftim: buxheti",
            "text_sq": "Buxheti miratohet.",
            "text_sr": "Budžet je usvojen.",
            "embargo_until": embargo.isoformat(),
        },
        format="json",
    )
    process = response.json()
    mayor = api_as("kllokot.mayor")
    process = completed(mayor, open_task(process, "approve")["id"], "approve")
    assert process["status"] == "active"  # waiting for the embargo
    body = cancel(mayor, process["id"], "Shifrat ndryshuan.").json()
    assert body["status"] == "canceled"
    assert body["data"]["cancellation"]["withdrawn_before_embargo"] is True
    later = embargo + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert fire_due_timers() == 0
    assert api.get("/api/public/press-statements/").json()["count"] == 0


def test_a_decision_sent_to_mapl_is_withdrawn_by_the_mayor_and_mapl_is_told(api_as) -> None:  # type: ignore[no-untyped-def]
    process = decision_transmitted(api_as)
    registry = api_as("mapl.registry")
    assert open_task(process, "acknowledge")
    # MAPL sees it but did not start it.
    assert cancel(registry, process["id"]).status_code == 403
    assert cancel(api_as("kllokot.assembly"), process["id"]).status_code == 403
    body = cancel(api_as("kllokot.mayor"), process["id"]).json()
    assert body["status"] == "canceled"
    assert inbox(registry) == []
    told = set(
        Notification.objects.filter(kind="canceled", process_id=process["id"]).values_list(
            "user__username", flat=True
        )
    )
    assert told == {"kllokot.assembly", "kllokot.chair", "mapl.registry"}
    states = {d["rule"]: d["state"] for d in body["deadlines"]}
    assert states["assembly-decision-to-mapl"] == "met"  # stopped clocks keep their verdict


def test_the_process_page_shows_the_withdrawal(api_as, demo) -> None:  # type: ignore[no-untyped-def]
    process = drafted(api_as)
    cancel(api_as("kllokot.mayor"), process["id"])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(demo["kllokot.info"])
    page = client.get(f"/work/processes/{process['id']}/").content.decode()
    assert "canceled" in page and REASON in page
    assert "kllokot.mayor" in page
