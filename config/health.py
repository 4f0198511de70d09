"""`GET /healthz`: whether each part the app depends on works, for monitoring to poll.

No sign-in and no data: each part is `ok` or a short reason (never an exception's text, which
may name hosts or paths); 200 when all are ok, 503 otherwise. The database, broker, worker and
beat are checked here; an app that has a part of its own registers its check in its
AppConfig.ready (`register_health_check`), so that this module imports nothing above it."""

import os
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .heartbeats import heartbeat_last

OK = "ok"
Check = Callable[[], str]


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


# The project's own parts; the apps add theirs in their AppConfig.ready (register_health_check).
_checks: dict[str, tuple[int, Check]] = {
    "database": (10, check_database),
    "broker": (20, check_broker),
    "worker": (30, check_worker),
    "beat": (40, check_beat),
}


def register_health_check(name: str, check: Check, *, order: int) -> None:
    """Add a part to /healthz and the operators' page, called from an app's AppConfig.ready
    as a subscription to an event is connected there.

    `check` answers `OK` or a short reason (never an exception's text) and catches what it may
    raise; `order` places the part in the report (the project's own parts are 10 to 40)."""
    registered = _checks.get(name)
    if registered is not None and registered[1] is not check:
        raise ImproperlyConfigured(f"Two health checks named {name!r}.")
    _checks[name] = (order, check)


def health_report() -> dict[str, str]:
    """Each part's state, `ok` or a short reason, in the parts' order."""
    parts = sorted(_checks.items(), key=lambda item: item[1][0])
    return {name: check() for name, (_order, check) in parts}


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    report = health_report()
    healthy = all(state == OK for state in report.values())
    return JsonResponse(report, status=200 if healthy else 503)
