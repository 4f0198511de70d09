"""Files in place in a real browser (Debian's Chromium driven by Playwright against the live
server): the assembly office drops the decision's Serbian text, a PDF, onto the upload field of
the step the chair returned it to, and the file is registered, attached and previewed on the
process's page; the chair finds the task beside the queue. Screenshots go to
var/screenshots/ (not committed)."""

import base64
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from viewflow.workflow import STATUS
from viewflow.workflow.models import Task

from documents.models import Document
from roles.models import User
from tests.documents import files
from tests.workflows.steps import completed, decision_text, open_task
from workflows.models import CoordinationProcess

pytestmark = pytest.mark.browser

SHOTS = Path(settings.VAR_DIR) / "screenshots"


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def dropped(page: Any, zone: str, name: str, content: bytes) -> None:
    """A file dropped onto the zone as a person drags it from their desktop."""
    transfer = page.evaluate_handle(
        """([name, data]) => {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, { type: "application/pdf" }));
            return transfer;
        }""",
        [name, base64.b64encode(content).decode()],
    )
    page.dispatch_event(zone, "dragover", {"dataTransfer": transfer})
    page.dispatch_event(zone, "drop", {"dataTransfer": transfer})


def test_a_pdf_dropped_on_the_returned_step_is_registered_and_previewed(
    sessions: Any, demo: dict[str, User], api_as: Any
) -> None:
    from playwright.sync_api import expect

    # A decision registered with its Albanian text only; the chair returns it for the Serbian.
    office_api = api_as("kllokot.assembly")
    albanian = decision_text(office_api, "sq", "Vendimi për ujësjellësin")
    response = office_api.post(
        "/api/processes/assembly-decision/",
        {
            "title": "Vendimi për ujësjellësin",
            "adopted_on": str(timezone.localdate() - timedelta(days=1)),
            "documents": [albanian],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    process = completed(
        api_as("kllokot.chair"),
        open_task(response.json(), "approve")["id"],
        "return",
        "Mungon teksti në serbisht.",
    )
    revise = open_task(process, "revise")

    office = sessions("kllokot.assembly")
    office.goto(f"/work/tasks/{revise['id']}/")
    # The picker: the Albanian text chosen, found by the search box.
    picker = office.locator("[data-document-picker]")
    expect(picker.locator("input[data-picker-search]")).to_be_visible()
    expect(picker.locator(f"input[value='{albanian}']")).to_be_checked()
    picker.locator("input[data-picker-search]").fill("ujesjelles")
    expect(picker.locator(".document-picker__item:visible")).to_have_count(1)
    picker.locator("input[data-picker-search]").fill("")

    dropped(
        office,
        "#upload-1 [data-drop-zone]",
        "odluka-sr.pdf",
        files.pdf_with_text("Odluka o vodovodu"),
    )
    expect(office.locator("#upload-1 .drop-zone__name")).to_have_text("odluka-sr.pdf")
    office.select_option("select[name='upload-1-language']", "sr")
    office.fill("input[name='upload-1-title']", "Odluka o vodovodu")
    shot(office, "files-revise-dropped-sq-desktop")
    office.locator("button[name=action][value=submit]").click()
    office.wait_for_url(re.compile(r"/work/$"))

    serbian = Document.objects.get(title="Odluka o vodovodu")
    assert serbian.language == "sr" and serbian.versions.get().mime_type == "application/pdf"
    attached = CoordinationProcess.objects.get(pk=process["id"]).documents
    assert set(attached.values_list("pk", flat=True)) == {albanian, serbian.pk}

    # The process's page: the PDF opens in the page, in the browser's own viewer.
    office.goto(f"/work/processes/{process['id']}/")
    item = office.locator("li.document-item", has_text="Odluka o vodovodu")
    with office.expect_response(re.compile(rf"/documents/{serbian.pk}/preview/")) as preview:
        item.locator("summary").click()
    answer = preview.value
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["x-content-type-options"] == "nosniff"
    frame = item.locator("iframe.document-preview")
    expect(frame).to_be_visible()
    box = frame.bounding_box()
    assert box is not None and box["height"] > 300
    office.wait_for_timeout(500)  # the viewer draws the page
    shot(office, "files-process-preview-sq-desktop")

    # On a phone the start form's uploads and the lists' filters keep to the screen.
    office.set_viewport_size({"width": 390, "height": 844})
    for path in (
        "/work/processes/new/assembly-decision/",
        "/documents/?q=vendim&sort=title",
        "/work/processes/?q=vendim&sort=-date",
    ):
        office.goto(path)
        sideways = office.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert sideways <= 0, (path, sideways)
    shot(office, "files-processes-filtered-sq-phone")
    assert not office.problems, office.problems

    # The chair finds the decision in the queue and reads it beside the list.
    chair = sessions("kllokot.chair")
    chair.goto("/work/")
    row = chair.locator("tr.inbox-task", has_text="Vendimi për ujësjellësin")
    row.locator("a.queue-beside").click()
    pane = chair.locator("#task-pane")
    expect(pane).to_be_visible()
    expect(pane).to_contain_text("Vendimi për ujësjellësin")
    expect(pane.locator("li.document-item")).to_have_count(2)
    shot(chair, "queue-task-beside-chair-sq-desktop")

    # On a phone the task opens as its own page: no link to show it beside the list.
    chair.set_viewport_size({"width": 390, "height": 844})
    chair.goto("/work/")
    row = chair.locator("tr.inbox-task", has_text="Vendimi për ujësjellësin")
    expect(row.locator("a.queue-beside")).to_be_hidden()
    approve = Task.objects.get(
        process_id=process["id"], flow_task__endswith=".approve", status=STATUS.NEW
    )
    row.locator(f"a[href='/work/tasks/{approve.pk}/']").click()
    chair.wait_for_url(re.compile(r"/work/tasks/\d+/$"))
    expect(chair.locator("button[name=action][value=approve]")).to_be_visible()
    assert not chair.problems, chair.problems


def test_a_document_found_by_typing_and_an_uploaded_file_are_released(
    sessions: Any, demo: dict[str, User], api_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The information officer decides an access request: types part of an older contract's
    title (without its diacritics) in the picker, which the page did not list, ticks it from
    the keyboard, puts the annex, a Word file, into the upload slot and grants access. Both are
    released; the annex's page names its kind in words."""
    from playwright.sync_api import expect

    from access_requests.models import AccessRequestProcess
    from documents import forms as document_forms
    from tests.access_requests.conftest import inbox_task, public_document, submitted

    contract = public_document("KLLOKOT", "kllokot.info", "Kontrata për mirëmbajtjen e rrugëve")
    newer = public_document("KLLOKOT", "kllokot.info", "Plani vjetor i punës")
    # The page lists only the newest document: the contract is reached by the search alone.
    monkeypatch.setattr(document_forms, "PICKER_SIZE", 1)
    request = submitted(api_as(None))
    task = inbox_task(api_as("kllokot.info"), "decide", request["registration_number"])

    officer = sessions("kllokot.info")
    officer.goto(f"/work/tasks/{task['id']}/")
    picker = officer.locator("[data-document-picker]")
    expect(picker.locator(f"input[value='{newer}']")).to_be_visible()
    expect(picker.locator(f"input[value='{contract}']")).to_have_count(0)
    # The registration numbers' field is for a browser without the script: hidden here.
    expect(picker.locator("[data-picker-numbers]")).to_be_hidden()
    search = picker.get_by_role("searchbox")
    search.fill("mirembajtjen rrugeve")
    found = picker.locator(f"input[value='{contract}']")
    expect(found).to_be_visible()
    expect(picker.locator(f"input[value='{newer}']")).to_be_hidden()
    expect(picker.get_by_role("status")).to_have_text("Dokumente të gjetura: 1.")
    # From the keyboard: Tab from the search box to the found document, Space ticks it.
    search.press("Tab")
    expect(found).to_be_focused()
    officer.keyboard.press("Space")
    expect(found).to_be_checked()
    # The search emptied: the listed documents come back, the chosen one stays.
    search.fill("")
    expect(picker.locator(f"input[value='{newer}']")).to_be_visible()
    expect(found).to_be_checked()

    officer.locator("#upload-1 input[type=file]").set_input_files(
        {
            "name": "aneksi.docx",
            "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "buffer": files.docx(["Aneksi i kontratës për mirëmbajtjen e rrugëve"]),
        }
    )
    expect(officer.locator("#upload-1 .drop-zone__name")).to_have_text("aneksi.docx")
    officer.fill("input[name='upload-1-title']", "Aneksi i kontratës")
    shot(officer, "files-access-decision-found-sq-desktop")
    officer.locator("button[name=action][value=grant]").click()
    officer.wait_for_url(re.compile(r"/work/$"))

    annex = Document.objects.get(title="Aneksi i kontratës")
    process = AccessRequestProcess.objects.get(pk=task["process_id"])
    assert sorted(process.released_documents) == sorted([contract, annex.pk])
    assert not officer.problems, officer.problems

    # The annex's page: its version is a "Word document", in Albanian, not a type code.
    officer.goto(f"/documents/{annex.pk}/")
    row = officer.locator("#versions tbody tr").first
    expect(row).to_contain_text("Dokument Word")
    expect(officer.locator("#versions")).not_to_contain_text("application/")
