"""Helpers of the browser tests (Debian's Chromium driven by Playwright against the live
server); their fixtures are in this package's conftest.py."""

from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class Problems(list[str]):
    """Script errors, console errors and failed requests a page ran into."""

    def watch(self, page: Any) -> None:
        page.on("pageerror", lambda error: self.append(f"script error: {error}"))
        page.on("console", self.on_console)
        page.on("requestfailed", self.on_request_failed)
        page.on("response", self.on_response)

    def on_console(self, message: Any) -> None:
        if message.type == "error":
            self.append(f"console: {message.text}")

    def on_request_failed(self, request: Any) -> None:
        # The browser cancels what is still loading (the favicon, say) when the page navigates
        # away, e.g. after a form is submitted: not a failure of the app. A missing file shows
        # up in on_response, a refused connection as another error.
        if request.failure == "net::ERR_ABORTED":
            return
        self.append(f"request failed: {request.url} {request.failure}")

    def on_response(self, response: Any) -> None:
        if response.status >= 400:
            self.append(f"{response.status} {response.request.method} {response.url}")


def log_in(page: Any, username: str, password: str) -> None:
    from playwright.sync_api import expect

    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "sq")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form.vf-form button[type=submit]").click()
