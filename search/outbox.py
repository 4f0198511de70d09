"""The transactional outbox: a change writes "reindex this object" in its own transaction;
`drain` (`draining.py`, named here too) later brings the index in step, in bulk, and deletes
the rows it handled. If the backend is down the rows stay, and the next drain (on commit, or
the periodic one) catches up.
"""

import logging
import threading
import time
from typing import Any

from celery.result import EagerResult
from django.conf import settings
from django.db import connection, transaction

from .draining import BATCH as BATCH
from .draining import drain as drain
from .draining import drain_batch as drain_batch
from .models import ObjectType, SearchOutbox
from .pending import Pending, pending_in_transaction
from .tasks import drain_search_outbox

logger = logging.getLogger(__name__)

_drain_lock = threading.Lock()
_drain_due = 0.0  # when the last drain this process sent will run (time.time())


def _dispatch_drain() -> None:
    """Send a drain to run SEARCH_DRAIN_DELAY seconds from now, unless the one this process
    sent last runs late enough to see this commit. Under a stream of changes a process then
    sends about two drains a second instead of one per change, and each drains more rows at
    once. Half the delay is left as margin for the worker's clock running ahead of ours; a
    drain that does run early leaves the rows to the next one (or the periodic one)."""
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
    """Queue these objects for (re)indexing, in the caller's transaction: one outbox row per
    object and transaction, however many announcements name it (a new document is registered,
    granted and versioned in one). One drain is sent once that transaction commits."""
    ids = sorted({int(pk) for pk in ids if pk is not None})
    if not ids:
        return
    if not connection.in_atomic_block:  # autocommit: each write is its own transaction
        SearchOutbox.objects.bulk_create(
            [SearchOutbox(object_type=ObjectType(object_type), object_id=pk) for pk in ids]
        )
        transaction.on_commit(_dispatch_drain, robust=True)  # runs now, errors logged
        return
    queued, here = pending_in_transaction()
    new = [pk for pk in ids if (str(object_type), pk) not in queued]
    if not new:
        return
    SearchOutbox.objects.bulk_create(
        [SearchOutbox(object_type=ObjectType(object_type), object_id=pk) for pk in new]
    )
    if here is None:
        here = Pending(send=_dispatch_drain)
        transaction.on_commit(here, robust=True)
    here.keys.update((str(object_type), pk) for pk in new)


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
