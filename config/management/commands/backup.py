"""`python manage.py backup FOLDER`: the database, the stored files and the audit anchors, with a
manifest of SHA-256 sums (config/backup.py). `--check FOLDER` only checks an existing backup."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.backup import BackupError, backup_check, backup_create


class Command(BaseCommand):
    help = "Backs up the database, the stored files and the audit anchors into FOLDER."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument(
            "--check", action="store_true", help="Check an existing backup against its manifest."
        )

    def handle(self, *args: Any, folder: Path, check: bool, **options: Any) -> None:
        try:
            manifest = backup_check(folder) if check else backup_create(folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        for name, part in manifest["parts"].items():
            self.stdout.write(
                f"{name}: {part['file']} {part['size']} bytes sha256 {part['sha256']}"
            )
        verb = "intact" if check else "written"
        self.stdout.write(self.style.SUCCESS(f"Backup {folder} {verb}."))
