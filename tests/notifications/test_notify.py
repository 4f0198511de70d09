"""notify(): once per person and key, in each person's language, urgent kinds mailed after the
transaction commits and never twice."""

import threading
from collections.abc import Iterator

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext

from config.celery import app
from notifications import mail as notification_mail
from notifications.models import Notification
from notifications.services import notify
from notifications.tasks import email_notifications
from roles.models import User

# An msgid the catalogues translate: the test sees which language each text was written in.
MSGID = "Institutional coordination"
IN = {
    "sq": "Koordinimi institucional",
    "sr-latn": "Institucionalna koordinacija",
    "sr": "Институционална координација",
    "en": "Institutional coordination",
}


def people(demo: dict[str, User], **languages: str) -> list[User]:
    """Demo users (underscore for dot) with these preferred languages."""
    users = []
    for name, language in languages.items():
        user = demo[name.replace("_", ".")]
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
        users.append(user)
    return users


@pytest.fixture
def eager() -> Iterator[None]:
    """Tasks dispatched on commit run here and now (the real worker: test_worker_mail.py)."""
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False


def test_each_recipient_reads_it_in_their_language_rendered_once_per_language(
    demo: dict[str, User],
) -> None:
    recipients = people(
        demo,
        kllokot_mayor="sq",
        kllokot_info="sr-latn",
        kllokot_chair="sr",
        mapl_legal="en",
        mapl_registry="en",
        prishtine_mayor="",  # no preference: the site's language, Albanian
    )
    languages_rendered: list[str] = []

    def message() -> str:
        languages_rendered.append(translation.get_language())
        return gettext(MSGID)

    created = notify(recipients=recipients, kind="assigned", message=message)
    assert created == 6
    texts = dict(Notification.objects.values_list("user__username", "message"))
    assert texts == {
        "kllokot.mayor": IN["sq"],
        "kllokot.info": IN["sr-latn"],
        "kllokot.chair": IN["sr"],
        "mapl.legal": IN["en"],
        "mapl.registry": IN["en"],
        "prishtine.mayor": IN["sq"],
    }
    assert sorted(languages_rendered) == ["en", "sq", "sr", "sr-latn"]  # once each


def test_a_key_tells_each_person_once(demo: dict[str, User]) -> None:
    mayor, info = demo["kllokot.mayor"], demo["kllokot.info"]
    key = "reminder:deadline:7"
    assert notify(recipients=[mayor], kind="reminder", message=lambda: "1", key=key) == 1
    # Again, and with one more person: only the newcomer is told.
    assert notify(recipients=[mayor, info], kind="reminder", message=lambda: "2", key=key) == 1
    assert notify(recipients=[mayor, info], kind="reminder", message=lambda: "3", key=key) == 0
    rows = Notification.objects.filter(key=key).order_by("user__username")
    assert [(row.user.username, row.message) for row in rows] == [
        ("kllokot.info", "2"),
        ("kllokot.mayor", "1"),
    ]
    # Another key, or none, is another notification.
    assert notify(recipients=[mayor], kind="overdue", message=lambda: "4", key="overdue:7") == 1
    assert notify(recipients=[mayor], kind="assigned", message=lambda: "5") == 1
    assert notify(recipients=[mayor], kind="assigned", message=lambda: "5") == 1
    assert Notification.objects.filter(user=mayor).count() == 4


def test_inactive_and_repeated_recipients(demo: dict[str, User]) -> None:
    mayor, info = demo["kllokot.mayor"], demo["kllokot.info"]
    info.is_active = False
    info.save(update_fields=["is_active"])
    created = notify(
        recipients=[mayor, info, mayor, User.objects.get(pk=mayor.pk)],
        kind="published",
        message=lambda: "x",
    )
    assert created == 1
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["kllokot.mayor"]
    assert notify(recipients=[info], kind="published", message=lambda: "x") == 0
    assert notify(recipients=[], kind="published", message=lambda: "x") == 0


def test_unknown_kind_is_a_programming_error(demo: dict[str, User]) -> None:
    with pytest.raises(ValueError, match="kind"):
        notify(recipients=[demo["kllokot.mayor"]], kind="gossip", message=lambda: "x")
    with pytest.raises(ValueError, match="key"):
        notify(
            recipients=[demo["kllokot.mayor"]], kind="reminder", message=lambda: "x", key="k" * 201
        )
    assert not Notification.objects.exists()


