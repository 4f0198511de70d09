"""The sender's tracker in a real browser (Debian's Chromium driven by Playwright against the
live server): the Office for Community Affairs sees who has answered, reads the answers side by
side, reminds the one that has not and closes the request; the recipient sees its own part."""

import re
from typing import Any

import pytest

from notifications.models import Notification

from .conftest import respond_task, sent

pytestmark = pytest.mark.browser

ANSWER = "Ministria e Financave ka ndarë 20.000 euro për projektet e komuniteteve."


def test_the_sender_sees_who_has_answered(sessions: Any, api_as: Any, rule: Any) -> None:
    from playwright.sync_api import expect

    process = sent(
        api_as("zck.officer"),
        title="Projektet për komunitetet joshumicë",
        recipients=["MF", "KLLOKOT"],
    )
    mf = api_as("mf.comms")
    task = respond_task(mf, process["id"])
    answered = mf.post(
        f"/api/tasks/{task['id']}/complete/",
        {"action": "respond", "data": {"answer": ANSWER}},
        format="json",
    )
    assert answered.status_code == 200, answered.content

    sender = sessions("zck.officer")
    sender.goto("/coordination/")
    row = sender.locator(f'#coordination-requests tr[data-process-id="{process["id"]}"]')
    expect(row).to_contain_text("Projektet për komunitetet joshumicë")
    row.locator("a").first.click()
    expect(sender).to_have_url(re.compile(rf"/coordination/requests/{process['id']}/$"))
    # Who has answered, in Albanian, with the answer beside it; who has not.
    expect(sender.locator("#tracker-counts")).to_have_text("1 nga 2 u përgjigjën, 0 me vonesë")
    finance = sender.locator('#coordination-responses tr[data-institution="MF"]')
    expect(finance).to_have_attribute("data-status", "answered")
    expect(finance.locator(".response-answer")).to_have_text(ANSWER)
    kllokot = sender.locator('#coordination-responses tr[data-institution="KLLOKOT"]')
    expect(kllokot).to_have_attribute("data-status", "open")
    expect(kllokot.locator(".response-status")).to_have_text("në pritje")
    # Remind the one ticked.
    kllokot.locator("input[type=checkbox]").check()
    sender.locator("#remind-button").click()
    expect(sender.locator("body")).to_contain_text("Kujtesat u dërguan.")
    assert Notification.objects.filter(
        user__username="kllokot.info", kind="reminder", process_id=process["id"]
    ).exists()
    # The printable page has the answers too.
    with sender.expect_popup() as popup:
        sender.get_by_role("link", name="Faqe për shtypje").click()
    expect(popup.value.locator("#coordination-responses")).to_contain_text(ANSWER)
    # Close: the request says so and the buttons are gone.
    sender.locator("#close-button").click()
    expect(sender.locator("#request-closed")).to_be_visible()
    expect(sender.locator("#remind-button")).to_have_count(0)
    assert not sender.problems, sender.problems

    # The recipient: its own part only.
    recipient = sessions("kllokot.info")
    recipient.goto(f"/coordination/requests/{process['id']}/")
    expect(recipient.locator("#coordination-responses tr.response-row")).to_have_count(1)
    expect(recipient.locator("#coordination-responses")).not_to_contain_text(ANSWER)
    assert not recipient.problems, recipient.problems
