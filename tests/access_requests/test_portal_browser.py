"""In Chromium, at a phone's width, in Serbian Cyrillic: a member of the public asks for
documents on the portal, keeps the code from the receipt, and later follows the request with
it — the partial grant, its reasons, the released document, the complaint to AIP."""

from typing import Any

import pytest

from roles.models import User
from tests.ui.browsing import Problems
from tests.ui.conftest import async_unsafe_allowed, browser  # noqa: F401  (fixtures)
from workflows.selectors import inbox_keys, inbox_tasks
from workflows.services import task_complete

from .conftest import public_document

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def sideways(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def cyrillic_page(browser: Any, live_server: Any) -> Any:  # noqa: F811
    context = browser.new_context(base_url=live_server.url, locale="sr", viewport=PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.problems = Problems()
    page.problems.watch(page)
    return page


def test_submit_and_track_in_serbian_cyrillic(
    browser: Any,  # noqa: F811
    live_server: Any,
    demo: dict[str, User],
) -> None:
    page = cyrillic_page(browser, live_server)
    page.goto("/portal/access-requests/")
    assert page.locator("h1").inner_text() == "Затражите јавне документе"
    assert sideways(page) <= 0
    page.select_option("select[name=institution]", "KLLOKOT")
    page.fill("textarea[name=description]", "Записник са седнице скупштине од 3. новембра.")
    page.fill("input[name=requester_name]", "Марко Петровић")
    page.fill("input[name=email]", "marko@example.org")
    page.get_by_role("button", name="Пошаљи захтев").click()
    page.wait_for_url("**/portal/access-requests/receipt/")
    assert "Ваш захтев је заведен" in page.locator("h1").inner_text()
    code = page.locator("[data-tracking-code]").inner_text().strip()
    number = page.locator("[data-registration-number]").inner_text().strip()
    assert len(code) >= 22 and number.startswith("KLLOKOT-")
    assert "Одлука најкасније до" in page.content()
    assert sideways(page) <= 0
    assert page.problems == [], page.problems
    again = page.request.get("/portal/access-requests/receipt/")  # the same browser session
    assert again.status == 404 and code not in again.text()  # shown once

    # The information officer decides (a partial grant with reasons and its legal ground).
    officer = User.objects.get(username="kllokot.info")
    [task] = [
        task for task in inbox_tasks(inbox_keys(user=officer)) if task.flow_task.name == "decide"
    ]
    document = public_document("KLLOKOT", "kllokot.info", title="Записник 3.11.")
    task_complete(
        actor=officer,
        task_id=task.pk,
        action="partially_grant",
        data={
            "documents": [document],
            "reasons": "Имена грађана су уклоњена.",
            "legal_basis": "Закон бр. 06/L-081",
        },
    )

    # Later, in another browser, with the code only.
    later = cyrillic_page(browser, live_server)
    later.goto("/portal/access-requests/track/")
    later.fill("input[name=tracking_code]", code)
    later.get_by_role("button", name="Прикажи захтев").click()
    status = later.locator("#request-status")
    assert "Делимично усвојен" in status.inner_text()
    assert "Имена грађана су уклоњена." in status.inner_text()
    assert "marko@example.org" not in later.content()
    assert sideways(later) <= 0
    with later.expect_download() as download:
        later.get_by_role("link", name="Записник 3.11.").click()
    assert download.value.suggested_filename == "ugovor.txt"
    later.fill("textarea[name=text]", "Имена чланова већа су јавна.")
    later.get_by_role("button", name="Пошаљи жалбу").click()
    assert "Ваша жалба је код Агенције" in later.locator("#request-status").inner_text()
    assert later.problems == [], later.problems
