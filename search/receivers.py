"""Everything the search index follows, in one place (connected in `apps.ready`).

The index is a subscriber: each app announces its own changes once, inside the changing
transaction, and the receivers here only queue the objects in the outbox (`outbox.enqueue`,
which queues an object once per transaction however many announcements name it), so the
outbox row commits or rolls back with the change. No rule lives here.

- `documents.events.document_changed`: a document registered, a version added, text extracted,
  a registration annulled;
- `roles.events.view_permission_changed`: who may see a document or a process changed (each
  entry lists its viewers);
- `workflows.events.process_transitioned`: a process started or moved on;
- `workflows.events.process_changed`: a process edited in `/admin/`;
- `post_delete` of a document or a process (deleted in `/admin/`): it leaves the index.
"""

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

from documents.events import document_changed
from roles.events import view_permission_changed
from workflows.events import process_changed, process_transitioned

from .models import ObjectType
from .outbox import enqueue, enqueue_object, object_type_of


@receiver(document_changed, dispatch_uid="search.document_changed")
def document_queued(sender: Any, documents: list[Any], **kwargs: Any) -> None:
    enqueue(ObjectType.DOCUMENT, [document.pk for document in documents])


@receiver(view_permission_changed, dispatch_uid="search.view_permission_changed")
def viewers_queued(sender: Any, objects: list[Any], **kwargs: Any) -> None:
    object_type = object_type_of(objects[0]) if objects else None
    if object_type is not None:
        enqueue(object_type, [obj.pk for obj in objects])


@receiver(process_transitioned, dispatch_uid="search.process_transitioned")
@receiver(process_changed, dispatch_uid="search.process_changed")
def process_queued(sender: Any, process: Any, **kwargs: Any) -> None:
    enqueue(ObjectType.PROCESS, [process.pk])


def _deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    enqueue_object(instance)


def connect_deletions() -> None:
    """Deletions per model, not for every sender: a receiver for any sender would turn every
    bulk delete in the project into a row-by-row one."""
    from django.apps import apps
    from viewflow.workflow.models import Process

    from documents.models import Document

    models: list[type[Any]] = [Document, *(m for m in apps.get_models() if issubclass(m, Process))]
    for model in models:
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"search.deleted.{model.__name__}")
