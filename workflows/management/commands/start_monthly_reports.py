"""Start the monthly report of the mayor's decisions for every municipality that lacks one."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from workflows.services import monthly_reports_start


class Command(BaseCommand):
    help = "Start each municipality's monthly report to MAPL (default: this month)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", help="YYYY-MM; default the current month (local time)")

    def handle(self, *args: Any, month: str | None = None, **options: Any) -> None:
        try:
            started = monthly_reports_start(month=month)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        for process in started:
            self.stdout.write(f"{process.pk}\t{process.institution.code}\t{process.title}")
        self.stdout.write(f"{len(started)} report(s) started.")
