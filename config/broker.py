"""The embedded default's broker: kombu's filesystem transport, with each message written
whole before a worker can see it, and kept until the worker acknowledges it.

Kombu's own transport creates the message file under its final name and only then writes
it; a worker listing the folder in between takes the empty file, fails to decode it and
stops (kombu issue #1551). Here the message is written under a name no queue reads and
renamed into place, which is atomic within a folder.

Kombu's transport also deletes a message as it hands it to the worker, so a task running
when its worker dies was lost. Here a worker takes a message by locking its file (`flock`)
and moving it to the in-progress folder; the file goes when the task is acknowledged, and
back to the queue when it is rejected or the worker shuts down with it unfinished. The lock
is the worker's claim: the kernel drops it when the process dies, however it dies, so any
other consumer (a restarted worker at once, a running one within `requeue_interval`
seconds) finds the file unlocked and puts it back in the queue. A worker that is alive
keeps its claim however long its task runs. The folders must be on a local disk (`flock`).

A folder that cannot be read or written (deleted, unmounted, no permission) is a connection
error, not a crash: the worker reconnects, retrying until the folder is usable again."""

import fcntl
import logging
import os
import threading
import uuid
from dataclasses import dataclass
from queue import Empty
from time import monotonic
from typing import IO, Any

from kombu.transport import filesystem, virtual
from kombu.utils.json import dumps, loads

logger = logging.getLogger(__name__)


class BrokerFolderUnusable(ConnectionError):
    """The broker's folders cannot be used now: the worker reconnects and retries."""


@dataclass
class _Claim:
    """A message this process took and has not settled: its file in the in-progress folder,
    kept open and locked, and where it goes back to."""

    file: IO[bytes]
    in_progress: str
    queued: str


# Delivery tags are unique per message; a message may be taken through one channel and
# acknowledged through another (kombu delivers to the queue's consumer, whichever channel
# read it), so the claims are the process's, not a channel's.
_claims: dict[str | None, _Claim] = {}
_claims_lock = threading.Lock()


def _release(tag: str | None, *, back_to_queue: bool) -> bool:
    """Settle a claimed message: delete its file (done) or put it back in the queue. False when
    this process holds no claim for that tag."""
    with _claims_lock:
        claim = _claims.pop(tag, None)
    if claim is None:
        return False
    try:
        if back_to_queue:
            os.replace(claim.in_progress, claim.queued)
        else:
            os.unlink(claim.in_progress)
    except OSError:
        # Left in the in-progress folder: put back by the next sweep once the lock is gone.
        logger.warning("Cannot settle broker message %s", claim.in_progress, exc_info=True)
    finally:
        claim.file.close()  # releases the lock, after the file left the in-progress folder
    return True


def _lock(file: IO[bytes]) -> bool:
    try:
        fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _same_file(file: IO[bytes], path: str) -> bool:
    try:
        return os.path.samestat(os.fstat(file.fileno()), os.stat(path))
    except OSError:
        return False


class QoS(virtual.QoS):
    def ack(self, delivery_tag: str) -> None:
        _release(delivery_tag, back_to_queue=False)
        super().ack(delivery_tag)

    def reject(self, delivery_tag: str, requeue: bool = False) -> None:
        # Requeued: kombu restores the message through Channel._restore, which moves it back.
        if not requeue:
            _release(delivery_tag, back_to_queue=False)
        super().reject(delivery_tag, requeue=requeue)