def test_one_insert_whatever_the_number_of_recipients(
    demo: dict[str, User], django_assert_num_queries, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    recipients = list(User.objects.all())
    assert len(recipients) > 10
    with django_assert_num_queries(1), django_capture_on_commit_callbacks() as callbacks:
        created = notify(
            recipients=recipients, kind="escalation", message=lambda: "x", key="escalation:1"
        )
    assert created == len(recipients)
    assert len(callbacks) == 1  # one mail task for all of them
    with django_assert_num_queries(1), django_capture_on_commit_callbacks() as callbacks:
        again = notify(
            recipients=recipients, kind="escalation", message=lambda: "y", key="escalation:1"
        )
    assert again == 0 and callbacks == []  # nothing new, nothing to mail


def test_urgent_kinds_are_mailed_after_commit_in_the_recipients_language(
    demo: dict[str, User], django_capture_on_commit_callbacks, eager: None
) -> None:  # type: ignore[no-untyped-def]
    mayor, chair, info = people(
        demo, kllokot_mayor="en", kllokot_chair="sr-latn", kllokot_info="sq"
    )
    info.email = ""
    info.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        created = notify(
            recipients=[mayor, chair, info],
            kind="overdue",
            message=lambda: gettext(MSGID),
            key="overdue:deadline:1",
        )
        assert mail.outbox == []  # not inside the transaction
    assert created == 3
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {mayor.email, chair.email}  # info has no address: in-app only
    assert by_address[mayor.email].subject == f"{IN['en']}: Overdue"
    assert IN["en"] in by_address[mayor.email].body
    assert by_address[chair.email].subject.startswith(IN["sr-latn"])
    assert IN["sr-latn"] in by_address[chair.email].body
    emailed = Notification.objects.filter(emailed_at__isnull=False)
    assert set(emailed.values_list("user__username", flat=True)) == {
        "kllokot.mayor",
        "kllokot.chair",
    }

    # The same task delivered again (Celery delivers at least once) mails nobody twice.
    email_notifications.apply(args=(list(Notification.objects.values_list("pk", flat=True)),))
    assert len(mail.outbox) == 2


def test_other_kinds_wait_for_the_digest(
    demo: dict[str, User], django_capture_on_commit_callbacks, eager: None
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for kind in ("assigned", "returned", "reminder", "published"):
            notify(recipients=[demo["kllokot.mayor"]], kind=kind, message=lambda: "x")
    assert callbacks == [] and mail.outbox == []


def test_a_rolled_back_alert_is_neither_kept_nor_mailed(
    demo: dict[str, User], django_capture_on_commit_callbacks, eager: None
) -> None:  # type: ignore[no-untyped-def]
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(recipients=[demo["kllokot.mayor"]], kind="escalation", message=lambda: "x")
        raise RuntimeError("the transition failed")
    assert not Notification.objects.exists() and mail.outbox == []


def test_a_failed_send_gives_its_claim_back_for_the_retry(
    demo: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    notify(recipients=[demo["kllokot.mayor"]], kind="overdue", message=lambda: "x")
    [notification] = Notification.objects.all()

    def unreachable(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(notification_mail.EmailMessage, "send", unreachable)
    with pytest.raises(ConnectionRefusedError):
        notification_mail.notifications_email([notification.pk])
    notification.refresh_from_db()
    assert notification.emailed_at is None
    monkeypatch.undo()
    assert notification_mail.notifications_email([notification.pk]) == 1
    assert len(mail.outbox) == 1


def test_two_concurrent_senders_tell_each_person_once(
    transactional_db: None, demo: dict[str, User]
) -> None:
    """Two sweeps at once (each in its own transaction and connection) alert each person once,
    and between them report exactly the notifications that exist."""
    recipients = list(User.objects.filter(is_active=True))
    rounds = 5
    barrier = threading.Barrier(2)
    counts: list[int] = []
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            for number in range(rounds):
                barrier.wait(timeout=30)
                with transaction.atomic():
                    counts.append(
                        notify(
                            recipients=recipients,
                            kind="reminder",
                            message=lambda: "x",
                            key=f"reminder:{number}",
                        )
                    )
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Notification.objects.count() == rounds * len(recipients)
    assert sum(counts) == rounds * len(recipients)
