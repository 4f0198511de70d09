"""Every officials' page and every portal page, in Albanian, Serbian (both scripts) and English:
no English message id left untranslated on an Albanian or Serbian page, and no raw code (a process
type, a state, True/False/None, yes/no, a language code, a score in e-notation) on any page.

The pages come from the URL resolver, so a new page is rendered here without anyone listing it:
a page without parameters is opened by every representative official (and the portal's by an
anonymous visitor); a page with parameters needs its parameters filled in `FILLERS` from the
demo's own objects, or a reason in `SKIPPED` — otherwise the test fails and says so.

One test, one database set-up: the demo organisation with its work in progress, plus one
object of each kind the demo's work does not make (a coordination request, a plan, a
consultation with a comment, a complaint and an access request submitted on the portal).
Rendered with Django's test client (`make messages` first: the compiled catalogues)."""

import html
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from viewflow.workflow import STATUS
from viewflow.workflow.models import Task

from coordination import plans
from documents.models import Document
from roles.models import Institution, User
from search.outbox import drain
from tests.consultations.steps import approved, closed, comment
from tests.coordination.conftest import sent
from tests.workflows.demo_work import demo_work_seeded
from tests.workflows.steps import completed, inbox
from workflows.flows import FLOWS
from workflows.models import CoordinationProcess
from workflows.services import task_acting
from workflows.starting import SLUGS, startable

ROOT = Path(settings.BASE_DIR)
# The site's languages (settings.LANGUAGES), each with what a browser asking for it sends.
ACCEPT = {"sq": "sq", "sr": "sr", "sr-latn": "sr-Latn", "en": "en"}
CATALOGUE_LANGUAGE = {"sq": "sq", "sr": "sr", "sr_Latn": "sr-latn"}
# Who opens the officials' pages: a municipality's office and its mayor, MAPL's legal
# reviewer, a ministry's communication office, the central office, the Secretariat, the auditor.
OFFICIALS = (
    "kllokot.assembly",
    "kllokot.mayor",
    "mapl.legal",
    "mf.comms",
    "zkp.coordinator",
    "sq.secretary",
    "auditor",
)
# Who opens the pages without parameters (each official's lists differ by role; these four see
# the most): every page's other people come with the objects in FILLERS.
LIST_READERS = ("kllokot.mayor", "auditor", "admin")
# Patterns not rendered, by name, and why. Anything under /api/ and /admin/ is left out too:
# the API answers JSON in the API's own shape; the admin is Django's, for the site's keepers.
SKIPPED = {
    "healthz": "a machine's health check (JSON), not a page",
    "logout": "an action: POST only",
    "set_language": "an action: POST only",
    "password_reset_complete": "Django's page after a reset; the site has no e-mail reset",
    "search:export": "a download (CSV), checked for readable values in tests/search",
    "work:task-claim": "an action: POST only",
    "work:task-unclaim": "an action: POST only",
    "work:notification-open": "an action: marks the notice read and redirects to its object",
    "work:notifications-read-all": "an action: POST only",
    "work:delegation-revoke": "an action: POST only",
    "documents:preview": "the document's own file, shown in a frame of its page",
    "documents:version-upload": "an action: POST only (its form is on the document's page)",
    "documents:share": "an action: POST only (its form is on the document's page)",
    "documents:annul": "an action: POST only (its form is on the document's page)",
    "documents:picker": "the picker's search (JSON for its script); its words are the pages'",
    "coordination:export": "a download (CSV)",
    "coordination:remind": "an action: POST only",
    "coordination:close": "an action: POST only",
    "portal:access-request-document": "a download (the released document's file)",
    "portal:consultation-document": "a download (the consultation's document)",
}


# What the test finds today and who fixes it: each goes when it is fixed (the test then says the
# entry is stale). Everything else it finds fails the test. Keyed by the problem as reported,
# without the language and the page.
KNOWN: dict[str, str] = {}


def known(problem: str) -> str:
    """The problem without the text around the code (a time, a registration number)."""
    return re.sub(r" in '.*'$", "", problem)


# --- The catalogues -------------------------------------------------------------------------------


