"""A citizen submits and tracks a complaint through the portal in Serbian Cyrillic, on a
phone-sized screen (Debian's Chromium through Playwright)."""

from collections.abc import Iterator
from typing import Any

import pytest

from complaints.models import Complaint
from roles.models import User
from tests.ui.browsing import Problems
from tests.ui.conftest import async_unsafe_allowed, browser  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Iterator[Any]:  # noqa: F811
    context = browser.new_context(
        base_url=live_server.url, locale="sr-RS", viewport={"width": 390, "height": 844}
    )
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "django_language", "value": "sr", "url": live_server.url}])
    page = context.new_page()
    page.problems = Problems()
    page.problems.watch(page)
    yield page
    context.close()


def test_submit_and_track_in_serbian_cyrillic(phone: Any, demo: dict[str, User]) -> None:
    page = phone
    page.goto("/portal/")
    page.locator("header").get_by_role("link", name="Притужбе", exact=True).click()
    page.get_by_label("Општина").select_option("KLLOKOT")
    page.get_by_role("button", name="Прикажи теме ове општине").click()
    page.get_by_label("Тема").select_option(label="Вода и наводњавање")
    page.get_by_label("Који је проблем?").fill("Канал за наводњавање у Могили је зачепљен.")
    page.get_by_label("Где се налази? (улица, село)").fill("Могила")
    page.get_by_role("button", name="Пошаљи", exact=True).click()

    page.wait_for_url("**/portal/complaints/receipt/")
    assert page.get_by_role("heading", name="Ваша притужба је заведена").is_visible()
    code = page.locator("#tracking-code").inner_text().strip()
    number = page.locator("#registration-number").inner_text().strip()
    complaint = Complaint.objects.get()
    assert number == complaint.registration_number and len(code) >= 27
    assert page.locator("#due-date").inner_text().strip() not in ("", "—")
    # Nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_role("link", name="Прати").click()
    assert page.locator("#complaint-status-label").inner_text() == "примљено"
    # The receipt is not shown again.
    page.goto("/portal/complaints/receipt/")
    assert "/portal/complaints/track/" in page.url

    page.get_by_label("Код за праћење").fill(code[:-3] + "xyz")
    page.get_by_role("button", name="Прикажи").click()
    assert page.locator("#track-not-found").is_visible()
    assert page.problems == [] or all("404" in problem for problem in page.problems)
