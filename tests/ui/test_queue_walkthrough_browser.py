"""A walk through the work queue, home and the deadlines page over the demo's work in progress,
in Albanian and Serbian Cyrillic, at a desktop's and a phone's width (Debian's Chromium, live
server). Screenshots go to var/screenshots/ (not committed)."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from roles.models import User
from tests.ui.browsing import Problems
from tests.workflows.demo_work import demo_work_seeded

pytestmark = pytest.mark.browser

SCREENS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
# What each language calls the things the walk looks for.
WORDS = {
    "sq": {
        "locale": "sq-AL",
        "queue": "Radha e punës",
        "late": re.compile(r"\d+ ditë vonesë"),
        "team": "Ekipi im",
        "waiting": "Ju presin",
        "trend": "Në afat sipas muajit",
    },
    "sr": {
        "locale": "sr-RS",
        "queue": "Ред послова",
        "late": re.compile(r"касни \d+ дана?"),
        "team": "Мој тим",
        "waiting": "Чека вас",
        "trend": "У року по месецима",
    },
}
SHOTS = Path(settings.VAR_DIR) / "screenshots"


def signed_in(browser: Any, live_server: Any, username: str, language: str, screen: str) -> Any:
    context = browser.new_context(
        base_url=live_server.url, locale=WORDS[language]["locale"], viewport=SCREENS[screen]
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.problems = Problems()
    page.problems.watch(page)
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo")
    page.locator("form.vf-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/home/$"))
    return page


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sideways(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("language", list(WORDS))
def test_the_chair_finds_the_late_decision_and_the_office_follows_it_on_the_dashboard(
    browser: Any, live_server: Any, demo: dict[str, User], language: str, screen: str
) -> None:
    from playwright.sync_api import expect

    demo_work_seeded()
    words = WORDS[language]

    # Home: what waits for the chair, the late decision first.
    chair = signed_in(browser, live_server, "kllokot.chair", language, screen)
    try:
        expect(chair.locator("h1")).to_have_count(1)
        expect(chair.get_by_text(words["waiting"], exact=True)).to_be_visible()
        late_row = chair.locator("#home-waiting tr.inbox-task--overdue").first
        expect(late_row).to_contain_text(words["late"])
        shot(chair, f"home-chair-{language}-{screen}")

        # The queue: the late step marked in words and with an icon hidden from readers.
        chair.goto("/work/")
        expect(chair.locator("h1")).to_have_text(words["queue"])
        row = chair.locator("tr.inbox-task--overdue", has_text="buxhetin komunal")
        expect(row).to_be_visible()
        expect(row).to_contain_text(words["late"])
        expect(row.locator(".material-icons")).to_have_attribute("aria-hidden", "true")
        due = row.locator("td.queue-due")
        box = due.bounding_box()
        assert (
            box is not None
            and box["x"] >= 0
            and box["x"] + box["width"] <= SCREENS[screen]["width"]
        )
        if screen == "phone":
            # A card: the due date above the task's title, nothing off the screen.
            title = row.locator("td", has_text="buxhetin komunal").first.bounding_box()
            assert title is not None and box["y"] < title["y"]
        assert sideways(chair) <= 0
        shot(chair, f"queue-chair-{language}-{screen}")

        # The team's view, kept for the next visit.
        chair.get_by_role("link", name=words["team"]).click()
        expect(chair.get_by_role("link", name=words["team"])).to_have_attribute(
            "aria-current", "page"
        )
        chair.goto("/work/")
        expect(chair.get_by_role("link", name=words["team"])).to_have_attribute(
            "aria-current", "page"
        )
        chair.select_option("select[name=overdue]", "yes")
        chair.locator("form.queue-filter button[type=submit]").click()
        chair.wait_for_url(re.compile(r"overdue=yes"))
        expect(chair.locator("tr.inbox-task")).not_to_have_count(0)
        assert (
            chair.locator("tr.inbox-task").count()
            == chair.locator("tr.inbox-task--overdue").count()
        )
        assert not chair.problems, chair.problems
    finally:
        chair.context.close()

    # The deadlines page: the trend, and the late item leads to its process.
    office = signed_in(browser, live_server, "kllokot.assembly", language, screen)
    try:
        office.goto("/deadlines/")
        expect(office.locator("h1")).to_have_count(1)
        expect(office.get_by_text(words["trend"], exact=True)).to_be_visible()
        expect(office.locator("svg#deadline-trend text").first).to_be_visible()
        item = office.locator("tr.deadline-item", has_text="buxhetin komunal")
        expect(item).to_contain_text(words["late"])
        shot(office, f"deadlines-office-{language}-{screen}")
        item.get_by_role("link").click()
        office.wait_for_url(re.compile(r"/work/processes/\d+/$"))
        expect(office.locator("body")).to_contain_text("buxhetin komunal")
        assert not office.problems, office.problems
    finally:
        office.context.close()
