"""`GET /healthz`: whether each part the app depends on works, for monitoring to poll.

No sign-in and no data: each part is `ok` or a short reason (never an exception's text, which
may name hosts or paths); 200 when all are ok, 503 otherwise."""

import os
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .heartbeats import heartbeat_last

OK = "ok"
# The audit chain is re-verified every 6 hours (CELERY_BEAT_SCHEDULE); one missed run is late.
AUDIT_VERIFIED_WITHIN = timedelta(hours=7)


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return "unreachable"
    return OK


def check_broker() -> str:
    from config.celery import app

    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        for key in ("data_folder_in", "data_folder_out"):
            folder = str(options.get(key, ""))
            if not os.access(folder, os.R_OK | os.W_OK | os.X_OK):
                return "queue folder missing or not writable"
        return OK
    try:
        with app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        return "unreachable"
    return OK


def _heartbeat(name: str) -> str:
    try:
        at = heartbeat_last(name=name)
    except Exception:
        return "unknown (database unreachable)"
    if at is None:
        return "never seen"
    age = (timezone.now() - at).total_seconds()
    if age > settings.HEARTBEAT_STALE_AFTER:
        return f"stopped: no heartbeat for {int(age)} s"
    return OK


def check_worker() -> str:
    return _heartbeat("worker")


def check_beat() -> str:
    return _heartbeat("beat")


def check_search() -> str:
    from search.backends import get_backend

    try:
        get_backend().ping()
    except Exception:
        return "unreachable"
    return OK


def check_audit() -> str:
    from audit.models import AuditEntry

    try:
        last = (
            AuditEntry.objects.filter(action="audit.verified")
            .order_by("-seq")
            .values("at", "data")
            .first()
        )
    except Exception:
        return "unknown (database unreachable)"
    if last is None:
        # A new chain gets its first verification from beat within the interval.
        first = AuditEntry.objects.order_by("seq").values_list("at", flat=True).first()
        if first is None or timezone.now() - first <= AUDIT_VERIFIED_WITHIN:
            return OK
        return "never verified"
    if not (last["data"] or {}).get("ok"):
        return "chain broken"
    if timezone.now() - last["at"] > AUDIT_VERIFIED_WITHIN:
        return "last verification too old"
    return OK


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "broker": check_broker,
    "worker": check_worker,
    "beat": check_beat,
    "search": check_search,
    "audit": check_audit,
}


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    report = {name: check() for name, check in CHECKS.items()}
    healthy = all(state == OK for state in report.values())
    return JsonResponse(report, status=200 if healthy else 503)
