"""The officials' pages for access requests: the information officer registers a request
received on paper, orally or by e-mail and hands over the receipt (its tracking code shown
once); the requester's details show on the process page to the deciding institution's members
only. Everyone else: a 404 (the registration page, the process page) or nothing shown."""

import re
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from access_requests.models import AccessRequest, Channel
from roles.models import User

from .conftest import complete, inbox_task, tracked

FORM = {
    "channel": "paper",
    "description": "Procesverbali i seancës së kuvendit të 3 nëntorit",
    "requester_name": "Agim Berisha",
    "email": "",
    "postal_address": "Rruga e Kishës 4, Kllokot",
    "format": "paper",
    "urgent_reason": "",
}
# What only the deciding institution reads on the process page.
CONTACT = ("Agim Berisha", "Rruga e Kishës 4, Kllokot")


def signed_in(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.get(username=username))
    return client


def registered(client: Client, **fields: Any) -> tuple[str, int]:
    """Register through the page; (tracking code, process id) from the receipt, shown once."""
    form = {**FORM, "received_on": timezone.localdate().isoformat(), **fields}
    response = client.post("/access_requests/", form)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert response["Location"] == "/access_requests/receipt/"
    receipt = client.get("/access_requests/receipt/")
    assert receipt.status_code == 200 and receipt["Cache-Control"] == "no-store"
    html = receipt.content.decode()
    code = re.search(r"data-tracking-code>([^<]+)<", html).group(1)  # type: ignore[union-attr]
    process_id = int(re.search(r'href="/work/processes/(\d+)/"', html).group(1))  # type: ignore[union-attr]
    # Shown once: the next visit is the registration page again, without the code.
    again = client.get("/access_requests/receipt/")
    assert again.status_code == 302 and again["Location"] == "/access_requests/"
    return code, process_id


def test_the_information_officer_registers_a_paper_request(
    demo: Any, api: Any, api_as: Any
) -> None:
    officer = signed_in("kllokot.info")
    page = officer.get("/access_requests/")
    assert page.status_code == 200
    for field in ("channel", "received_on", "description", "requester_name", "postal_address"):
        assert f'name="{field}"' in page.content.decode()
    assert 'href="/access_requests/"' in officer.get("/work/").content.decode()  # in the menu

    code, process_id = registered(officer)
    record = AccessRequest.objects.get(process_id=process_id)
    assert (record.institution.code, record.requester_name) == ("KLLOKOT", "Agim Berisha")
    assert record.process.data["channel"] == Channel.PAPER
    assert record.process.created_by is not None
    assert record.process.created_by.username == "kllokot.info"
    # The requester follows it with the code handed over; the officer decides it as any other.
    view = tracked(api, code)
    assert (view["status"], view["registration_number"]) == (
        "received",
        record.registration.registration_number,
    )
    task = inbox_task(api_as("kllokot.info"), "decide", view["registration_number"])
    assert task["process_id"] == process_id


