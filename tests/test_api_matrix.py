"""Permission matrix for every API endpoint: who gets what, in the error shape of API.md."""

from datetime import timedelta
from datetime import timezone as timezone_of
from typing import Any

import pytest
from django.urls import URLResolver, get_resolver
from django.utils import timezone

from audit.models import AuditEntry
from roles import services
from roles.models import Delegation, User

CALLERS = [None, "kllokot.mayor", "kllokot.info", "prishtine.mayor", "auditor", "admin"]


@pytest.fixture
def delegation(demo: dict[str, User]) -> Delegation:
    now = timezone.now()
    return services.delegation_create(
        actor=demo["kllokot.mayor"],
        principal=demo["kllokot.mayor"],
        deputy=demo["kllokot.info"],
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=5),
        reason="Leave",
    )


def expect(anonymous: int, **by_user: int) -> dict[str | None, int]:
    default = by_user.pop("others")
    table: dict[str | None, int] = dict.fromkeys(CALLERS, default)
    table[None] = anonymous
    table.update({name.replace("_", "."): status for name, status in by_user.items()})
    return table


# (method, path template, body, expected status per caller)
MATRIX: list[tuple[str, str, dict[str, Any] | None, dict[str | None, int]]] = [
    ("get", "/api/me/", None, expect(401, others=200)),
    ("get", "/api/institutions/", None, expect(401, others=200)),
    ("get", "/api/institutions/kllokot/", None, expect(401, others=200)),
    ("get", "/api/institutions/NOWHERE/", None, expect(401, others=404)),
    ("get", "/api/delegations/", None, expect(401, others=200)),
    (
        "post",
        "/api/delegations/",
        {
            "deputy": "kllokot.chair",
            "reason": "Mission",
            "starts_at": "2030-01-01T08:00:00+01:00",
            "ends_at": "2030-01-05T16:00:00+01:00",
        },
        expect(401, kllokot_mayor=201, kllokot_info=201, others=400),
    ),  # the others have no colleague "kllokot.chair" to delegate to
    (
        "get",
        "/api/delegations/{delegation}/",
        None,
        expect(401, kllokot_mayor=200, kllokot_info=200, admin=200, others=404),
    ),
    (
        "post",
        "/api/delegations/{delegation}/revoke/",
        None,
        expect(401, kllokot_mayor=200, kllokot_info=403, admin=200, others=404),
    ),
    ("get", "/api/delegations/999999/", None, expect(401, others=404)),
    # Each document route has its own matrix in tests/documents/test_api.py, each process and
    # task route in tests/workflows/ (an outsider's 404 at every step of a flow).
    ("get", "/api/documents/", None, expect(401, others=200)),
    ("get", "/api/processes/", None, expect(401, others=200)),
    ("get", "/api/inbox/", None, expect(401, others=200)),
    ("post", "/api/tasks/999999/complete/", {"action": "approve"}, expect(401, others=404)),
    (
        "post",
        "/api/processes/assembly-decision/",
        {"title": "Vendim", "adopted_on": "2026-01-05"},
        expect(401, others=403),
    ),
    (
        "post",
        "/api/processes/press-statement/",
        {"title": "Njoftim", "text_sq": "Teksti", "text_sr": "Tekst"},
        expect(401, kllokot_info=201, others=403),
    ),
    (
        "post",
        "/api/processes/meeting-material/",
        {"title": "Material", "meeting_date": "2099-01-05", "communication_plan": {}},
        expect(401, others=403),
    ),  # only ministry communications officers (the validation is tested in tests/workflows/)
    ("get", "/api/public/press-statements/", None, expect(200, others=200)),
    ("get", "/api/public/meeting-materials/", None, expect(200, others=200)),
    ("get", "/api/public/meeting-materials/999999/documents/1/", None, expect(404, others=404)),
    # Public consultations: each step's matrix is in tests/consultations/test_access.py.
    (
        "post",
        "/api/processes/public-consultation/",
        {
            "title": "Konsultim",
            "summary_sq": "Përmbledhje",
            "summary_sr": "Sažetak",
            "closes_at": "2099-01-05T16:00:00+01:00",
        },
        expect(401, kllokot_info=201, others=403),
    ),
    ("get", "/api/public/consultations/", None, expect(200, others=200)),
    ("get", "/api/public/consultations/999999/", None, expect(404, others=404)),
    ("get", "/api/public/consultations/999999/report/", None, expect(404, others=404)),
    ("get", "/api/public/consultations/999999/documents/1/", None, expect(404, others=404)),
    (
        "post",
        "/api/public/consultations/999999/comments/",
        {"name": "Arta", "capacity": "individual", "email": "a@example.org", "text": "Mirë."},
        expect(404, others=404),
    ),
    # Access to public documents: each step's matrix is in tests/access_requests/.
    ("get", "/api/public/institutions/", None, expect(200, others=200)),
    (
        "post",
        "/api/public/access-requests/",
        {
            "institution": "KLLOKOT",
            "description": "Buxheti 2026",
            "requester_name": "Arta",
            "email": "a@example.org",
        },
        expect(201, others=201),
    ),
    ("get", "/api/public/access-requests/no-such-code/", None, expect(404, others=404)),
    (
        "post",
        "/api/public/access-requests/no-such-code/complaint/",
        {"text": "Ankesë"},
        expect(404, others=404),
    ),
    (
        "get",
        "/api/public/access-requests/no-such-code/documents/1/",
        None,
        expect(404, others=404),
    ),
    (
        "post",
        "/api/processes/access-request/",
        {"description": "Buxheti 2026", "requester_name": "Arta", "postal_address": "Kllokot"},
        expect(401, kllokot_info=201, others=403),
    ),
    # Citizens' complaints: each step's matrix is in tests/complaints/.
    ("get", "/api/public/complaint-topics/?institution=KLLOKOT", None, expect(200, others=200)),
    (
        "post",
        "/api/public/complaints/",
        {"institution": "KLLOKOT", "topic": "roads", "text": "Gropë në rrugë."},
        expect(201, others=201),
    ),
    ("get", "/api/public/complaints/no-such-code/", None, expect(404, others=404)),
    (
        "post",
        "/api/processes/complaint/",
        {"topic": "roads", "text": "Gropë në rrugë.", "channel": "phone"},
        expect(401, others=403),  # the one-stop shop's (tests/complaints/test_flow.py)
    ),
    ("get", "/api/complaints/statistics/", None, expect(401, others=200)),
    (
        "get",
        "/api/access-requests/statistics/?institution=KLLOKOT",
        None,
        expect(401, others=200),
    ),
    ("get", "/api/access-requests/statistics/?year=1", None, expect(401, others=400)),
    ("get", "/api/access-requests/999999/requester/", None, expect(401, others=404)),
    ("get", "/api/consultations/oversight/", None, expect(401, auditor=200, admin=200, others=404)),
    ("get", "/api/consultations/999999/comments/", None, expect(401, others=404)),
    ("get", "/api/consultations/999999/comments/export/", None, expect(401, others=404)),
    ("post", "/api/consultations/999999/answers/", {"answers": []}, expect(401, others=404)),
    # Coordination requests and communication plans: each step's matrix is in tests/coordination/.
    (
        "post",
        "/api/processes/coordination-request/",
        {
            "title": "Raport",
            "text": "Dërgoni të dhënat.",
            "recipients": ["MAPL"],
            "due_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
        },
        expect(401, kllokot_mayor=201, prishtine_mayor=201, others=403),
    ),
    ("get", "/api/coordination-requests/999999/tracker/", None, expect(401, others=404)),
    ("get", "/api/coordination-requests/999999/tracker.csv", None, expect(401, others=404)),
    ("post", "/api/coordination-requests/999999/remind/", {}, expect(401, others=404)),
    ("post", "/api/coordination-requests/999999/close/", {}, expect(401, others=404)),
    ("get", "/api/communication-plans/", None, expect(401, others=200)),
    ("get", "/api/communication-plans/late/", None, expect(401, others=200)),
    ("get", "/api/communication-plans/999999/", None, expect(401, others=404)),
    ("post", "/api/communication-plans/999999/activities/", {}, expect(401, others=404)),
    ("patch", "/api/communication-plan-activities/999999/", {}, expect(401, others=404)),
    # Everyone has their own notifications (an empty list at first); another person's, or a
    # missing one, is 404: tests/notifications/test_api.py.
    ("get", "/api/notifications/", None, expect(401, others=200)),
    ("get", "/api/notifications/?read=maybe", None, expect(401, others=400)),
    ("post", "/api/notifications/999999/read/", None, expect(401, others=404)),
    ("post", "/api/notifications/read-all/", None, expect(401, others=200)),
    ("get", "/api/search/?q=vendim&kind=decision", None, expect(401, others=200)),
    ("get", "/api/search/?q=vendim&date_from=not-a-date", None, expect(401, others=400)),
    # Deadlines: each caller sees the clocks of the processes they see (tests/deadlines/).
    ("get", "/api/deadlines/", None, expect(401, others=200)),
    ("get", "/api/deadlines/?state=late", None, expect(401, others=400)),
    ("get", "/api/deadlines/dashboard/", None, expect(401, others=200)),
    ("get", "/api/deadlines/dashboard/?type=nope", None, expect(401, others=400)),
    ("get", "/api/audit/", None, expect(401, auditor=200, admin=200, others=404)),
    ("get", "/api/audit/verify/", None, expect(401, auditor=200, admin=200, others=404)),
    ("get", "/api/schema/", None, expect(200, others=200)),
    ("get", "/api/no-such-endpoint/", None, expect(404, others=404)),
]


