"""The returned consultation's page takes the draft's documents as the assembly decision's
revision takes its texts: the picker with the draft's documents chosen, and upload slots; the
API's `data.documents` (ids) sets them too."""

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from documents.models import Document
from tests.documents import files
from tests.workflows.steps import completed, inbox
from workflows.models import CoordinationProcess

from .steps import started, upload

pytestmark = pytest.mark.django_db

DRAFT = ("title", "summary_sq", "summary_sr", "closes_at")


def shown(html: str, field: str) -> str:
    """The value the page's form shows for the field (an input's or a text area's)."""
    found = re.search(
        rf'name="data-{field}"[^>]*?(?:value="([^"]*)"[^>]*>|>([^<]*)</textarea>)', html
    )
    assert found, field
    return (found.group(1) or found.group(2) or "").strip()


def signed_in(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=username, password="demo")
    return client


def page_text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def returned(api_as: Any, document: int) -> tuple[dict[str, Any], dict[str, Any]]:
    officer, mayor = api_as("kllokot.info"), api_as("kllokot.mayor")
    process = started(officer, documents=[document])
    [approval] = [t for t in inbox(mayor) if t["process_id"] == process["id"]]
    completed(mayor, approval["id"], "return", "Shtoni hartën e linjave.")
    [revision] = [t for t in inbox(officer) if t["process_id"] == process["id"]]
    assert revision["name"] == "revise"
    return process, revision


def test_the_revision_page_keeps_the_draft_and_adds_an_upload(demo: Any, api_as: Any) -> None:
    draft = upload(api_as("kllokot.info"), "Projekti i linjave")
    process, revision = returned(api_as, draft)
    officer = signed_in("kllokot.info")
    page = officer.get(f"/work/tasks/{revision['id']}/")
    html = page_text(page)
    assert re.search(rf'name="files-documents" value="{draft}"[^>]*checked', html)
    assert 'type="file" name="upload-1-file"' in html

    response = officer.post(
        f"/work/tasks/{revision['id']}/",
        {
            "action": "submit",
            # The draft's texts as the page shows them (unchanged).
            **{f"data-{field}": shown(html, field) for field in DRAFT},
            "files-shown": "True",
            "files-documents": [draft],
            "upload-1-file": SimpleUploadedFile(
                "harta.pdf", files.pdf_with_text("Harta e linjave"), "application/pdf"
            ),
            "upload-1-title": "Harta e linjave",
        },
    )
    assert response.status_code == 302, re.findall(r'role="alert">.{0,400}', page_text(response))
    map_ = Document.objects.get(title="Harta e linjave")
    assert map_.institution.code == "KLLOKOT"
    attached = CoordinationProcess.objects.get(pk=process["id"]).documents
    assert set(attached.values_list("pk", flat=True)) == {draft, map_.pk}


def test_the_api_sets_the_revised_drafts_documents(demo: Any, api_as: Any) -> None:
    officer = api_as("kllokot.info")
    draft = upload(officer, "Projekti i linjave")
    replacement = upload(officer, "Projekti i linjave, i ri")
    process, revision = returned(api_as, draft)
    completed(officer, revision["id"], "submit", documents=[replacement])
    attached = CoordinationProcess.objects.get(pk=process["id"]).documents
    assert list(attached.values_list("pk", flat=True)) == [replacement]
