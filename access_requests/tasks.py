"""Background work of access requests: the requester's e-mail after the transition commits."""

from celery import shared_task

from config.celery import Task

from . import mail


@shared_task(base=Task, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def requester_tell(access_request_id: int, event: str) -> int:
    return mail.requester_email(access_request_id, event)