def catalogues() -> Iterator[tuple[str, polib.POFile]]:
    """(language, catalogue) of every .po file of the project."""
    for path in sorted(ROOT.glob("*/locale/*/LC_MESSAGES/django.po")):
        locale = path.parent.parent.name
        if locale in CATALOGUE_LANGUAGE:
            yield CATALOGUE_LANGUAGE[locale], polib.pofile(str(path))


PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdfr]|%[sdf]|\{[a-z_]*\}")


@dataclass
class Untranslated:
    """The English message ids that must not appear as they are on a page in one language."""

    plain: set[str] = field(default_factory=set)
    patterns: list[str] = field(default_factory=list)
    regex: re.Pattern[str] | None = None

    def matches(self, text: str) -> bool:
        if text in self.plain:
            return True
        return bool(self.regex and self.regex.fullmatch(text))


def normal(text: str) -> str:
    return " ".join(html.unescape(text).split())


def untranslated_ids() -> dict[str, Untranslated]:
    """Per language: every msgid of every catalogue, except those the language's catalogues
    translate as the same text (a word spelt alike) and those that are a translation there
    themselves (the Albanian "Data" of "Date" is not the English "Data")."""
    msgids: set[str] = set()
    same: dict[str, set[str]] = {language: set() for language in ACCEPT}
    own_words: dict[str, set[str]] = {language: set() for language in ACCEPT}
    for language, catalogue in catalogues():
        for entry in catalogue:
            if entry.obsolete:
                continue
            ids = [entry.msgid, *([entry.msgid_plural] if entry.msgid_plural else [])]
            texts = [entry.msgstr, *entry.msgstr_plural.values()]
            msgids.update(normal(text) for text in ids)
            own_words[language].update(normal(text) for text in texts if text)
            if any(normal(text) in {normal(i) for i in ids} for text in texts if text):
                same[language].update(normal(i) for i in ids)
    result = {}
    for language in ("sq", "sr", "sr-latn"):
        checked = Untranslated()
        for msgid in msgids - same[language] - own_words[language]:
            # A message of one letter or without a word says nothing on its own.
            if len(msgid) < 3 or not re.search(r"[A-Za-z]{2}", msgid):
                continue
            if PLACEHOLDER.search(msgid):
                parts = PLACEHOLDER.split(msgid)
                if sum(len(part.strip()) for part in parts) >= 8:
                    checked.patterns.append(".+?".join(re.escape(part) for part in parts))
            elif "<" not in msgid:
                checked.plain.add(msgid)
        if checked.patterns:
            checked.regex = re.compile("|".join(f"(?:{p})" for p in checked.patterns))
        result[language] = checked
    return result


# --- Raw codes ------------------------------------------------------------------------------------


def choice_codes() -> set[str]:
    """The stored values of every model field with choices whose label differs (a state, a
    kind, a language), and the workflow engine's states."""
    codes = {str(status) for status in STATUS}
    for model in apps.get_models():
        for model_field in model._meta.get_fields():
            for value, label in getattr(model_field, "flatchoices", None) or []:
                if isinstance(value, str) and len(value) >= 2 and value != str(label):
                    codes.add(value)
    return codes


LANGUAGE_CODE = re.compile(r"(?:sq|sr|en|sr[-_](?:latn|Latn))(?:[ ,/]+(?:sq|sr|en|sr[-_]latn))*")
SNAKE_CASE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
E_NOTATION = re.compile(r"\b\d+(?:\.\d+)?e[-+]?\d+\b")
PYTHON_VALUE = re.compile(r"\b(?:True|False)\b")


def raw_codes_in(text: str, language: str, codes: set[str]) -> list[str]:
    """What in one piece of text is a code shown as it is stored."""
    found = []
    # In English a code of one word is often the word itself ("public", "approved").
    if (text in codes and (language != "en" or not text.isalpha() or text.isupper())) or (
        LANGUAGE_CODE.fullmatch(text)
    ):
        found.append(f"code {text!r}")
    for code in SNAKE_CASE.findall(text):
        found.append(f"code {code!r}" if code == text else f"code {code!r} in {text[:60]!r}")
    found += [f"e-notation {number!r}" for number in E_NOTATION.findall(text)]
    found += [f"Python value {value!r}" for value in PYTHON_VALUE.findall(text)]
    if text == "None" or (language != "en" and re.search(r"\bNone\b", text)):
        found.append("Python value 'None'")
    if language != "en" and text.lower() in {"yes", "no"}:
        found.append(f"English {text!r}")
    return found


