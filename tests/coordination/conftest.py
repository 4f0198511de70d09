"""Coordination fixtures: the request's clock rule (a transactional test elsewhere may have
flushed the migration's) and helpers that drive the API as the officials do."""

import importlib
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from deadlines.models import DeadlineRule
from roles import services as roles_services
from roles.models import Institution, Role, Unit, User

# The browser tests' fixtures (Debian's Chromium driven by Playwright), shared with tests/ui.
from tests.ui.conftest import async_unsafe_allowed, browser, sessions  # noqa: F401

RULE = importlib.import_module("coordination.migrations.0002_response_deadline_rule").RULE


@pytest.fixture
def rule(demo: dict[str, User]) -> DeadlineRule:
    return DeadlineRule.objects.get_or_create(code=RULE["code"], defaults=RULE)[0]


def member(username: str, code: str, role: str, unit: str | None = None) -> User:
    """A person holding `role` in the institution (created if needed)."""
    user, _ = User.objects.get_or_create(username=username)
    user.set_password("demo")
    user.save()
    institution = Institution.objects.get(code=code)
    unit_row = Unit.objects.filter(institution=institution, code=unit).first() if unit else None
    roles_services.membership_create(
        actor=User.objects.get(username="admin"),
        user=user,
        institution=institution,
        role=Role.objects.get(code=role),
        unit=unit_row,
    )
    return user


def ministry(code: str, with_officer: bool = True) -> Institution:
    institution = Institution.objects.create(
        code=code, kind="ministry", name_sq=code, name_sr=code, name_en=code
    )
    if with_officer:
        member(f"{code.lower()}.comms", code, "communications_officer")
        member(f"{code.lower()}.minister", code, "minister")
    return institution


def due_in(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def sent(client: Any, **fields: Any) -> dict[str, Any]:
    body = {
        "title": "Të dhënat për komunitetet",
        "text": "Ju lutem dërgoni të dhënat deri në afat.",
        "recipients": {"kind": "ministry"},
        "due_on": due_in(5),
        **fields,
    }
    response = client.post("/api/processes/coordination-request/", body, format="json")
    assert response.status_code == 201, response.content
    return dict(response.json())


def respond_task(client: Any, process_id: int) -> dict[str, Any]:
    response = client.get("/api/inbox/", {"type": "coordination_request"})
    assert response.status_code == 200, response.content
    [task] = [
        t
        for t in response.json()["results"]
        if t["process_id"] == process_id and t["name"] == "respond"
    ]
    return dict(task)
