"""The operators' page, `/operations/`: for staff only (anyone else gets 404, as for anything
they may not see). What the background work is doing: the queues, when the deadline sweep and
the search drain last ran, the last audit verification, failed text extractions and overdue
clocks. /healthz says the same in one word per part for monitoring."""

from datetime import timedelta
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from audit.selectors import VERIFIED_WITHIN, verification_last
from deadlines.selectors import overdue_by_institution
from documents.selectors import extraction_counts_named, extraction_failures_recent
from search.selectors import outbox_backlog

from .health import health_report
from .heartbeats import heartbeat_last
from .operations import broker_queue_length

# Beat runs the sweep every 2 minutes and drains the outbox every minute (CELERY_BEAT_SCHEDULE);
# a few runs missed is late.
LATE_AFTER = {"deadline_sweep": timedelta(minutes=6), "search_drain": timedelta(minutes=3)}


def _last_run(name: str) -> dict[str, Any]:
    at = heartbeat_last(name=name)
    late = at is None or timezone.now() - at > LATE_AFTER[name]
    return {"at": at, "late": late}


@never_cache
@require_GET
def operations(request: HttpRequest) -> HttpResponse:
    if not request.user.is_staff:
        raise Http404
    verification = verification_last()
    overdue = overdue_by_institution()
    context = {
        "health": health_report(),
        "broker_queue": broker_queue_length(),
        "outbox": outbox_backlog(),
        "sweep": _last_run("deadline_sweep"),
        "drain": _last_run("search_drain"),
        "verification": verification,
        "verification_late": verification is None
        or timezone.now() - verification["at"] > VERIFIED_WITHIN,
        "extraction": extraction_counts_named(),
        "extraction_failures": extraction_failures_recent(),
        "overdue": overdue,
        "overdue_total": sum(row["overdue"] for row in overdue),
    }
    return render(request, "operations/status.html", context)
