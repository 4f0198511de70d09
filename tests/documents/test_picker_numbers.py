"""The picker without the script: the page lists the newest documents only, and any other the
official may attach is chosen by typing its registration number. A number outside what the
official may attach — another institution's, or one that does not exist — is the same error
on the field, in the official's language, and nothing is started or completed."""

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from access_requests.models import AccessRequestProcess
from documents import forms as document_forms
from documents.forms import registration_numbers
from documents.models import Document
from roles.models import User
from tests.access_requests.conftest import inbox_task, public_document, submitted
from workflows.models import CoordinationProcess

NEW_DECISION = "/work/processes/new/assembly-decision/"
TITLE = "Vendimi për ujësjellësin"


def client_for(username: str, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert client.login(username=username, password="demo")
    return client


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def decision_text(client: Any, title: str) -> int:
    """A decision's text registered by the client's institution (its own bytes each)."""
    response = client.post(
        "/api/documents/",
        {
            "title": title,
            "kind": "decision",
            "language": "sq",
            "file": SimpleUploadedFile("vendimi.txt", f"{title}\n".encode()),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def start_fields(**extra: Any) -> dict[str, Any]:
    return {"title": TITLE, "adopted_on": str(timezone.localdate()), **extra}


def listed(response: Any, name: str = "documents") -> set[int]:
    return {int(pk) for pk in re.findall(rf'name="{name}" value="(\d+)"', text(response))}


def field_error(response: Any, name: str = "documents") -> str:
    """The error the start form shows right after the picker (after its help text)."""
    found = re.search(
        rf'id="id_{name}_helptext">[^<]*</small><span class="errors field-error" role="alert">'
        r"([^<]*)</span>",
        text(response),
    )
    assert found, text(response)[-3000:]
    return found.group(1).strip()


def test_registration_numbers_are_read_as_the_book_writes_them() -> None:
    assert registration_numbers(" kllokot-2026-12, MF-2026-000003;KLLOKOT-2026-000012 x ") == [
        "KLLOKOT-2026-000012",
        "MF-2026-000003",
        "X",
    ]
    assert registration_numbers(" , ") == []


@pytest.mark.django_db
def test_without_the_script_an_unlisted_document_is_attached_by_its_number(
    demo: dict[str, User], api_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given more attachable documents than the page lists (the list's size made 2 here, 300
    in use), when the assembly office starts a decision typing the oldest one's number (in lower
    case, without the zeros) beside a listed one it ticks, then both are attached."""
    office = api_as("kllokot.assembly")
    oldest = decision_text(office, "Vendimi i vjetër")
    newer = [decision_text(office, f"Vendimi {n}") for n in (1, 2)]
    monkeypatch.setattr(document_forms, "PICKER_SIZE", 2)
    page = client_for("kllokot.assembly").get(NEW_DECISION)
    assert listed(page) == set(newer)  # the oldest is not on the page
    assert 'name="documents_numbers"' in text(page)
    assert "Or type registration numbers, separated by commas" in text(page)

    number = Document.objects.get(pk=oldest).registration_number  # KLLOKOT-2026-000001
    code, year, serial = number.rsplit("-", 2)
    typed = f"{code.lower()}-{year}-{int(serial)}"
    response = client_for("kllokot.assembly").post(
        NEW_DECISION, start_fields(documents=[newer[0]], documents_numbers=typed)
    )
    assert response.status_code == 302, text(response)[-2000:]
    process = CoordinationProcess.objects.get(title=TITLE)
    assert set(process.documents.values_list("pk", flat=True)) == {oldest, newer[0]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "No document numbered {} among those you may attach."),
        ("sq", "Asnjë dokument me numrin {} nuk është ndër ata që mund t’i bashkëngjitni."),
        ("sr", "Ниједан документ с бројем {} није међу онима које смете да приложите."),
    ],
)
def test_another_institutions_number_is_refused_as_one_that_does_not_exist(
    demo: dict[str, User], api_as: Any, language: str, said: str
) -> None:
    other = decision_text(api_as("prishtine.assembly"), "Vendimi i Prishtinës")
    foreign = Document.objects.get(pk=other).registration_number
    absent = f"KLLOKOT-{timezone.localdate().year}-999999"
    office = client_for("kllokot.assembly", language)

    answers = {}
    for number in (foreign, absent):
        response = office.post(NEW_DECISION, start_fields(documents_numbers=number))
        assert response.status_code == 400
        answers[number] = field_error(response)
        # What was typed stays in the field, for the official to correct.
        assert f'name="documents_numbers" id="id_documents_numbers" value="{number}"' in text(
            response
        )
    assert answers[foreign] == said.format(foreign)
    assert answers[absent] == said.format(absent)
    assert answers[foreign].replace(foreign, "N") == answers[absent].replace(absent, "N")
    assert "Vendimi i Prishtinës" not in text(response)
    assert not CoordinationProcess.objects.filter(title=TITLE).exists()


@pytest.mark.django_db
def test_too_many_numbers_are_refused_not_failed(demo: dict[str, User]) -> None:
    typed = ", ".join(f"KLLOKOT-2026-{n}" for n in range(1, document_forms.NUMBERS_MAX + 2))
    response = client_for("kllokot.assembly").post(
        NEW_DECISION, start_fields(documents_numbers=typed)
    )
    assert response.status_code == 400
    assert field_error(response) == (
        f"At most {document_forms.NUMBERS_MAX} registration numbers at once."
    )


@pytest.mark.django_db
def test_the_task_page_releases_a_document_by_its_number(
    demo: dict[str, User], api_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same field on a task's page: the access decision releases an unlisted contract."""
    contract = public_document("KLLOKOT", "kllokot.info", "Kontrata e vjetër")
    newer = public_document("KLLOKOT", "kllokot.info", "Plani vjetor")
    monkeypatch.setattr(document_forms, "PICKER_SIZE", 1)
    request = submitted(api_as(None))
    task = inbox_task(api_as("kllokot.info"), "decide", request["registration_number"])
    officer = client_for("kllokot.info")
    page = officer.get(f"/work/tasks/{task['id']}/")
    assert listed(page, "files-documents") == {newer}
    assert 'name="files-documents_numbers"' in text(page)

    number = Document.objects.get(pk=contract).registration_number
    response = officer.post(
        f"/work/tasks/{task['id']}/",
        {"action": "grant", "files-shown": "True", "files-documents_numbers": number},
    )
    assert response.status_code == 302, text(response)[-2000:]
    process = AccessRequestProcess.objects.get(pk=task["process_id"])
    assert process.released_documents == [contract]
