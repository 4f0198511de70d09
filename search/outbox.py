"""The transactional outbox: a change writes "reindex this object" in its own transaction;
`drain` later brings the index in step, in bulk, and deletes the rows it handled. If the
backend is down the rows stay, and the next drain (on commit, or the periodic one) catches up.
"""

import logging
import threading
import time
from collections import defaultdict
from typing import Any

from celery.result import EagerResult
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F

from .content import entries_for
from .models import ObjectType, SearchOutbox

logger = logging.getLogger(__name__)

BATCH = 500


_drain_lock = threading.Lock()
_drain_due = 0.0  # when the last drain this process sent will run (time.time())


def _dispatch_drain() -> None:
    """Send a drain to run SEARCH_DRAIN_DELAY seconds from now, unless the one this process
    sent last runs late enough to see this commit. Under a stream of changes a process then
    sends about two drains a second instead of one per change, and each drains more rows at
    once. Half the delay is left as margin for the worker's clock running ahead of ours; a
    drain that does run early leaves the rows to the next one (or the periodic one)."""
    from .tasks import drain_search_outbox

    global _drain_due
    delay = settings.SEARCH_DRAIN_DELAY
    now = time.time()
    with _drain_lock:
        if now < _drain_due - delay / 2:
            return
        previous, _drain_due = _drain_due, now + delay
    try:
        sent = drain_search_outbox.apply_async(countdown=delay)
    except Exception:
        with _drain_lock:  # not sent: the next commit must not count on it
            _drain_due = previous
        raise
    if isinstance(sent, EagerResult):  # run already (CELERY_TASK_ALWAYS_EAGER): none is due
        with _drain_lock:
            _drain_due = previous


def enqueue(object_type: str, ids: list[int] | set[int]) -> None:
    """Queue these objects for (re)indexing, in the caller's transaction; one drain is sent
    once that transaction commits, however many objects it queued."""
    ids = sorted({int(pk) for pk in ids if pk is not None})
    if not ids:
        return
    SearchOutbox.objects.bulk_create(
        [SearchOutbox(object_type=ObjectType(object_type), object_id=pk) for pk in ids]
    )
    if not any(item[1] is _dispatch_drain for item in connection.run_on_commit):
        transaction.on_commit(_dispatch_drain, robust=True)


def object_type_of(obj: Any) -> str | None:
    from viewflow.workflow.models import Process

    from documents.models import Document

    if isinstance(obj, Document):
        return ObjectType.DOCUMENT
    if isinstance(obj, Process):  # every flow's proxy, and viewflow's bare process row
        return ObjectType.PROCESS
    return None


def enqueue_object(obj: Any) -> None:
    object_type = object_type_of(obj)
    if object_type is not None and obj.pk is not None:
        enqueue(object_type, [obj.pk])


def drain_batch(batch: int = BATCH) -> int:
    """Index one batch of the outbox; returns how many rows it handled. The rows are locked
    (others skip them) and deleted in the same transaction that writes the database index, so
    a failure leaves both as they were. Raises what the backend raised."""
    from .backends import get_backend

    backend = get_backend()
    with transaction.atomic():
        rows = list(
            SearchOutbox.objects.select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", "object_type", "object_id")[:batch]
        )
        if not rows:
            return 0
        by_type: dict[str, set[int]] = defaultdict(set)
        for _, object_type, object_id in rows:
            by_type[object_type].add(object_id)
        for object_type, ids in by_type.items():
            entries, gone = entries_for(object_type, sorted(ids))
            backend.index(entries)
            backend.delete(object_type, gone)
        SearchOutbox.objects.filter(pk__in=[row[0] for row in rows]).delete()
    return len(rows)


def drain(max_rows: int | None = None) -> int:
    """Drain until the outbox is empty (or `max_rows` were handled). On a backend failure the
    rows stay, their attempts are counted, and the error is raised."""
    handled = 0
    while max_rows is None or handled < max_rows:
        try:
            done = drain_batch()
        except Exception:
            SearchOutbox.objects.filter(
                pk__in=SearchOutbox.objects.order_by("pk").values("pk")[:BATCH]
            ).update(attempts=F("attempts") + 1)
            raise
        if not done:
            break
        handled += done
    return handled
