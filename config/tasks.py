from celery import shared_task

from config.celery import Task

from .heartbeats import heartbeat_record


@shared_task(base=Task)
def worker_heartbeat() -> None:
    """Sent by beat every HEARTBEAT_INTERVAL: run, it shows that beat, the broker and a worker
    all work."""
    heartbeat_record(name="worker")
