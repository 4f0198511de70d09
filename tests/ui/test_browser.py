"""The interface in a real browser: Debian's Chromium driven by Playwright against the live server.

Logging in, the home page naming the official's institution and role, switching between
Albanian, English and Serbian Cyrillic, logging out, a refused password, and the API's schema and
documentation pages. Stylesheets and scripts must load and no page may raise a script error.
"""

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils import translation

from roles.models import Membership, User
from tests.ui.browsing import log_in

pytestmark = pytest.mark.browser

CYRILLIC = re.compile(r"[\u0400-\u04FF]")
MAYOR = "kllokot.mayor"


def expected_home(user: User, language: str) -> dict[str, str]:
    membership = (
        Membership.objects.active().select_related("institution", "unit", "role").get(user=user)
    )
    with translation.override(language):
        welcome = translation.gettext("Welcome, %(name)s") % {"name": user.get_full_name()}
        title = translation.gettext("Home")
    return {
        "welcome": welcome,
        "title": title,
        "institution": membership.institution.name_in(language),
        "unit": membership.unit.name_in(language) if membership.unit else "—",
        "role": membership.role.name_in(language),
    }


def assert_home_in(page: Any, user: User, language: str) -> None:
    from playwright.sync_api import expect

    expect(page.locator("html")).to_have_attribute("lang", language)
    expected = expected_home(user, language)
    expect(page.locator("h1")).to_have_text(expected["welcome"])
    expect(page.locator(".mdc-top-app-bar__title")).to_have_text(expected["title"])
    row = page.locator("main table tbody tr").first
    for key in ("institution", "unit", "role"):
        expect(row).to_contain_text(expected[key])


def test_log_in_switch_language_and_log_out(page: Any, demo: dict[str, User]) -> None:
    from playwright.sync_api import expect

    mayor = demo[MAYOR]
    stylesheets: list[tuple[str, int]] = []

    def note_stylesheet(response: Any) -> None:
        if response.url.endswith(".css"):
            stylesheets.append((response.url, response.status))

    page.on("response", note_stylesheet)

    # Albanian by default, on the login page and after logging in.
    log_in(page, MAYOR, "demo")
    expect(page).to_have_url(re.compile(r"/home/$"))
    assert_home_in(page, mayor, "sq")
    assert expected_home(mayor, "sq")["welcome"] != expected_home(mayor, "en")["welcome"]
    # The stylesheets arrived and apply: the top bar is coloured, not the default transparent.
    assert any("viewflow" in url and status == 200 for url, status in stylesheets), stylesheets
    bar_colour = page.locator("header.mdc-top-app-bar").evaluate(
        "element => getComputedStyle(element).backgroundColor"
    )
    assert bar_colour not in ("rgba(0, 0, 0, 0)", "transparent"), bar_colour
    screenshot = Path(settings.VAR_DIR) / "browser-home.png"
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshot), full_page=True)

    # English.
    page.locator('form.language-switcher button[name="language"][value="en"]').click()
    assert_home_in(page, mayor, "en")
    expect(page.locator("h1")).to_contain_text("Welcome")
    expect(page.locator(".mdc-top-app-bar__title")).to_have_text("Home")
    expect(page.locator('form.language-switcher button[value="en"]')).to_have_attribute(
        "aria-current", "true"
    )

    # Serbian in Cyrillic; the choice is remembered for the person, not only in a cookie.
    page.locator('form.language-switcher button[name="language"][value="sr"]').click()
    assert_home_in(page, mayor, "sr")
    assert CYRILLIC.search(page.locator("h1").inner_text())
    assert CYRILLIC.search(page.locator("main table").inner_text())
    mayor.refresh_from_db()
    assert mayor.preferred_language == "sr"

    # Log out through the side menu: its user section opens with the toggle in its header.
    logout = page.locator('form[action$="/accounts/logout/"] button')
    if not logout.is_visible():
        page.locator("button.vf-page__menu-toggle-button").click()
    expect(logout).to_be_visible()
    logout.click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    assert not [c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME]

    # Signed out: the home page sends the visitor to log in, and the API does not know them.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    expect(page.locator("input[name=password]")).to_be_visible()
    assert page.request.get("/api/me/").status == 401

    assert not page.problems, page.problems


def test_a_wrong_password_is_refused(page: Any, demo: dict[str, User]) -> None:
    from playwright.sync_api import expect

    log_in(page, MAYOR, "not-the-password")
    with translation.override("sq"):
        form = AuthenticationForm(data={"username": MAYOR, "password": "not-the-password"})
        assert not form.is_valid()
        refusal = form.non_field_errors()[0]
    expect(page.locator("body")).to_contain_text(refusal)
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("input[name=password]")).to_be_visible()
    assert not [c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME]
    assert page.request.get("/api/me/").status == 401
    page.goto("/home/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    # The refused form comes back as 422, as Turbo (viewflow's page loader) needs to render it.
    unexpected = [p for p in page.problems if "422" not in p]
    assert not unexpected, page.problems


def test_api_schema_is_served(context: Any) -> None:
    for path, parse in (("/api/schema/", yaml.safe_load), ("/api/schema/?format=json", None)):
        response = context.request.get(path)
        assert response.status == 200, path
        assert response.headers["content-type"].startswith("application/vnd.oai.openapi")
        document = parse(response.text()) if parse else response.json()
        assert document["openapi"].startswith("3.")
        assert "/api/me/" in document["paths"]


def test_api_docs_page(page: Any) -> None:
    """Swagger UI: the page itself always; its rendering where its assets can be fetched."""
    from playwright.sync_api import expect

    response = page.goto("/api/docs/")
    assert response.status == 200
    # The page loads its script from itself (no inline script under the content policy),
    # and the script names the schema.
    script = page.request.get("/api/docs/?script=")
    assert script.status == 200
    assert "/api/schema/" in script.text()
    offline = [
        problem
        for problem in page.problems
        if "request failed" in problem and "127.0.0.1" not in problem and "localhost" not in problem
    ]
    if offline:
        pytest.skip("Swagger UI's assets come from a CDN this machine cannot reach: " + offline[0])
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(
        settings.SPECTACULAR_SETTINGS["TITLE"]
    )
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert not page.problems, page.problems
