"""The officials' pages: the tracker (sender: every answer, remind, close, CSV, printable page;
a recipient: its own part; anyone else: 404) and the communication plans."""

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditEntry
from coordination.models import PlanActivity
from notifications.models import Notification

from .conftest import respond_task, sent

pytestmark = pytest.mark.django_db


def signed_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password="demo")
    return client


def answered(api_as: Any, username: str, process_id: int, answer: str) -> None:
    client = api_as(username)
    task = respond_task(client, process_id)
    response = client.post(
        f"/api/tasks/{task['id']}/complete/",
        {"action": "respond", "data": {"answer": answer}},
        format="json",
    )
    assert response.status_code == 200, response.content


def test_tracker_pages_by_who_is_asking(api_as, rule) -> None:  # type: ignore[no-untyped-def]
    process = sent(api_as("zck.officer"), recipients=["MF", "KLLOKOT", "PRISHTINE"])
    answered(api_as, "mf.comms", process["id"], "Përgjigjja e Financave")
    answered(api_as, "kllokot.info", process["id"], "Odgovor Klokota")
    pk = process["id"]

    sender = signed_in("zck.officer")
    page = sender.get(f"/coordination/requests/{pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Përgjigjja e Financave" in html and "Odgovor Klokota" in html
    assert 'data-institution="PRISHTINE" data-status="open"' in html
    assert 'id="remind-button"' in html
    assert sender.get("/coordination/").status_code == 200
    printable = sender.get(f"/coordination/requests/{pk}/print/")
    assert printable.status_code == 200 and "Odgovor Klokota" in printable.content.decode()
    exported = sender.get(f"/coordination/requests/{pk}/export.csv")
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("text/csv")
    assert "Përgjigjja e Financave" in exported.content.decode()

    # A recipient: its own answer only, no buttons.
    recipient = signed_in("kllokot.info")
    html = recipient.get(f"/coordination/requests/{pk}/").content.decode()
    assert "Odgovor Klokota" in html
    assert "Përgjigjja e Financave" not in html and 'data-institution="MF"' not in html
    assert 'id="remind-button"' not in html
    assert (
        "Përgjigjja e Financave"
        not in recipient.get(f"/coordination/requests/{pk}/print/").content.decode()
    )
    # ... and its remind is refused on the page, without any effect.
    recipient.post(f"/coordination/requests/{pk}/remind/", {"institution": "PRISHTINE"})
    assert not AuditEntry.objects.filter(action="coordination.reminded").exists()

    # Anyone else: 404 on every page and action.
    outsider = signed_in("mapl.registry")
    for path in ("", "print/", "export.csv"):
        assert outsider.get(f"/coordination/requests/{pk}/{path}").status_code == 404, path
    for path in ("remind/", "close/"):
        assert outsider.post(f"/coordination/requests/{pk}/{path}").status_code == 404, path
    assert outsider.get("/coordination/requests/999999/").status_code == 404

    # The sender reminds the one ticked, then closes.
    reminded = sender.post(f"/coordination/requests/{pk}/remind/", {"institution": "PRISHTINE"})
    assert reminded.status_code == 302
    assert Notification.objects.filter(
        user__username="prishtine.info", kind="reminder", process_id=pk
    ).exists()
    nobody = sender.post(f"/coordination/requests/{pk}/remind/", follow=True)
    assert nobody.status_code == 200  # nobody late: a message, not an error page
    assert sender.post(f"/coordination/requests/{pk}/close/").status_code == 302
    html = sender.get(f"/coordination/requests/{pk}/").content.decode()
    assert 'id="request-closed"' in html and 'id="remind-button"' not in html
    again = sender.post(f"/coordination/requests/{pk}/close/", follow=True)
    assert again.status_code == 200


def test_plan_pages(api_as) -> None:  # type: ignore[no-untyped-def]
    keeper = signed_in("mf.comms")
    year = timezone.localdate().year
    created = keeper.post("/coordination/plans/", {"year": year, "title": "Plani"})
    assert created.status_code == 302
    plan_url = created["Location"]
    added = keeper.post(
        plan_url,
        {"add": "1", "goal": "Qëllimi", "activity": "Fushata", "due_on": "2020-01-01"},
    )
    assert added.status_code == 302
    activity = PlanActivity.objects.get()
    html = keeper.get(plan_url).content.decode()
    assert "Fushata" in html and "activity-late" in html
    marked = keeper.post(plan_url, {"activity": activity.pk, "progress": "done"})
    assert marked.status_code == 302
    activity.refresh_from_db()
    assert activity.progress == "done" and activity.completed_on == timezone.localdate()
    # Bad input: the form says so (no error page).
    bad = keeper.post(plan_url, {"add": "1", "goal": "", "activity": "x", "due_on": "x"})
    assert bad.status_code == 200
    assert keeper.post("/coordination/plans/", {"year": year}).status_code == 200  # exists
    # The centre sees it in its list; MAPL and a municipality get 404.
    assert "Fushata" in signed_in("zkp.coordinator").get(plan_url).content.decode()
    assert signed_in("zkp.coordinator").get("/coordination/plans/").status_code == 200
    for username in ("mapl.registry", "kllokot.mayor"):
        assert signed_in(username).get(plan_url).status_code == 404
        assert signed_in(username).post(plan_url, {"activity": activity.pk}).status_code == 404
    # Seen but not kept: a refusal on the form, nothing changed.
    refused = signed_in("zkp.coordinator").post(
        plan_url, {"activity": activity.pk, "progress": "planned"}
    )
    assert refused.status_code == 200
    activity.refresh_from_db()
    assert activity.progress == "done"


def test_the_tracker_speaks_the_three_languages_and_the_dashboard_counts_its_clocks(
    api_as, rule
) -> None:  # type: ignore[no-untyped-def]
    process = sent(api_as("zkp.coordinator"), recipients=["MF", "KLLOKOT"])
    answered(api_as, "mf.comms", process["id"], "Gati")
    sender = signed_in("zkp.coordinator")
    url = f"/coordination/requests/{process['id']}/"
    for language, words in (
        ("sq", ("Përgjigjet", "Eksporto CSV", "1 nga 2 u përgjigjën")),
        ("sr-latn", ("Odgovori", "Izvezi CSV", "1 od 2 odgovorilo")),
        ("sr", ("Одговори", "Извези", "1 од 2 одговорило")),
        ("en", ("Answers", "Export CSV", "1 of 2 answered")),
    ):
        html = sender.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        for word in words:
            assert word in html, (language, word)
    # The deadlines dashboard counts the request's clocks, one per recipient.
    figures = api_as("zkp.coordinator").get("/api/deadlines/dashboard/").json()
    rows = {
        (row["institution"], row["process_type"]): row
        for row in figures["by_institution"]
        if row["process_type"] == "coordination_request"
    }
    assert rows[("MF", "coordination_request")]["met"] == 1
    assert rows[("KLLOKOT", "coordination_request")]["open"] == 1
    # A recipient's dashboard: its own clock among them.
    own = api_as("kllokot.info").get("/api/deadlines/dashboard/").json()
    assert ("KLLOKOT", "coordination_request") in {
        (row["institution"], row["process_type"]) for row in own["by_institution"]
    }


def test_a_recipient_answers_on_its_task_page(api_as, rule) -> None:  # type: ignore[no-untyped-def]
    from coordination.models import Response

    process = sent(api_as("zkp.coordinator"), recipients=["MF", "KLLOKOT"])
    task = respond_task(api_as("kllokot.info"), process["id"])
    page = signed_in("kllokot.info")
    form = page.get(f"/work/tasks/{task['id']}/")
    assert form.status_code == 200
    assert 'name="data-answer"' in form.content.decode()
    # A comment would be seen by every recipient: refused on the form, nothing recorded.
    refused = page.post(
        f"/work/tasks/{task['id']}/",
        {"action": "respond", "comment": "për të gjithë", "data-answer": "Po"},
    )
    assert refused.status_code in (200, 422)
    assert "fushën e përgjigjes" in refused.content.decode()
    done = page.post(
        f"/work/tasks/{task['id']}/", {"action": "respond", "comment": "", "data-answer": "Po, 3"}
    )
    assert done.status_code == 302, done.content[:500]
    response = Response.objects.get(process_id=process["id"], institution__code="KLLOKOT")
    assert (response.status, response.answer) == ("answered", "Po, 3")
    # Another recipient's task page is not found: it cannot answer for it from there.
    other = respond_task(api_as("mf.comms"), process["id"])
    assert (
        signed_in("kllokot.info")
        .post(f"/work/tasks/{other['id']}/", {"action": "respond", "data-answer": "x"})
        .status_code
        == 404
    )
    assert Response.objects.get(process_id=process["id"], institution__code="MF").answer == ""


def test_the_process_page_shows_a_recipient_its_own_part(api_as, rule) -> None:  # type: ignore[no-untyped-def]
    process = sent(api_as("zkp.coordinator"), recipients=["MF", "KLLOKOT", "PRISHTINE"])
    answered(api_as, "mf.comms", process["id"], "Gati nga Financat")
    url = f"/work/processes/{process['id']}/"
    mine = signed_in("kllokot.info").get(url)
    assert mine.status_code == 200
    html = mine.content.decode()
    assert html.count('data-name="respond"') == 1
    assert "Komuna e Kllokotit" in html
    assert "Komuna e Prishtinës" not in html
    assert "mf.comms" not in html and "Kelmendi" not in html
    sender = signed_in("zkp.coordinator").get(url).content.decode()
    assert sender.count('data-name="respond"') == 3
    assert "Komuna e Prishtinës" in sender and "(mf.comms)" in sender
    assert signed_in("mapl.registry").get(url).status_code == 404
