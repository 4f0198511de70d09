"""At a phone's width (390 px), and where the menu stays open beside a narrow page (1,000 px),
no page scrolls sideways as a whole: a wide table scrolls in its own box, and the rest of the
page stays on the screen (Debian's Chromium, live server)."""

import io
from typing import Any

import pytest
from rest_framework.test import APIClient

from roles.models import User
from tests.ui.browsing import Problems, log_in
from tests.workflows.steps import statement_drafted

pytestmark = pytest.mark.browser

SCREENS = [{"width": 390, "height": 844}, {"width": 1000, "height": 800}]


def records() -> tuple[int, int]:
    """A document and a press statement, with titles long enough to widen a table."""
    client = APIClient()
    assert client.login(username="kllokot.info", password="demo")
    upload = io.BytesIO("Plani vjetor i komunikimit me qytetarët e komunës.".encode())
    upload.name = "plani-vjetor-i-komunikimit-me-qytetaret.txt"
    document = client.post(
        "/api/documents/",
        {"file": upload, "title": "Plani vjetor i komunikimit me qytetarët", "kind": "report"},
        format="multipart",
    )
    assert document.status_code == 201, document.content
    process = statement_drafted(
        client,
        "Njoftim për shtyp mbi orarin e ri të zyrës së gjendjes civile",
        "Zyra e gjendjes civile punon edhe të shtunën.",
        "Kancelarija matične službe radi i subotom.",
    )
    return document.json()["id"], process["id"]


def sideways(page: Any) -> int:
    """How far the page as a whole reaches past the screen's right edge, in CSS pixels."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


@pytest.mark.parametrize("screen", SCREENS, ids=lambda screen: f"{screen['width']}px")
def test_no_page_scrolls_sideways_on_a_phone_or_beside_the_menu(
    browser: Any, live_server: Any, demo: dict[str, User], screen: dict[str, int]
) -> None:
    document_id, process_id = records()
    pages = {
        "kllokot.mayor": [
            "/home/",
            "/work/",
            "/work/processes/",
            f"/work/processes/{process_id}/",
            "/work/delegations/",
            "/work/notifications/",
            "/documents/",
            f"/documents/{document_id}/",
            "/deadlines/",
        ],
        "auditor": ["/search/?q=plani", "/documents/", "/directory/institution/"],
    }
    for username, paths in pages.items():
        context = browser.new_context(base_url=live_server.url, locale="sq-AL", viewport=screen)
        try:
            page = context.new_page()
            page.problems = Problems()
            page.problems.watch(page)
            log_in(page, username, "demo")
            page.wait_for_url("**/home/")
            wide = {}
            for path in paths:
                page.goto(path)
                if sideways(page) > 0:
                    wide[path] = sideways(page)
            assert not wide, (username, wide)
            assert not page.problems, page.problems
        finally:
            context.close()
