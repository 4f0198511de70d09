"""Extract the text of document versions again, e.g. after a failure was fixed."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from audit.services import audit_record
from documents.models import DocumentVersion, TextStatus
from documents.tasks import extract_version_text

ANY = "any"


class Command(BaseCommand):
    help = (
        "Reset document versions to text status 'pending' (audited) and queue their text "
        "extraction, or run it here with --sync. By default: every version whose extraction "
        "failed."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--status",
            choices=[*TextStatus.values, ANY],
            default=TextStatus.FAILED,
            help="only versions with this text status (default: failed; 'any' for all)",
        )
        parser.add_argument(
            "--document",
            type=int,
            nargs="+",
            action="extend",
            dest="documents",
            metavar="ID",
            help="only versions of these documents",
        )
        parser.add_argument(
            "--sync", action="store_true", help="extract here, one by one, instead of queueing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        status, documents, sync = options["status"], options["documents"], options["sync"]
        versions = DocumentVersion.objects.order_by("pk")
        if status != ANY:
            versions = versions.filter(text_status=status)
        if documents:
            versions = versions.filter(document_id__in=documents)
        ids = list(versions.values_list("pk", flat=True))
        total = len(ids)
        for number, version_id in enumerate(ids, start=1):
            with transaction.atomic():
                # No key changes: FOR NO KEY UPDATE lets uploads' foreign-key checks through
                # (see documents.tasks._record).
                version = (
                    DocumentVersion.objects.select_for_update(no_key=True)
                    .filter(pk=version_id)
                    .first()
                )
                if version is None or (status != ANY and version.text_status != status):
                    continue  # changed since it was listed
                previous = version.text_status
                version.text_status, version.text_error = TextStatus.PENDING, ""
                version.save(update_fields=["text_status", "text_error"])
                audit_record(
                    actor=None,
                    action="document.text_reprocess_requested",
                    obj=version.document,
                    extra={"version": version.number, "previous_status": previous},
                )
                if not sync:
                    extract_version_text.delay_on_commit(version_id)
            if sync:
                # Eagerly, retries included (without their back-off pauses).
                result = extract_version_text.apply(args=(version_id,))
                version.refresh_from_db(fields=["text_status", "text_error"])
                line = f"{number}/{total} version {version_id}: {version.text_status}"
                if version.text_error:
                    line += f" ({version.text_error})"
                if result.failed():
                    line += f" — error: {result.result!r}"
                self.stdout.write(line)
        if not sync:
            self.stdout.write(f"{total} version(s) queued for text extraction.")