# --- What a reader sees ---------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
HIDDEN = {"script", "style", "template", "textarea", "code", "pre"}
SPOKEN = ("title", "aria-label", "placeholder", "alt")


class Reader(HTMLParser):
    """The texts a person reads or hears on a page: text, titles, labels, placeholders,
    buttons' values; not scripts, user-typed text areas, code, nor what an element marks as in
    another language (a language's own name in the switcher) or not to translate."""

    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[str] = []

    @property
    def skipping(self) -> bool:
        return bool(self.stack and self.stack[-1][1])

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        other_language = (attributes.get("lang") or self.language).lower() != self.language
        skip = (
            self.skipping
            or tag in HIDDEN
            or (other_language and tag != "html")
            or attributes.get("translate") == "no"
            or attributes.get("aria-hidden") == "true"
        )
        if not skip:
            self.texts += [normal(attributes.get(name) or "") for name in SPOKEN]
            if tag == "input" and attributes.get("type") in {"submit", "button"}:
                self.texts.append(normal(attributes.get("value") or ""))
        if tag not in VOID:
            self.stack.append((tag, skip))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.texts.append(normal(data))


def texts_of(page: str, language: str) -> list[str]:
    reader = Reader(language)
    reader.feed(page)
    reader.close()
    pieces = []
    for text in reader.texts:
        if text:
            pieces.append(text)
            # "Deadline:" or "(Archived)" is still the message "Deadline", "Archived".
            bare = text.strip(" :·•|()[]—–-*,.")
            if bare and bare != text:
                pieces.append(bare)
    return pieces


# --- The pages ------------------------------------------------------------------------------------


def url_patterns() -> Iterator[tuple[str, str]]:
    """(name, route) of every page pattern, outside /api/ and /admin/."""

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[tuple[str, str]]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace or ""]))
                yield from walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern):
                name = ":".join(filter(None, [namespace, pattern.name or ""]))
                yield name, route

    for name, route in walk(get_resolver().url_patterns, "", ""):
        if not route.startswith(("api/", "admin/")):
            yield name, route


@dataclass(frozen=True)
class Visit:
    """A page to open, as whom (None: an anonymous visitor), and what to do first (a portal
    receipt exists only right after a submission)."""

    path: str
    username: str | None
    before: Callable[[Client], None] | None = None
    follow: bool = False


Objects = dict[str, Any]


def _tasks(objects: Objects) -> list[Visit]:
    """One open task of each step of each process type, opened by one who may act on it."""
    seen, visits = set(), []
    for task in Task.objects.filter(status__in=[STATUS.NEW, STATUS.ASSIGNED]).order_by("pk"):
        step = (task.flow_task.flow_class, task.flow_task.name)
        if step in seen or task.flow_task_type != "HUMAN":
            continue
        for username in [*OFFICIALS, *objects["more_officials"]]:
            if task_acting(user=objects["people"][username], task=task, ignore_owner=True):
                seen.add(step)
                visits.append(Visit(f"/work/tasks/{task.pk}/", username))
                break
    return visits


def _processes(objects: Objects, suffix: str) -> list[Visit]:
    """One process of each type, opened by an official of the institution that started it."""
    visits, seen = [], set()
    for process in CoordinationProcess.objects.order_by("pk"):
        if process.flow_class in seen:
            continue
        seen.add(process.flow_class)
        username = objects["starter"].get(process.institution.code, "auditor")
        visits.append(Visit(f"/work/processes/{process.pk}/{suffix}", username))
    return visits


def _document(objects: Objects, suffix: str) -> list[Visit]:
    document = objects["document"]
    return [Visit(f"/documents/{document.pk}/{suffix}", "kllokot.assembly")]


