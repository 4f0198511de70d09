"""Reads about the audit log."""

from datetime import timedelta
from typing import Any

from .models import AuditEntry

# The chain is re-verified every 6 hours (CELERY_BEAT_SCHEDULE); one missed run is late.
VERIFIED_WITHIN = timedelta(hours=7)


def verification_last() -> dict[str, Any] | None:
    """The last recorded verification of the chain (beat's, every 6 hours): when, whether the
    chain was intact, how many entries it checked."""
    last = (
        AuditEntry.objects.filter(action="audit.verified")
        .order_by("-seq")
        .values("at", "data")
        .first()
    )
    if last is None:
        return None
    data = last["data"] or {}
    return {"at": last["at"], "ok": bool(data.get("ok")), "entries": data.get("entries")}