class Channel(filesystem.Channel):
    QoS = QoS

    #: Seconds between two looks for messages whose worker died (the requeue sweep).
    requeue_interval = 30.0
    _last_requeue_sweep: float | None = None

    @property
    def in_progress_folder(self) -> str:
        folder = self.transport_options.get("in_progress_folder") or os.path.join(
            os.path.dirname(os.path.abspath(self.data_folder_in)), "in-progress"
        )
        return str(folder)

    def _unusable(self, action: str, error: OSError) -> BrokerFolderUnusable:
        return BrokerFolderUnusable(f"Broker folder unusable ({action}): {error}")

    def _put(self, queue: str, payload: dict[str, Any], **kwargs: Any) -> None:  # type: ignore[override]  # as kombu-stubs declare it
        # The name kombu gives (the time first, so that the queue is read in order); the
        # scratch name starts with a dot, so it matches no `<anything>.<queue>.msg`.
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        scratch = os.path.join(self.data_folder_out, f".{uuid.uuid4()}.incoming")
        try:
            with open(scratch, "wb") as file:
                file.write(dumps(payload).encode())
            os.replace(scratch, final)
        except OSError as error:
            raise self._unusable(f"cannot add {final!r}", error) from error

    def _get(self, queue: str) -> dict[str, Any]:  # type: ignore[override]
        self._requeue_abandoned_if_due()
        wanted = f"{queue}.msg"
        try:
            names = sorted(os.listdir(self.data_folder_in))
            os.makedirs(self.in_progress_folder, exist_ok=True)
        except OSError as error:
            raise self._unusable("cannot read the queue", error) from error
        for name in names:
            if name.partition(".")[2] != wanted:
                continue
            queued = os.path.join(self.data_folder_in, name)
            in_progress = os.path.join(self.in_progress_folder, name)
            try:
                file = open(queued, "rb")  # noqa: SIM115  # held open (locked) until settled
            except OSError:
                continue  # taken by another worker meanwhile
            try:
                # Locked before it moves, so a file in the in-progress folder is unlocked
                # only once its worker is gone.
                if not _lock(file) or not _same_file(file, queued):
                    file.close()
                    continue
                os.replace(queued, in_progress)
                payload = loads(file.read())
            except OSError as error:
                file.close()
                raise self._unusable(f"cannot take {queued!r}", error) from error
            except Exception:
                file.close()
                raise
            tag = (payload.get("properties") or {}).get("delivery_tag")
            with _claims_lock:
                _claims[tag] = _Claim(file=file, in_progress=in_progress, queued=queued)
            if tag is None:  # not a kombu message: nothing could acknowledge it
                _release(tag, back_to_queue=False)
            return payload
        raise Empty()

    def _restore(self, message: Any) -> None:
        # Unacknowledged at shutdown, or rejected to be delivered again: the same file goes
        # back to the queue, in its place by its original time.
        if not _release(message.delivery_tag, back_to_queue=True):
            super()._restore(message)

    def basic_get(self, queue: str, no_ack: bool = False, **kwargs: Any) -> Any:
        message = super().basic_get(queue, no_ack=no_ack, **kwargs)
        if message is not None and no_ack:
            _release(message.delivery_tag, back_to_queue=False)
        return message

    def basic_consume(
        self, queue: str, no_ack: bool, callback: Any, consumer_tag: str | None, **kwargs: Any
    ) -> Any:
        if no_ack:
            # Nobody will acknowledge these (remote-control broadcasts): settled on delivery.
            given = callback

            def callback(message: Any) -> Any:
                _release(message.delivery_tag, back_to_queue=False)
                return given(message)

        return super().basic_consume(queue, no_ack, callback, consumer_tag, **kwargs)

    def _requeue_abandoned_if_due(self) -> None:
        interval = float(self.transport_options.get("requeue_interval", self.requeue_interval))
        now = monotonic()
        if self._last_requeue_sweep is not None and now - self._last_requeue_sweep < interval:
            return
        self._last_requeue_sweep = now
        requeue_abandoned(self.in_progress_folder, self.data_folder_in)

    def _purge(self, queue: str) -> int:  # type: ignore[override]
        try:
            return int(super()._purge(queue))
        except OSError as error:
            raise self._unusable("cannot purge", error) from error

    def _size(self, queue: str) -> int:  # type: ignore[override]
        try:
            return int(super()._size(queue))
        except OSError as error:
            raise self._unusable("cannot count", error) from error


def requeue_abandoned(in_progress_folder: str, queue_folder: str) -> int:
    """Put back in the queue every message whose worker died before settling it (its file is
    no longer locked). Returns how many."""
    try:
        names = os.listdir(in_progress_folder)
    except FileNotFoundError:
        return 0
    except OSError as error:
        raise BrokerFolderUnusable(f"Broker folder unusable: {error}") from error
    requeued = 0
    for name in names:
        path = os.path.join(in_progress_folder, name)
        try:
            with open(path, "rb") as file:
                if not _lock(file) or not _same_file(file, path):
                    continue  # its worker is alive, or it was settled meanwhile
                os.replace(path, os.path.join(queue_folder, name))
        except OSError:
            continue
        requeued += 1
    if requeued:
        logger.warning("Requeued %d broker message(s) whose worker stopped mid-task", requeued)
    return requeued


class Transport(filesystem.Transport):
    Channel = Channel
    connection_errors = (*filesystem.Transport.connection_errors, BrokerFolderUnusable)

    def establish_connection(self) -> Any:
        # Kombu connects without looking at the folders; here an unusable folder fails the
        # connection, so the worker's connection retries (with back-off) wait for it.
        options: dict[str, Any] = getattr(self.client, "transport_options", None) or {}
        for key in ("data_folder_in", "data_folder_out"):
            folder = options.get(key)
            if folder and not os.access(folder, os.R_OK | os.W_OK | os.X_OK):
                raise BrokerFolderUnusable(f"Broker folder {folder!r} missing or not writable")
        return super().establish_connection()
