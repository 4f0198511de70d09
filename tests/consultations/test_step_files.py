"""The head's approvals and the officer's answers take documents of their own, as the access
decision and the coordination answer do: a signed decision at the approval of the draft and at
the approval of the report, the answers' report with the answers. Each goes on the process;
the approval's is published with the consultation, the answers' and the report's with the
report, not before. Over the API (`data.documents`) and on the task pages (picker and upload)."""

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from consultations.services import answers_record
from documents.models import Document
from roles.models import User
from tests.documents import files
from tests.workflows.steps import complete, completed, inbox
from workflows.models import CoordinationProcess

from .steps import approved, closed, comment, started, upload

pytestmark = pytest.mark.django_db


def signed_in(username: str, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert client.login(username=username, password="demo")
    return client


def page_text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def task_of(client: Any, process: dict[str, Any], name: str) -> dict[str, Any]:
    [task] = [t for t in inbox(client) if t["process_id"] == process["id"]]
    assert task["name"] == name
    return task


def carried(process: dict[str, Any]) -> set[int]:
    documents = CoordinationProcess.objects.get(pk=process["id"]).documents
    return set(documents.values_list("pk", flat=True))


def public_titles(api: Any, process: dict[str, Any]) -> list[str]:
    body = api.get(f"/api/public/consultations/{process['id']}/").json()
    return [document["title"] for document in body["documents"]]


def answered_comments(api_as: Any, monkeypatch: Any) -> tuple[dict[str, Any], list[Any]]:
    """An approved consultation, one comment, closed: the officer's answers are due."""
    officer, mayor = api_as("kllokot.info"), api_as("kllokot.mayor")
    process = approved(officer, mayor)
    received = comment(api_as(None), process["id"])
    assert received.status_code == 201, received.content
    closed(monkeypatch, process)
    answers = [{"comment": received.json()["id"], "outcome": "accepted", "reason": "Po."}]
    return process, answers


def test_the_heads_approval_takes_a_signed_decision_published_with_the_draft(
    api_as: Any, api: Any
) -> None:
    officer, mayor = api_as("kllokot.info"), api_as("kllokot.mayor")
    draft = upload(officer, "Projekti i linjave")
    process = started(officer, documents=[draft])
    task = task_of(mayor, process, "approve")

    # A confidential document is never published: refused, nothing attached.
    secret = upload(mayor, "Shënime të kryetarit", classification="confidential")
    refused = complete(mayor, task["id"], "approve", documents=[secret])
    assert refused.status_code == 400, refused.content
    assert "documents" in refused.json()["error"]["details"]
    assert carried(process) == {draft}
    # Another institution's document the mayor cannot read does not exist for them.
    foreign = upload(api_as("prishtine.info"), "Projekti i Prishtinës", classification="public")
    unknown = complete(mayor, task["id"], "approve", documents=[foreign])
    assert unknown.status_code == 400
    absent = complete(mayor, task["id"], "approve", documents=[10**9])
    said = unknown.json()["error"]["details"]["documents"]
    assert said == [
        m.replace(str(10**9), str(foreign)) for m in absent.json()["error"]["details"]["documents"]
    ]

    signed = upload(mayor, "Vendimi për konsultimin")
    completed(mayor, task["id"], "approve", documents=[signed])
    assert carried(process) == {draft, signed}
    assert Document.objects.get(pk=signed).classification == "public"
    assert sorted(public_titles(api, process)) == ["Projekti i linjave", "Vendimi për konsultimin"]


def test_the_answers_and_the_reports_documents_are_published_with_the_report(
    api_as: Any, api: Any, monkeypatch: Any
) -> None:
    officer, mayor = api_as("kllokot.info"), api_as("kllokot.mayor")
    process, answers = answered_comments(api_as, monkeypatch)
    # A public one too: still held back until the report is published.
    summary = upload(officer, "Përmbledhja e komenteve", classification="public")
    report = upload(officer, "Raporti i konsultimit")
    task = task_of(officer, process, "answer_comments")
    completed(officer, task["id"], "answer_comments", answers=answers, documents=[report, summary])
    assert {report, summary} <= carried(process)
    assert public_titles(api, process) == []
    prefix = f"/api/public/consultations/{process['id']}/documents/"
    assert api.get(f"{prefix}{summary}/").status_code == 404
    assert CoordinationProcess.objects.get(pk=process["id"]).data["report_documents"] == sorted(
        [report, summary]
    )

    signed = upload(mayor, "Vendimi për raportin")
    completed(
        mayor, task_of(mayor, process, "publish_report")["id"], "publish_report", documents=[signed]
    )
    assert {report, summary, signed} <= carried(process)
    assert Document.objects.get(pk=report).classification == "public"
    assert Document.objects.get(pk=signed).classification == "public"
    assert sorted(public_titles(api, process)) == [
        "Përmbledhja e komenteve",
        "Raporti i konsultimit",
        "Vendimi për raportin",
    ]
    download = api.get(f"{prefix}{summary}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_the_approval_page_uploads_the_signed_decision(api_as: Any, api: Any) -> None:
    officer, mayor = api_as("kllokot.info"), api_as("kllokot.mayor")
    process = started(officer, documents=[upload(officer, "Projekti i linjave")])
    task = task_of(mayor, process, "approve")
    page = signed_in("kllokot.mayor").get(f"/work/tasks/{task['id']}/")
    html = page_text(page)
    assert page.status_code == 200
    assert "Signed decision" in html and 'type="file" name="upload-1-file"' in html
    assert "Vendimi i nënshkruar" in page_text(
        signed_in("kllokot.mayor", "sq").get(f"/work/tasks/{task['id']}/")
    )

    response = signed_in("kllokot.mayor").post(
        f"/work/tasks/{task['id']}/",
        {
            "action": "approve",
            "files-shown": "True",
            "upload-1-file": SimpleUploadedFile(
                "vendimi.pdf", files.pdf_with_text("Vendimi"), "application/pdf"
            ),
            "upload-1-title": "Vendimi i nënshkruar",
        },
    )
    assert response.status_code == 302, re.findall(r'role="alert">.{0,400}', page_text(response))
    signed = Document.objects.get(title="Vendimi i nënshkruar")
    assert (signed.institution.code, signed.kind, signed.classification) == (
        "KLLOKOT",
        "decision",
        "public",
    )
    assert signed.pk in carried(process)
    assert "Vendimi i nënshkruar" in public_titles(api, process)


def test_the_answers_page_uploads_the_report(api_as: Any, api: Any, monkeypatch: Any) -> None:
    process, answers = answered_comments(api_as, monkeypatch)
    officer = api_as("kllokot.info")
    # The answers are given on the comments page (here over the API, as it saves them).
    task = task_of(officer, process, "answer_comments")
    page = signed_in("kllokot.info").get(f"/work/tasks/{task['id']}/")
    assert "Documents of the answers&#x27; report" in page_text(page)
    answers_record(
        actor=User.objects.get(username="kllokot.info"), process_id=process["id"], answers=answers
    )
    response = signed_in("kllokot.info").post(
        f"/work/tasks/{task['id']}/",
        {
            "action": "answer_comments",
            "files-shown": "True",
            "upload-1-file": SimpleUploadedFile(
                "raporti.pdf", files.pdf_with_text("Raporti"), "application/pdf"
            ),
            "upload-1-title": "Raporti me përgjigjet",
        },
    )
    assert response.status_code == 302, re.findall(r'role="alert">.{0,400}', page_text(response))
    report = Document.objects.get(title="Raporti me përgjigjet")
    assert (report.institution.code, report.kind) == ("KLLOKOT", "report")
    assert report.pk in carried(process)
    assert public_titles(api, process) == []
    mayor = api_as("kllokot.mayor")
    completed(mayor, task_of(mayor, process, "publish_report")["id"], "publish_report")
    assert public_titles(api, process) == ["Raporti me përgjigjet"]
