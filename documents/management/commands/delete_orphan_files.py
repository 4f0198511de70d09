"""Delete the stored files that no document version names (left by crashed uploads)."""

from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from documents.tasks import ORPHAN_FILE_AGE, orphan_files_delete


class Command(BaseCommand):
    help = (
        "Delete stored files that no document version names and that are older than the "
        "given age (default: an hour, so no upload still running loses its file); audited. "
        "Celery beat runs the same clean-up hourly."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--older-than-minutes",
            type=int,
            default=int(ORPHAN_FILE_AGE.total_seconds() // 60),
            help="only files last written longer ago than this (default: 60)",
        )
        parser.add_argument("--dry-run", action="store_true", help="list the files, delete nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        minutes = options["older_than_minutes"]
        if minutes < 10:
            raise CommandError(
                "An upload may still be writing a file that young: 10 minutes at least."
            )
        names = orphan_files_delete(
            older_than=timedelta(minutes=minutes), dry_run=options["dry_run"]
        )
        for name in names:
            self.stdout.write(name)
        verb = "Would delete" if options["dry_run"] else "Deleted"
        self.stdout.write(f"{verb} {len(names)} files that no document version names.")