def case_id(case: tuple[Any, ...]) -> str:
    return f"{case[0].upper()} {case[1]}"


@pytest.mark.parametrize("case", MATRIX, ids=case_id)
@pytest.mark.parametrize("caller", CALLERS, ids=lambda caller: caller or "anonymous")
def test_permission_matrix(
    api_as,
    delegation: Delegation,
    caller: str | None,  # type: ignore[no-untyped-def]
    case: tuple[str, str, dict[str, Any] | None, dict[str | None, int]],
) -> None:
    method, path, body, expected = case
    client = api_as(caller)
    response = getattr(client, method)(path.format(delegation=delegation.pk), body, format="json")
    assert response.status_code == expected[caller], response.content
    if response.status_code >= 400:
        error = response.json()["error"]
        assert isinstance(error["code"], str) and error["code"]
        assert isinstance(error["message"], str) and error["message"]
        assert isinstance(error["details"], dict)


def test_every_api_route_is_in_the_matrix() -> None:
    covered = {path.split("{")[0].rstrip("/") for _, path, _, _ in MATRIX}
    resolver = get_resolver()
    api_routes = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver) and str(pattern.pattern) == "api/":
            for child in pattern.url_patterns:
                route = str(child.pattern)
                if "<path:" in route or route in {"auth/token/", "docs/"}:
                    continue  # token: test_auth.py; docs: HTML for people; catch-all: above
                api_routes.add("/api/" + route.split("<")[0].rstrip("/"))
    missing = {
        route
        for route in api_routes
        if not any(item.startswith(route.rstrip("/")) for item in covered)
    }
    assert not missing, f"endpoints without a permission matrix: {sorted(missing)}"


