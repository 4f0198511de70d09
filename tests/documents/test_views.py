"""Document pages: list, upload form and the document's page, each with its permission matrix."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from documents import services
from documents.models import Document
from roles.models import Institution, User
from tests.documents import files


def signed_in(username: str | None) -> Client:
    client = Client()
    if username:
        assert client.login(username=username, password="demo")
    return client


@pytest.fixture
def document(demo: dict[str, User]) -> Document:
    content = files.pdf_with_text("Vendimi për rrugët lokale")
    return services.document_create(
        actor=demo["kllokot.assembly"],
        institution=Institution.objects.get(code="KLLOKOT"),
        upload=SimpleUploadedFile("rruget.pdf", content),
        filename="rruget.pdf",
        size=len(content),
        title="Vendimi për rrugët lokale",
        kind="decision",
    )


@pytest.mark.parametrize(
    ("username", "list_shows", "detail"),
    [
        (None, None, 302),
        ("kllokot.mayor", True, 200),
        ("prishtine.mayor", False, 404),
        ("auditor", True, 200),
    ],
)
def test_document_pages_matrix(
    document: Document, username: str | None, list_shows: bool | None, detail: int
) -> None:
    client = signed_in(username)
    listing = client.get("/documents/", HTTP_ACCEPT_LANGUAGE="en")
    if list_shows is None:
        assert listing.status_code == 302 and "login" in listing["Location"]
    else:
        assert listing.status_code == 200
        assert (document.registration_number in listing.content.decode()) is list_shows
    page = client.get(f"/documents/{document.pk}/")
    assert page.status_code == detail
    if detail == 200:
        assert "rruget.pdf" in page.content.decode()


def test_the_upload_form_registers_a_document_and_shows_refusals(demo: dict[str, User]) -> None:
    client = signed_in("prishtine.info")
    assert client.get("/documents/upload/").status_code == 200
    refused = client.post(
        "/documents/upload/",
        {
            "title": "Njoftim",
            "kind": "press_statement",
            "language": "sq",
            "classification": "public",
            "file": SimpleUploadedFile("njoftim.pdf", files.html_page()),
        },
    )
    assert refused.status_code == 400
    assert not Document.objects.exists()
    accepted = client.post(
        "/documents/upload/",
        {
            "title": "Njoftim për shtyp",
            "kind": "press_statement",
            "language": "sq",
            "classification": "public",
            "file": SimpleUploadedFile("njoftim.png", files.png_with_text("Njoftim")),
        },
    )
    document = Document.objects.get()
    assert accepted.status_code == 302
    assert accepted["Location"] == f"/documents/{document.pk}/"
    assert document.institution.code == "PRISHTINE"


def test_the_document_page_previews_the_extracted_text(document: Document) -> None:
    version = document.versions.get()
    version.text, version.text_status = "Vendimi për rrugët lokale", "done"
    version.save(update_fields=["text", "text_status"])
    page = signed_in("kllokot.chair").get(f"/documents/{document.pk}/").content.decode()
    assert 'id="extracted-text"' in page and "rrugët lokale" in page
