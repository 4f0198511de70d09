"""`manage.py rebuild_search_index [--batch N] [--restart]`: every document and process indexed
again, in batches, with progress. Resumable: the checkpoint (RebuildCheckpoint) records the last
id done, so a rebuild that was interrupted continues where it stopped unless --restart is given.
Changes made meanwhile still reach the index through the outbox."""

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection, connections, transaction
from django.utils import timezone

from search.backends import get_backend
from search.content import IndexEntry, all_ids, entries_for
from search.models import ObjectType, RebuildCheckpoint

ORDER = [ObjectType.DOCUMENT, ObjectType.PROCESS]


def _batch(object_type: str, after: int, size: int) -> tuple[list[int], list[IndexEntry]]:
    """The next ids after `after` and their entries (gone or annulled objects are simply not
    written: rebuild_finish drops what the rebuild did not write)."""
    try:
        ids = all_ids(object_type, after, size)
        entries = entries_for(object_type, ids)[0] if ids else []
        for entry in entries:  # normalised here (cached on the entry)
            assert entry.title_norm is not None and entry.body_norm is not None
        return ids, entries
    finally:
        if threading.current_thread() is not threading.main_thread():
            connections.close_all()  # this reader thread's own connection


class Command(BaseCommand):
    help = "Rebuild the search index (resumable; shows progress)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", type=int, default=1000)
        parser.add_argument("--restart", action="store_true", help="ignore a saved checkpoint")

    def handle(self, *args: Any, batch: int, restart: bool, **options: Any) -> None:
        backend = get_backend()
        if restart:
            RebuildCheckpoint.objects.filter(backend=backend.name).delete()
        checkpoint = RebuildCheckpoint.objects.filter(backend=backend.name).first()
        if checkpoint is None:
            checkpoint = RebuildCheckpoint.objects.create(
                backend=backend.name,
                target=backend.rebuild_start(None),
                started_at=timezone.now(),
                object_type=ORDER[0],
            )
        else:
            backend.rebuild_start(checkpoint.target)
            self.stdout.write(
                f"resuming after {checkpoint.object_type} {checkpoint.last_id} "
                f"({checkpoint.done:,} done)"
            )
        began = time.monotonic()
        done_here = 0
        for object_type in ORDER[ORDER.index(ObjectType(checkpoint.object_type)) :]:
            if checkpoint.object_type != object_type:
                checkpoint.object_type, checkpoint.last_id = object_type, 0
                checkpoint.save(update_fields=["object_type", "last_id"])
            # The next batch is read and normalised in a second thread while this one is
            # written (the database works while Python does): about twice the rate.
            # Inside a transaction (tests) another thread could not see its rows: no reader.
            threaded = not connection.in_atomic_block
            with ThreadPoolExecutor(max_workers=1) as pool:

                def reader(
                    after: int, object_type: str = object_type, threaded: bool = threaded
                ) -> Future[tuple[list[int], list[IndexEntry]]]:
                    if threaded:
                        return pool.submit(_batch, object_type, after, batch)
                    done: Future[tuple[list[int], list[IndexEntry]]] = Future()
                    done.set_result(_batch(object_type, after, batch))
                    return done

                upcoming = reader(checkpoint.last_id)
                while True:
                    ids, entries = upcoming.result()
                    if not ids:
                        break
                    upcoming = reader(ids[-1])
                    with transaction.atomic():
                        backend.index(entries, target=checkpoint.target)
                        checkpoint.last_id = ids[-1]
                        checkpoint.done += len(ids)
                        checkpoint.save(update_fields=["last_id", "done"])
                    done_here += len(ids)
                    rate = done_here / max(time.monotonic() - began, 1e-6)
                    self.stdout.write(
                        f"{object_type}s: up to id {checkpoint.last_id:,}, "
                        f"{checkpoint.done:,} objects ({rate:,.0f}/s)"
                    )
                upcoming.cancel()
        backend.rebuild_finish(checkpoint.target, checkpoint.started_at)
        checkpoint.delete()
        self.stdout.write(self.style.SUCCESS(f"search index rebuilt: {checkpoint.done:,} objects"))
