"""Background mail: urgent notifications right after their transaction commits, the digest daily."""

from celery import shared_task

from config.celery import Task

from . import mail


# OSError covers smtplib's errors and an unreachable mail server: the claim was given back,
# so the retry sends what is still unsent.
@shared_task(
    base=Task,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_jitter=True,
    max_retries=5,
)
def email_notifications(notification_ids: list[int]) -> int:
    return mail.notifications_email(notification_ids)


@shared_task(base=Task)
def send_daily_digest() -> int:
    return mail.digests_send()
