"""The audit log: every write in the system records itself here, in its own transaction."""

import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from .models import GENESIS_HASH, AuditEntry, AuditHead

SYSTEM_ACTOR = "system"


def _canonical(value: Any) -> str:
    return json.dumps(
        value, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def entry_payload(entry: AuditEntry) -> bytes:
    """What an entry's hash covers: its content and the previous entry's hash."""
    payload = {
        "seq": entry.seq,
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor,
        "on_behalf_of": entry.on_behalf_of,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "data": entry.data,
        "prev_hash": entry.prev_hash,
    }
    return _canonical(payload).encode()


def entry_hash(entry: AuditEntry) -> str:
    """HMAC-SHA256 of the entry under AUDIT_HMAC_KEY, a key the database never holds: with the
    database alone, a rewritten entry cannot be given a hash that verifies."""
    key = settings.AUDIT_HMAC_KEY.encode()
    return hmac.new(key, entry_payload(entry), hashlib.sha256).hexdigest()


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of a model instance, as JSON-safe data for old/new records."""
    names = fields or [
        field.attname for field in instance._meta.concrete_fields if field.attname != "password"
    ]
    values = {name: getattr(instance, name) for name in names}
    # Moments in UTC, as the database gives them back: a value just set in local time and
    # the same value read later are then written alike in old and new records.
    return json.loads(
        _canonical(
            {
                name: value.astimezone(UTC)
                if isinstance(value, datetime) and value.tzinfo
                else value
                for name, value in values.items()
            }
        )
    )


def _username(user: Any) -> str:
    if user is None:
        return SYSTEM_ACTOR
    return str(user.get_username()) if hasattr(user, "get_username") else str(user)


def _entry_data(
    old: dict[str, Any] | None, new: dict[str, Any] | None, extra: dict[str, Any] | None
) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if old is not None:
        data["old"] = old
    if new is not None:
        data["new"] = new
    if extra:
        data.update(extra)
    # Through JSON once, so the hash covers exactly what the database gives back.
    result: dict[str, Any] = json.loads(_canonical(data))
    return result


# The head's lock, written out: every transition runs it, and through the ORM it costs about
# 0.5 ms of CPU more for the same SQL. The database moves the head itself with each insert of
# entries (migration 0004): an append is this lock and one insert.
_HEAD_TABLE = AuditHead._meta.db_table


def _head_locked(cursor: Any) -> AuditHead:
    """The chain's head, locked until the transaction ends (SQLite has one writer anyway)."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    query = f"SELECT seq, hash FROM {_HEAD_TABLE} WHERE id = 1{lock}"  # noqa: S608  (names)
    cursor.execute(query)
    row = cursor.fetchone()
    if row is None:  # the very first entry (or a freshly emptied test database)
        AuditHead.objects.get_or_create(pk=1)
        cursor.execute(query)
        row = cursor.fetchone()
    return AuditHead(pk=1, seq=row[0], hash=row[1])


def _chained(head: AuditHead, entries: list[AuditEntry]) -> list[AuditEntry]:
    """Number and hash the entries after the head (the database moves the head past them as
    they are inserted)."""
    for entry in entries:
        entry.seq, entry.prev_hash = head.seq + 1, head.hash
        entry.hash = entry_hash(entry)
        head.seq, head.hash = entry.seq, entry.hash
    return entries


# The entries an `appended_together` block has recorded so far, in order.
_pending: ContextVar[list[AuditEntry] | None] = ContextVar("audit_pending", default=None)


def _append(entries: list[AuditEntry]) -> None:
    """Chain the entries after the head: one lock of the head and one insert. The head
    stays locked until the caller's transaction ends; no savepoint of its own, since inside
    that transaction the entries stand or fall with the change they record anyway."""
    pending = _pending.get()
    if pending is not None:
        pending.extend(entries)
        return
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        head = _head_locked(cursor)
        AuditEntry.objects.bulk_create(_chained(head, entries))


@contextmanager
def appended_together() -> Iterator[None]:
    """Entries recorded inside the block join the chain when it ends, in the order they were
    recorded. Every writer queues for the chain's head from its first entry until its commit,
    so a transaction that appends only at its end holds the others up for the shortest time.
    Use it inside the transaction of the changes the entries record, ending just before the
    commit; until then the entries have no `seq` or `hash`. An exception appends nothing."""
    if _pending.get() is not None:  # an enclosing block appends them
        yield
        return
    pending: list[AuditEntry] = []
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    if pending:
        _append(pending)


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    on_behalf_of: Any = None,
) -> AuditEntry:
    """Append one entry. Call it inside the transaction of the change it records: both commit
    or neither does. `actor` is a user (None for the system); `on_behalf_of` the principal
    when the actor works under a delegation."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    entry = AuditEntry(
        at=timezone.now(),
        actor=_username(actor),
        on_behalf_of=_username(on_behalf_of) if on_behalf_of is not None else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        data=_entry_data(old, new, extra),
    )
    _append([entry])
    return entry


def audit_record_many(
    *,
    actor: Any,
    action: str,
    objects: Sequence[models.Model],
    extra: dict[str, Any] | None = None,
    on_behalf_of: Any = None,
) -> list[AuditEntry]:
    """One entry per object for the same action, appended with one lock of the chain's head
    and one insert (a sweep's batch of permission grants)."""
    if not objects:
        return []
    at, data = timezone.now(), _entry_data(None, None, extra)
    entries = [
        AuditEntry(
            at=at,
            actor=_username(actor),
            on_behalf_of=_username(on_behalf_of) if on_behalf_of is not None else "",
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            data=data,
        )
        for obj in objects
    ]
    _append(entries)
    return entries


# --- Emptying the whole database ----------------------------------------------------------------
# The database refuses to delete audit entries or the chain's head (migration 0003). On SQLite the
# refusal asks `audit_wipe_allowed()`, a function only this application's connections define
# (receivers.py), true only inside `database_emptied`: Django's `flush`, which empties every table
# at once (the test runner between tests), runs inside it (management/commands/flush.py). Any
# other connection, the sqlite3 shell included, has no such function and is refused outright.
_wipe_allowed: ContextVar[bool] = ContextVar("audit_wipe_allowed", default=False)


def wipe_allowed() -> bool:
    return _wipe_allowed.get()


@contextmanager
def database_emptied() -> Iterator[None]:
    """Within the block, this thread's SQLite connection may delete the audit log's rows."""
    token = _wipe_allowed.set(True)
    try:
        yield
    finally:
        _wipe_allowed.reset(token)


# --- Verification and anchors ------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    """The chain's head at a moment it was verified, as written outside the database."""

    seq: int
    hash: str


class AnchorFileError(Exception):
    pass


def anchored_heads() -> list[Anchor]:
    """The anchors in AUDIT_ANCHOR_PATH, oldest first (none when unset or not yet written)."""
    path = settings.AUDIT_ANCHOR_PATH
    if not path or not os.path.exists(path):
        return []
    anchors = []
    with open(path, encoding="utf-8") as file:
        for number, line in enumerate(file, start=1):
            try:
                record = json.loads(line)
                anchor = Anchor(seq=int(record["seq"]), hash=str(record["hash"]))
            except (ValueError, TypeError, KeyError) as error:
                raise AnchorFileError(f"{path}, line {number}: not an anchor") from error
            anchors.append(anchor)
    return anchors


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    first_bad_seq: int | None
    reason: str = ""
    # The hash of the last entry verified (the head, when the chain is intact).
    head_hash: str = GENESIS_HASH


def audit_verify(*, chunk_size: int = 2000) -> ChainReport:
    """Walk the chain in order: contiguous sequence, each entry's HMAC recomputed, each link to
    the previous one, the head matching the last entry (entries cut off the end), and every
    anchor written outside the database still in the chain, unchanged (the chain cut and
    rehashed with the key, or its head moved back)."""
    try:
        anchors = anchored_heads()
    except AnchorFileError as error:
        return ChainReport(ok=False, entries=0, first_bad_seq=None, reason=str(error))
    anchored: dict[int, set[str]] = {}
    for anchor in anchors:
        anchored.setdefault(anchor.seq, set()).add(anchor.hash)
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0

    def broken(seq: int, reason: str) -> ChainReport:
        return ChainReport(
            ok=False, entries=count, first_bad_seq=seq, reason=reason, head_hash=prev_hash
        )

    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if entry.seq != expected_seq:
            return broken(min(entry.seq, expected_seq), f"entry {expected_seq} is missing")
        if entry.prev_hash != prev_hash:
            return broken(entry.seq, "it does not link to the entry before it")
        if not hmac.compare_digest(entry.hash, entry_hash(entry)):
            return broken(entry.seq, "its hash does not match its content")
        if anchored.get(entry.seq, {entry.hash}) != {entry.hash}:
            return broken(entry.seq, "its hash differs from the one anchored outside the database")
        expected_seq, prev_hash, count = entry.seq + 1, entry.hash, count + 1
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if head_seq != count or head_hash != prev_hash:
        return broken(count + 1, "the head does not match the last entry")
    if anchors and max(anchored) > count:
        return broken(
            count + 1, f"the chain ends before entry {max(anchored)}, anchored outside the database"
        )
    return ChainReport(ok=True, entries=count, first_bad_seq=None, head_hash=prev_hash)


def audit_anchor(report: ChainReport) -> Anchor | None:
    """Append the head of a chain just found intact to AUDIT_ANCHOR_PATH (unless that is the
    last anchor already). Outside the database, so that whoever can rewrite the database cannot
    move the head back or rewrite what led up to it unnoticed. One write of one line to a file
    opened for appending: concurrent anchors never mix."""
    path = settings.AUDIT_ANCHOR_PATH
    if not path or not report.ok or report.entries == 0:
        return None
    anchor = Anchor(seq=report.entries, hash=report.head_hash)
    anchors = anchored_heads()
    if anchors and anchors[-1] == anchor:
        return anchor
    record = {"seq": anchor.seq, "hash": anchor.hash, "at": timezone.now().isoformat()}
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, (json.dumps(record) + "\n").encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return anchor
