"""Celery beat holding a lock: however many `celery beat` (or `worker --beat`) are started,
one schedules and the others wait for its lock, so no periodic job is sent twice.

The lock dies with its holder, however it dies: an advisory lock of its own PostgreSQL session
(production), or a `flock` on `VAR_DIR/beat.lock` (the embedded default, one machine). A
waiting beat takes over within seconds of the holder's end."""

import fcntl
import logging
import os
import time
from typing import IO, Any

from celery.beat import PersistentScheduler
from django.conf import settings
from django.db import close_old_connections, connections

logger = logging.getLogger(__name__)

# pg_advisory_lock key: "beat" as an integer, so that no other lock of ours takes it.
ADVISORY_LOCK_KEY = int.from_bytes(b"kk-beat", "big")
WAIT_SECONDS = 5.0


class BeatLock:
    """Held for the life of the process; `held()` says whether it still is."""

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None
        self._database: Any = None

    def acquire(self, *, blocking: bool = True) -> bool:
        announced = False
        while not self._try():
            if not blocking:
                return False
            if not announced:
                logger.warning("Another beat holds the lock; waiting to take over.")
                announced = True
            time.sleep(WAIT_SECONDS)
        logger.info("Beat lock taken.")
        return True

    def _try(self) -> bool:
        if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
            if self._database is None:
                # A session of its own, which nothing else closes or recycles.
                self._database = connections.create_connection("default")
            with self._database.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
                return bool(cursor.fetchone()[0])
        path = os.path.join(settings.VAR_DIR, "beat.lock")
        os.makedirs(settings.VAR_DIR, exist_ok=True)
        file = open(path, "ab")  # noqa: SIM115  # held open for the life of the process
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            return False
        self._file = file
        return True

    def held(self) -> bool:
        if self._file is not None:
            return True
        if self._database is None:
            return False
        try:
            with self._database.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception:
            # The session, and with it the lock, is gone: another beat may hold it now.
            return False
        return True


class LockedScheduler(PersistentScheduler):
    """Beat's scheduler (CELERY_BEAT_SCHEDULER): waits for the lock before it opens its
    schedule, records its heartbeat, and stops if it ever loses the lock."""

    lock: BeatLock | None = None
    _heartbeat_at = 0.0

    def setup_schedule(self) -> None:
        if self.lock is None:
            self.lock = BeatLock()
            self.lock.acquire()
        super().setup_schedule()

    def tick(self, *args: Any, **kwargs: Any) -> float:
        interval = float(super().tick(*args, **kwargs))
        heartbeat_interval = float(settings.HEARTBEAT_INTERVAL)
        if time.monotonic() - self._heartbeat_at >= heartbeat_interval:
            if self.lock is not None and not self.lock.held():
                logger.error("Beat lost its lock; stopping so that only one beat schedules.")
                raise SystemExit(1)
            self._heartbeat_at = time.monotonic()
            self._record_heartbeat()
        return min(interval, heartbeat_interval)

    def _record_heartbeat(self) -> None:
        from .heartbeats import heartbeat_record

        try:
            close_old_connections()
            heartbeat_record(name="beat")
        except Exception:
            # A database away for a moment must not stop the schedule; /healthz shows it.
            logger.warning("Cannot record beat's heartbeat", exc_info=True)
