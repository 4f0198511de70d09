"""`python manage.py import_organisation FILE [FILE …] [--dry-run] [--actor USERNAME]`."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from roles.models import User
from roles.organisation import OrganisationFileError, organisation_import, organisation_read


class Command(BaseCommand):
    help = (
        "Imports institutions, units, roles, people's memberships and directory groups from YAML "
        "or CSV files (roles/data/organisation.yaml is the public part); idempotent, in one "
        "transaction, every change audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would change; change nothing."
        )
        parser.add_argument(
            "--actor",
            default="",
            help="The user recorded as making the changes (default: the system).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["actor"]:
            actor = User.objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(f"No user {options['actor']!r}.")
        try:
            organisation = organisation_read(options["files"])
            changes = organisation_import(
                actor=actor, organisation=organisation, dry_run=options["dry_run"]
            )
        except OrganisationFileError as error:
            raise CommandError(
                "Nothing was changed:\n" + "\n".join(error.errors), returncode=1
            ) from error
        for change in changes:
            self.stdout.write(change)
        verb = "would change" if options["dry_run"] else "changed"
        summary = f"{len(changes)} {'change' if len(changes) == 1 else 'changes'}"
        self.stdout.write(self.style.SUCCESS(f"Organisation {verb}: {summary}."))