def test_token_auth_flow_and_errors(demo: dict[str, User], api) -> None:  # type: ignore[no-untyped-def]
    good = api.post(
        "/api/auth/token/", {"username": "mapl.legal", "password": "demo"}, format="json"
    )
    assert good.status_code == 200 and len(good.json()["token"]) == 40
    assert AuditEntry.objects.filter(action="auth.token_issued", actor="mapl.legal").exists()
    again = api.post(
        "/api/auth/token/", {"username": "mapl.legal", "password": "demo"}, format="json"
    )
    assert again.json()["token"] == good.json()["token"]

    for body, status in [
        ({"username": "mapl.legal", "password": "wrong"}, 400),
        ({"username": "nobody", "password": "demo"}, 400),
        ({"username": "mapl.legal"}, 400),
        ({}, 400),
        ({"username": "x" * 5000, "password": "y"}, 400),
    ]:
        response = api.post("/api/auth/token/", body, format="json")
        assert response.status_code == status, (body, response.content)
        assert response.json()["error"]["code"] in {"invalid", "invalid_credentials"}
    assert AuditEntry.objects.filter(action="auth.login_failed").count() >= 2

    malformed = api.generic(
        "POST", "/api/auth/token/", "{not json", content_type="application/json"
    )
    assert malformed.status_code == 400
    assert malformed.json()["error"]["code"] == "parse_error"
    assert api.get("/api/auth/token/").status_code == 405

    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api.get("/api/me/").status_code == 401

    # The token issued above identifies its holder, and only while the account is active.
    api.credentials(HTTP_AUTHORIZATION=f"Token {good.json()['token']}")
    assert api.get("/api/me/").json()["username"] == "mapl.legal"
    User.objects.filter(username="mapl.legal").update(is_active=False)
    refused = api.get("/api/me/")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "authentication_failed"


