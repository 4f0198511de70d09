"""In a real browser (Debian's Chromium driven by Playwright against the live server): the
Content-Security-Policy blocks a script without the page's nonce and reports no violation on
the main pages; a locked-out sign-in and an oversized upload are refused on the page."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from roles.models import User
from tests.ui.browsing import log_in

pytestmark = pytest.mark.browser

# Every violation the page's policy reports, kept where the test can read it.
WATCH_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""
PAGES = {
    "kllokot.mayor": [
        "/home/",
        "/documents/",
        "/documents/upload/",
        "/work/",
        "/work/processes/",
        "/work/delegations/",
        "/work/notifications/",
        "/deadlines/",
        "/directory/institution/",
    ],
    "kllokot.info": ["/work/processes/new/press-statement/"],
    "auditor": ["/search/", "/search/?q=vendim"],
    "admin": ["/admin/", "/admin/audit/auditentry/", "/api/docs/"],
}


def violations(page: Any) -> list[str]:
    return list(page.evaluate("window.cspViolations || []"))


@pytest.mark.parametrize("username", list(PAGES))
def test_the_main_pages_report_no_policy_violation(
    context: Any, demo: dict[str, User], username: str
) -> None:
    from playwright.sync_api import expect

    context.add_init_script(WATCH_VIOLATIONS)
    page = context.new_page()
    page.problems = []
    page.on("console", lambda message: page.problems.append(message.text))
    log_in(page, username, "demo")
    page.wait_for_url(re.compile(r"/(home|admin)/$"))
    for path in PAGES[username]:
        response = page.goto(path)
        assert response.status == 200, path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        assert violations(page) == [], (path, violations(page))
    if username == "kllokot.mayor":
        # Through the menu too, as Turbo loads the pages into the first one.
        page.goto("/home/")
        page.locator("a[href='/documents/']").first.click()
        page.wait_for_url("**/documents/")
        expect(page.locator("main")).to_be_visible()
        assert violations(page) == []
    assert not [text for text in page.problems if "Content Security Policy" in text]


def test_a_script_without_the_nonce_is_blocked(context: Any, demo: dict[str, User]) -> None:
    context.add_init_script(WATCH_VIOLATIONS)
    page = context.new_page()
    log_in(page, "kllokot.mayor", "demo")
    page.wait_for_url("**/home/")
    page.goto("/home/")  # loaded whole: its own policy, with its nonce, is the one in force
    # What an injected script would be: refused, and reported.
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true;";
          document.body.appendChild(script);
        }"""
    )
    assert page.evaluate("window.injected === undefined")
    assert any(entry.startswith("script-src") for entry in violations(page)), violations(page)
    # With the page's nonce the same script runs: the policy allows nonced inline scripts.
    nonce = page.locator("meta[name=csp-nonce]").get_attribute("content")
    page.evaluate(
        """(nonce) => {
          const script = document.createElement("script");
          script.nonce = nonce;
          script.textContent = "window.nonced = true;";
          document.body.appendChild(script);
        }""",
        nonce,
    )
    assert page.evaluate("window.nonced === true")


def test_a_locked_out_account_is_refused_on_the_sign_in_page(
    page: Any, demo: dict[str, User]
) -> None:
    from playwright.sync_api import expect

    with override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3):
        for _ in range(2):
            log_in(page, "kllokot.mayor", "wrong")
            expect(page.locator("form.vf-form")).to_be_visible()
        # The third failure locks the account; then even the right password is refused.
        log_in(page, "kllokot.mayor", "wrong")
        expect(page.locator(".login-refusal")).to_contain_text("Shumë përpjekje")
        with page.expect_response(
            lambda response: (
                response.request.method == "POST" and response.url.endswith("/accounts/login/")
            )
        ) as answer:
            log_in(page, "kllokot.mayor", "demo")
        assert answer.value.status == 429
        assert int(answer.value.headers["retry-after"]) > 0
        expect(page.locator(".login-refusal")).to_contain_text("Provoni përsëri pas orës")
        assert page.url.endswith("/accounts/login/")


def test_an_oversized_upload_is_refused_on_the_page(
    page: Any, demo: dict[str, User], tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    large = tmp_path / "plani.txt"
    large.write_bytes(b"Plani i mbeturinave.\n" * 150_000)  # about 3 MB
    with override_settings(DOCUMENT_MAX_UPLOAD_SIZE=2**20):
        log_in(page, "kllokot.info", "demo")
        page.wait_for_url("**/home/")
        page.goto("/documents/upload/")
        page.fill("input[name=title]", "Plani i mbeturinave")
        page.locator("select[name=kind]").select_option("report")
        page.set_input_files("input[type=file]", str(large))
        with page.expect_response(re.compile(r"/documents/upload/$")) as answer:
            page.locator("main form button[type=submit]").click()
        assert answer.value.status == 413
        expect(page.locator(".upload-refusal")).to_have_text("Skedari i kalon 1 MB.")
