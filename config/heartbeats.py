"""The heartbeats of the background processes: written by them, read by /healthz."""

from datetime import datetime

from django.utils import timezone

from .models import Heartbeat


def heartbeat_record(*, name: str) -> None:
    # Not audited: a liveness signal every few seconds, not an action on the record.
    Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now()})


def heartbeat_last(*, name: str) -> datetime | None:
    return Heartbeat.objects.filter(name=name).values_list("at", flat=True).first()
