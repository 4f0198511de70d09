from celery import shared_task

from config.celery import Task

from .services import memberships_sync_all


@shared_task(base=Task)
def sync_all_memberships() -> int:
    return memberships_sync_all()
