"""Steps every access-request test takes: a request submitted on the portal's API, the
information officer's task, a public document to release."""

import io
from typing import Any

import pytest
from django.core.cache import cache

from documents.services import document_create
from roles.models import Institution, User


@pytest.fixture(autouse=True)
def _throttles_reset() -> Any:
    """Each test starts with the public limits untouched (they live in the shared cache)."""
    cache.clear()
    yield
    cache.clear()


def submitted(client, **fields: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    body = {
        "institution": "KLLOKOT",
        "description": "Ugovori o održavanju puteva za 2026.",
        "requester_name": "Ana Jovanović",
        "email": "ana@example.org",
        **fields,
    }
    response = client.post("/api/public/access-requests/", body, format="json")
    assert response.status_code == 201, response.content
    return dict(response.json())


def tracked(client, code: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/public/access-requests/{code}/")
    assert response.status_code == 200, response.content
    return dict(response.json())


def inbox_task(client, name: str, registration_number: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = client.get("/api/inbox/", {"type": "access_request"})
    assert response.status_code == 200, response.content
    tasks = [
        task
        for task in response.json()["results"]
        if task["name"] == name
        and registration_number in process_of(client, task)["data"].get("registration_number", "")
    ]
    assert len(tasks) == 1, response.json()
    return tasks[0]


def process_of(client, task: dict[str, Any]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/processes/{task['process_id']}/")
    assert response.status_code == 200, response.content
    return dict(response.json())


def complete(client, task_id: int, action: str, **data: Any):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/tasks/{task_id}/complete/", {"action": action, "data": data}, format="json"
    )


def public_document(code: str, username: str, title: str = "Ugovor 12/2026") -> int:
    content = f"{title}\n\nTekst ugovora.\n".encode()
    document = document_create(
        actor=User.objects.get(username=username),
        institution=Institution.objects.get(code=code),
        upload=io.BytesIO(content),
        filename="ugovor.txt",
        size=len(content),
        title=title,
        kind="other",
        language="sr",
        classification="public",
    )
    return int(document.pk)
