"""Files in place on the officials' pages: uploads inside the start and task forms registered
through the documents' service, the picker of what the official may attach, a new version
from the reconsideration step, and the preview of PDFs, images and text — and what another
institution's official can do with any of it (nothing)."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from audit.models import AuditEntry
from documents.models import Document
from documents.tasks import extract_version_text
from roles.models import User
from tests.documents import files
from workflows.models import CoordinationProcess

from .steps import completed, decision_text, decision_transmitted, open_task

TODAY = timezone.localdate()
NEW_DECISION = "/work/processes/new/assembly-decision/"


def client_for(username: str, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert client.login(username=username, password="demo")
    return client


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def pdf(name: str, words: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, files.pdf_with_text(words), "application/pdf")


def start_fields(**extra: Any) -> dict[str, Any]:
    return {"title": "Vendimi për ujësjellësin", "adopted_on": str(TODAY), **extra}


def picker_ids(response: Any, name: str = "documents") -> set[int]:
    return {
        int(pk) for pk in re.findall(rf'name="{name}" value="(\d+)"', response.content.decode())
    }


@pytest.mark.django_db
def test_a_decision_started_with_its_two_texts_uploaded_in_the_form(
    demo: dict[str, User],
) -> None:
    office = client_for("kllokot.assembly")
    page = office.get(NEW_DECISION)
    assert 'type="file" name="upload-1-file"' in text(page)
    assert 'enctype="multipart/form-data"' in text(page)
    response = office.post(
        NEW_DECISION,
        start_fields(
            **{
                "upload-1-file": pdf("vendimi-sq.pdf", "Vendimi per ujesjellesin"),
                "upload-1-language": "sq",
                "upload-2-file": pdf("odluka-sr.pdf", "Odluka o vodovodu"),
                "upload-2-language": "sr",
                "upload-2-title": "Odluka o vodovodu",
            }
        ),
    )
    assert response.status_code == 302, text(response)[-3000:]
    process = CoordinationProcess.objects.get(title="Vendimi për ujësjellësin")
    documents = list(process.documents.order_by("language"))
    assert [(d.language, d.kind, d.institution.code) for d in documents] == [
        ("sq", "decision", "KLLOKOT"),
        ("sr", "decision", "KLLOKOT"),
    ]
    assert documents[0].title == "vendimi-sq" and documents[1].title == "Odluka o vodovodu"
    assert all(d.registration_number.startswith("KLLOKOT-") for d in documents)
    assert documents[0].versions.get().mime_type == "application/pdf"
    registered = AuditEntry.objects.filter(action="document.registered", actor="kllokot.assembly")
    assert registered.count() == 2
    # The chair signs it off: both texts are there.
    chair = client_for("kllokot.chair")
    task = process.task_set.get(flow_task__endswith=".approve")
    assert chair.post(f"/work/tasks/{task.pk}/", {"action": "approve"}).status_code == 302


@pytest.mark.django_db
def test_a_refused_upload_says_why_in_the_users_language_and_registers_nothing(
    demo: dict[str, User],
) -> None:
    office = client_for("kllokot.assembly", "sq")
    before = Document.objects.count()
    response = office.post(
        NEW_DECISION,
        start_fields(
            **{"upload-1-file": SimpleUploadedFile("shenime.txt", files.html_page(), "text/plain")}
        ),
    )
    assert response.status_code == 400
    body = text(response)
    assert 'id="upload-1"' in body and "nuk pranohet" in body, body[-3000:]
    assert "text/html" not in body and "text/plain" not in body
    assert Document.objects.count() == before
    assert not CoordinationProcess.objects.filter(title="Vendimi për ujësjellësin").exists()

    # A file whose name says another type: named in words, no type code either.
    response = office.post(
        NEW_DECISION,
        start_fields(
            **{"upload-1-file": SimpleUploadedFile("vendimi.txt", files.pdf_with_text("x"))}
        ),
    )
    assert response.status_code == 400
    assert "application/pdf" not in text(response) and "PDF" in text(response)

    # A good first file and a refused second: neither is registered.
    response = office.post(
        NEW_DECISION,
        start_fields(
            **{
                "upload-1-file": pdf("vendimi.pdf", "Vendimi"),
                "upload-2-file": SimpleUploadedFile("odluka.txt", files.html_page()),
                "upload-2-title": "Odluka",
            }
        ),
    )
    assert response.status_code == 400
    assert 'id="upload-2"' in text(response)
    assert Document.objects.count() == before

    # A title the book refuses (a control character): its field's error, nothing registered.
    response = office.post(
        NEW_DECISION,
        start_fields(
            **{"upload-1-file": pdf("vendimi.pdf", "Vendimi"), "upload-1-title": "Vendimi\x07"}
        ),
    )
    assert response.status_code == 400
    assert Document.objects.count() == before


@pytest.mark.django_db
def test_the_picker_lists_only_what_the_official_may_attach_once_each(
    demo: dict[str, User], api_as: Any
) -> None:
    kllokot, prishtine = api_as("kllokot.assembly"), api_as("prishtine.assembly")
    own = decision_text(kllokot, "sq", "Vendimi i vjetër")
    copy = decision_text(kllokot, "sq", "Kopja e vendimit")  # the same bytes again
    other = decision_text(prishtine, "sq", "Vendimi i Prishtinës")
    assert Document.objects.get(pk=copy).versions.get().duplicate_of is not None

    office = client_for("kllokot.assembly")
    listed = picker_ids(office.get(NEW_DECISION))
    assert own in listed and copy not in listed and other not in listed

    # Another institution's document posted by its id: the form's error, nothing started.
    response = office.post(NEW_DECISION, start_fields(documents=[own, other]))
    assert response.status_code == 400
    assert f"No document {other} among those you may attach" in text(response)
    assert not CoordinationProcess.objects.filter(title="Vendimi për ujësjellësin").exists()

    response = office.post(NEW_DECISION, start_fields(documents=[own]))
    assert response.status_code == 302
    process = CoordinationProcess.objects.get(title="Vendimi për ujësjellësin")
    assert list(process.documents.values_list("pk", flat=True)) == [own]


@pytest.mark.django_db
def test_a_registered_upload_stays_chosen_when_the_flow_refuses_the_start(
    demo: dict[str, User],
) -> None:
    office = client_for("kllokot.assembly")
    tomorrow = str(TODAY + timedelta(days=1))  # the flow refuses a decision from the future
    response = office.post(
        NEW_DECISION,
        start_fields(adopted_on=tomorrow, **{"upload-1-file": pdf("v.pdf", "Vendimi")}),
    )
    assert response.status_code == 400
    document = Document.objects.get(title="v")
    body = text(response)
    assert f'name="documents" value="{document.pk}"' in body
    assert re.search(rf'value="{document.pk}"[^>]*checked', body), body[-3000:]
    assert f"Registered as {document.registration_number}." in body


def api_process(api_as: Any, process_id: int) -> dict[str, Any]:
    response = api_as("kllokot.assembly").get(f"/api/processes/{process_id}/")
    assert response.status_code == 200, response.content
    return dict(response.json())


def reconsideration(
    api_as: Any, adopted_on: str = str(TODAY - timedelta(days=2))
) -> tuple[dict[str, Any], int]:
    """A decision MAPL returned for reconsideration, and its text's document."""
    process = decision_transmitted(api_as, adopted_on=adopted_on)
    process = completed(
        api_as("mapl.registry"), open_task(process, "acknowledge")["id"], "acknowledge"
    )
    process = completed(
        api_as("mapl.legal"),
        open_task(process, "review")["id"],
        "reconsider",
        reasons="Neni 5 bie ndesh me ligjin.",
    )
    [text_id] = [
        pk
        for pk in CoordinationProcess.objects.get(pk=process["id"]).documents.values_list(
            "pk", flat=True
        )
        if Document.objects.get(pk=pk).kind == "decision"
    ]
    return process, text_id


