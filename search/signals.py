"""Outbox rows for changes made outside this app's reach.

Processes are saved in many places (viewflow's activations, every flow), always as some
subclass of viewflow's `Process`: one receiver for every sender catches them all. Extracted
text is saved by documents.tasks, in the transaction that records it. Each receiver runs
inside the saving transaction, so the outbox row commits (or rolls back) with the change.
"""

from typing import Any

from django.db.models.signals import post_delete, post_save

from .models import ObjectType
from .outbox import enqueue, enqueue_object


def _process_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    from viewflow.workflow.models import Process

    if not raw and isinstance(instance, Process):
        enqueue_object(instance)


def _version_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        enqueue(ObjectType.DOCUMENT, [instance.document_id])


def _deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    enqueue_object(instance)


def connect() -> None:
    from django.apps import apps
    from viewflow.workflow.models import Process

    from documents.models import Document, DocumentVersion

    post_save.connect(_process_saved, dispatch_uid="search.process_saved")
    post_save.connect(_version_saved, sender=DocumentVersion, dispatch_uid="search.version_saved")
    # Deletions per model, not for every sender: a receiver for any sender would turn every
    # bulk delete in the project into a row-by-row one.
    models: list[type[Any]] = [Document, *(m for m in apps.get_models() if issubclass(m, Process))]
    for model in models:
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"search.deleted.{model.__name__}")
