"""`manage.py rebuild_search_index [--batch N] [--writers N] [--restart]`: every document and
process indexed again, in batches, with progress. Resumable: the checkpoint (RebuildCheckpoint)
records the last id up to which every batch is written, so a rebuild that was interrupted
continues there unless --restart is given (a batch written twice is simply written again).
Changes made meanwhile still reach the index through the outbox."""

import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from django.core.management.base import BaseCommand
from django.db import connection, connections, transaction
from django.utils import timezone

from search.backends import SearchBackend, get_backend
from search.content import IndexEntry, all_ids, entries_for
from search.models import ObjectType, RebuildCheckpoint

ORDER = [ObjectType.DOCUMENT, ObjectType.PROCESS]
T = TypeVar("T")


def _in_pool_thread(work: Callable[..., T], *args: Any) -> T:
    """`work` in a pool thread, which closes its own database connection when done."""
    try:
        return work(*args)
    finally:
        connections.close_all()


def _read(object_type: str, after: int, size: int) -> tuple[list[int], list[IndexEntry]]:
    """The next ids after `after` and their entries (gone or annulled objects are simply not
    written: rebuild_finish drops what the rebuild did not write)."""
    ids = all_ids(object_type, after, size)
    entries = entries_for(object_type, ids)[0] if ids else []
    for entry in entries:  # normalised here (cached on the entry)
        assert entry.title_norm is not None and entry.body_norm is not None
    return ids, entries


def _write(backend: SearchBackend, entries: list[IndexEntry], target: str) -> None:
    with transaction.atomic():
        backend.index(entries, target=target)


class Command(BaseCommand):
    help = "Rebuild the search index (resumable; shows progress)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", type=int, default=1000)
        parser.add_argument(
            "--writers", type=int, default=2, help="batches written at once (1 on SQLite)"
        )
        parser.add_argument("--restart", action="store_true", help="ignore a saved checkpoint")

    def handle(self, *args: Any, batch: int, writers: int, restart: bool, **options: Any) -> None:
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
        # The next batch is read and normalised in one thread while others are written: the
        # database works while Python does. Inside a transaction (tests) other threads could
        # not see its rows: no threads there. SQLite writes one transaction at a time.
        threaded = not connection.in_atomic_block
        writers = max(1, writers) if threaded and connection.vendor != "sqlite" else 1
        began = time.monotonic()
        done_here = 0
        with (
            ThreadPoolExecutor(max_workers=1) as reader,
            ThreadPoolExecutor(max_workers=writers) as writer,
        ):

            def run(pool: ThreadPoolExecutor, work: Callable[..., T], *args: Any) -> Future[T]:
                if threaded:
                    return pool.submit(_in_pool_thread, work, *args)
                done: Future[T] = Future()
                done.set_result(work(*args))
                return done

            for object_type in ORDER[ORDER.index(ObjectType(checkpoint.object_type)) :]:
                if checkpoint.object_type != object_type:
                    checkpoint.object_type, checkpoint.last_id = object_type, 0
                    checkpoint.save(update_fields=["object_type", "last_id"])
                upcoming = run(reader, _read, object_type, checkpoint.last_id, batch)
                writing: deque[tuple[list[int], Future[None]]] = deque()
                while True:
                    ids, entries = upcoming.result()
                    if ids:
                        upcoming = run(reader, _read, object_type, ids[-1], batch)
                        write = run(writer, _write, backend, entries, checkpoint.target)
                        writing.append((ids, write))
                    # The checkpoint passes a batch once it and every batch before it are
                    # written; a failed write raises here and leaves the checkpoint before it.
                    while writing and (len(writing) >= writers or not ids):
                        batch_ids, oldest = writing.popleft()
                        oldest.result()
                        checkpoint.last_id = batch_ids[-1]
                        checkpoint.done += len(batch_ids)
                        checkpoint.save(update_fields=["last_id", "done"])
                        done_here += len(batch_ids)
                        rate = done_here / max(time.monotonic() - began, 1e-6)
                        self.stdout.write(
                            f"{object_type}s: up to id {checkpoint.last_id:,}, "
                            f"{checkpoint.done:,} objects ({rate:,.0f}/s)"
                        )
                    if not ids:
                        break
        backend.rebuild_finish(checkpoint.target, checkpoint.started_at)
        checkpoint.delete()
        self.stdout.write(self.style.SUCCESS(f"search index rebuilt: {checkpoint.done:,} objects"))
