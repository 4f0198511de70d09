"""axe-core finds no critical or serious accessibility violation on the main pages, at a desktop's
width and at a phone's (390 px), in Debian's Chromium against the live server.

axe-core (Deque's rules engine, the one browsers' accessibility panels use) comes from npm at
run time, pinned, into var/ (not committed): `npm install` once per machine, then reused."""

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from documents.models import Document
from roles.models import User
from tests.conftest import unavailable
from tests.ui.browsing import log_in
from tests.workflows.demo_work import demo_work_seeded
from workflows.models import CoordinationProcess
from workflows.selectors import OPEN

pytestmark = pytest.mark.browser

AXE_VERSION = "4.10.3"
AXE_FOLDER = Path(settings.VAR_DIR) / "npm" / f"axe-core-{AXE_VERSION}"
AXE_SCRIPT = AXE_FOLDER / "node_modules" / "axe-core" / "axe.min.js"
SCREENS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
FAILING = {"critical", "serious"}


@pytest.fixture(scope="session")
def axe_script() -> str:
    """axe-core's script, installed from npm the first time."""
    if not AXE_SCRIPT.is_file():
        npm = shutil.which("npm")
        if npm is None:
            unavailable("npm is missing: it installs axe-core")
        AXE_FOLDER.mkdir(parents=True, exist_ok=True)
        installed = subprocess.run(
            [
                str(npm),
                "install",
                "--prefix",
                str(AXE_FOLDER),
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--no-package-lock",
                f"axe-core@{AXE_VERSION}",
            ],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if installed.returncode != 0 or not AXE_SCRIPT.is_file():
            unavailable(f"npm install axe-core failed: {installed.stderr[-2000:]}")
    return AXE_SCRIPT.read_text()


def violations(page: Any, axe: str) -> list[str]:
    """The page's critical and serious violations, one line each with the elements concerned."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe)
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{violation['impact']} {violation['id']}: {violation['help']} — "
        + "; ".join(json.dumps(node["target"]) for node in violation["nodes"][:5])
        for violation in result
        if violation["impact"] in FAILING
    ]


def pages_of(demo: dict[str, User]) -> dict[str | None, list[str]]:
    """The main pages, by who opens them (None: signed out)."""
    demo_work_seeded()
    task = next(
        task
        for process in CoordinationProcess.objects.filter(institution__code="KLLOKOT")
        for task in process.task_set.filter(status__in=OPEN).order_by("pk")
        if task.flow_task.name == "approve" and task.flow_task_type == "HUMAN"
    )
    document = Document.objects.filter(institution__code="KLLOKOT").order_by("pk").first()
    assert document is not None
    return {
        None: [
            "/accounts/login/",
            "/portal/",
            "/portal/access-requests/",
            "/portal/complaints/track/",
            "/portal/consultations/",
        ],
        "kllokot.chair": [
            "/home/",
            "/work/",
            f"/work/tasks/{task.pk}/",
            f"/work/processes/{task.process_id}/",
            "/documents/",
            f"/documents/{document.pk}/",
            "/search/?q=vendim",
            "/deadlines/",
        ],
        "admin": ["/operations/"],
    }


def test_no_critical_or_serious_violation_on_the_main_pages(
    browser: Any, live_server: Any, demo: dict[str, User], axe_script: str
) -> None:
    pages = pages_of(demo)
    found = []
    for screen, viewport in SCREENS.items():
        for username, paths in pages.items():
            # The pages' Content-Security-Policy refuses inline scripts, axe's among them.
            context = browser.new_context(
                base_url=live_server.url, locale="sq-AL", viewport=viewport, bypass_csp=True
            )
            context.set_default_timeout(15_000)
            page = context.new_page()
            if username:
                log_in(page, username, "demo")
                page.wait_for_url(re.compile(r"/home/$"))
            for path in paths:
                response = page.goto(path)
                assert response is not None and response.status == 200, (path, username)
                found += [f"{screen} {path}: {line}" for line in violations(page, axe_script)]
            context.close()
    assert not found, "\n".join(found)
