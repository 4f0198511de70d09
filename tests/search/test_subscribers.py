"""The index is a subscriber: each app announces its own writes once, and one write queues
one outbox row per object, however many announcements name it."""

import io

import pytest
from django.db import transaction

from documents import services
from documents.events import document_changed
from roles.events import view_permission_changed
from roles.selectors import memberships_active
from search import outbox
from search.models import ObjectType, SearchOutbox
from workflows.events import process_transitioned

pytestmark = pytest.mark.django_db


def _rows(object_type: str, object_id: int) -> int:
    return SearchOutbox.objects.filter(object_type=object_type, object_id=object_id).count()


def test_one_document_create_queues_its_document_once(demo) -> None:  # type: ignore[no-untyped-def]
    user = demo["kllokot.assembly"]
    content = b"Vendimi per rruget lokale"
    # Registered, granted to its institution and given its first version: one row.
    document = services.document_create(
        actor=user,
        institution=memberships_active(user=user).first().institution,  # type: ignore[union-attr]
        upload=io.BytesIO(content),
        filename="vendimi.txt",
        size=len(content),
        title="Vendimi nr. 3",
        kind="decision",
        language="sq",
    )
    assert _rows(ObjectType.DOCUMENT, document.pk) == 1


def test_a_row_rolled_back_with_its_savepoint_is_queued_again() -> None:
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            outbox.enqueue(ObjectType.PROCESS, [7])
            raise RuntimeError
        assert _rows(ObjectType.PROCESS, 7) == 0
        outbox.enqueue(ObjectType.PROCESS, [7])
        outbox.enqueue(ObjectType.PROCESS, [7, 8])
    assert _rows(ObjectType.PROCESS, 7) == 1
    assert _rows(ObjectType.PROCESS, 8) == 1


def test_the_index_subscribes_to_each_apps_events() -> None:
    from search import receivers

    assert document_changed.has_listeners() and view_permission_changed.has_listeners()
    live = [ref() for _key, ref, *_rest in process_transitioned.receivers]
    assert receivers.process_queued in live


def test_a_process_edited_in_the_admin_is_queued_for_the_index(demo) -> None:  # type: ignore[no-untyped-def]
    from django.contrib import admin
    from django.test import RequestFactory
    from django.utils import timezone
    from viewflow.workflow.models import Process

    from workflows import services as workflow_services
    from workflows.flows import FLOWS

    process = workflow_services.process_start(
        flow_class=FLOWS["assembly_decision"],
        actor=demo["kllokot.assembly"],
        fields={"title": "Vendimi nr. 4", "adopted_on": timezone.localdate()},
    )
    outbox.drain()  # the start's entries indexed: the outbox is empty again
    assert not SearchOutbox.objects.exists()
    page = admin.site._registry[Process]
    request = RequestFactory().post("/admin/")
    request.user = demo["admin"]

    class Form:  # what the change page's form gives `save_related`: the saved process
        instance = process

        def save_m2m(self) -> None:
            pass

    with transaction.atomic():
        page.save_related(request, Form(), [], change=True)
    assert _rows(ObjectType.PROCESS, process.pk) == 1
