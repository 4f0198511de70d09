"""Steps the complaints tests take through the public API and the officials' API."""

from typing import Any

from roles import services as roles_services
from roles.models import Institution, Role, Unit, User

COMPLAINT = {
    "institution": "KLLOKOT",
    "topic": "water_irrigation",
    "text": "Kanali i ujitjes në Mogillë është i bllokuar prej dy javësh.",
}


def submitted(api, **fields: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = api.post("/api/public/complaints/", {**COMPLAINT, **fields}, format="json")
    assert response.status_code == 201, response.content
    return dict(response.json())


def tracked(api, code: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = api.get(f"/api/public/complaints/{code}/")
    assert response.status_code == 200, response.content
    return dict(response.json())


def inbox(client, **params: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    response = client.get("/api/inbox/", {"type": "complaint", **params})
    assert response.status_code == 200, response.content
    return list(response.json()["results"])


def task_of(client, registration_number: str, name: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    [task] = [
        task
        for task in inbox(client)
        if task["name"] == name and task["process_title"].startswith(registration_number)
    ]
    return task


def complete(client, task_id: int, action: str, **data: Any):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/tasks/{task_id}/complete/", {"action": action, "data": data}, format="json"
    )


def completed(client, task_id: int, action: str, **data: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = complete(client, task_id, action, **data)
    assert response.status_code == 200, response.content
    return dict(response.json()["process"])


def unit_officer(username: str, unit_code: str, *, code: str = "KLLOKOT") -> User:
    """A complaints officer in a (new) unit of the municipality."""
    admin = User.objects.get(username="admin")
    institution = Institution.objects.get(code=code)
    unit = Unit.objects.filter(institution=institution, code=unit_code).first()
    if unit is None:
        unit = roles_services.unit_create(
            actor=admin,
            institution=institution,
            code=unit_code,
            name_sq="Drejtoria e Infrastrukturës",
            name_sr="Direkcija za infrastrukturu",
            name_en="Directorate of Infrastructure",
        )
    user = User.objects.create_user(
        username=username, password="demo", email=f"{username}@x.invalid"
    )
    roles_services.membership_create(
        actor=admin,
        user=user,
        institution=institution,
        role=Role.objects.get(code="complaints_officer"),
        unit=unit,
    )
    return user


def statistics_agree(username: str, code: str = "KLLOKOT") -> dict[str, Any]:
    """The statistics kept as they happen equal those counted from every complaint (a date
    range makes the selector count); returns the kept ones."""
    from datetime import date

    from complaints.selectors import complaint_statistics

    user = User.objects.get(username=username)
    institution = Institution.objects.get(code=code)
    kept = complaint_statistics(user=user, institution=institution)
    counted = complaint_statistics(user=user, institution=institution, date_from=date(2000, 1, 1))

    def rows(figures: dict[str, Any], part: str) -> list[Any]:
        return sorted(
            (sorted((k, str(v)) for k, v in row.items() if k != "names") for row in figures[part]),
        )

    for part in ("by_topic", "by_unit", "by_month"):
        assert rows(kept, part) == rows(counted, part), part
    for total in ("open", "overdue", "problems", "reports"):
        assert kept[total] == counted[total], total
    assert (kept["median_answer_days"] is None) == (counted["median_answer_days"] is None)
    if kept["median_answer_days"] is not None:
        assert abs(kept["median_answer_days"] - counted["median_answer_days"]) <= 0.1
    return kept
