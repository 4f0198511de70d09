from typing import Any

from django.core.management.commands import flush

from audit.services import database_emptied


class Command(flush.Command):
    """Django's `flush`, which empties every table, the audit log included: the one deletion of
    audit rows the database lets through (see `audit.services.database_emptied`)."""

    def handle(self, **options: Any) -> None:
        with database_emptied():
            super().handle(**options)