def _receipt(portal: str, form: dict[str, str]) -> Callable[[Client], None]:
    def submit(client: Client) -> None:
        response = client.post(portal, form)
        assert response.status_code == 302, response.content.decode()[:3000]

    return submit


def _access_request_tracked(objects: Objects) -> list[Visit]:
    def track(client: Client) -> None:
        code = objects["access_request_code"]
        client.post("/portal/access-requests/track/", {"tracking_code": code})

    return [Visit("/portal/access-requests/track/", None, track)]


ACCESS_REQUEST = {
    "institution": "KLLOKOT",
    "description": "Procesverbali i seancës së kuvendit të 3 nëntorit.",
    "requester_name": "Marko Petrović",
    "email": "marko@example.org",
    "format": "electronic",
}
COMPLAINT = {
    "institution": "KLLOKOT",
    "topic": "water_irrigation",
    "text": "Kanali i ujitjes është i bllokuar.",
    "location": "Mogillë",
    "email": "",
    "name": "",
    "phone": "",
}

# How to fill the parameters of each page that has some, from the demo's objects (and the
# searches, whose results, facets and scores show only with a query).
FILLERS: dict[str, Callable[[Objects], list[Visit]]] = {
    "search:index": lambda o: [
        Visit(f"/search/{query}", username)
        for query in ("", "?q=vendim", "?q=vendim&sort=date", "?q=zzzzqx")
        for username in ("kllokot.mayor", "auditor")
    ],
    "password_reset_confirm": lambda o: [Visit(o["reset_path"], None, follow=True)],
    "documents:detail": lambda o: _document(o, ""),
    "work:task": _tasks,
    "work:process": lambda o: _processes(o, ""),
    "work:process-chart": lambda o: _processes(o, "chart.svg"),
    "work:process-new": lambda o: [
        Visit(f"/work/processes/new/{slug}/", username)
        for slug, username in o["starters_by_slug"].items()
    ],
    "coordination:tracker": lambda o: [
        Visit(f"/coordination/requests/{o['coordination_request']}/", "zkp.coordinator"),
        Visit(f"/coordination/requests/{o['coordination_request']}/", "mf.comms"),
    ],
    "coordination:print": lambda o: [
        Visit(f"/coordination/requests/{o['coordination_request']}/print/", "zkp.coordinator")
    ],
    "coordination:plan": lambda o: [Visit(f"/coordination/plans/{o['plan']}/", "zkp.coordinator")],
    "consultations:comments": lambda o: [
        Visit(f"/consultations/{o['consultation']}/comments/", "kllokot.info")
    ],
    "directory:institution:detail": lambda o: [
        Visit(f"/directory/institution/{o['institution']}/detail/", "kllokot.assembly")
    ],
    "portal:consultation": lambda o: [
        Visit(f"/portal/consultations/{o[which]}/", None)
        for which in ("consultation", "reported_consultation")
    ],
    "portal:consultation-report": lambda o: [
        Visit(f"/portal/consultations/{o['reported_consultation']}/report/", None)
    ],
    "portal:access-request-receipt": lambda o: [
        Visit(
            "/portal/access-requests/receipt/",
            None,
            _receipt("/portal/access-requests/", ACCESS_REQUEST),
        )
    ],
    "portal:complaint-receipt": lambda o: [
        Visit("/portal/complaints/receipt/", None, _receipt("/portal/complaints/", COMPLAINT))
    ],
    "portal:access-request-track": _access_request_tracked,
    "portal:complaint-track": lambda o: [
        Visit("/portal/complaints/track/", None),
        Visit(f"/portal/complaints/track/?code={o['complaint_code']}", None),
    ],
}
# Pages without parameters that someone signed out sees.
PUBLIC = ("portal:", "login", "password_reset", "password_reset_done")


