from celery import shared_task
from celery.contrib.django.task import DjangoTask

from .services import memberships_sync_all


@shared_task(base=DjangoTask)
def sync_all_memberships() -> int:
    return memberships_sync_all()
