"""The daily digest: each person's unread notifications of the last day, in their language,
once per person and day."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from notifications import mail as notification_mail
from notifications.models import DigestSent, Notification
from notifications.services import notify
from notifications.tasks import send_daily_digest
from roles.models import User

BELGRADE = ZoneInfo("Europe/Belgrade")
NOW = datetime(2026, 3, 10, 7, 0, tzinfo=BELGRADE)


def told(user: User, kind: str, message, *, at: datetime) -> Notification:  # type: ignore[no-untyped-def]
    notify(recipients=[user], kind=kind, message=message)
    notification = Notification.objects.filter(user=user).latest("pk")
    Notification.objects.filter(pk=notification.pk).update(created_at=at)
    return notification


@pytest.fixture
def day(demo: dict[str, User]) -> dict[str, User]:
    """A morning's situation: the mayor (English) has two unread of the last day, one read and
    one older; the chair (Serbian, Latin) one unread; the information officer none."""
    mayor, chair = demo["kllokot.mayor"], demo["kllokot.chair"]
    mayor.preferred_language, chair.preferred_language = "en", "sr-latn"
    mayor.save(update_fields=["preferred_language"])
    chair.save(update_fields=["preferred_language"])
    Notification.objects.all().delete()
    told(mayor, "assigned", lambda: "Sign off decision 12", at=NOW - timedelta(hours=20))
    told(
        mayor, "overdue", lambda: gettext("Institutional coordination"), at=NOW - timedelta(hours=2)
    )
    read = told(mayor, "reminder", lambda: "Already read", at=NOW - timedelta(hours=3))
    Notification.objects.filter(pk=read.pk).update(read_at=NOW - timedelta(hours=1))
    told(mayor, "reminder", lambda: "Two days old", at=NOW - timedelta(days=2))
    told(
        chair,
        "returned",
        lambda: gettext("Institutional coordination"),
        at=NOW - timedelta(hours=5),
    )
    return demo


def test_each_person_gets_their_unread_of_the_last_day_in_their_language(
    day: dict[str, User],
) -> None:
    assert notification_mail.digests_send(now=NOW) == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {day["kllokot.mayor"].email, day["kllokot.chair"].email}

    mayor = by_address[day["kllokot.mayor"].email]
    assert mayor.subject == "Institutional coordination: 2 unread notifications"
    assert mayor.from_email == settings.DEFAULT_FROM_EMAIL
    body = mayor.body
    assert "Sign off decision 12" in body and "Institutional coordination" in body
    assert body.index("Overdue") < body.index("Assigned")  # newest first
    assert "Already read" not in body and "Two days old" not in body

    chair = by_address[day["kllokot.chair"].email]
    assert chair.subject.startswith("Institucionalna koordinacija: ")
    assert "Institucionalna koordinacija" in chair.body


def test_once_per_person_and_day(day: dict[str, User]) -> None:
    assert notification_mail.digests_send(now=NOW) == 2
    assert notification_mail.digests_send(now=NOW + timedelta(hours=3)) == 0
    # Something new the same day waits for tomorrow's digest.
    told(day["kllokot.mayor"], "assigned", lambda: "Later that day", at=NOW + timedelta(hours=4))
    assert notification_mail.digests_send(now=NOW + timedelta(hours=5)) == 0
    assert len(mail.outbox) == 2
    assert set(DigestSent.objects.values_list("day", flat=True)) == {NOW.date()}

    tomorrow = NOW + timedelta(days=1)
    assert notification_mail.digests_send(now=tomorrow) == 1  # only the mayor has a new one
    [latest] = mail.outbox[2:]
    assert latest.to == [day["kllokot.mayor"].email]
    assert "Later that day" in latest.body and "1 unread notification" in latest.subject


def test_nobody_without_an_address_or_no_longer_active(day: dict[str, User]) -> None:
    User.objects.filter(username="kllokot.mayor").update(email="")
    User.objects.filter(username="kllokot.chair").update(is_active=False)
    assert notification_mail.digests_send(now=NOW) == 0
    assert mail.outbox == [] and not DigestSent.objects.exists()


def test_a_failed_send_leaves_the_day_open_for_a_later_run(
    day: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_send = notification_mail.EmailMessage.send

    def mayor_unreachable(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.to == [day["kllokot.mayor"].email]:
            raise ConnectionRefusedError("mail server down")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(notification_mail.EmailMessage, "send", mayor_unreachable)
    assert notification_mail.digests_send(now=NOW) == 1
    assert [message.to for message in mail.outbox] == [[day["kllokot.chair"].email]]
    monkeypatch.undo()
    assert notification_mail.digests_send(now=NOW + timedelta(minutes=10)) == 1
    assert mail.outbox[-1].to == [day["kllokot.mayor"].email]


def test_a_long_day_is_listed_in_part_with_the_rest_counted(demo: dict[str, User]) -> None:
    mayor = demo["kllokot.mayor"]
    mayor.preferred_language = "en"
    mayor.save(update_fields=["preferred_language"])
    Notification.objects.all().delete()
    for number in range(notification_mail.DIGEST_MAX_ITEMS + 5):
        notify(recipients=[mayor], kind="reminder", message=f"Item {number}".__str__)
    assert notification_mail.digests_send() == 1
    [message] = mail.outbox
    total = notification_mail.DIGEST_MAX_ITEMS + 5
    assert message.subject.endswith(f"{total} unread notifications")
    assert message.body.count("Reminder") == notification_mail.DIGEST_MAX_ITEMS
    assert "5 more" in message.body


def test_the_command_and_the_beat_task(day: dict[str, User]) -> None:
    Notification.objects.update(created_at=timezone.now() - timedelta(hours=1))
    out = io.StringIO()
    call_command("send_notification_digest", stdout=out)
    assert out.getvalue().strip() == "2 digest(s) sent."
    call_command("send_notification_digest", stdout=out)
    assert out.getvalue().strip().endswith("0 digest(s) sent.")
    assert len(mail.outbox) == 2
    assert send_daily_digest.apply().get() == 0
    entry = settings.CELERY_BEAT_SCHEDULE["notification-digest"]
    assert entry["task"] == send_daily_digest.name
    assert entry["schedule"] == crontab(hour=7, minute=0)  # local time: CELERY_TIMEZONE
    assert settings.CELERY_TIMEZONE == "Europe/Belgrade"


@override_settings(SITE_URL="https://koordinimi.example.org/")
def test_mails_link_to_the_task_or_else_the_process(demo: dict[str, User]) -> None:
    site = "https://koordinimi.example.org"
    mayor = demo["kllokot.mayor"]
    mayor.preferred_language = "en"
    about_task = Notification(user=mayor, kind="overdue", message="m", process_id=5, task_id=7)
    about_process = Notification(user=mayor, kind="published", message="m", process_id=5)
    unrelated = Notification(user=mayor, kind="reminder", message="m")
    assert about_task.link_path() == reverse("work:task", args=[7])
    assert about_process.link_path() == reverse("work:process", args=[5])
    assert unrelated.link_path() == ""
    assert (
        f"Open: {site}{reverse('work:task', args=[7])}"
        in notification_mail.urgent_email(about_task).body
    )
    digest = notification_mail.digest_email(mayor, [about_process, unrelated], 2).body
    assert f"Open: {site}{reverse('work:process', args=[5])}" in digest
    assert "Open: /" not in digest
    assert digest.count("Open:") == 1
