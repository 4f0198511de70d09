"""The public endpoints: the institution list, bad input in the shared error shape, throttling
per client address, a wrong code costing what a right one costs; the officials' registration
of a paper request and the yearly statistics, with an outsider's 404."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.settings import api_settings

from access_requests.models import AccessRequest

from .conftest import complete, inbox_task, submitted, tracked

RATES: dict[str, Any] = {**api_settings.DEFAULT_THROTTLE_RATES}


def test_institutions_are_public(demo: Any, api: Any) -> None:
    response = api.get("/api/public/institutions/")
    assert response.status_code == 200
    codes = {institution["code"]: institution for institution in response.json()}
    assert {"AIP", "MF", "KLLOKOT", "ZKM"} <= set(codes)
    assert set(codes["AIP"]["names"]) == {"sq", "sr", "en"}
    assert codes["AIP"]["names"]["sq"] == "Agjencia për Informim dhe Privatësi"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"description": ""}, "description"),
        ({"description": "x" * 5001}, "description"),
        ({"description": "<img src=x onerror=alert(1)>"}, "description"),
        ({"requester_name": "<b>Ana</b>"}, "requester_name"),
        ({"email": "", "postal_address": ""}, "email"),
        ({"email": "not-an-address"}, "email"),
        ({"urgent": True}, "urgent_reason"),
        ({"institution": "NOPE"}, "institution"),
        ({"format": "fax"}, "format"),
        ({"description": "a\x00b"}, None),
    ],
)
def test_bad_input_is_a_400_in_the_shared_shape(
    demo: Any, api: Any, changes: dict[str, Any], field: str | None
) -> None:
    body = {
        "institution": "KLLOKOT",
        "description": "Budget 2026",
        "requester_name": "Ana",
        "email": "ana@example.org",
        **changes,
    }
    response = api.post("/api/public/access-requests/", body, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    if field:
        assert field in error["details"]
    assert not AccessRequest.objects.exists()


def test_wrong_code_is_404_with_one_lookup_like_a_right_one(demo: Any, api: Any) -> None:
    code = submitted(api)["tracking_code"]
    for wrong in (code[:-1] + ("A" if code[-1] != "A" else "B"), "x", "y" * 500):
        with CaptureQueriesContext(connection) as queries:
            response = api.get(f"/api/public/access-requests/{wrong}/")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        lookups = [
            q for q in queries.captured_queries if "access_requests_accessrequest" in q["sql"]
        ]
        assert len(lookups) <= 1
    assert not AccessRequest.objects.filter(tracking_digest=code).exists()  # only the digest


@pytest.fixture
def low_limits() -> Any:
    """Two submissions an hour and three reads a minute per address, for one test."""
    from config.public import PublicReadThrottle, PublicSubmitThrottle

    PublicSubmitThrottle.THROTTLE_RATES = {**RATES, "public_submit": "2/hour"}  # type: ignore[dict-item]
    PublicReadThrottle.THROTTLE_RATES = {**RATES, "public_read": "3/min"}  # type: ignore[dict-item]
    yield
    del PublicSubmitThrottle.THROTTLE_RATES
    del PublicReadThrottle.THROTTLE_RATES


def test_submissions_are_throttled_per_client_address(
    demo: Any, api: Any, low_limits: None
) -> None:
    code = submitted(api, description="one")["tracking_code"]
    submitted(api, description="two")
    body = {"institution": "KLLOKOT", "requester_name": "A", "email": "a@example.org"}
    third = api.post(
        "/api/public/access-requests/", {**body, "description": "three"}, format="json"
    )
    assert third.status_code == 429
    assert third.json()["error"]["code"] == "throttled"
    assert "Retry-After" in third
    # Another address is not held back.
    other = api.post(
        "/api/public/access-requests/",
        {**body, "description": "four"},
        format="json",
        REMOTE_ADDR="203.0.113.9",
    )
    assert other.status_code == 201
    statuses = [api.get(f"/api/public/access-requests/{code}/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    # The portal's form counts on the same limits.
    assert api.post("/portal/access-requests/", {"institution": "KLLOKOT"}).status_code == 429
    assert AccessRequest.objects.count() == 3


def test_official_registers_a_paper_request(demo: Any, api: Any, api_as: Any) -> None:
    officer = api_as("mf.info")
    body = {
        "description": "Budget execution report Q3",
        "requester_name": "Petar Ilić",
        "postal_address": "Rr. Nëna Terezë 1, Prishtinë",
        "received_on": "2026-12-01",
        "channel": "paper",
    }
    response = officer.post("/api/processes/access-request/", body, format="json")
    assert response.status_code == 201, response.content
    process = response.json()
    assert process["type"] == "access_request"
    assert process["registration_number"].startswith("MF-")
    assert process["data"]["channel"] == "paper"
    assert process["data"]["received_on"] == "2026-12-01"
    assert "Petar" not in str(process["data"]) and "Terezë" not in str(process["data"])
    view = tracked(api, process["tracking_code"])
    assert view["institution"] == "MF"
    # Only the institution's information officer registers; others cannot.
    for username in ("kllokot.mayor", "mf.minister", "aip.officer"):
        refused = api_as(username).post("/api/processes/access-request/", body, format="json")
        assert refused.status_code == 403, username
    future = officer.post(
        "/api/processes/access-request/", {**body, "received_on": "2099-01-01"}, format="json"
    )
    assert future.status_code == 400
    assert api.post("/api/processes/access-request/", body, format="json").status_code == 401


def test_yearly_statistics_over_what_the_caller_sees(demo: Any, api: Any, api_as: Any) -> None:
    officer = api_as("kllokot.info")
    first = submitted(api)
    second = submitted(api, description="Second")
    submitted(api, description="Third")
    task = inbox_task(officer, "decide", first["registration_number"])
    complete(officer, task["id"], "refuse", reasons="Classified.", legal_basis="Law")
    task = inbox_task(officer, "decide", second["registration_number"])
    complete(officer, task["id"], "extend", days=3, reason="Archive.")
    year = first["submitted_at"][:4]
    response = officer.get(
        "/api/access-requests/statistics/", {"institution": "KLLOKOT", "year": year}
    )
    assert response.status_code == 200, response.content
    figures = response.json()
    assert figures["requests"] == 3
    assert figures["refused"] == 1
    assert figures["extended"] == 1
    assert figures["granted"] == 0
    assert figures["median_days_to_decide"] is not None
    # Another municipality's official sees none of Kllokot's requests.
    other = api_as("prishtine.info").get(
        "/api/access-requests/statistics/", {"institution": "KLLOKOT", "year": year}
    )
    assert other.status_code == 200
    assert other.json()["requests"] == 0
    assert officer.get("/api/access-requests/statistics/", {"year": "abc"}).status_code == 400
    assert api.get("/api/access-requests/statistics/").status_code == 401