def visits(objects: Objects) -> tuple[list[Visit], list[str]]:
    """Every page to open, and the patterns nobody knows how to open."""
    planned: list[Visit] = []
    unknown = []
    for name, route in url_patterns():
        if name in SKIPPED:
            continue
        if name in FILLERS:
            planned += FILLERS[name](objects)
        elif "<" in route:
            unknown.append(f"{name} ({route})")
        elif name.startswith(PUBLIC) or name in PUBLIC:
            planned.append(Visit("/" + route, None))
        else:
            planned += [Visit("/" + route, username) for username in LIST_READERS]
    # One visit per (path, person): a page mounted twice (viewflow's index) is opened once.
    unique = list({(visit.path, visit.username): visit for visit in planned}.values())
    return unique, unknown


def consultation_reported(api_as: Any, monkeypatch: pytest.MonkeyPatch) -> int:
    """A consultation with a comment, closed, answered and its report published."""
    officer, mayor = api_as("kllokot.info"), api_as("kllokot.mayor")
    process = approved(officer, mayor, title="Rregullorja për parkimin")
    first = comment(api_as(None), process["id"]).json()
    closed(monkeypatch, process)
    answers = [{"comment": first["id"], "outcome": "partially_accepted", "reason": "Pjesërisht."}]
    completed(officer, inbox(officer)[0]["id"], "answer_comments", answers=answers)
    completed(mayor, inbox(mayor)[0]["id"], "publish_report")
    monkeypatch.undo()
    return int(process["id"])


def demo_objects(demo: dict[str, User], api_as: Any, monkeypatch: pytest.MonkeyPatch) -> Objects:
    """The demo organisation with its work in progress, and one of each object its work does
    not make."""
    reported = consultation_reported(api_as, monkeypatch)
    demo_work_seeded()
    drain()  # the search index, which the commits of a real request would fill
    people = {user.username: user for user in User.objects.all()}
    request = sent(api_as("zkp.coordinator"), recipients=["MF", "KLLOKOT"])
    plan = plans.plan_create(actor=people["zkp.coordinator"], year=2026, title="Plani vjetor")
    consultation = approved(api_as("kllokot.info"), api_as("kllokot.mayor"))
    assert comment(api_as(None), consultation["id"]).status_code == 201
    tracked = api_as(None).post(
        "/api/public/access-requests/", {**ACCESS_REQUEST, "format": "electronic"}, format="json"
    )
    assert tracked.status_code == 201, tracked.content
    complaint = api_as(None).post("/api/public/complaints/", COMPLAINT, format="json")
    assert complaint.status_code == 201, complaint.content
    starters_by_slug = {}
    for slug in SLUGS:
        starters_by_slug[slug] = next(
            username for username in sorted(people) if slug in dict(startable(people[username]))
        )
    kllokot = Institution.objects.get(code="KLLOKOT")
    admin = people["admin"]
    uid = urlsafe_base64_encode(force_bytes(admin.pk))
    return {
        "people": people,
        "more_officials": sorted(set(people) - {"admin"}),
        "starter": {
            "KLLOKOT": "kllokot.assembly",
            "PRISHTINE": "prishtine.assembly",
            "MF": "mf.comms",
            "MAPL": "mapl.legal",
            "ZKM": "zkp.coordinator",
        },
        "starters_by_slug": starters_by_slug,
        "document": Document.objects.filter(institution=kllokot).order_by("pk").first(),
        "coordination_request": request["id"],
        "plan": plan.pk,
        "consultation": consultation["id"],
        "reported_consultation": reported,
        "access_request_code": tracked.json()["tracking_code"],
        "complaint_code": complaint.json()["tracking_code"],
        "institution": kllokot.pk,
        "reset_path": f"/accounts/reset/{uid}/{default_token_generator.make_token(admin)}/",
    }


# --- The test -------------------------------------------------------------------------------------


def problems_of(
    page: str, language: str, untranslated: dict[str, Untranslated], codes: set[str]
) -> list[str]:
    found = []
    for text in texts_of(page, language):
        if language in untranslated and untranslated[language].matches(text):
            found.append(f"untranslated {text!r}")
        found += raw_codes_in(text, language, codes)
    return found


@pytest.fixture(scope="module")
def untranslated() -> dict[str, Untranslated]:
    return untranslated_ids()


