"""The app's endpoints are in the API's schema, each declaring the refusals it can give, and a
method a path does not document is a 405 in the error shape."""

from typing import Any

import pytest

pytestmark = pytest.mark.django_db

PATHS = {
    "/api/processes/coordination-request/": {"POST"},
    "/api/coordination-requests/{id}/tracker/": {"GET"},
    "/api/coordination-requests/{id}/tracker.csv": {"GET"},
    "/api/coordination-requests/{id}/remind/": {"POST"},
    "/api/coordination-requests/{id}/close/": {"POST"},
    "/api/communication-plans/": {"GET", "POST"},
    "/api/communication-plans/late/": {"GET"},
    "/api/communication-plans/{id}/": {"GET"},
    "/api/communication-plans/{id}/activities/": {"POST"},
    "/api/communication-plan-activities/{id}/": {"PATCH"},
}


def test_the_schema_documents_every_endpoint_and_its_refusals(api_as: Any) -> None:
    client = api_as("zkp.coordinator")
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    for path, methods in PATHS.items():
        assert path in paths, path
        assert {method.upper() for method in paths[path]} == methods, path
        for operation in paths[path].values():
            assert {"400", "401", "404"} <= set(operation["responses"]), path
    for path, methods in PATHS.items():
        concrete = path.replace("{id}", "1")
        for method in sorted({"GET", "POST", "PUT", "PATCH", "DELETE"} - methods):
            response = client.generic(method, concrete)
            assert response.status_code == 405, (method, path, response.content)
            assert response.json()["error"]["code"] == "method_not_allowed"
    # Unauthenticated: 401 in the error shape, never a page.
    assert api_as(None).get("/api/communication-plans/").status_code == 401
    assert api_as(None).post("/api/processes/coordination-request/", {}).status_code == 401
