"""E-mail through Django's e-mail framework: urgent notifications at once, everything else in a
daily digest. Each message is written in its recipient's language.

Both claim before they send (a notification's `emailed_at`, a `DigestSent` row), so a task
delivered twice or two digest runs at once mail nobody twice; a send that fails gives its claim
back, for the retry.
"""

import logging
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Exists, OuterRef
from django.utils import formats, timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext

from roles.models import User

from .models import DigestSent, Notification

logger = logging.getLogger(__name__)

# A digest lists at most this many notifications and says how many more there are.
DIGEST_MAX_ITEMS = 50


def _language(user: Any) -> str:
    return getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE


def absolute_url(path: str) -> str:
    """A path of this site as a link a mail reader can follow: mails leave without a request,
    so the site's address comes from the `SITE_URL` setting."""
    return f"{settings.SITE_URL.rstrip('/')}/{path.lstrip('/')}"


def _subject(text: str) -> str:
    return f"{gettext('Institutional coordination')}: {text}"


def _item_lines(notification: Notification, *, with_time: bool) -> list[str]:
    heading = capfirst(notification.get_kind_display())
    if with_time:
        when = formats.date_format(
            timezone.localtime(notification.created_at), "SHORT_DATETIME_FORMAT"
        )
        heading = f"{when} · {heading}"
    lines = [heading, notification.message]
    link = notification.link_path()
    if link:
        lines.append(gettext("Open: %(link)s") % {"link": absolute_url(link)})
    return lines


def urgent_email(notification: Notification) -> EmailMessage:
    """The e-mail of one urgent notification, in its recipient's language."""
    with translation.override(_language(notification.user)):
        subject = _subject(capfirst(notification.get_kind_display()))
        body = "\n".join(_item_lines(notification, with_time=False)) + "\n"
    return EmailMessage(subject, body, to=[notification.user.email])


def notifications_email(notification_ids: list[int]) -> int:
    """Mail these notifications to their recipients, each at most once; returns how many were
    sent. Recipients without an address, or no longer active, keep the in-app one only."""
    sent = 0
    pending = (
        Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
        .select_related("user")
        .order_by("pk")
    )
    with get_connection() as connection:
        for notification in pending:
            user = notification.user
            if not user.email or not user.is_active:
                continue
            claimed = Notification.objects.filter(
                pk=notification.pk, emailed_at__isnull=True
            ).update(emailed_at=timezone.now())
            if not claimed:
                continue  # another run of the task took it
            message = urgent_email(notification)
            message.connection = connection
            try:
                message.send()
            except Exception:
                Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
                raise
            sent += 1
    return sent


def digest_email(user: User, notifications: list[Notification], total: int) -> EmailMessage:
    with translation.override(_language(user)):
        subject = _subject(
            ngettext("%(count)d unread notification", "%(count)d unread notifications", total)
            % {"count": total}
        )
        blocks = ["\n".join(_item_lines(item, with_time=True)) for item in notifications]
        if total > len(notifications):
            blocks.append(
                gettext("… and %(count)d more in the application.")
                % {"count": total - len(notifications)}
            )
        body = "\n\n".join(blocks) + "\n"
    return EmailMessage(subject, body, to=[user.email])


def digests_send(*, now: datetime | None = None) -> int:
    """E-mail each active person with an address their unread notifications of the last 24
    hours, once per local day; returns how many digests went out. A failed send is logged and
    its day left unclaimed, so a later run that day sends it."""
    now = now or timezone.now()
    day: date = timezone.localdate(now)
    since = now - timedelta(days=1)
    unread = Notification.objects.filter(
        read_at__isnull=True, created_at__gte=since, created_at__lte=now
    )
    recipients = (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .filter(Exists(unread.filter(user=OuterRef("pk"))))
        .exclude(Exists(DigestSent.objects.filter(user=OuterRef("pk"), day=day)))
        .order_by("pk")
    )
    sent = 0
    with get_connection() as connection:
        for user in recipients.iterator():
            items = list(
                unread.filter(user=user).order_by("-created_at", "-pk")[: DIGEST_MAX_ITEMS + 1]
            )
            total = len(items)
            if total > DIGEST_MAX_ITEMS:
                items = items[:DIGEST_MAX_ITEMS]
                total = unread.filter(user=user).count()
            if not items:
                continue  # read meanwhile
            claim, created = DigestSent.objects.get_or_create(
                user=user, day=day, defaults={"count": total}
            )
            if not created:
                continue  # another run sent it
            message = digest_email(user, items, total)
            message.connection = connection
            try:
                message.send()
            except Exception:
                claim.delete()
                logger.exception("Digest for user %s not sent; a later run retries", user.pk)
                continue
            sent += 1
    return sent
