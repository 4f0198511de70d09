import os
from typing import ParamSpec, TypeVar

from celery import Celery
from celery.contrib.django.task import DjangoTask
from django.db import transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

P = ParamSpec("P")
R = TypeVar("R")


class Task(DjangoTask[P, R]):
    """Every task of the code base: dispatched with `task.delay_on_commit(...)`, so it never
    runs against rows whose transaction rolled back.

    Unlike Celery's own, the message is sent *robustly*: when the broker cannot be reached the
    caller's data is already committed, so the error is logged (Django's robust on_commit) and
    the request answers as it would have. Nothing waits on that message alone: the periodic
    sweeps pick the work up (the search outbox's drain, the stale text extractions' re-queue,
    the daily digest of unread notifications)."""

    # celery-types says AsyncResult; Celery's own returns None as well (on_commit gives nothing).
    def delay_on_commit(self, *args: P.args, **kwargs: P.kwargs) -> None:  # type: ignore[override]
        def send() -> None:
            self.delay(*args, **kwargs)

        send.__qualname__ = f"{self.name}.delay"  # what Django's log of a failure names
        transaction.on_commit(send, robust=True)


app = Celery("coordination", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