def test_the_checks_catch_what_they_look_for(untranslated: dict[str, Untranslated]) -> None:
    """Each check fires on a page that has the fault and on none without it."""
    codes = choice_codes() | set(FLOWS)
    faulty = {
        "untranslated 'Work queue'": "<h1>Work queue</h1>",
        "code 'assembly_decision'": "<td>assembly_decision</td>",
        "code 'in_review'": '<span title="in_review">Në shqyrtim</span>',
        "Python value 'None'": "<td>None</td>",
        "Python value 'True'": "<td>True</td>",
        "English 'yes'": "<text>yes</text>",
        "code 'sq sr'": "<dd>sq sr</dd>",
        "e-notation '4e-06'": "<td>rezultati 4e-06</td>",
    }
    for problem, page in faulty.items():
        assert problem in problems_of(page, "sq", untranslated, codes), (problem, page)
    fine = (
        '<h1>Radha e punës</h1><button lang="en">English</button>'
        "<script>let a = 'assembly_decision';</script><textarea>True</textarea>"
    )
    assert problems_of(fine, "sq", untranslated, codes) == []
    assert problems_of("<h1>Work queue</h1>", "en", untranslated, codes) == []


def test_every_page_speaks_the_users_language(
    demo: dict[str, User],
    api_as: Any,
    monkeypatch: pytest.MonkeyPatch,
    untranslated: dict[str, Untranslated],
) -> None:
    began = time.perf_counter()
    objects = demo_objects(demo, api_as, monkeypatch)
    print(f"set-up {time.perf_counter() - began:.1f} s")
    codes = choice_codes() | set(FLOWS)
    planned, unknown = visits(objects)
    assert not unknown, (
        "pages whose parameters this test cannot fill: add a filler in FILLERS or a reason in "
        f"SKIPPED: {unknown}"
    )
    clients: dict[tuple[str | None, str], Client] = {}
    rendered: set[str] = set()
    problems: dict[tuple[str, str], str] = {}
    failures = []

    def opened(visit: Visit, readers: tuple[str, ...]) -> None:
        for language, accept in ACCEPT.items():
            client = clients.get((visit.username, language))
            if client is None:
                client = Client(HTTP_ACCEPT_LANGUAGE=accept)
                if visit.username:
                    client.force_login(objects["people"][visit.username])
                clients[(visit.username, language)] = client
            if visit.before:
                visit.before(client)
            response = client.get(visit.path, follow=visit.follow)
            if response.status_code in (403, 404) and visit.username in readers:
                return  # not this official's page; another one's
            if response.status_code == 302 and "/login/" not in response["Location"]:
                rendered.add(visit.path)  # a menu's entry: the page it leads to is rendered
                continue
            if response.status_code != 200:
                failures.append(f"{visit.path} as {visit.username}: {response.status_code}")
                continue
            if not response["Content-Type"].startswith(("text/html", "image/svg")):
                continue
            rendered.add(visit.path)
            for problem in problems_of(response.content.decode(), language, untranslated, codes):
                problems.setdefault((language, problem), f"{visit.path} ({visit.username})")

    for visit in planned:
        opened(visit, LIST_READERS)
    # A page of one role's (the complaints office's register, say): the first demo official
    # who may open it does.
    others = tuple(objects["more_officials"])
    for path in sorted({visit.path for visit in planned} - rendered):
        for username in others:
            opened(Visit(path, username), others)
            if path in rendered:
                break
    print(f"{len(planned)} visits in four languages: {time.perf_counter() - began:.1f} s")
    never = {visit.path for visit in planned} - rendered
    report = [
        f"{language}: {problem} on {where}"
        for (language, problem), where in problems.items()
        if known(problem) not in KNOWN
    ]
    stale = set(KNOWN) - {known(problem) for _, problem in problems}
    assert not failures, "\n".join(sorted(set(failures)))
    assert not never, f"pages no representative official could open: {sorted(never)}"
    assert not report, f"{len(report)} problems:\n" + "\n".join(sorted(report))
    assert not stale, f"fixed, to be taken out of KNOWN: {sorted(stale)}"
