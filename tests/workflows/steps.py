"""Steps every workflow test takes through the API."""

from typing import Any

from audit.models import AuditEntry
from roles import services as roles_services
from roles.models import Institution, Role, Unit, User

PROCESS_TYPE = "workflows.coordinationprocess"


def statement_drafted(client, title: str, text_sq: str, text_sr: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A press statement the information officer drafted; it waits for the mayor's approval."""
    response = client.post(
        "/api/processes/press-statement/",
        {"title": title, "text_sq": text_sq, "text_sr": text_sr},
        format="json",
    )
    assert response.status_code == 201, response.content
    return dict(response.json())


def inbox(client, **params: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    response = client.get("/api/inbox/", params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def open_task(process: dict[str, Any], name: str) -> dict[str, Any]:
    [task] = [
        t for t in process["tasks"] if t["name"] == name and t["status"] in ("new", "assigned")
    ]
    return task


def complete(client, task_id: int, action: str, comment: str = "", **data: Any):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/tasks/{task_id}/complete/",
        {"action": action, "comment": comment, "data": data},
        format="json",
    )


def completed(client, task_id: int, action: str, comment: str = "", **data: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = complete(client, task_id, action, comment, **data)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["task"]["status"] == "done"
    assert body["task"]["action"] == action
    return body["process"]


def audit_actions(process_id: int) -> list[tuple[str, str, str, str]]:
    return [
        (entry.action, entry.actor, entry.on_behalf_of, entry.data.get("task", ""))
        for entry in AuditEntry.objects.filter(object_type=PROCESS_TYPE, object_id=str(process_id))
        .exclude(action="permission.granted")
        .exclude(action__startswith="deadline.")  # the clocks' own record, tested in deadlines
        .order_by("seq")
    ]


def member(username: str, code: str, role: str) -> User:
    """Another official of an institution (the demo has one per role)."""
    admin = User.objects.get(username="admin")
    user = User.objects.create_user(username=username, password="demo")
    institution = Institution.objects.get(code=code)
    unit = Unit.objects.filter(institution=institution, code="assembly").first()
    roles_services.membership_create(
        actor=admin, user=user, institution=institution, role=Role.objects.get(code=role), unit=unit
    )
    return user
