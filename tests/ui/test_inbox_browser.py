"""A press statement through the officials' pages in a real browser (Debian's Chromium driven by
Playwright against the live server): the information officer drafts it from the inbox, the
mayor finds it there and returns it with a comment, the officer corrects the Serbian text, the
mayor approves it, and the process page shows every step with the comment and the released
statement waiting for its signed and stamped original."""

import re
from typing import Any

import pytest
from django.utils import translation
from viewflow.workflow import PROCESS, STATUS
from viewflow.workflow.models import Task

from workflows.models import PressStatementProcess

pytestmark = pytest.mark.browser

TITLE = "Komuna e Kllokotit hap rrugën e re"
TEXT_SQ = "Komuna e Kllokotit njofton hapjen e rrugës së re në fshatin Mogillë."
TEXT_SR_WRONG = "Opština Klokot obaveštava o otvaranju novog puta u selu Mogila."
TEXT_SR_FIXED = "Opština Klokot obaveštava o otvaranju novog puta u selu Mogila (Klokot)."
COMMENT = "Teksti serbisht duhet të përmendë komunën."


def open_task(process_id: int, name: str) -> Task:
    return Task.objects.get(
        process_id=process_id,
        flow_task_type="HUMAN",
        status__in=(STATUS.NEW, STATUS.ASSIGNED),
        flow_task__endswith=f".{name}",
    )


def open_from_inbox(page: Any, task: Task) -> None:
    """The task is in the inbox, under the statement's title; its link opens the task page."""
    from playwright.sync_api import expect

    page.goto("/work/")
    row = page.locator(f'#inbox tr[data-task-id="{task.pk}"]')
    expect(row).to_contain_text(TITLE)
    # Each cell holds its text: none runs over into the next one.
    overflowing = row.evaluate(
        "tr => [...tr.cells].filter(c => c.scrollWidth > c.clientWidth + 1)"
        ".map(c => c.textContent.trim())"
    )
    assert not overflowing, overflowing
    row.locator("a").first.click()
    expect(page).to_have_url(re.compile(rf"/work/tasks/{task.pk}/$"))
    with translation.override("sq"):  # the pages' language, whatever an earlier test left
        title = str(task.title)
    expect(page.locator("#task-title")).to_have_text(title)


def test_statement_returned_fixed_and_approved_in_the_browser(sessions: Any, demo: Any) -> None:
    from playwright.sync_api import expect

    # The information officer drafts the statement from the inbox's start button.
    officer = sessions("kllokot.info")
    officer.goto("/work/")
    officer.locator('a[href="/work/processes/new/press-statement/"]').click()
    officer.fill("input[name=title]", TITLE)
    officer.fill("textarea[name=text_sq]", TEXT_SQ)
    officer.fill("textarea[name=text_sr]", TEXT_SR_WRONG)
    officer.locator("#process-new button[type=submit]").click()
    expect(officer).to_have_url(re.compile(r"/work/processes/\d+/$"))
    pid = int(officer.url.rstrip("/").rsplit("/", 1)[1])
    assert PressStatementProcess.objects.get(pk=pid).title == TITLE

    # The mayor finds it in the inbox and returns it with a comment.
    mayor = sessions("kllokot.mayor")
    approve = open_task(pid, "approve")
    open_from_inbox(mayor, approve)
    expect(mayor.locator("main")).to_contain_text(TEXT_SR_WRONG)
    mayor.fill("textarea[name=comment]", COMMENT)
    mayor.locator('button[name=action][value="return"]').click()
    expect(mayor).to_have_url(re.compile(r"/work/$"))
    expect(mayor.locator(f'#inbox tr[data-task-id="{approve.pk}"]')).to_have_count(0)
    approve.refresh_from_db()
    assert (approve.status, approve.data["action"], approve.data["comment"]) == (
        STATUS.DONE,
        "return",
        COMMENT,
    )

    # The officer sees it back, returned with the mayor's comment, and fixes the Serbian text.
    revise = open_task(pid, "revise")
    open_from_inbox(officer, revise)
    returned = officer.locator('#steps tr[data-name="approve"]')
    expect(returned.locator(".step__comment")).to_have_text(COMMENT)
    text_sr = officer.locator("textarea[name='data-text_sr']")
    expect(text_sr).to_have_value(TEXT_SR_WRONG)
    expect(officer.locator("textarea[name='data-text_sq']")).to_have_value(TEXT_SQ)
    text_sr.fill(TEXT_SR_FIXED)
    officer.locator('button[name=action][value="submit"]').click()
    expect(officer).to_have_url(re.compile(r"/work/$"))
    statement = PressStatementProcess.objects.get(pk=pid)
    assert (statement.text_sr, statement.text_sq) == (TEXT_SR_FIXED, TEXT_SQ)

    # The mayor approves the corrected statement.
    second = open_task(pid, "approve")
    open_from_inbox(mayor, second)
    expect(mayor.locator("main")).to_contain_text(TEXT_SR_FIXED)
    mayor.locator('button[name=action][value="approve"]').click()
    expect(mayor).to_have_url(re.compile(r"/work/$"))
    statement.refresh_from_db()
    # Released, and open until the officer archives the signed and stamped original.
    assert statement.status == PROCESS.NEW
    assert statement.released_at is not None

    # The process page: each step with who and the comment, the final state, and the chart.
    mayor.goto(f"/work/processes/{pid}/")
    steps = mayor.locator("#steps tr.step")
    expect(steps).to_have_count(5)
    names = [steps.nth(i).get_attribute("data-name") for i in range(5)]
    assert names == ["start", "approve", "revise", "approve", "archive_original"]
    expect(steps.nth(1)).to_contain_text("kllokot.mayor")
    expect(steps.nth(1).locator(".step__comment")).to_have_text(COMMENT)
    expect(steps.nth(2)).to_contain_text("kllokot.info")
    expect(steps.nth(3)).to_contain_text("kllokot.mayor")
    with translation.override("sq"):
        active = translation.gettext("active")
    expect(mayor.locator("#process-status")).to_have_text(active)
    chart = mayor.locator("#flow-chart")
    expect(chart).to_be_visible()
    assert chart.evaluate("image => image.complete && image.naturalWidth > 0")

    assert not mayor.problems, mayor.problems
    assert not officer.problems, officer.problems
