"""The outbox drained by the real Celery worker once the change commits."""

import pytest

from tests.conftest import wait_for

from .conftest import upload

pytestmark = pytest.mark.worker


def test_a_committed_document_reaches_the_index_through_the_worker(worker, demo, api_as) -> None:  # type: ignore[no-untyped-def]
    from search.models import SearchEntry, SearchOutbox

    document = upload(demo["kllokot.mayor"], "Vendimi për hidrocentralin", "Hidrocentrali i ri")
    client = api_as("kllokot.mayor")

    answers: list[object] = []

    def found() -> bool:
        body = client.get("/api/search/", {"q": "hidrocentralin"}).json()
        answers.append(body)
        return [hit["id"] for hit in body["results"]] == [document.pk]

    try:
        wait_for(found)
    finally:
        print("last answer:", answers[-1:], "document:", document.pk)
    wait_for(lambda: not SearchOutbox.objects.exists())
    assert SearchEntry.objects.filter(object_id=document.pk, object_type="document").exists()
