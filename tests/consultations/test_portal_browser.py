"""A member of the public comments on a consultation in Albanian, on a phone-sized screen,
through the portal in a real browser (Debian's Chromium driven by Playwright against the live
server)."""

import re
from typing import Any

import pytest

from consultations.models import Comment

from .steps import approved

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_a_member_of_the_public_comments_in_albanian(
    browser: Any, live_server: Any, api_as: Any
) -> None:
    from playwright.sync_api import expect

    from tests.ui.browsing import Problems

    process = approved(api_as("kllokot.info"), api_as("kllokot.mayor"))
    context = browser.new_context(base_url=live_server.url, locale="sq-AL", viewport=PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = Problems()
    problems.watch(page)
    try:
        page.goto("/portal/")
        expect(page.locator("html")).to_have_attribute("lang", "sq")
        page.get_by_role("link", name="Konsultimet publike").first.click()
        expect(page).to_have_url(re.compile(r"/portal/consultations/$"))
        expect(page.locator("#open-heading")).to_have_text("Të hapura për komente")
        page.locator(f'[data-consultation-id="{process["id"]}"] a').first.click()
        expect(page).to_have_url(re.compile(rf"/portal/consultations/{process['id']}/$"))
        expect(page.locator("#consultation-title")).to_have_text(process["title"])

        page.locator("#id_name").fill("Drita Krasniqi")
        page.locator("#id_capacity").select_option("organisation")
        page.locator("#id_organisation").fill("Shoqata Gjelbër")
        page.locator("#id_fields_of_action").fill("mjedisi")
        page.locator("#id_email").fill("drita@example.org")
        page.locator("#id_section").fill("Neni 2")
        page.get_by_label("Komenti juaj").fill("Stacioni duhet të jetë pranë shkollës në Mogillë.")
        # Nothing runs off the side of a phone's screen.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], width
        page.get_by_role("button", name="Dërgoni komentin").click()

        expect(page.locator("#comment-receipt")).to_contain_text("Faleminderit")
        comment = Comment.objects.get()
        expect(page.locator("#comment-receipt .code")).to_have_text(str(comment.pk))
        assert (comment.organisation, comment.capacity, comment.section, comment.language) == (
            "Shoqata Gjelbër",
            "organisation",
            "Neni 2",
            "sq",
        )
        assert comment.text == "Stacioni duhet të jetë pranë shkollës në Mogillë."
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert not problems, problems
    finally:
        context.close()
