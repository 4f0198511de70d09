from typing import Any

from celery import shared_task

from config.celery import Task

from .services import audit_anchor, audit_record, audit_verify


@shared_task(base=Task)
def verify_audit_chain() -> bool:
    """Periodic check; its result enters the chain itself, so a gap in checks is visible too,
    and an intact chain's head is anchored outside the database (AUDIT_ANCHOR_PATH)."""
    report = audit_verify()
    extra: dict[str, Any] = {
        "ok": report.ok,
        "entries": report.entries,
        "first_bad_seq": report.first_bad_seq,
    }
    if report.reason:
        extra["reason"] = report.reason
    audit_record(actor=None, action="audit.verified", extra=extra)
    audit_anchor(report)
    return report.ok
