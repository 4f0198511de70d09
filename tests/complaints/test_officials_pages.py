"""The one-stop shop's pages: a walk-in or a phone complaint registered on behalf of the
citizen, with the receipt (its tracking code shown once); the complainant's contact shows on the
complaint's process page to the municipality's own officials only. Everyone else: a 404 (the
registration page, the process page) or nothing shown."""

import re
from typing import Any

import pytest
from django.test import Client

from complaints.models import Complaint, ComplaintContact
from roles.models import User

from .steps import task_of, tracked

FORM = {
    "channel": "phone",
    "topic": "roads",
    "text": "Gropa të mëdha në rrugën për Mogillë.",
    "location": "Mogillë",
    "name": "Agim Berisha",
    "email": "",
    "phone": "+383 44 123 456",
}
CONTACT = ("Agim Berisha", "+383 44 123 456")


def signed_in(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.get(username=username))
    return client


def registered(client: Client, **fields: Any) -> tuple[str, int]:
    """Register through the page; (tracking code, complaint id) from the receipt, shown once."""
    response = client.post("/complaints/register/", {**FORM, **fields})
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert response["Location"] == "/complaints/receipt/"
    receipt = client.get("/complaints/receipt/")
    assert receipt.status_code == 200 and receipt["Cache-Control"] == "no-store"
    html = receipt.content.decode()
    code = re.search(r'id="tracking-code"[^>]*>([^<]+)<', html).group(1)  # type: ignore[union-attr]
    complaint_id = int(re.search(r'href="/work/processes/(\d+)/"', html).group(1))  # type: ignore[union-attr]
    again = client.get("/complaints/receipt/")
    assert again.status_code == 302 and again["Location"] == "/complaints/register/"
    return code, complaint_id


@pytest.mark.django_db
def test_the_one_stop_shop_registers_a_phone_call(demo: Any, api: Any, api_as: Any) -> None:
    shop = signed_in("kllokot.oneshop")
    dashboard = shop.get("/complaints/").content.decode()
    assert 'href="/complaints/register/"' in dashboard
    page = shop.get("/complaints/register/")
    assert page.status_code == 200
    assert "Roads" in page.content.decode()  # the municipality's topics

    code, complaint_id = registered(shop)
    complaint = Complaint.objects.get(pk=complaint_id)
    assert (complaint.institution.code, complaint.channel, complaint.topic.code) == (
        "KLLOKOT",
        "phone",
        "roads",
    )
    contact = ComplaintContact.objects.get(complaint=complaint)
    assert (contact.name, contact.phone) == CONTACT
    # The citizen follows it with the code; the one-stop shop routes it as any other.
    view = tracked(api, code)
    assert (view["status"], view["registration_number"]) == (
        "received",
        complaint.registration_number,
    )
    assert task_of(api_as("kllokot.oneshop"), complaint.registration_number, "route")


@pytest.mark.django_db
def test_who_may_register_and_who_reads_the_contact(demo: Any) -> None:
    # Only the one-stop shop registers; not the unit's officers, the mayor, other institutions.
    for username in ("kllokot.mayor", "kllokot.services", "prishtine.info", "auditor"):
        client = signed_in(username)
        assert client.get("/complaints/register/").status_code == 404, username
        assert client.post("/complaints/register/", FORM).status_code == 404, username
    assert Complaint.objects.count() == 0
    assert (
        'href="/complaints/register/"'
        not in signed_in("kllokot.mayor").get("/complaints/").content.decode()
    )

    _, complaint_id = registered(signed_in("kllokot.oneshop"))
    page = f"/work/processes/{complaint_id}/"
    # The municipality's officials read the contact, to answer the citizen.
    for insider in ("kllokot.oneshop", "kllokot.services", "kllokot.mayor"):
        shown = signed_in(insider).get(page)
        assert shown.status_code == 200, insider
        assert all(value in shown.content.decode() for value in CONTACT), insider
    # Another institution does not see the complaint at all; whoever else sees it (the
    # auditor) sees no contact.
    for outsider in ("prishtine.mayor", "prishtine.info", "mf.info"):
        assert signed_in(outsider).get(page).status_code == 404, outsider
    audited = signed_in("auditor").get(page)
    assert not any(value in audited.content.decode() for value in CONTACT)


@pytest.mark.django_db
def test_anonymous_walk_in_and_bad_input(demo: Any) -> None:
    shop = signed_in("kllokot.oneshop")
    _, complaint_id = registered(shop, channel="walk_in", name="", phone="")
    assert not ComplaintContact.objects.filter(complaint_id=complaint_id).exists()
    assert Complaint.objects.get(pk=complaint_id).channel == "walk_in"

    markup = shop.post("/complaints/register/", {**FORM, "text": "<b>Gropa</b>"})
    assert markup.status_code == 400
    assert "Write plain text, without HTML or markup." in markup.content.decode()
    portal = shop.post("/complaints/register/", {**FORM, "channel": "portal"})
    assert portal.status_code == 400
    other_topic = shop.post("/complaints/register/", {**FORM, "topic": "nope"})
    assert other_topic.status_code == 400
    assert Complaint.objects.count() == 1
    assert shop.get("/complaints/receipt/").status_code == 302


@pytest.mark.django_db
def test_the_topic_and_its_clock_read_in_the_readers_language(demo: Any) -> None:
    """The process page names the topic (data, in three languages), never its code, and the
    answer clock's start in words."""
    _, complaint_id = registered(signed_in("kllokot.oneshop"), topic="water_irrigation")
    names = {
        "sq": ("Uji dhe ujitja", "Regjistruar, tema: Uji dhe ujitja"),
        "sr": ("Вода и наводњавање", "Регистровано, тема: Вода и наводњавање"),
        "sr-Latn": ("Voda i navodnjavanje", "Registrovano, tema: Voda i navodnjavanje"),
        "en": ("Water and irrigation", "Registered, topic: Water and irrigation"),
    }
    for language, (topic, basis) in names.items():
        reader = Client(HTTP_ACCEPT_LANGUAGE=language)
        reader.force_login(User.objects.get(username="kllokot.mayor"))
        shown = reader.get(f"/work/processes/{complaint_id}/").content.decode()
        assert topic in shown and basis in shown, language
        assert "water_irrigation" not in shown, language
    # The one-stop shop's buttons by their labels.
    from viewflow.workflow.models import Task

    task = Task.objects.get(process_id=complaint_id, flow_task_type="HUMAN", finished__isnull=True)
    reader = Client(HTTP_ACCEPT_LANGUAGE="sq")
    reader.force_login(User.objects.get(username="kllokot.oneshop"))
    shown = reader.get(f"/work/tasks/{task.pk}/").content.decode()
    assert "Dërgoje te njësia" in shown and "Lidhe me një ankesë të mëparshme" in shown
    assert '">route<' not in shown and ">link<" not in shown
