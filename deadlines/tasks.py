from celery import shared_task

from config.celery import Task
from config.heartbeats import heartbeat_record

from .sweep import sweep


@shared_task(base=Task)
def sweep_deadlines() -> dict[str, int]:
    """Periodic (CELERY_BEAT_SCHEDULE): timers, reminders, overdue alerts, escalations. Two
    overlapping runs are harmless: each clock is handled by whichever locks it first."""
    result = sweep()
    heartbeat_record(name="deadline_sweep")  # the operators' page shows the last sweep
    return result
