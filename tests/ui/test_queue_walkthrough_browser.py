"""A walk through the officials' tool over the demo's work in progress, role by role, in
Albanian and Serbian Cyrillic, at a desktop's and a phone's width (Debian's Chromium, live
server): each official does their own part of the three processes in the pages — the assembly
decision from the chair's signature to MAPL's legal review, the press statement from the
officer's revision to its release in both languages, the government-meeting material from its
submission to the Government's decision — searches, and follows the deadlines dashboards to the
processes behind them.

Each person signs in once per language; every key page is checked at the width it opened at,
then reloaded at the other (one h1, nothing off the screen sideways, no page problem, its words
in the page's language, no word half in one script and half in the other) with a screenshot of
each in var/screenshots/ (not committed): `<page>-<role>-<language>-<screen>.png`. The walk goes
on at the width it ended at, so the officials act at both widths too."""

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from roles.models import User
from tests.ui.browsing import Problems
from tests.workflows.demo_work import demo_work_seeded
from workflows.models import (
    AssemblyDecisionProcess,
    CoordinationProcess,
    MeetingMaterialProcess,
    PressStatementProcess,
)

pytestmark = pytest.mark.browser

SCREENS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
# What each language calls the things the walk looks for (the catalogues' own words).
WORDS: dict[str, dict[str, Any]] = {
    "sq": {
        "locale": "sq-AL",
        "queue": "Radha e punës",
        "late": re.compile(r"\d+ ditë vonesë"),
        "team": "Ekipi im",
        "waiting": "Ju presin",
        "trend": "Në afat sipas muajit",
        "by_institution": "Sipas institucionit dhe llojit të procesit",
        "done": "Kryer:",
        "preview": "Parapamje",
        "sign_off": "Nënshkruaj vendimin",
        "transmit": "Përcille vendimin në MAPL",
        "acknowledge": "Konfirmo pranimin",
        "review": "Shqyrto ligjshmërinë",
        "buttons": {
            "approve": "Mirato",
            "transmit": "Përcill",
            "acknowledge": "Konfirmo pranimin",
            "lawful": "I ligjshëm",
            "submit": "Dërgo",
            "schedule": "Vendos në rendin e ditës",
            "record_outcome": "Shëno rezultatin",
        },
        "revise_statement": "Rishiko komunikatën e kthyer",
        "approve_statement": "Mirato komunikatën",
        "released_at": "Publikuar më",
        "press_statements": "Njoftimet për shtyp",
        "portal": "Portali publik",
        "material": "Material për mbledhjen e Qeverisë",
        "approve_material": "Mirato materialin",
        "review_plan": "Shqyrto planin e komunikimit",
        "key_messages": "Mesazhet kryesore",
        "schedule": "Vendose në rendin e ditës së mbledhjes",
        "record_outcome": "Shëno rezultatin e mbledhjes",
        "approved": "miratuar",
        "missing_language": "Shtoni versionin gjuhësor që i mungon materialit",
        "search": "Kërkimi",
        "facets": ("Institucioni", "Lloji", "Gjuha"),
        "kllokot": "Komuna e Kllokotit",
        "albanian": "Shqip",
        "serbian": "Serbisht",
        "press_kind": "komunikatë për media",
    },
    "sr": {
        "locale": "sr-RS",
        "queue": "Ред послова",
        "late": re.compile(r"касни \d+ дана?"),
        "team": "Мој тим",
        "waiting": "Чека вас",
        "trend": "У року по месецима",
        "by_institution": "По институцији и врсти процеса",
        "done": "Извршено:",
        "preview": "Преглед",
        "sign_off": "Потпиши одлуку",
        "transmit": "Достави одлуку МАЛС-у",
        "acknowledge": "Потврди пријем",
        "review": "Оцени законитост",
        "buttons": {
            "approve": "Одобри",
            "transmit": "Достави",
            "acknowledge": "Потврди пријем",
            "lawful": "Законита",
            "submit": "Пошаљи",
            "schedule": "Стави на дневни ред",
            "record_outcome": "Евидентирај исход",
        },
        "revise_statement": "Доради враћено саопштење",
        "approve_statement": "Одобри саопштење",
        "released_at": "Објављено",
        "press_statements": "Саопштења за медије",
        "portal": "Јавни портал",
        "material": "Материјал за седницу Владе",
        "approve_material": "Одобри материјал",
        "review_plan": "Прегледај план комуникације",
        "key_messages": "Кључне поруке",
        "schedule": "Стави на дневни ред седнице",
        "record_outcome": "Евидентирај исход седнице",
        "approved": "одобрено",
        "missing_language": "Додајте језичку верзију која недостаје материјалу",
        "search": "Претрага",
        "facets": ("Институција", "Врста", "Језик"),
        "kllokot": "Општина Клокот",
        "albanian": "Албански",
        "serbian": "Српски",
        "press_kind": "саопштење за медије",
    },
}
SHOTS = Path(settings.VAR_DIR) / "screenshots"
# A word written half in Latin and half in Cyrillic letters ("Wорд"): a transliteration gone
# wrong, in either language's pages.
MIXED_SCRIPT = re.compile(r"\w*(?:[a-zA-Z][\u0400-\u04ff]|[\u0400-\u04ff][a-zA-Z])\w*")
REGISTRATION_NUMBER = re.compile(r"^[A-Z]+-\d{4}-\d{6}$")

