"""Steps every workflow test takes through the API."""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

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


def decision_text(client, language: str = "", title: str = "Vendimi / Odluka") -> int:  # type: ignore[no-untyped-def]
    """A decision's text registered by the client's institution: in `language`, or (empty)
    one document with the Albanian and the Serbian text."""
    response = client.post(
        "/api/documents/",
        {
            "title": title,
            "kind": "decision",
            "language": language or "sq",
            "file": SimpleUploadedFile(
                "vendimi.txt", "Vendimi i Kuvendit.\nOdluka Skupštine.".encode()
            ),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def decision_texts(client) -> dict[str, list[int]]:  # type: ignore[no-untyped-def]
    """What an assembly decision's start needs to be signed off later: its text in both
    official languages (one document, marked bilingual)."""
    document = decision_text(client)
    return {"documents": [document], "bilingual_documents": [document]}


def decision_transmitted(api_as, **fields: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """An assembly decision of Kllokot registered with its texts, signed off and transmitted:
    MAPL's registry has it to acknowledge."""
    office = api_as("kllokot.assembly")
    body = {"title": "Vendimi nr. 12 për buxhetin", **decision_texts(office), **fields}
    body.setdefault("adopted_on", str(timezone.localdate()))
    response = office.post("/api/processes/assembly-decision/", body, format="json")
    assert response.status_code == 201, response.content
    process = response.json()
    process = completed(api_as("kllokot.chair"), open_task(process, "approve")["id"], "approve")
    return completed(office, open_task(process, "transmit")["id"], "transmit")


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