@pytest.mark.django_db
def test_the_reconsideration_takes_a_new_version_of_the_decisions_text(
    demo: dict[str, User], api_as: Any
) -> None:
    process, text_id = reconsideration(api_as)
    task = open_task(process, "reconsider")
    office = client_for("kllokot.assembly")
    page = text(office.get(f"/work/tasks/{task['id']}/"))
    assert 'name="version-version_of"' in page and f'<option value="{text_id}"' in page
    assert re.search(rf'name="files-documents" value="{text_id}"[^>]*checked', page)

    corrected = SimpleUploadedFile("vendimi-2.txt", b"Vendimi i ndryshuar.")
    response = office.post(
        f"/work/tasks/{task['id']}/",
        {
            "action": "submit",
            "data-adopted_on": str(TODAY),
            "files-shown": "True",
            "files-documents": [text_id],
            "version-version_of": text_id,
            "version-version_file": corrected,
        },
    )
    assert response.status_code == 302, re.findall(r'role="alert">(.{0,300})', text(response))
    document = Document.objects.get(pk=text_id)
    assert document.versions.count() == 2
    assert AuditEntry.objects.filter(
        action="document.version_added", object_id=str(text_id)
    ).exists()
    assert CoordinationProcess.objects.filter(pk=process["id"], documents=document).exists()

    # MAPL's legal reviewer, who may read the decision, reads it on the page.
    again = CoordinationProcess.objects.get(pk=process["id"])
    assert again.task_set.filter(flow_task__endswith=".approve", status="NEW").exists()


