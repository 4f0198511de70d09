from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import dateparse, timezone

from deadlines.sweep import sweep


class Command(BaseCommand):
    help = "Fires due timers and sends due reminders, overdue alerts and escalations now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            help="Sweep as if it were this ISO 8601 moment (for rehearsals and tests).",
        )
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        now = None
        if options["now"]:
            now = dateparse.parse_datetime(options["now"])
            if now is None:
                raise CommandError("--now: give an ISO 8601 date and time.")
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        if options["batch_size"] < 1:
            raise CommandError("--batch-size: at least 1.")
        counts = sweep(now=now, batch_size=options["batch_size"])
        self.stdout.write(
            self.style.SUCCESS(
                "Deadline sweep: {timers} timers fired, {reminders} reminders, {overdue} overdue "
                "alerts, {escalations} escalations.".format(**counts)
            )
        )
