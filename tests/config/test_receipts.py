"""The tracking code shown once (config/receipts.py) serves both processes that hand one out:
the officials' registration on someone's behalf and its receipt, and the portal's receipt, for
access requests and complaints alike — one template each, the code once, no code on a reload,
a 404 for whoever may not register or see the record, and every text in the reader's language."""

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from roles.models import User
from tests.access_requests.test_officials_pages import FORM as REQUEST_FORM
from tests.complaints.test_officials_pages import FORM as COMPLAINT_FORM


@dataclass(frozen=True)
class Registering:
    """One app's officials' pages: where they are, who registers there, what they fill in."""

    register: str
    receipt: str
    session_key: str
    registrar: str
    form: dict[str, str]
    heading: tuple[str, str]  # (English, Albanian)
    outsiders: tuple[str, ...]  # who may not register (404), nor see KLLOKOT's record


ACCESS_REQUESTS = Registering(
    register="/access_requests/",
    receipt="/access_requests/receipt/",
    session_key="access_request_official_receipt",
    registrar="kllokot.info",
    form=REQUEST_FORM,
    heading=("The request is registered", "Kërkesa u regjistrua"),
    outsiders=("kllokot.mayor", "auditor"),
)
COMPLAINTS = Registering(
    register="/complaints/register/",
    receipt="/complaints/receipt/",
    session_key="complaint_official_receipt",
    registrar="kllokot.oneshop",
    form=COMPLAINT_FORM,
    heading=("The complaint is registered", "Ankesa u regjistrua"),
    outsiders=("kllokot.mayor", "prishtine.info"),
)
BOTH = pytest.mark.parametrize("app", [ACCESS_REQUESTS, COMPLAINTS], ids=["access", "complaint"])
CODE = re.compile(r"data-tracking-code>([^<]+)<")


def signed_in(username: str, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(User.objects.get(username=username))
    return client


def templates_of(response: Any) -> set[str]:
    return {template.name for template in response.templates}


def filled(app: Registering) -> dict[str, str]:
    return {**app.form, "received_on": timezone.localdate().isoformat()}


@BOTH
@pytest.mark.django_db
def test_the_officials_register_and_hand_over_the_code_once(
    demo: Any, app: Registering, api: Any
) -> None:
    officer = signed_in(app.registrar)
    page = officer.get(app.register)
    assert page.status_code == 200 and "ui/register.html" in templates_of(page)

    response = officer.post(app.register, filled(app))
    assert (response.status_code, response["Location"]) == (302, app.receipt)
    assert app.session_key in officer.session
    receipt = officer.get(app.receipt)
    assert receipt.status_code == 200 and receipt["Cache-Control"] == "no-store"
    assert "ui/receipt.html" in templates_of(receipt)
    html = receipt.content.decode()
    code = CODE.search(html).group(1)  # type: ignore[union-attr]
    assert len(code) >= 27 and app.heading[0] in html
    assert re.search(r'id="due-date">[^<—]+<', html)  # the due time, never a dash here
    # Once: the session no longer holds it, and the next visit is the registration page.
    assert app.session_key not in officer.session
    again = officer.get(app.receipt)
    assert (again.status_code, again["Location"]) == (302, app.register)
    assert code not in again.content.decode()


@BOTH
@pytest.mark.django_db
def test_who_may_not_register_or_see_the_record_gets_a_404(demo: Any, app: Registering) -> None:
    officer = signed_in(app.registrar)
    assert officer.post(app.register, filled(app)).status_code == 302
    kept = dict(officer.session[app.session_key])
    for username in app.outsiders:
        outsider = signed_in(username)
        assert outsider.get(app.register).status_code == 404, username
        assert outsider.post(app.register, filled(app)).status_code == 404, username
    # A receipt in the session of someone who may not see its record shows nothing.
    elsewhere = signed_in("prishtine.mayor")
    session = elsewhere.session
    session[app.session_key] = kept
    session.save()
    shown = elsewhere.get(app.receipt)
    assert shown.status_code == 404
    assert kept["tracking_code"] not in shown.content.decode()
    # A receipt kept in an older shape is no receipt: the registration page again, not a 500.
    session = officer.session
    session[app.session_key] = {"code": "x"}
    session.save()
    assert officer.get(app.receipt).status_code == 302


@BOTH
@pytest.mark.django_db
def test_a_refusal_shows_on_the_form(demo: Any, app: Registering) -> None:
    field = "description" if app is ACCESS_REQUESTS else "text"
    refused = signed_in(app.registrar).post(app.register, {**filled(app), field: "<b>x</b>"})
    assert refused.status_code == 400 and "ui/register.html" in templates_of(refused)
    assert "Write plain text, without HTML or markup." in refused.content.decode()


@BOTH
@pytest.mark.django_db
def test_the_pages_speak_albanian(demo: Any, app: Registering) -> None:
    officer = signed_in(app.registrar, "sq")
    form = officer.get(app.register).content.decode()
    assert "Regjistro" in form and "librin e protokollit" in form
    officer.post(app.register, filled(app))
    html = officer.get(app.receipt).content.decode()
    assert app.heading[1] in html
    for english in ("Tracking code", "Registration number", "Print the receipt", app.heading[0]):
        assert english not in html, english
    assert "Kodi i ndjekjes" in html and "Shtyp vërtetimin" in html


PORTALS = [
    (
        "/portal/access-requests/",
        "/portal/access-requests/receipt/",
        {
            "institution": "KLLOKOT",
            "description": "Procesverbali i seancës së kuvendit të 3 nëntorit.",
            "requester_name": "Marko Petrović",
            "email": "marko@example.org",
            "format": "electronic",
        },
        "Your request is registered",
        404,  # the page that says the receipt is shown only once
    ),
    (
        "/portal/complaints/",
        "/portal/complaints/receipt/",
        {
            "institution": "KLLOKOT",
            "topic": "water_irrigation",
            "text": "Kanali i ujitjes është i bllokuar.",
            "location": "Mogillë",
        },
        "Your complaint has been registered",
        302,  # to the tracking page
    ),
]


@pytest.mark.parametrize(("submit", "receipt", "form", "heading", "afterwards"), PORTALS)
@pytest.mark.django_db
def test_the_portal_shows_the_code_once(
    demo: Any, submit: str, receipt: str, form: dict[str, str], heading: str, afterwards: int
) -> None:
    cache.clear()  # the public limits start untouched
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en")
    sent = visitor.post(submit, form)
    assert (sent.status_code, sent["Location"]) == (302, receipt)
    shown = visitor.get(receipt)
    assert shown.status_code == 200 and shown["Cache-Control"] == "no-store"
    assert "portal/receipt.html" in templates_of(shown)
    html = shown.content.decode()
    code = CODE.search(html).group(1)  # type: ignore[union-attr]
    assert heading in html and 'id="due-date"' in html
    again = visitor.get(receipt)
    assert again.status_code == afterwards and code not in again.content.decode()
    cache.clear()