@pytest.mark.django_db
def test_the_new_adoption_date_is_asked_for_not_prefilled(
    demo: dict[str, User], api_as: Any
) -> None:
    """Adopted, transmitted, returned and adopted again on one day: the page must send the date
    the official gives even when it equals the first adoption's, so the field starts empty."""
    process, _text_id = reconsideration(api_as, adopted_on=str(TODAY))
    task = open_task(process, "reconsider")
    office = client_for("kllokot.assembly")
    field = re.search(
        r'<input[^>]*name="data-adopted_on"[^>]*>', text(office.get(f"/work/tasks/{task['id']}/"))
    )
    assert field and "value=" not in field.group(0), field
    response = office.post(
        f"/work/tasks/{task['id']}/", {"action": "submit", "data-adopted_on": str(TODAY)}
    )
    assert response.status_code == 302, re.findall(r'role="alert">(.{0,300})', text(response))
    assert api_process(api_as, process["id"])["data"]["rounds"][-1]["reconsideration"][
        "adopted_on"
    ] == str(TODAY)


@pytest.mark.django_db
def test_a_version_of_another_institutions_document_is_refused(
    demo: dict[str, User], api_as: Any
) -> None:
    process, text_id = reconsideration(api_as)
    other = decision_text(api_as("prishtine.assembly"), "sq", "Vendimi i Prishtinës")
    task = open_task(process, "reconsider")
    response = client_for("kllokot.assembly").post(
        f"/work/tasks/{task['id']}/",
        {
            "action": "submit",
            "data-adopted_on": str(TODAY),
            "version-version_of": other,
            "version-version_file": SimpleUploadedFile("x.txt", b"Tjeter tekst."),
        },
    )
    assert response.status_code == 422
    assert Document.objects.get(pk=other).versions.count() == 1
    assert Document.objects.get(pk=text_id).versions.count() == 1

    # Nor is it attached by its id posted to the step's picker: the form's error, nothing sent.
    response = client_for("kllokot.assembly").post(
        f"/work/tasks/{task['id']}/",
        {
            "action": "submit",
            "data-adopted_on": str(TODAY),
            "files-shown": "True",
            "files-documents": [text_id, other],
        },
    )
    assert response.status_code == 422
    assert f"No document {other} among those you may attach" in text(response)
    attached = CoordinationProcess.objects.get(pk=process["id"]).documents
    assert other not in set(attached.values_list("pk", flat=True))
    assert open_task(api_process(api_as, process["id"]), "reconsider")["id"] == task["id"]


