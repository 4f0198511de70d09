"""Writes about notifications: sending them, and a person marking theirs read.

Notifications are a record in themselves, so sending one writes no audit entry; marking read
writes none either: what a person has read is their own business, not the institution's.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connections, models, router
from django.utils import timezone, translation

from roles.models import User
from roles.permissions import visible_or_404

from .models import URGENT_KINDS, Kind, Notification
from .tasks import email_notifications

# Rows per INSERT: 7 parameters each, far below every backend's limit on parameters.
INSERT_BATCH = 500
KEY_MAX_LENGTH = Notification._meta.get_field("key").max_length or 200


def language_of(user: Any) -> str:
    return getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE


@dataclass(frozen=True)
class Notice:
    """One notice for `notify_many`: what `notify` takes."""

    recipients: Iterable[User]
    kind: str
    message: Callable[[], str]
    process: Any = None
    task: Any = None
    key: str = ""


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    message: Callable[[], str],
    process: Any = None,
    task: Any = None,
    key: str = "",
) -> int:
    """Tell each active recipient, once. Returns how many notifications were newly created.

    `message()` is called once per distinct language of the recipients, inside
    `translation.override`, so it should build its text with gettext. With a `key`, a person
    who already has a notification with that key gets nothing new (a sweep run twice, or two
    at once, tells nobody twice). Urgent kinds (overdue, escalation) are also e-mailed, after
    the caller's transaction commits, to recipients with an e-mail address.

    One INSERT, whatever the number of recipients (below INSERT_BATCH): it runs inside
    workflow transitions.
    """
    return notify_many(
        [
            Notice(
                recipients=recipients,
                kind=kind,
                message=message,
                process=process,
                task=task,
                key=key,
            )
        ]
    )


def notify_many(notices: Iterable[Notice]) -> int:
    """`notify` for several notices at once — a split opening a task for each of many
    recipients tells each lane of its own task — in one INSERT for all their rows (below
    INSERT_BATCH). Returns how many notifications were newly created."""
    rows: list[tuple[int, str, str, int | None, int | None, str]] = []
    users: dict[int, User] = {}
    for notice in notices:
        if notice.kind not in Kind.values:
            raise ValueError(f"Unknown notification kind {notice.kind!r}.")
        if len(notice.key) > KEY_MAX_LENGTH:
            raise ValueError(f"Notification keys are at most {KEY_MAX_LENGTH} characters.")
        told: dict[int, User] = {}
        for user in notice.recipients:
            if user.is_active:
                told.setdefault(user.pk, user)
        texts: dict[str, str] = {}
        for user in told.values():
            language = language_of(user)
            if language not in texts:
                with translation.override(language):
                    texts[language] = str(notice.message())
            rows.append(
                (
                    user.pk,
                    notice.kind,
                    texts[language],
                    getattr(notice.process, "pk", None),
                    getattr(notice.task, "pk", None),
                    notice.key,
                )
            )
        users.update(told)
    if not rows:
        return 0
    created = _insert_ignoring_existing(rows, now=timezone.now())
    to_mail = [pk for pk, user_id, kind in created if kind in URGENT_KINDS and users[user_id].email]
    if to_mail:
        # Never inside the transaction: a rolled-back alert must not have been mailed.
        email_notifications.delay_on_commit(to_mail)
    return len(created)


def _insert_ignoring_existing(
    rows: list[tuple[int, str, str, int | None, int | None, str]], *, now: datetime
) -> list[tuple[int, int, str]]:
    """Insert (user_id, kind, message, process_id, task_id, key) rows, skipping those whose
    (user, key) exists; return the (id, user_id, kind) of the rows actually inserted.

    bulk_create(ignore_conflicts=True) cannot say which rows went in, and a look-up before the
    insert miscounts when two callers race. `INSERT … ON CONFLICT DO NOTHING RETURNING` says it
    exactly, in one statement, on PostgreSQL and on SQLite (≥ 3.35). On PostgreSQL a racing
    insert of the same (user, key) waits for the other transaction and is then skipped.
    """
    connection = connections[router.db_for_write(Notification)]
    opts = Notification._meta
    quote = connection.ops.quote_name
    names = ["user", "kind", "created_at", "message", "process", "task", "key"]
    columns = ", ".join(quote(_column(name)) for name in names)
    returning = f"{quote(_column('id'))}, {quote(_column('user'))}, {quote(_column('kind'))}"
    created_at = connection.ops.adapt_datetimefield_value(now)
    row_sql = "(" + ", ".join(["%s"] * len(names)) + ")"
    inserted: list[tuple[int, int, str]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_BATCH):
            batch = rows[start : start + INSERT_BATCH]
            params: list[Any] = []
            for user_id, kind, text, process_id, task_id, key in batch:
                params += [user_id, kind, created_at, text, process_id, task_id, key]
            cursor.execute(
                f"INSERT INTO {quote(opts.db_table)} ({columns}) "  # noqa: S608  (names, not data)
                f"VALUES {', '.join([row_sql] * len(batch))} "
                f"ON CONFLICT DO NOTHING RETURNING {returning}",
                params,
            )
            inserted += [
                (int(pk), int(user_id), str(kind)) for pk, user_id, kind in cursor.fetchall()
            ]
    return inserted


def _column(name: str) -> str:
    field = Notification._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return str(field.column)


def notification_mark_read(*, user: Any, notification_id: Any) -> Notification:
    """Mark one of the person's own notifications read (404 for anybody else's). Marking it
    again keeps the time it was first read. Not audited: see the module's docstring."""
    notification: Notification = visible_or_404(
        Notification.objects.filter(user=user), notification_id
    )
    if notification.read_at is None:
        now = timezone.now()
        if Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=now
        ):
            notification.read_at = now
        else:  # read meanwhile, in another request
            notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: Any) -> int:
    """Mark all of the person's unread notifications read; returns how many. Not audited."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