def test_who_may_register_and_who_reads_the_requester(demo: Any, api_as: Any) -> None:
    # Only those whose role registers requests (the information officers) have the page.
    for username in ("kllokot.mayor", "kllokot.assembly", "auditor", "aip.officer"):
        client = signed_in(username)
        assert client.get("/access_requests/").status_code == 404, username
        assert client.post("/access_requests/", FORM).status_code == 404, username
        assert 'href="/access_requests/"' not in client.get("/work/").content.decode(), username
    assert AccessRequest.objects.count() == 0
    # An officer elsewhere registers for their own institution, never for another.
    _, elsewhere = registered(signed_in("prishtine.info"))
    assert AccessRequest.objects.get(process_id=elsewhere).institution.code == "PRISHTINE"

    officer = signed_in("kllokot.info")
    _, process_id = registered(officer)
    page = f"/work/processes/{process_id}/"
    shown = officer.get(page).content.decode()
    assert all(value in shown for value in CONTACT)
    # The deciding institution's other members read them too (they answer the requester).
    assert all(value in signed_in("kllokot.mayor").get(page).content.decode() for value in CONTACT)
    # Another institution does not see the request at all; whoever else sees it (the auditor)
    # sees no contact; the task page never shows it.
    for outsider in ("prishtine.info", "mf.info", "aip.officer"):
        assert signed_in(outsider).get(page).status_code == 404, outsider
    audited = signed_in("auditor").get(page)
    assert not any(value in audited.content.decode() for value in CONTACT)
    task = inbox_task(api_as("kllokot.info"), "decide", "")
    assert not any(
        value in officer.get(f"/work/tasks/{task['id']}/").content.decode() for value in CONTACT
    )
    # After a transfer the new deciding institution reads them, the first one no longer.
    assert (
        complete(api_as("kllokot.info"), task["id"], "transfer", institution="MF").status_code
        == 200
    )
    assert all(value in signed_in("mf.info").get(page).content.decode() for value in CONTACT)
    after = officer.get(page)
    assert after.status_code == 200
    assert not any(value in after.content.decode() for value in CONTACT)


def test_bad_input_is_shown_on_the_form(demo: Any) -> None:
    officer = signed_in("kllokot.info")
    markup = officer.post(
        "/access_requests/",
        {**FORM, "received_on": timezone.localdate().isoformat(), "description": "<b>x</b>"},
    )
    assert markup.status_code == 400
    assert "Write plain text, without HTML or markup." in markup.content.decode()
    no_address = officer.post(
        "/access_requests/",
        {**FORM, "received_on": timezone.localdate().isoformat(), "postal_address": ""},
    )
    assert no_address.status_code == 400
    tomorrow = timezone.localdate() + timedelta(days=1)
    future = officer.post("/access_requests/", {**FORM, "received_on": tomorrow.isoformat()})
    assert future.status_code == 400
    assert AccessRequest.objects.count() == 0
    # Without a registration to show, the receipt page is the registration page.
    assert officer.get("/access_requests/receipt/").status_code == 302


def test_the_request_reads_in_the_readers_language(demo: Any, api_as: Any) -> None:
    """The title is what is asked for (the page names the process type in the reader's
    language), and the decision's actions are labelled, partial grant included."""
    officer = signed_in("kllokot.info")
    _, process_id = registered(officer, description="Procesverbali  i seancës\nsë kuvendit")
    record = AccessRequest.objects.get(process_id=process_id)
    assert record.process.title == "Procesverbali i seancës së kuvendit"
    task = inbox_task(api_as("kllokot.info"), "decide", record.registration.registration_number)
    labels = {
        "sq": ("Jep qasje pjesërisht", "Qasja në dokumente publike"),
        "sr": ("Делимично одобри приступ", "Приступ јавним документима"),
        "sr-Latn": ("Delimično odobri pristup", "Pristup javnim dokumentima"),
        "en": ("Grant access in part", "Access to public documents"),
    }
    for language, (partial, process_type) in labels.items():
        reader = Client(HTTP_ACCEPT_LANGUAGE=language)
        reader.force_login(User.objects.get(username="kllokot.info"))
        page = reader.get(f"/work/tasks/{task['id']}/").content.decode()
        assert partial in page and ">partially_grant<" not in page, language
        shown = reader.get(f"/work/processes/{process_id}/").content.decode()
        assert process_type in shown and "Access request:" not in shown, language


def test_titles_written_with_the_type_lose_it(demo: Any) -> None:
    """Requests registered before: the migration makes the title what is asked for."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("access_requests.migrations.0004_titles_without_type")
    _, process_id = registered(signed_in("kllokot.info"))
    record = AccessRequest.objects.get(process_id=process_id)
    record.process.title = "Kërkesë për qasje: Procesverbali"
    record.process.save(update_fields=["title"])
    migration.titles_without_type(apps, None)
    record.process.refresh_from_db()
    assert record.process.title == FORM["description"]
