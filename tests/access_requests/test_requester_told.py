"""The requester is told by e-mail of an extension and a transfer (and of decisions), in the
language they asked in; the message has no tracking code; no e-mail, no message."""

from typing import Any

import pytest
from django.core import mail

from access_requests import tasks

from .conftest import complete, inbox_task, submitted


@pytest.fixture
def sent_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The e-mail task runs in this process when the transition's commit hands it over."""
    monkeypatch.setattr(tasks.requester_tell, "delay", tasks.requester_tell.run)


def test_extension_and_transfer_are_told(
    demo: Any, api_as: Any, sent_at_once: None, django_capture_on_commit_callbacks: Any
) -> None:
    public = api_as(None)
    public.credentials(HTTP_ACCEPT_LANGUAGE="en")
    receipt = submitted(public)
    officer = api_as("kllokot.info")
    task = inbox_task(officer, "decide", receipt["registration_number"])
    with django_capture_on_commit_callbacks(execute=True):
        extend = complete(officer, task["id"], "extend", days=5, reason="Archive search.")
    assert extend.status_code == 200
    [extended] = mail.outbox
    assert extended.to == ["ana@example.org"]
    assert receipt["registration_number"] in extended.subject
    assert "extended by 5 days" in extended.body and "Archive search." in extended.body
    assert receipt["tracking_code"] not in extended.body
    again = inbox_task(officer, "decide_extended", receipt["registration_number"])
    with django_capture_on_commit_callbacks(execute=True):
        transfer = complete(officer, again["id"], "transfer", institution="MF")
    assert transfer.status_code == 200
    assert "transferred" in mail.outbox[1].body and "MF" in mail.outbox[1].body


def test_no_email_no_message(
    demo: Any, api: Any, api_as: Any, sent_at_once: None, django_capture_on_commit_callbacks: Any
) -> None:
    receipt = submitted(api, email="", postal_address="Rruga e Kishës 4, Kllokot")
    officer = api_as("kllokot.info")
    task = inbox_task(officer, "decide", receipt["registration_number"])
    with django_capture_on_commit_callbacks(execute=True) as queued:
        refuse = complete(officer, task["id"], "refuse", reasons="No.", legal_basis="Law")
    assert refuse.status_code == 200
    assert len(queued) >= 1  # the notice was handed over, and found no address
    assert mail.outbox == []
