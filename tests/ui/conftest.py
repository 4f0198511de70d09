"""Fixtures of the browser tests: one Chromium per test module, a fresh Albanian context and a
watched page per test."""

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import unavailable

from .browsing import CHROMIUM, CHROMIUM_ARGS, Problems, log_in


@pytest.fixture(scope="module")
def async_unsafe_allowed() -> Iterator[None]:
    """Playwright's sync API runs an event loop in this thread, and Django refuses database
    access from a thread with a running loop; the test's own queries are not async code."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser(async_unsafe_allowed: None) -> Iterator[Any]:
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing (Debian package chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        unavailable(f"playwright is not installed: {error}")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
        except Exception as error:  # any launch failure: no browser here
            unavailable(f"Chromium does not start: {error}")
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Any, live_server: Any) -> Iterator[Any]:
    # An Albanian browser (Accept-Language: sq): Playwright's default would ask for English.
    context = browser.new_context(
        base_url=live_server.url, locale="sq-AL", viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(context: Any) -> Any:
    page = context.new_page()
    page.problems = Problems()
    page.problems.watch(page)
    return page


@pytest.fixture
def sessions(browser: Any, live_server: Any) -> Iterator[Any]:
    """sessions("kllokot.mayor") → a page in a browser context of its own, logged in."""
    opened: list[Any] = []

    def session_for(username: str) -> Any:
        context = browser.new_context(
            base_url=live_server.url, locale="sq-AL", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(15_000)
        opened.append(context)
        page = context.new_page()
        page.problems = Problems()
        page.problems.watch(page)
        log_in(page, username, "demo")
        page.wait_for_url(re.compile(r"/home/$"))
        return page

    yield session_for
    for context in opened:
        context.close()
