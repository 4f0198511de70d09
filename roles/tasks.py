from celery import shared_task

from .services import memberships_sync_all


@shared_task
def sync_all_memberships() -> int:
    return memberships_sync_all()