def test_me_describes_the_caller(api_as) -> None:  # type: ignore[no-untyped-def]
    me = api_as("zkp.coordinator").get("/api/me/").json()
    assert me["username"] == "zkp.coordinator"
    assert me["full_name"]
    assert me["institution"]["code"] == "ZKM"
    assert me["unit_code"] == "zkp"
    assert me["roles"] == ["communications_coordinator"]
    assert me["is_auditor"] is False
    assert api_as("auditor").get("/api/me/").json()["is_auditor"] is True


def test_institutions_list_is_paginated_with_names_in_three_languages(api_as) -> None:  # type: ignore[no-untyped-def]
    client = api_as("kllokot.info")
    page = client.get("/api/institutions/").json()
    assert set(page) == {"count", "next", "previous", "results"}
    codes = [item["code"] for item in page["results"]]
    assert {"ZKM", "MAPL", "MF", "KLLOKOT", "PRISHTINE"} <= set(codes)
    kllokot = next(item for item in page["results"] if item["code"] == "KLLOKOT")
    assert kllokot["kind"] == "municipality"
    assert kllokot["names"] == {
        "sq": "Komuna e Kllokotit",
        "sr": "Opština Klokot",
        "en": "Municipality of Kllokot",
    }
    small = client.get("/api/institutions/?page_size=2&page=2").json()
    assert len(small["results"]) == 2 and small["previous"] and small["next"]
    for query in ("page=abc", "page=0", "page_size=-1", "page=99999999999999999999"):
        response = client.get(f"/api/institutions/?{query}")
        assert response.status_code == 400, query
    assert client.get("/api/institutions/?page=50").status_code == 404


def test_acting_for_a_principal_with_the_on_behalf_of_header(
    api_as,
    delegation: Delegation,  # type: ignore[no-untyped-def]
) -> None:
    deputy = api_as("kllokot.info")
    plain = deputy.get("/api/me/").json()
    assert plain["acting_for"] == ["kllokot.mayor"] and plain["on_behalf_of"] is None
    acting = deputy.get("/api/me/", HTTP_X_ON_BEHALF_OF="kllokot.mayor").json()
    assert acting["on_behalf_of"] == "kllokot.mayor"
    refused = api_as("kllokot.chair").get("/api/me/", HTTP_X_ON_BEHALF_OF="kllokot.mayor")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "not_delegated"


