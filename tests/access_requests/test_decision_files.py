"""The decision's page takes the documents to release as the assembly decision's steps take
theirs: the picker of what the deciding institution may send on, and upload slots registered
in its own book; the API's `data.documents` (ids) works as before."""

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from access_requests.models import AccessRequestProcess
from documents.models import Document
from documents.services import document_share
from roles.models import Institution, User
from tests.documents import files

from .conftest import complete, inbox_task, public_document, submitted

pytestmark = pytest.mark.django_db


def signed_in(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=username, password="demo")
    return client


def page_text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def decide_task(api_as: Any, username: str = "kllokot.info", **fields: Any) -> dict[str, Any]:
    request = submitted(api_as(None), **fields)
    return inbox_task(api_as(username), "decide", request["registration_number"])


def test_the_decision_page_releases_picked_and_uploaded_documents(demo: Any, api_as: Any) -> None:
    """Given a request, when the information officer picks a registered contract and uploads
    the annex on the decision's page and grants access, then both are released, the annex
    registered in Kllokot's book; no field asks for document numbers any more."""
    contract = public_document("KLLOKOT", "kllokot.info")
    foreign = public_document("PRISHTINE", "prishtine.info", "Ugovor Prishtine")
    task = decide_task(api_as)
    officer = signed_in("kllokot.info")
    page = officer.get(f"/work/tasks/{task['id']}/")
    html = page_text(page)
    assert page.status_code == 200
    assert "Documents to release" in html and "(ids)" not in html
    assert 'name="data-documents"' not in html
    assert f'name="files-documents" value="{contract}"' in html
    assert f'value="{foreign}"' not in html  # another institution's, never offered
    assert 'data-picker-source="/documents/picker/?institution=KLLOKOT"' in html
    assert 'type="file" name="upload-1-file"' in html and 'enctype="multipart/form-data"' in html

    # Another institution's document slipped into the form is the picker's error.
    refused = officer.post(
        f"/work/tasks/{task['id']}/",
        {"action": "grant", "files-shown": "True", "files-documents": [foreign]},
    )
    assert refused.status_code == 422
    assert f"No document {foreign} among those you may attach" in page_text(refused)

    # Nothing picked: the flow's words are on the picker.
    empty = officer.post(f"/work/tasks/{task['id']}/", {"action": "grant", "files-shown": "True"})
    assert empty.status_code == 422
    assert re.search(r'id="id_files-documents".*Name the documents to release\.', page_text(empty))

    annex = files.pdf_with_text("Aneks ugovora")
    granted = officer.post(
        f"/work/tasks/{task['id']}/",
        {
            "action": "grant",
            "files-shown": "True",
            "files-documents": [contract],
            "upload-1-file": SimpleUploadedFile("aneks.pdf", annex, "application/pdf"),
            "upload-1-title": "Aneks ugovora",
            "upload-1-language": "sr",
        },
    )
    assert granted.status_code == 302, page_text(granted)[-2000:]
    uploaded = Document.objects.get(title="Aneks ugovora")
    assert (uploaded.institution.code, uploaded.kind, uploaded.language) == (
        "KLLOKOT",
        "other",
        "sr",
    )
    process = AccessRequestProcess.objects.get(pk=task["process_id"])
    assert process.decision == "granted"
    assert sorted(process.released_documents) == sorted([contract, uploaded.pk])


def test_after_a_transfer_the_holder_uploads_into_its_own_book(demo: Any, api_as: Any) -> None:
    task = decide_task(api_as)
    response = complete(api_as("kllokot.info"), task["id"], "transfer", institution="PRISHTINE")
    assert response.status_code == 200, response.content
    request = AccessRequestProcess.objects.get(pk=task["process_id"])
    held = inbox_task(api_as("prishtine.info"), "decide", request.registration_number)
    officer = signed_in("prishtine.info")
    page = officer.get(f"/work/tasks/{held['id']}/")
    assert 'data-picker-source="/documents/picker/?institution=PRISHTINE"' in page_text(page)
    granted = officer.post(
        f"/work/tasks/{held['id']}/",
        {
            "action": "grant",
            "files-shown": "True",
            "upload-1-file": SimpleUploadedFile(
                "pergjigja.pdf", files.pdf_with_text("Kontrata"), "application/pdf"
            ),
            "upload-1-title": "Kontrata e kërkuar",
        },
    )
    assert granted.status_code == 302, page_text(granted)[-2000:]
    uploaded = Document.objects.get(title="Kontrata e kërkuar")
    assert uploaded.institution.code == "PRISHTINE"
    request.refresh_from_db()
    assert request.released_documents == [uploaded.pk]


def test_the_api_still_takes_document_ids(demo: Any, api_as: Any) -> None:
    contract = public_document("KLLOKOT", "kllokot.info")
    task = decide_task(api_as)
    response = complete(api_as("kllokot.info"), task["id"], "grant", documents=[contract])
    assert response.status_code == 200, response.content
    assert AccessRequestProcess.objects.get(pk=task["process_id"]).released_documents == [contract]


def test_the_api_releases_only_what_the_institution_may_send_on(demo: Any, api_as: Any) -> None:
    """Given a Prishtinë document shared with Kllokot without its consent to send it on, when
    Kllokot's officer grants access with it over the API, then the grant is refused as the page's
    picker refuses it (400, the shared error shape) and nothing is released; with Prishtinë's
    consent on record, the same grant goes through."""
    received = public_document("PRISHTINE", "prishtine.info", "Ugovor Prishtine")
    document = Document.objects.get(pk=received)
    document_share(
        actor=User.objects.get(username="prishtine.info"),
        document=document,
        institution=Institution.objects.get(code="KLLOKOT"),
    )
    task = decide_task(api_as)
    officer = api_as("kllokot.info")
    officer.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert officer.get(f"/api/documents/{received}/").status_code == 200  # readable

    refused = complete(officer, task["id"], "grant", documents=[received])
    assert refused.status_code == 400, refused.content
    error = refused.json()["error"]
    assert error["code"] == "invalid"
    assert error["details"]["data.documents"] == [
        "Release only documents your institution may send on: its own, or another's whose "
        f"owner consented ({received})."
    ]
    process = AccessRequestProcess.objects.get(pk=task["process_id"])
    assert not process.decision and not process.released_documents
    assert not process.documents.filter(pk=received).exists()

    document_share(
        actor=User.objects.get(username="prishtine.info"),
        document=document,
        institution=Institution.objects.get(code="KLLOKOT"),
        may_forward=True,
    )
    granted = complete(officer, task["id"], "grant", documents=[received])
    assert granted.status_code == 200, granted.content
    process.refresh_from_db()
    assert process.released_documents == [received]
