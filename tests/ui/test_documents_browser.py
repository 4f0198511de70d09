"""A document's life on its page in a real browser (Debian's Chromium driven by Playwright
against the live server): registered through the upload form, a refused file and an accepted
new version, shared with the ministry, then annulled, after which the page offers no changes."""

from pathlib import Path
from typing import Any

import pytest

from documents.access import documents_visible
from documents.models import Document
from roles.models import User
from tests.documents import files
from tests.ui.browsing import log_in

pytestmark = pytest.mark.browser


def test_register_version_share_and_annul_from_the_page(
    page: Any,
    demo: dict[str, User],
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    first, second, script = tmp_path / "plani.txt", tmp_path / "plani-2.txt", tmp_path / "x.txt"
    first.write_text("Plani i menaxhimit të mbeturinave.", "utf-8")
    second.write_text("Plani i menaxhimit të mbeturinave, me riciklim.", "utf-8")
    script.write_bytes(files.html_page())

    log_in(page, "kllokot.info", "demo")
    page.wait_for_url("**/home/")
    page.goto("/documents/upload/")
    page.fill("input[name=title]", "Plani i mbeturinave")
    page.locator("select[name=kind]").select_option("report")
    page.set_input_files("input[type=file]", str(first))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/documents/*/")
    document = Document.objects.get(title="Plani i mbeturinave")
    expect(page.locator("#versions tbody tr")).to_have_count(1)

    # A file that is not what its name says: refused on the page, nothing added.
    page.set_input_files("#version-form input[type=file]", str(script))
    page.locator("#version-form button").click()
    expect(page.locator("#version-form .errorlist")).to_be_visible()
    # The refusal is the page's 400 (which the console echoes), and nothing else.
    assert page.problems[0] == f"400 POST {page.url}", page.problems
    assert all("400" in problem for problem in page.problems), page.problems
    page.problems.clear()
    page.set_input_files("#version-form input[type=file]", str(second))
    page.locator("#version-form button").click()
    expect(page.locator("#versions tbody tr")).to_have_count(2)
    expect(page.locator("main")).to_contain_text("U shtua versioni 2.")

    page.locator("#share-form select").select_option("MAPL")
    page.locator("#share-form button").click()
    expect(page.locator("main")).to_contain_text("U nda me")
    assert documents_visible(user=demo["mapl.legal"]).filter(pk=document.pk).exists()

    page.fill("#annul-form textarea", "Regjistruar gabimisht")
    # The page asks before an irreversible annulment; the official confirms.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#annul-form button").click()
    expect(page.locator("main")).to_contain_text("Regjistruar gabimisht")
    expect(page.locator("main form")).to_have_count(0)
    document.registration.refresh_from_db()
    assert document.registration.annulled_at is not None
    assert not page.problems, page.problems
