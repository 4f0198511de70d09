"""Background indexing: the outbox drained in bulk, after each change and periodically."""

import logging

from celery import shared_task

from config.celery import Task
from config.heartbeats import heartbeat_record

from .draining import drain

logger = logging.getLogger(__name__)

MAX_ROWS_PER_RUN = 50_000


@shared_task(base=Task)
def drain_search_outbox() -> int:
    """Index what the outbox holds. A backend that is down leaves the rows for the next run
    (the periodic one in CELERY_BEAT_SCHEDULE at the latest): nothing is lost."""
    try:
        handled = drain(max_rows=MAX_ROWS_PER_RUN)
    except Exception:
        logger.exception("search index unavailable; the outbox keeps the changes")
        return -1
    heartbeat_record(name="search_drain")  # the operators' page shows the last drain
    if handled >= MAX_ROWS_PER_RUN:
        drain_search_outbox.delay()  # a big backlog: continue in a fresh task
    return handled
