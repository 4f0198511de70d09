"""The portal's complaint pages (no account) and the officials' statistics page."""

import re

import pytest
from django.conf import settings
from django.test import Client

from complaints.models import Complaint

from .steps import submitted

FORM = {
    "institution": "KLLOKOT",
    "topic": "water_irrigation",
    "text": "Kanali i ujitjes është i bllokuar.",
    "location": "Mogillë",
    "email": "",
    "name": "",
    "phone": "",
}


@pytest.mark.django_db
def test_submit_shows_the_receipt_once_then_tracks(demo) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    page = client.get("/portal/complaints/?institution=KLLOKOT")
    assert page.status_code == 200
    assert b"Uji dhe ujitja" in page.content  # the chosen municipality's topics
    chosen = client.post("/portal/complaints/", {"institution": "PRISHTINE", "choose": "1"})
    assert chosen.status_code == 200 and b"water_irrigation" in chosen.content

    response = client.post("/portal/complaints/", FORM)
    assert response.status_code == 302 and response["Location"] == "/portal/complaints/receipt/"
    receipt = client.get("/portal/complaints/receipt/")
    assert receipt.status_code == 200 and receipt["Cache-Control"] == "no-store"
    complaint = Complaint.objects.get()
    html = receipt.content.decode()
    assert complaint.registration_number in html
    code = re.search(r'id="tracking-code"[^>]*>([^<]+)<', html).group(1)  # type: ignore[union-attr]
    assert len(code) >= 27
    # Shown once: the receipt is gone on the next visit.
    assert client.get("/portal/complaints/receipt/").status_code == 302

    tracked = Client().get("/portal/complaints/track/", {"code": code})
    assert tracked.status_code == 200
    assert complaint.registration_number in tracked.content.decode()
    missing = Client().get("/portal/complaints/track/", {"code": code[:-2]})
    assert missing.status_code == 404 and b"track-not-found" in missing.content
    assert Client().get("/portal/complaints/track/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"text": "<script>x</script>"},
        {"text": ""},
        {"topic": "nope"},
        {"institution": "MF"},
        {"email": "not-an-address"},
        {"text": "y" * 5001},
    ],
)
def test_bad_forms_are_400_with_the_reason(demo, fields) -> None:  # type: ignore[no-untyped-def]
    response = Client().post("/portal/complaints/", {**FORM, **fields})
    assert response.status_code == 400
    assert b'class="error"' in response.content
    assert Complaint.objects.count() == 0


@pytest.mark.django_db
def test_pages_in_serbian_cyrillic(demo) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sr"
    page = client.get("/portal/complaints/?institution=KLLOKOT")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Вода и наводњавање" in html
    assert "Поднесите притужбу или захтев својој општини" in html
    assert 'lang="sr"' in html


@pytest.mark.django_db
def test_statistics_page_for_the_municipalitys_officials(api, demo) -> None:  # type: ignore[no-untyped-def]
    for number in range(3):
        submitted(api, text=f"Kanali {number} i bllokuar.")
    submitted(api, topic="roads", text="Gropë.")
    officials = Client()
    officials.force_login(demo["kllokot.oneshop"])
    page = officials.get("/complaints/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="complaints-by-topic"' in html
    # The most reported topic comes first, marked in text, not by colour alone.
    first_row = html.split('id="complaints-by-topic"')[1].split("<tbody>")[1].split("</tr>")[0]
    assert "▲" in first_row and "Uji dhe ujitja" in first_row and "<strong>3</strong>" in first_row
    assert 'id="complaints-open">4<' in html

    other = Client()
    other.force_login(demo["prishtine.mayor"])
    html = other.get("/complaints/").content.decode()
    assert "Uji dhe ujitja" not in html.split('id="complaints-by-topic"')[1].split("</table>")[0]
    # Another municipality's official may not pick Kllokot: their own figures are shown.
    chosen = other.get("/complaints/?institution=KLLOKOT")
    assert chosen.status_code == 200 and 'id="complaints-open">0<' in chosen.content.decode()

    ministry = Client()
    ministry.force_login(demo["mf.comms"])
    assert ministry.get("/complaints/").status_code == 404
    assert Client().get("/complaints/").status_code == 302  # to the sign-in page
