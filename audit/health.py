"""The audit log's part of /healthz (registered in AuditConfig.ready): whether beat verified
the chain lately and found it intact."""

from django.utils import timezone

from config.health import OK

from .models import AuditEntry
from .selectors import VERIFIED_WITHIN, verification_last


def check_audit() -> str:
    try:
        last = verification_last()
    except Exception:
        return "unknown (database unreachable)"
    if last is None:
        # A new chain gets its first verification from beat within the interval.
        first = AuditEntry.objects.order_by("seq").values_list("at", flat=True).first()
        if first is None or timezone.now() - first <= VERIFIED_WITHIN:
            return OK
        return "never verified"
    if not last["ok"]:
        return "chain broken"
    if timezone.now() - last["at"] > VERIFIED_WITHIN:
        return "last verification too old"
    return OK