def test_creating_a_delegation_validates_its_period(api_as) -> None:  # type: ignore[no-untyped-def]
    client = api_as("kllokot.mayor")
    backwards = client.post(
        "/api/delegations/",
        {
            "deputy": "kllokot.chair",
            "reason": "x",
            "starts_at": "2030-01-05T08:00:00+01:00",
            "ends_at": "2030-01-01T08:00:00+01:00",
        },
        format="json",
    )
    assert backwards.status_code == 400
    assert "ends_at" in backwards.json()["error"]["details"]
    to_self = client.post(
        "/api/delegations/",
        {
            "deputy": "kllokot.mayor",
            "reason": "x",
            "starts_at": "2030-01-01T08:00:00+01:00",
            "ends_at": "2030-01-05T08:00:00+01:00",
        },
        format="json",
    )
    assert to_self.status_code == 400
    created = client.post(
        "/api/delegations/",
        {
            "deputy": "kllokot.chair",
            "reason": "Mission to Prishtina",
            "starts_at": "2030-01-01T08:00:00+01:00",
            "ends_at": "2030-01-05T08:00:00+01:00",
        },
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["principal"] == "kllokot.mayor"
    assert created.json()["starts_at"] == "2030-01-01T08:00:00+01:00"
    entry = AuditEntry.objects.get(action="delegation.created", object_id=str(created.json()["id"]))
    assert entry.actor == "kllokot.mayor" and entry.data["new"]["deputy_id"] is not None


def test_audit_api_filters_by_object(api_as, delegation: Delegation) -> None:  # type: ignore[no-untyped-def]
    client = api_as("auditor")
    page = client.get(f"/api/audit/?object_type=roles.delegation&object_id={delegation.pk}").json()
    assert [entry["action"] for entry in page["results"]] == ["delegation.created"]
    entry = page["results"][0]
    assert set(entry) == {
        "seq",
        "at",
        "actor",
        "on_behalf_of",
        "action",
        "object_type",
        "object_id",
        "data",
        "hash",
        "prev_hash",
    }
    assert entry["actor"] == "kllokot.mayor"
    verify = client.get("/api/audit/verify/").json()
    assert verify["ok"] is True and verify["first_bad_seq"] is None
    assert verify["entries"] == AuditEntry.objects.count()
    assert client.get("/api/audit/?at_from=not-a-date").status_code == 400


def test_audit_time_filters_take_any_iso_offset_and_name_the_parameter_they_refuse(
    api_as,  # type: ignore[no-untyped-def]
) -> None:
    client = api_as("auditor")
    first = AuditEntry.objects.order_by("seq").first()
    assert first is not None
    # The same instant written with an offset PostgreSQL itself would refuse (beyond ±15:59).
    far_west = first.at.astimezone(timezone_of(-timedelta(hours=23, minutes=21))).isoformat()
    since = client.get("/api/audit/", {"at_from": far_west})
    assert since.status_code == 200, since.content
    assert since.json()["results"][0]["seq"] == first.seq  # oldest first, from that instant on
    before = client.get("/api/audit/", {"at_to": far_west})
    assert before.status_code == 200, before.content
    assert before.json()["count"] == 0
    backwards = client.get(
        "/api/audit/", {"at_from": "2026-11-25T00:00:00+01:00", "at_to": "2026-11-24T00:00:00Z"}
    )
    assert backwards.status_code == 400 and set(backwards.json()["error"]["details"]) == {"at_to"}
    # Year one at +01:00 is in year zero in UTC: no database holds it.
    refused = client.get("/api/audit/", {"at_to": "0001-01-01T00:00:00+01:00"})
    assert refused.status_code == 400
    assert set(refused.json()["error"]["details"]) == {"at_to"}


def test_unknown_api_paths_and_csrf_refusals_answer_in_the_error_shape(
    demo: dict[str, User],
) -> None:
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    unknown = browser.post("/api/no-such-endpoint/", {"x": 1})
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "not_found"
    # A signed-in browser session must carry the CSRF token for API writes.
    assert browser.login(username="kllokot.mayor", password="demo")
    refused = browser.post(
        "/api/delegations/",
        {"deputy": "kllokot.chair", "reason": "x"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] in {"permission_denied", "csrf_failed"}


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("get", "/api/institutions/%00/", None, 404),
        (
            "post",
            "/api/delegations/",
            {
                "deputy": "\x00",
                "reason": "x",
                "starts_at": "2030-01-01T00:00:00Z",
                "ends_at": "2030-01-02T00:00:00Z",
            },
            400,
        ),
    ],
    ids=["nul-in-path", "nul-in-body"],
)
def test_values_the_database_cannot_hold_are_bad_input_not_server_errors(
    api_as,
    method: str,
    path: str,
    body: dict[str, str] | None,
    status: int,  # type: ignore[no-untyped-def]
) -> None:
    response = getattr(api_as("auditor"), method)(path, body, format="json")
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"]


@pytest.mark.parametrize("caller", ["kllokot.mayor", None], ids=["mayor", "anonymous"])
def test_every_documented_path_answers_options_and_head(api_as, caller: str | None) -> None:  # type: ignore[no-untyped-def]
    """Clients and fuzzers send OPTIONS (and HEAD) to any path: an answer, never a 500. DRF
    describes a view's POST by building its serializer, so a view without one must not break."""
    client = api_as(caller)
    paths = api_as("auditor").get("/api/schema/", {"format": "json"}).json()["paths"]
    assert len(paths) > 20
    for template in paths:
        path = template
        for name in ("id", "pk", "document_id", "code", "tracking_code"):
            path = path.replace("{" + name + "}", "1")
        assert "{" not in path, template
        for method in ("options", "head"):
            response = getattr(client, method)(path)
            assert response.status_code < 500, (method, template, response.content[:300])
            if response.status_code >= 400 and method == "options":
                assert response.json()["error"]["code"], (template, response.content)
