from typing import Any

from django.core.management.base import BaseCommand

from notifications.mail import digests_send


class Command(BaseCommand):
    help = (
        "E-mails each person their unread notifications of the last 24 hours, in their "
        "language; once per person and day, so running it again sends nothing new."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = digests_send()
        self.stdout.write(self.style.SUCCESS(f"{sent} digest(s) sent."))
