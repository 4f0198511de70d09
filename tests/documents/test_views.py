"""Document pages: list, upload form and the document's page, each with its permission matrix."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from audit.models import AuditEntry
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


CHANGES = [
    ("versions", lambda: {"file": SimpleUploadedFile("v2.pdf", files.pdf_with_text("Versioni 2"))}),
    ("share", lambda: {"institution": "MAPL"}),
    ("annul", lambda: {"reason": "Regjistruar dy herë"}),
]


@pytest.mark.parametrize(("action", "data"), CHANGES)
@pytest.mark.parametrize(
    ("username", "status"),
    [
        (None, 302),  # to the login page
        ("prishtine.mayor", 404),  # cannot see it
        ("auditor", 403),  # reads everything, changes nothing
        ("kllokot.mayor", 302),  # the owner institution: done, back to the page
    ],
)
def test_the_document_page_changes_matrix(  # type: ignore[no-untyped-def]
    document: Document, action: str, data, username: str | None, status: int
) -> None:
    client = signed_in(username)
    response = client.post(f"/documents/{document.pk}/{action}/", data())
    assert response.status_code == status
    if status == 302 and username:
        assert response["Location"] == f"/documents/{document.pk}/"
    document.refresh_from_db()
    changed = (
        document.versions.count() == 2,
        signed_in("mapl.legal").get(f"/documents/{document.pk}/").status_code == 200,
        document.registration.annulled_at is not None,
    )[[name for name, _ in CHANGES].index(action)]
    assert changed is (username == "kllokot.mayor")
    assert client.get(f"/documents/{document.pk}/{action}/").status_code in (302, 404, 405)


def test_the_owner_adds_a_version_shares_and_annuls_from_the_page(document: Document) -> None:
    client = signed_in("kllokot.info")
    page = client.get(f"/documents/{document.pk}/", HTTP_ACCEPT_LANGUAGE="sq").content.decode()
    for form in ("version-form", "share-form", "annul-form"):
        assert f'id="{form}"' in page
    # Readers see no forms: the shared institution and the auditor.
    document_share_to("MAPL", document)
    for reader in ("mapl.legal", "auditor"):
        other = signed_in(reader).get(f"/documents/{document.pk}/").content.decode()
        assert 'id="version-form"' not in other and 'id="annul-form"' not in other

    refused = client.post(
        f"/documents/{document.pk}/versions/",
        {"file": SimpleUploadedFile("v2.pdf", files.html_page())},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 400 and document.versions.count() == 1
    assert "not accepted" in refused.content.decode()
    added = client.post(
        f"/documents/{document.pk}/versions/",
        {"file": SimpleUploadedFile("v2.pdf", files.pdf_with_text("Versioni i dytë"))},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="sq",
    )
    assert "U shtua versioni 2." in added.content.decode()
    assert document.versions.count() == 2

    unknown = client.post(f"/documents/{document.pk}/share/", {"institution": "NOPE"})
    own = client.post(f"/documents/{document.pk}/share/", {"institution": "KLLOKOT"})
    assert unknown.status_code == own.status_code == 400
    client.post(f"/documents/{document.pk}/share/", {"institution": "PRISHTINE"})
    assert signed_in("prishtine.mayor").get(f"/documents/{document.pk}/").status_code == 200

    blank = client.post(f"/documents/{document.pk}/annul/", {"reason": "   "})
    assert blank.status_code == 400
    document.registration.refresh_from_db()
    assert document.registration.annulled_at is None
    annulled = client.post(
        f"/documents/{document.pk}/annul/", {"reason": "Regjistruar gabimisht"}, follow=True
    )
    page = annulled.content.decode()
    assert "Regjistruar gabimisht" in page and 'id="version-form"' not in page
    again = client.post(
        f"/documents/{document.pk}/annul/", {"reason": "sërish"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert again.status_code == 409 and "already annulled" in again.content.decode()
    actions = AuditEntry.objects.filter(object_id=str(document.pk)).values_list("action", flat=True)
    assert {"document.version_added", "document.shared", "document.annulled"} <= set(actions)


def document_share_to(code: str, document: Document) -> None:
    services.document_share(
        actor=document.created_by,
        document=document,
        institution=Institution.objects.get(code=code),
    )


@pytest.mark.parametrize(
    ("language", "pdf", "docx"),
    [("en", "PDF", "Word document"), ("sq", "PDF", "Dokument Word"), ("sr", "ПДФ", "Ворд")],
)
def test_the_version_table_names_the_file_kind_not_its_type_code(
    document: Document, demo: dict[str, User], language: str, pdf: str, docx: str
) -> None:
    """Given a document whose first version is a PDF and whose second a Word file, its page
    names each version's kind in the reader's language, and no type code."""
    content = files.docx(["Vendimi për rrugët lokale, i korrigjuar"])
    services.document_version_add(
        actor=demo["kllokot.assembly"],
        document=document,
        upload=SimpleUploadedFile("rruget.docx", content),
        filename="rruget.docx",
        size=len(content),
    )
    client = signed_in("kllokot.mayor")
    page = client.get(f"/documents/{document.pk}/", HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    cells = [
        cell.strip()
        for cell in re.findall(r"<td>([^<]*)</td>", page.content.decode().split('id="versions"')[1])
    ]
    assert pdf in cells and any(docx in cell for cell in cells), cells
    assert "application/" not in page.content.decode()
