"""The portal's pages: ask, the receipt shown once, following with the code, the complaint;
in every language, without an account."""

import re
from typing import Any

import pytest
from django.test import Client

from access_requests.models import AccessRequest

from .conftest import complete, inbox_task, public_document

FORM = {
    "institution": "KLLOKOT",
    "description": "Zapisnik sa sednice skupštine od 3. novembra.",
    "requester_name": "Marko Petrović",
    "email": "marko@example.org",
    "format": "electronic",
}


def receipt_code(page: str) -> str:
    match = re.search(r"data-tracking-code>([A-Za-z0-9_-]+)<", page)
    assert match, page
    return match.group(1)


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("sq", "Kërkoni dokumente publike"),
        ("sr-latn", "Zatražite javne dokumente"),
        ("sr", "Затражите јавне документе"),
        ("en", "Ask for public documents"),
    ],
)
def test_form_in_every_language(demo: Any, language: str, heading: str) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    page = client.get("/portal/access-requests/")
    assert page.status_code == 200
    assert heading in page.content.decode()
    assert 'name="viewport"' in page.content.decode()


def test_submit_receipt_once_track_and_download(demo: Any, api_as: Any) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sent = client.post("/portal/access-requests/", FORM)
    assert sent.status_code == 302
    receipt = client.get(sent["Location"])
    assert receipt.status_code == 200
    page = receipt.content.decode()
    code = receipt_code(page)
    record = AccessRequest.objects.get()
    assert record.registration.registration_number in page
    assert "Decision due by" in page
    assert code not in str(AccessRequest.objects.values_list("tracking_digest", flat=True))
    # Shown once: the second look has no code.
    again = client.get(sent["Location"])
    assert again.status_code == 404
    assert code not in again.content.decode()

    # Another browser follows it with the code.
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    wrong = other.post("/portal/access-requests/track/", {"tracking_code": code[:-1] + "x"})
    assert wrong.status_code == 404
    shown = other.post("/portal/access-requests/track/", {"tracking_code": code})
    assert shown.status_code == 200
    assert 'data-status="received"' in shown.content.decode()
    assert "marko@example.org" not in shown.content.decode()

    officer = api_as("kllokot.info")
    task = inbox_task(officer, "decide", record.registration.registration_number)
    document = public_document("KLLOKOT", "kllokot.info", title="Zapisnik 3.11.")
    assert (
        complete(
            officer,
            task["id"],
            "partially_grant",
            documents=[document],
            reasons="Names of citizens are removed.",
            legal_basis="Law No. 06/L-081",
        ).status_code
        == 200
    )
    decided = other.get("/portal/access-requests/track/").content.decode()
    assert 'data-decision="partially_granted"' in decided
    assert "Names of citizens are removed." in decided
    assert f"/portal/access-requests/track/documents/{document}/" in decided
    download = other.get(f"/portal/access-requests/track/documents/{document}/")
    assert download.status_code == 200
    # Without the code in the session, no download.
    assert Client().get(f"/portal/access-requests/track/documents/{document}/").status_code == 404

    # The complaint form, while allowed.
    assert "Complain to the Information and Privacy Agency" in decided
    markup = other.post("/portal/access-requests/track/", {"text": "<b>no</b>"})
    assert markup.status_code == 400
    filed = other.post("/portal/access-requests/track/", {"text": "The names are public."})
    assert filed.status_code == 302
    after = other.get("/portal/access-requests/track/").content.decode()
    assert 'data-status="complaint_open"' in after
    assert "Complain to the Information and Privacy Agency" not in after


def test_bad_input_is_a_form_error_not_a_500(demo: Any) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for changes in (
        {"description": "<script>alert(1)</script>"},
        {"email": "", "postal_address": ""},
        {"urgent": "on", "urgent_reason": ""},
        {"institution": "NOPE"},
        {"description": "x" * 5001},
    ):
        response = client.post("/portal/access-requests/", {**FORM, **changes})
        assert response.status_code == 400, changes
    assert not AccessRequest.objects.exists()
