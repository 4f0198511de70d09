import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("coordination")
# Celery's Django fixup makes every task a DjangoTask: the code base dispatches with
# `task.delay_on_commit(...)`, so a task never runs against rows whose transaction rolled back.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
