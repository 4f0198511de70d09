"""A recipient's answer page takes its documents as the assembly decision's steps take theirs:
a picker of the recipient institution's own documents and upload slots registered in its
book; the sender then reads them. The API's `data.documents` (ids) works as before."""

import io
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from coordination.models import Response
from documents.access import documents_visible
from documents.models import Document
from documents.services import document_create, document_share
from roles.models import Institution, User
from tests.documents import files

from .conftest import respond_task, sent

pytestmark = pytest.mark.django_db


def signed_in(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=username, password="demo")
    return client


def page_text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def registered(username: str, code: str, title: str) -> Document:
    content = f"{title}\n".encode()
    return document_create(
        actor=User.objects.get(username=username),
        institution=Institution.objects.get(code=code),
        upload=io.BytesIO(content),
        filename="tabela.txt",
        size=len(content),
        title=title,
        kind="report",
    )


def test_the_answer_page_attaches_picked_and_uploaded_documents(api_as: Any, rule: Any) -> None:
    """Given a request to the Ministry of Finance, when its officer picks the ministry's
    report and uploads a table on the answer's page, then the answer carries both, the table
    registered in the ministry's book, and the sender reads them; documents the ministry
    only received from another institution are not offered."""
    own = registered("mf.comms", "MF", "Raporti i komuniteteve")
    received = registered("kllokot.info", "KLLOKOT", "Të dhënat e Kllokotit")
    document_share(
        actor=User.objects.get(username="kllokot.info"),
        document=received,
        institution=Institution.objects.get(code="MF"),
        may_forward=True,
    )
    process = sent(api_as("zck.officer"), recipients=["MF"])
    task = respond_task(api_as("mf.comms"), process["id"])
    officer = signed_in("mf.comms")
    html = page_text(officer.get(f"/work/tasks/{task['id']}/"))
    assert "Documents with the answer" in html
    assert f'name="files-documents" value="{own.pk}"' in html
    assert f'value="{received.pk}"' not in html  # not the ministry's own
    assert 'data-picker-source="/documents/picker/?institution=MF&amp;own=1"' in html
    assert 'type="file" name="upload-1-file"' in html

    response = officer.post(
        f"/work/tasks/{task['id']}/",
        {
            "action": "respond",
            "data-answer": "Të dhënat në tabelën bashkëngjitur.",
            "files-shown": "True",
            "files-documents": [own.pk],
            "upload-1-file": SimpleUploadedFile(
                "tabela.pdf", files.pdf_with_text("Tabela e komuniteteve"), "application/pdf"
            ),
            "upload-1-title": "Tabela e komuniteteve",
        },
    )
    assert response.status_code == 302, page_text(response)[-2000:]
    table = Document.objects.get(title="Tabela e komuniteteve")
    assert (table.institution.code, table.kind) == ("MF", "correspondence")
    answer = Response.objects.get(process_id=process["id"])
    assert answer.answer == "Të dhënat në tabelën bashkëngjitur."
    assert set(answer.documents.values_list("pk", flat=True)) == {own.pk, table.pk}
    sender = User.objects.get(username="zck.officer")
    assert set(documents_visible(user=sender).filter(pk__in=[own.pk, table.pk])) == {own, table}


def test_the_api_still_takes_document_ids(api_as: Any, rule: Any) -> None:
    own = registered("mf.comms", "MF", "Raporti")
    process = sent(api_as("zck.officer"), recipients=["MF"])
    client = api_as("mf.comms")
    task = respond_task(client, process["id"])
    response = client.post(
        f"/api/tasks/{task['id']}/complete/",
        {"action": "respond", "data": {"answer": "Bashkëngjitur.", "documents": [own.pk]}},
        format="json",
    )
    assert response.status_code == 200, response.content
    answer = Response.objects.get(process_id=process["id"])
    assert list(answer.documents.values_list("pk", flat=True)) == [own.pk]
