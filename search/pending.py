"""What the running transaction has queued in the outbox, kept as the on-commit callback that
sends the drain (`outbox.enqueue`): Django drops the callbacks of a savepoint rolled back, and
with them exactly the keys whose outbox rows that rollback removed. A drain inside the same
transaction (a command, a test) `forget`s the rows it took, so they are queued again if changed
again — without asking the database whether each row is still there."""

from collections.abc import Callable, Iterable

from django.db import connection

Key = tuple[str, int]  # (object type, object id)


class Pending:
    """The keys queued down to one savepoint, and what to do at commit (send the drain)."""

    def __init__(self, send: Callable[[], None]) -> None:
        self.keys: set[Key] = set()
        self.send = send
        self.__qualname__ = f"{send.__module__}.{send.__qualname__}"  # in Django's error log

    def __call__(self) -> None:
        self.send()


def _callbacks() -> Iterable[tuple[Iterable[str], object]]:
    for entry in connection.run_on_commit:  # (savepoint ids, callback, robust)
        yield entry[0], entry[1]


def pending_in_transaction() -> tuple[set[Key], Pending | None]:
    """The keys queued by the running transaction, and its callback for the current savepoint
    (None when there is none yet)."""
    keys: set[Key] = set()
    here = None
    savepoints = set(connection.savepoint_ids)
    for sids, callback in _callbacks():
        if isinstance(callback, Pending):
            keys |= callback.keys
            if set(sids) == savepoints:
                here = callback
    return keys, here


def forget(keys: set[Key]) -> None:
    """These rows were drained inside the running transaction: no longer queued."""
    if not connection.in_atomic_block:
        return
    for _sids, callback in _callbacks():
        if isinstance(callback, Pending):
            callback.keys -= keys
