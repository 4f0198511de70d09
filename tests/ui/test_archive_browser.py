"""The auditor's archive search in a real browser (Debian's Chromium driven by Playwright against
the live server): a query in one script finds texts in both languages and scripts with the
matches marked as written, a facet narrows the results, a date range empties them, and the CSV
export holds what the page showed."""

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext

from roles.models import User
from search.outbox import drain
from tests.search.conftest import upload
from tests.ui.browsing import log_in

pytestmark = pytest.mark.browser


def test_auditor_searches_narrows_and_exports(page: Any, demo: dict[str, User]) -> None:
    from playwright.sync_api import expect

    upload(demo["kllokot.info"], "Buxheti komunal", "Kuvendi miratoi buxhetin e komunës.")
    upload(demo["kllokot.info"], "Буџет општине", "Скупштина је усвојила буџет.", language="sr")
    upload(demo["prishtine.info"], "Raport vjetor", "Raporti përshkruan buxhetet.", kind="report")
    upload(demo["prishtine.info"], "Plani i punës", "Asgjë për financat.", kind="report")
    drain()

    log_in(page, "auditor", "demo")
    page.wait_for_url("**/home/")
    page.goto("/search/")
    page.fill("#archive-search input[name=q]", "buxheti")
    page.locator("#archive-search button[type=submit]").click()

    results = page.locator("#results li")
    expect(results).to_have_count(3)
    # Each match is marked as the text writes it, in either script.
    marks = page.locator("#results .snippet mark").all_inner_texts()
    assert sorted(marks) == ["buxhetet", "buxhetin", "буџет"]
    # Institutions by name in the page's language (Albanian, the auditor's).
    institutions = page.locator("#facets li")
    expect(institutions.filter(has_text="Komuna e Kllokotit")).to_contain_text("(2)")
    expect(institutions.filter(has_text="Komuna e Prishtinës")).to_contain_text("(1)")

    # The facet narrows the search and the form keeps it.
    page.locator("#facets a", has_text="Komuna e Kllokotit").click()
    expect(results).to_have_count(2)
    assert "institution=KLLOKOT" in page.url
    for index in range(2):
        expect(results.nth(index)).to_contain_text("Komuna e Kllokotit")

    # The export holds the same results as the page.
    with page.expect_download() as download:
        page.locator("#export").click()
    # Headers and values in the auditor's language, names instead of codes.
    header, *rows = csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig")))
    with translation.override("sq"):
        title, institution = header.index(gettext("Title")), header.index(gettext("Institution"))
    assert sorted(row[title] for row in rows) == ["Buxheti komunal", "Буџет општине"]
    assert {row[institution] for row in rows} == {"Komuna e Kllokotit"}

    # A date range before anything was registered: nothing, with the other choices kept.
    page.fill("#archive-search input[name=date_to]", "2000-01-01")
    page.locator("#archive-search button[type=submit]").click()
    expect(results).to_have_count(1)  # "nothing found"
    expect(page.locator("#results .snippet")).to_have_count(0)
    expect(page.locator("#archive-search input[name=q]")).to_have_value("buxheti")
    assert "institution=KLLOKOT" in page.url and "date_to=2000-01-01" in page.url
    assert not page.problems, page.problems
