"""A delegation through the pages in a real browser: the mayor, going on leave, hands her work
to the assembly chair from the Delegations page; the chair finds the statement awaiting the
mayor's approval in his own inbox, and loses it again once the mayor revokes the handover."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from viewflow.workflow import STATUS
from viewflow.workflow.models import Task

from roles.models import Delegation
from tests.workflows.steps import statement_drafted

pytestmark = pytest.mark.browser


def statement_awaiting_the_mayor() -> Task:
    client = APIClient()
    assert client.login(username="kllokot.info", password="demo")
    process = statement_drafted(
        client,
        "Njoftim: orari i ri i zyrës",
        "Zyra e gjendjes civile punon edhe të shtunën.",
        "Kancelarija matične službe radi i subotom.",
    )
    return Task.objects.get(
        process_id=process["id"], flow_task__endswith=".approve", status=STATUS.NEW
    )


def test_the_mayor_hands_her_work_to_the_chair_and_takes_it_back(sessions: Any, demo: Any) -> None:
    from playwright.sync_api import expect

    task = statement_awaiting_the_mayor()
    chair = sessions("kllokot.chair")
    chair.goto("/work/")
    expect(chair.locator(f'#inbox tr[data-task-id="{task.pk}"]')).to_have_count(0)

    mayor = sessions("kllokot.mayor")
    mayor.goto("/work/")
    mayor.locator("#menu-delegations").click()
    expect(mayor.locator("#delegations")).to_contain_text("Nuk ka delegime.")
    now = timezone.localtime()
    form = mayor.locator("#delegation-form")
    form.locator('select[name="deputy"]').select_option("kllokot.chair")
    form.locator('input[name="starts_at"]').fill(
        (now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    )
    form.locator('input[name="ends_at"]').fill((now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    form.locator('input[name="reason"]').fill("Pushim vjetor")
    form.locator('button[type="submit"]').click()
    expect(mayor.locator(".message--success")).to_be_visible()
    delegation = Delegation.objects.get(principal__username="kllokot.mayor")
    row = mayor.locator(f'#delegations tr[data-delegation-id="{delegation.pk}"]')
    expect(row).to_contain_text("Pushim vjetor")

    chair.goto("/work/")
    expect(chair.locator(f'#inbox tr[data-task-id="{task.pk}"]')).to_have_count(1)

    # Revoking asks first; the mayor confirms.
    questions: list[str] = []

    def confirm(dialog: Any) -> None:
        questions.append(dialog.message)
        dialog.accept()

    mayor.once("dialog", confirm)
    row.locator('button[type="submit"]').click()
    expect(mayor.locator(".message--success")).to_contain_text("Delegimi u revokua.")
    assert questions == [
        "A ta revokoj këtë delegim? Zyrtari në detyrë e humb menjëherë punën tuaj."
    ]
    chair.goto("/work/")
    expect(chair.locator(f'#inbox tr[data-task-id="{task.pk}"]')).to_have_count(0)
    assert not mayor.problems, mayor.problems
    assert not chair.problems, chair.problems