@pytest.mark.django_db
def test_the_preview_shows_a_pdf_inline_to_those_who_may_read_it_only(
    demo: dict[str, User], api_as: Any
) -> None:
    kllokot = api_as("kllokot.assembly")
    response = kllokot.post(
        "/api/documents/",
        {"title": "Vendimi", "kind": "decision", "file": pdf("vendimi.pdf", "Vendimi")},
        format="multipart",
    )
    document = response.json()["id"]
    office = client_for("kllokot.assembly")
    preview = office.get(f"/documents/{document}/preview/")
    assert preview.status_code == 200
    assert preview["Content-Type"] == "application/pdf"
    assert preview["Content-Disposition"].startswith("inline")
    assert preview["X-Content-Type-Options"] == "nosniff"
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in preview["Content-Security-Policy"]
    assert "script-src" not in preview["Content-Security-Policy"]
    assert b"".join(preview.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]

    page = text(office.get(f"/documents/{document}/"))
    assert f'src="/documents/{document}/preview/?version=1"' in page
    assert 'class="document-preview document-preview--frame"' in page

    # Another institution's official: no preview, no page (404 like everything they may not see).
    stranger = client_for("prishtine.assembly")
    assert stranger.get(f"/documents/{document}/preview/").status_code == 404
    assert stranger.get(f"/documents/{document}/").status_code == 404
    # No such version, a bad one, and a type the browser would not show: 404, never a 500.
    assert office.get(f"/documents/{document}/preview/?version=7").status_code == 404
    assert office.get(f"/documents/{document}/preview/?version=x").status_code == 404
    # An image: shown as an image on its page.
    scan = kllokot.post(
        "/api/documents/",
        {
            "title": "Skanimi",
            "kind": "other",
            "file": SimpleUploadedFile("skanim.png", files.png_with_text("Kllokot")),
        },
        format="multipart",
    ).json()["id"]
    assert f'<img class="document-preview document-preview--image" src="/documents/{scan}/' in (
        text(office.get(f"/documents/{scan}/"))
    )
    assert office.get(f"/documents/{scan}/preview/")["Content-Type"] == "image/png"

    # A text in the Windows encoding of Albanian and Serbian Latin: previewed in it.
    legacy = kllokot.post(
        "/api/documents/",
        {
            "title": "Shënime",
            "kind": "other",
            "file": SimpleUploadedFile(
                "shenime.txt", files.text_in("cp1250", "Odluka o vodovodu, čćžšđ; Çka, ë.")
            ),
        },
        format="multipart",
    ).json()["id"]
    extract_version_text(Document.objects.get(pk=legacy).versions.get().pk)  # after commit
    answer = office.get(f"/documents/{legacy}/preview/")
    assert answer["Content-Type"] == "text/plain; charset=cp1250"
    sheet = kllokot.post(
        "/api/documents/",
        {
            "title": "Tabela",
            "kind": "report",
            "file": SimpleUploadedFile("t.xlsx", files.xlsx([[1]])),
        },
        format="multipart",
    ).json()["id"]
    assert office.get(f"/documents/{sheet}/preview/").status_code == 404


@pytest.mark.django_db
def test_mapls_reviewer_previews_the_decision_on_the_review_page(
    demo: dict[str, User], api_as: Any
) -> None:
    process = decision_transmitted(api_as)
    process = completed(
        api_as("mapl.registry"), open_task(process, "acknowledge")["id"], "acknowledge"
    )
    review = open_task(process, "review")
    [document] = CoordinationProcess.objects.get(pk=process["id"]).documents.filter(kind="decision")
    legal = client_for("mapl.legal")
    page = text(legal.get(f"/work/tasks/{review['id']}/"))
    assert f'src="/documents/{document.pk}/preview/"' in page
    preview = legal.get(f"/documents/{document.pk}/preview/")
    assert preview.status_code == 200 and preview["Content-Type"] == "text/plain; charset=utf-8"
    process_page = text(legal.get(f"/work/processes/{process['id']}/"))
    assert f'src="/documents/{document.pk}/preview/"' in process_page
