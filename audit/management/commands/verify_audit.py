from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.services import audit_anchor, audit_verify


class Command(BaseCommand):
    help = (
        "Checks the audit chain (and its anchors outside the database); exits with status 1 "
        "when it is broken. An intact chain's head is anchored in AUDIT_ANCHOR_PATH."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify()
        if not report.ok:
            where = f"at entry {report.first_bad_seq}" if report.first_bad_seq is not None else "in"
            raise CommandError(
                f"Audit chain broken {where} ({report.entries} entries verified before it): "
                f"{report.reason}."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.entries} entries."))
        if anchor := audit_anchor(report):
            self.stdout.write(f"Head #{anchor.seq} anchored in {settings.AUDIT_ANCHOR_PATH}.")
