"""The operators' page: staff see the queues, the last sweep, drain and audit verification,
failed extractions and overdue clocks; everybody else gets 404 (or the sign-in page)."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from audit.tasks import verify_audit_chain
from deadlines.models import Deadline
from deadlines.tasks import sweep_deadlines
from documents.models import DocumentVersion
from roles.models import User
from search.tasks import drain_search_outbox

pytestmark = pytest.mark.django_db

PAGE = "/operations/"


def page_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def cell(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(td|p)>', html, re.S)
    assert match, element_id
    return re.sub(r"\s+", " ", match.group(1)).strip()


def test_only_staff_see_the_page(demo: dict[str, User]) -> None:
    anonymous = Client().get(PAGE)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    for username in ["kllokot.mayor", "auditor", "zkp.coordinator", "mapl.registry"]:
        assert page_for(demo[username]).get(PAGE).status_code == 404, username
    staff = User.objects.create_user(username="operator", password="x-long-pass", is_staff=True)
    assert page_for(staff).get(PAGE).status_code == 200
    assert page_for(demo["admin"]).get(PAGE).status_code == 200
    assert page_for(staff).post(PAGE).status_code == 405
    albanian = page_for(staff).get(PAGE, HTTP_ACCEPT_LANGUAGE="sq").content.decode()
    assert "Operimet" in albanian and "Detyra në sfond në pritje" in albanian
    cyrillic = page_for(staff).get(PAGE, HTTP_ACCEPT_LANGUAGE="sr").content.decode()
    assert "Провера рокова" in cyrillic


def test_the_page_shows_what_the_background_work_is_doing(api_as, demo: dict[str, User]) -> None:  # type: ignore[no-untyped-def]
    admin = page_for(demo["admin"])
    html = admin.get(PAGE).content.decode()
    assert "never" in cell(html, "last-sweep") and "late" in cell(html, "last-sweep")
    assert "never" in cell(html, "last-drain")
    assert "never" in cell(html, "last-verification")
    assert cell(html, "outbox-count") == "0"
    assert cell(html, "broker-queue").isdigit()
    assert "0 clocks past their due time" in cell(html, "overdue-total")

    # Work arrives: a document whose text could not be read, a press statement whose approval
    # is overdue, changes waiting for the index.
    official = api_as("kllokot.info")
    uploaded = official.post(
        "/api/documents/",
        {"title": "Njoftim", "kind": "other", "file": SimpleUploadedFile("n.txt", b"Njoftim.")},
        format="multipart",
    )
    assert uploaded.status_code == 201
    DocumentVersion.objects.filter(document_id=uploaded.json()["id"]).update(
        text_status="failed", text_error="unreadable scan"
    )
    started = official.post(
        "/api/processes/press-statement/",
        {"title": "Njoftim për shtyp", "text_sq": "Teksti.", "text_sr": "Tekst."},
        format="json",
    )
    assert started.status_code == 201, started.content
    past = timezone.now() - timedelta(days=2)
    assert Deadline.objects.update(due_at=past, due_soon_at=past - timedelta(hours=1)) >= 1
    html = admin.get(PAGE).content.decode()
    assert int(cell(html, "outbox-count")) >= 1
    assert "failed: <strong>1</strong>" in cell(html, "extraction-counts")
    assert "unreadable scan" in html
    assert "1 clock past its due time" in cell(html, "overdue-total")
    assert "KLLOKOT" in html.split('id="overdue-by-institution"')[1]

    # The background jobs run.
    sweep_deadlines()
    drain_search_outbox()
    assert verify_audit_chain()
    html = admin.get(PAGE).content.decode()
    assert "late" not in cell(html, "last-sweep") and "never" not in cell(html, "last-sweep")
    assert "late" not in cell(html, "last-drain")
    assert re.search(r"intact, \d+ entries", cell(html, "last-verification"))
    assert cell(html, "outbox-count") == "0"
