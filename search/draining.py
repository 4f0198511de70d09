"""The outbox's drain: index what it holds, in bulk, and delete the rows handled. Apart from
`outbox.py` (which queues and sends the drain task) so that the task and the queueing import
it without importing each other."""

from collections import defaultdict

from django.db import transaction
from django.db.models import F

from .content import entries_for
from .models import SearchOutbox
from .pending import forget

BATCH = 500


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
    forget({(object_type, object_id) for _, object_type, object_id in rows})
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
