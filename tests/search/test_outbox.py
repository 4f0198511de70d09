"""Drains sent after commits: changes close together share one, sent with a delay."""

from typing import Any

import pytest
from django.db import transaction

from search import outbox
from search.models import ObjectType, SearchOutbox

# Real commits: on_commit runs as it does in production, once per transaction.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch, settings: Any) -> list[dict[str, Any]]:
    """The drains `_dispatch_drain` sends (their apply_async options), at a clock the test moves."""
    from search.tasks import drain_search_outbox

    settings.SEARCH_DRAIN_DELAY = 1.0
    monkeypatch.setattr(outbox, "_drain_due", 0.0)
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(drain_search_outbox, "apply_async", lambda **options: calls.append(options))
    return calls


def _commit_change_at(moment: float, object_id: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbox.time, "time", lambda: moment)
    with transaction.atomic():
        outbox.enqueue(ObjectType.PROCESS, [object_id])


def test_changes_within_half_the_delay_share_the_drain_already_sent(  # type: ignore[no-untyped-def]
    sent, monkeypatch
) -> None:
    for moment, object_id in ((1000.0, 1), (1000.2, 2), (1000.49, 3)):
        _commit_change_at(moment, object_id, monkeypatch)
    assert sent == [{"countdown": 1.0}]
    # The drain runs at 1001.0, after all three commits, and finds all three rows.
    assert SearchOutbox.objects.count() == 3

    _commit_change_at(1000.6, 4, monkeypatch)
    assert sent == [{"countdown": 1.0}, {"countdown": 1.0}]


def test_a_drain_that_could_not_be_sent_is_not_counted_on(  # type: ignore[no-untyped-def]
    sent, monkeypatch
) -> None:
    from search.tasks import drain_search_outbox

    def broker_down(**options: Any) -> None:
        raise ConnectionError("broker down")

    monkeypatch.setattr(drain_search_outbox, "apply_async", broker_down)
    _commit_change_at(1000.0, 1, monkeypatch)
    assert SearchOutbox.objects.filter(object_id=1).exists()  # the change waits in the outbox

    monkeypatch.setattr(drain_search_outbox, "apply_async", lambda **options: sent.append(options))
    _commit_change_at(1000.1, 2, monkeypatch)
    assert sent == [{"countdown": 1.0}]


def test_without_a_delay_every_commit_sends_its_drain(  # type: ignore[no-untyped-def]
    sent, settings, monkeypatch
) -> None:
    settings.SEARCH_DRAIN_DELAY = 0
    for object_id in (1, 2):
        _commit_change_at(1000.0, object_id, monkeypatch)
    assert sent == [{"countdown": 0}, {"countdown": 0}]


def test_a_drain_run_inline_is_not_counted_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """With tasks run inline (as in these tests; CELERY_TASK_ALWAYS_EAGER) the drain has run
    by the time it is sent: the next commit, however soon, needs its own."""
    monkeypatch.setattr(outbox, "_drain_due", 0.0)
    _commit_change_at(1000.0, 1, monkeypatch)
    _commit_change_at(1000.1, 2, monkeypatch)
    assert not SearchOutbox.objects.exists()  # both drained