DECISION = "Vendimi për buxhetin komunal të vitit 2027"  # the demo's, late at the chair
STATEMENT = "Fushata e vaksinimit në shkolla"  # the demo's, returned by the mayor
MATERIAL = "Plani i investimeve kapitale"  # submitted in the walk, for today's meeting


def browsing(browser: Any, live_server: Any, language: str) -> Any:
    """A page in a browser of that language, at a desktop's width, signed out."""
    context = browser.new_context(
        base_url=live_server.url, locale=WORDS[language]["locale"], viewport=SCREENS["desktop"]
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.language = language
    page.problems = Problems()
    page.problems.watch(page)
    return page


def sign_in(page: Any, username: str) -> Any:
    """The next official at this browser: the one before is signed out (their cookies gone)."""
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo")
    page.locator("form.vf-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/home/$"))
    return page


def signed_in(browser: Any, live_server: Any, username: str, language: str, screen: str) -> Any:
    """One official in a browser of their own (the walk's people share one per language)."""
    page = browsing(browser, live_server, language)
    page.set_viewport_size(SCREENS[screen])
    return sign_in(page, username)


@pytest.fixture
def walk(browser: Any, live_server: Any) -> Iterator[Callable[[str], Any]]:
    """walk("sq") → the walk's page in an Albanian browser; closed at the end."""
    opened: list[Any] = []

    def page_in(language: str) -> Any:
        page = browsing(browser, live_server, language)
        opened.append(page.context)
        return page

    yield page_in
    for context in opened:
        context.close()


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sideways(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def screen_of(page: Any) -> str:
    return next(name for name, size in SCREENS.items() if size == page.viewport_size)


def key_page(
    page: Any,
    name: str,
    role: str,
    *texts: str | re.Pattern[str],
    extra: Callable[[str], None] | None = None,
) -> None:
    """The page checked at the width it opened at, then reloaded at the other one (the walk
    goes on there): one h1, its words, nothing off the screen sideways, no word of two scripts,
    no page problem, and a screenshot of each (`extra(screen)`: the page's own checks)."""
    from playwright.sync_api import expect

    first = screen_of(page)
    for screen in (first, *(other for other in SCREENS if other != first)):
        if screen != first:
            page.set_viewport_size(SCREENS[screen])
            page.reload()
        expect(page.locator("h1")).to_have_count(1)
        for text in texts:
            expect(page.locator("body")).to_contain_text(text)
        if extra is not None:
            extra(screen)
        assert sideways(page) <= 0, (name, role, screen, sideways(page))
        mixed = MIXED_SCRIPT.findall(page.locator("body").inner_text())
        assert not mixed, (name, role, screen, mixed)
        assert not page.problems, page.problems
        shot(page, f"{name}-{role}-{page.language}-{screen}")


def task_opened(page: Any, process_title: str) -> None:
    """From the queue, the official's open step of that process."""
    page.goto("/work/")
    row = page.locator("tr.inbox-task", has_text=process_title)
    row.locator("a[href^='/work/tasks/']").first.click()
    page.wait_for_url(re.compile(r"/work/tasks/\d+/$"))


def acted(page: Any, action: str, process_title: str) -> None:
    """The step completed with that button (named in the page's language): back at the queue,
    which says it is done."""
    from playwright.sync_api import expect

    button = page.locator(f"form.task-complete button[name=action][value={action}]")
    expect(button).to_have_text(WORDS[page.language]["buttons"][action])
    button.click()
    page.wait_for_url(re.compile(r"/work/$"))
    done = page.locator("p.message[role=status]", has_text=process_title)
    expect(done).to_contain_text(WORDS[page.language]["done"])
    assert not page.problems, page.problems


def process_of(title: str) -> CoordinationProcess:
    return CoordinationProcess.objects.get(title=title)


LANGUAGES = list(WORDS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_assembly_decision_from_the_chair_to_mapls_legal_review(
    walk: Any, demo: dict[str, User], language: str
) -> None:
    """The chair finds the late decision at home and in the queue and signs it off; the
    assembly office follows it on the municipality's dashboard and transmits it; MAPL's
    registry acknowledges it and finds its review on MAPL's dashboard; MAPL's legal office
    reads the texts in the task's page and finds it lawful."""
    from playwright.sync_api import expect

    demo_work_seeded()
    words = WORDS[language]
    page = walk(language)

    # Home: what waits for the chair, the late decision first.
    sign_in(page, "kllokot.chair")
    late_row = page.locator("#home-waiting tr.inbox-task--overdue").first

    def home_shown(screen: str) -> None:
        expect(page.get_by_text(words["waiting"], exact=True)).to_be_visible()
        expect(late_row).to_contain_text(words["late"])

    key_page(page, "home", "chair", extra=home_shown)

    # The queue: the late step marked in words and with an icon hidden from readers.
    page.goto("/work/")
    row = page.locator("tr.inbox-task--overdue", has_text="buxhetin komunal")

    def queue_shown(screen: str) -> None:
        expect(page.locator("h1")).to_have_text(words["queue"])
        expect(row).to_contain_text(words["late"])
        expect(row.locator(".material-icons")).to_have_attribute("aria-hidden", "true")
        due = row.locator("td.queue-due").bounding_box()
        assert due is not None and due["x"] >= 0
        assert due["x"] + due["width"] <= SCREENS[screen]["width"]
        if screen == "phone":
            # A card: the due date above the task's title, nothing off the screen.
            title = row.locator("td", has_text="buxhetin komunal").first.bounding_box()
            assert title is not None and due["y"] < title["y"]

    key_page(page, "queue", "chair", extra=queue_shown)

    # The team's view, kept for the next visit; the late ones alone.
    page.get_by_role("link", name=words["team"]).click()
    expect(page.get_by_role("link", name=words["team"])).to_have_attribute("aria-current", "page")
    page.goto("/work/")
    expect(page.get_by_role("link", name=words["team"])).to_have_attribute("aria-current", "page")
    page.select_option("select[name=overdue]", "yes")
    page.locator("form.queue-filter button[type=submit]").click()
    page.wait_for_url(re.compile(r"overdue=yes"))
    expect(page.locator("tr.inbox-task")).not_to_have_count(0)
    assert page.locator("tr.inbox-task").count() == page.locator("tr.inbox-task--overdue").count()

    # The chair signs the decision off from its page, both texts beside the buttons.
    task_opened(page, DECISION)
    key_page(page, "task", "chair", words["sign_off"], DECISION)
    expect(page.locator("li.document-item")).to_have_count(2)
    acted(page, "approve", DECISION)

    # The municipality's dashboard: the trend, and the late item leads to its process.
    sign_in(page, "kllokot.assembly")
    page.goto("/deadlines/")
    item = page.locator("tr.deadline-item", has_text="buxhetin komunal")

    def dashboard_shown(screen: str) -> None:
        expect(page.get_by_text(words["trend"], exact=True)).to_be_visible()
        expect(page.locator("svg#deadline-trend text").first).to_be_visible()
        expect(item).to_contain_text(words["late"])

    key_page(page, "deadlines", "office", extra=dashboard_shown)
    item.get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/work/processes/{process_of(DECISION).pk}/$"))
    expect(page.locator("h1")).to_have_text(DECISION)

    # The office transmits the signed decision to MAPL.
    task_opened(page, DECISION)
    key_page(page, "task", "office", words["transmit"], DECISION)
    acted(page, "transmit", DECISION)

    # MAPL's registry acknowledges receipt; the office is told under MAPL's own number.
    sign_in(page, "mapl.registry")
    task_opened(page, DECISION)
    key_page(page, "task", "registry", words["acknowledge"], DECISION)
    acted(page, "acknowledge", DECISION)
    decision = AssemblyDecisionProcess.objects.get(title=DECISION)
    assert decision.receipt_registration_number.startswith("MAPL-")

    # MAPL's dashboard: its open clocks lead to the items and on to the decision.
    page.goto("/deadlines/")
    key_page(page, "deadlines", "registry", words["by_institution"])
    page.locator("#deadline-counts a[href*='institution=MAPL'][href*='state=open']").click()
    page.wait_for_url(re.compile(r"state=open"))
    page.locator("tr.deadline-item", has_text="buxhetin komunal").get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/work/processes/{decision.pk}/$"))
    expect(page.locator("h1")).to_have_text(DECISION)

    # MAPL's legal office reads the Serbian text in the task's page and finds it lawful.
    sign_in(page, "mapl.legal")
    task_opened(page, DECISION)
    serbian = page.locator("li.document-item", has_text=f"{DECISION} (sr)")

    def preview_shown(screen: str) -> None:
        with page.expect_response(re.compile(r"/documents/\d+/preview/")) as preview:
            serbian.locator("summary").click()
        assert preview.value.status == 200
        frame = serbian.locator("iframe.document-preview")
        expect(frame).to_be_visible()
        expect(frame.content_frame.locator("body")).to_contain_text("Скупштина општине")
        box = frame.bounding_box()
        assert box is not None and box["x"] + box["width"] <= SCREENS[screen]["width"]

    key_page(page, "review", "legal", words["review"], words["preview"], extra=preview_shown)
    acted(page, "lawful", DECISION)
    decision.refresh_from_db()
    assert decision.legal_outcome == "lawful"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_press_statement_revised_approved_released_and_found(
    walk: Any, demo: dict[str, User], language: str
) -> None:
    """The information officer searches the registered texts, then corrects the statement the
    mayor returned; the mayor approves it and sees it released in Albanian and Serbian, on the
    process's page and the public portal; the auditor finds its archived texts."""
    from playwright.sync_api import expect

    demo_work_seeded()
    words = WORDS[language]
    page = walk(language)

    # An official's search: registration numbers, and facets by name in the page's language.
    sign_in(page, "kllokot.info")
    page.goto("/search/?q=buxhetin")
    # The decision's registered texts (its process is found too, without a number).
    texts = page.locator("#results li", has_text=DECISION).filter(
        has=page.locator(".registration-number")
    )

    def found_shown(screen: str) -> None:
        expect(texts).to_have_count(2)  # the Albanian and the Serbian text
        for index in range(2):
            shown = texts.nth(index).locator(".registration-number").inner_text()
            assert REGISTRATION_NUMBER.match(shown), shown
        facets = page.locator("#facets")
        for name in (*words["facets"], words["kllokot"], words["albanian"], words["serbian"]):
            expect(facets).to_contain_text(name)

    key_page(page, "search", "info", words["search"], extra=found_shown)

    # The officer corrects the returned statement, the mayor's reason on its page.
    task_opened(page, STATEMENT)
    key_page(page, "task", "info", words["revise_statement"], "Të saktësohen datat.")
    corrected = f"{STATEMENT}: nga 12 deri më 16 janar, në të gjitha shkollat."
    page.fill("textarea[name='data-text_sq']", corrected)
    acted(page, "submit", STATEMENT)

    # The mayor approves it: released at once, in both languages.
    sign_in(page, "kllokot.mayor")
    task_opened(page, STATEMENT)
    key_page(page, "task", "mayor", words["approve_statement"], corrected)
    acted(page, "approve", STATEMENT)
    statement = PressStatementProcess.objects.get(title=STATEMENT)
    assert statement.released_at is not None
    archived = statement.documents.filter(kind="press_statement")
    assert sorted(archived.values_list("language", flat=True)) == ["sq", "sr"]

    page.goto(f"/work/processes/{statement.pk}/")
    texts = page.locator("li.document-item")

    def released_shown(screen: str) -> None:
        expect(texts).to_have_count(2)
        for index in range(2):
            assert REGISTRATION_NUMBER.match(texts.nth(index).locator("a").first.inner_text())

    key_page(
        page,
        "statement",
        "mayor",
        words["released_at"],
        corrected,
        f"{STATEMENT}: обавештење за грађане.",
        extra=released_shown,
    )

    # The public portal: the statement in both languages, each section marked as written.
    page.goto("/portal/press-statements/")
    article = page.locator("article", has_text=STATEMENT)

    def portal_shown(screen: str) -> None:
        expect(article).to_contain_text(words["kllokot"])
        expect(article.locator("section[lang=sq]")).to_contain_text(words["albanian"])
        expect(article.locator("section[lang=sq]")).to_contain_text("nga 12 deri më 16 janar")
        expect(article.locator("section[lang=sr]")).to_contain_text(words["serbian"])
        expect(article.locator("section[lang=sr]")).to_contain_text("обавештење за грађане")

    key_page(
        page, "portal", "mayor", words["portal"], words["press_statements"], extra=portal_shown
    )

    # The auditor searches every archive: both texts, each under its registration number.
    sign_in(page, "auditor")
    page.goto("/search/?q=vaksinimit&type=document")
    found = page.locator("#results li", has_text=STATEMENT)

    def archive_shown(screen: str) -> None:
        expect(found).to_have_count(2)
        for index in range(2):
            shown = found.nth(index).locator(".registration-number").inner_text()
            assert REGISTRATION_NUMBER.match(shown), shown
        expect(page.locator("#facets")).to_contain_text(words["press_kind"])

    key_page(page, "archive", "auditor", words["albanian"], words["serbian"], extra=archive_shown)


@pytest.mark.parametrize("language", LANGUAGES)
def test_meeting_material_from_the_ministry_to_the_governments_decision(
    walk: Any, demo: dict[str, User], language: str
) -> None:
    """The ministry's communications office submits material for today's meeting with its
    communication plan; the minister approves it; ZKP reviews the plan and follows the late
    material on the central office's dashboard; the Government Secretariat puts it on the
    agenda and records the approval, after which the ministry is asked for the language
    version it lacks (nothing goes to the media in one language only)."""
    from playwright.sync_api import expect

    demo_work_seeded()
    words = WORDS[language]
    page = walk(language)
    today = timezone.localdate()

    sign_in(page, "mf.comms")
    page.goto("/work/processes/new/meeting-material/")
    key_page(page, "start", "comms", words["material"], words["key_messages"])
    page.fill("input[name=title]", MATERIAL)
    page.fill("input[name=meeting_date]", today.isoformat())
    page.fill("textarea[name=key_messages]", "Investimet rriten në të gjitha komunat.")
    page.fill("textarea[name=audiences]", "Qytetarët\nMediat")
    page.fill("textarea[name=channels]", "Konferencë për shtyp")
    page.fill("input[name=spokesperson]", "Zëdhënësi i ministrisë")
    page.fill("input[name=timing]", "Pas mbledhjes së qeverisë")
    page.locator("#process-new button[type=submit]").click()
    page.wait_for_url(re.compile(r"/work/processes/\d+/$"))
    expect(page.locator("h1")).to_have_text(MATERIAL)
    assert not page.problems, page.problems

    sign_in(page, "mf.minister")
    task_opened(page, MATERIAL)
    key_page(page, "task", "minister", words["approve_material"], MATERIAL)
    acted(page, "approve", MATERIAL)

    # ZKP reviews the plan, each part under its name.
    sign_in(page, "zkp.coordinator")
    task_opened(page, MATERIAL)
    key_page(
        page,
        "task",
        "zkp",
        words["review_plan"],
        words["key_messages"],
        "Investimet rriten në të gjitha komunat.",
    )
    acted(page, "approve", MATERIAL)

    # The central office's dashboard: the demo's late material leads to its process.
    late = "Projektligji për buxhetin e vitit 2027"
    page.goto("/deadlines/")
    item = page.locator("tr.deadline-item", has_text=late)
    key_page(
        page,
        "deadlines",
        "zkp",
        words["by_institution"],
        extra=lambda screen: expect(item).to_contain_text(words["late"]),
    )
    item.get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/work/processes/{process_of(late).pk}/$"))
    expect(page.locator("h1")).to_have_text(late)

    # The Secretariat puts it on the agenda, then records the Government's decision.
    sign_in(page, "sq.secretary")
    task_opened(page, MATERIAL)
    expect(page.locator("h1")).to_have_text(words["schedule"])
    page.fill("input[name='data-agenda_item']", "7")
    acted(page, "schedule", MATERIAL)
    task_opened(page, MATERIAL)
    key_page(page, "outcome", "secretary", words["record_outcome"], MATERIAL)
    page.select_option("select[name='data-outcome']", "approved")
    acted(page, "record_outcome", MATERIAL)

    material = MeetingMaterialProcess.objects.get(title=MATERIAL)
    assert (material.agenda_item, material.outcome) == ("7", "approved")
    assert material.published_at is None  # no public text in either language yet
    page.goto(f"/work/processes/{material.pk}/")
    key_page(page, "material", "secretary", words["approved"], words["missing_language"])
