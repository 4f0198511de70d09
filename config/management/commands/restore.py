"""`python manage.py restore FOLDER`: a backup made by `backup`, into an empty database and
storage, each part checked against the manifest first (config/backup.py). Then run
`verify_audit` and `rebuild_search_index` (`make restore` does)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restores a backup into an empty database and storage."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)

    def handle(self, *args: Any, folder: Path, **options: Any) -> None:
        try:
            manifest = backup_restore(folder)
        except BackupError as error:
            raise CommandError(f"Nothing was restored: {error}") from error
        files = manifest["parts"]["media"]["files"]
        anchors = " and the audit anchors" if "anchors" in manifest["parts"] else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {folder} (made {manifest['created_at']}): the database, {files} "
                f"stored files{anchors}. Next: verify_audit, rebuild_search_index."
            )
        )
