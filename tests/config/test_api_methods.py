"""What the schema does not declare is refused alike for everyone: a method a path does not
document is a 405 in the error shape, with `Allow` naming what it does; the auditors' endpoints
refuse anyone else the same way whatever the parameters."""

from typing import Any

import pytest

from config.openapi import TEXT_PATTERN

pytestmark = pytest.mark.django_db

# HEAD and OPTIONS come with every path by HTTP itself, not by the document.
IMPLICIT = {"HEAD", "OPTIONS"}
UNDECLARED = ["GET", "POST", "PUT", "PATCH", "DELETE", "TRACE"]


def documented(api_as: Any) -> dict[str, set[str]]:
    paths = api_as("auditor").get("/api/schema/", {"format": "json"}).json()["paths"]
    return {path: {method.upper() for method in item} for path, item in paths.items()}


def test_every_operation_declares_the_refusals_it_can_give(api_as: Any) -> None:
    paths = api_as("auditor").get("/api/schema/", {"format": "json"}).json()["paths"]
    for path, item in paths.items():
        for method, operation in item.items():
            declared = set(operation["responses"])
            assert {"400", "401", "404", "405", "406", "429"} <= declared, (method, path)
    assert "503" in paths["/api/search/"]["get"]["responses"]


def test_a_method_the_schema_does_not_declare_is_a_405_in_the_error_shape(api_as: Any) -> None:
    client = api_as("auditor")
    for path, methods in documented(api_as).items():
        concrete = path.replace("{id}", "1").replace("{code}", "KLLOKOT")
        concrete = concrete.replace("{document_id}", "1")
        for method in sorted(set(UNDECLARED) - methods):
            response = client.generic(method, concrete)
            assert response.status_code == 405, (method, path, response.content)
            assert response.json()["error"]["code"] == "method_not_allowed"
            allowed = {name.strip() for name in response["Allow"].split(",")}
            assert allowed - IMPLICIT == methods, (method, path, response["Allow"])


@pytest.mark.parametrize("path", ["/api/audit/", "/api/audit/verify/"])
@pytest.mark.parametrize(
    ("caller", "status"), [("kllokot.mayor", 404), ("mapl.legal", 404), (None, 401)]
)
def test_the_audit_log_refuses_others_alike_whatever_the_parameters(
    api_as: Any, path: str, caller: str | None, status: int
) -> None:
    client = api_as(caller)
    queries = [
        "",
        "?action=",
        "?object_type=&object_id=",
        "?at_from=yesterday",
        "?at_from=2026-01-02T00:00:00Z&at_to=2026-01-01T00:00:00Z",
        "?page=0",
        "?page_size=x",
        "?object_type=document&object_id=1",
    ]
    answers = {(r.status_code, r.content) for r in (client.get(path + q) for q in queries)}
    answers |= {(r.status_code, r.content) for r in [client.delete(path + "?action=")]}
    assert len(answers) == 1, answers
    assert answers.pop()[0] == status


def test_an_auditor_still_gets_a_400_naming_a_blank_parameter(api_as: Any) -> None:
    response = api_as("auditor").get("/api/audit/?action=&page=1")
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {
        "action": ["Jepni një vlerë ose hiqeni parametrin."]
    }


def test_the_schema_states_what_the_server_enforces(api_as: Any) -> None:
    document = api_as("auditor").get("/api/schema/", {"format": "json"}).json()
    search = {
        p["name"]: p["schema"] for p in document["paths"]["/api/search/"]["get"]["parameters"]
    }
    assert "minLength" not in search["q"]  # an empty query browses
    assert search["institution"]["minLength"] == 1
    assert set(search["institution"]["enum"]) >= {"KLLOKOT", "MAPL", "ZKM"}
    audit = document["paths"]["/api/audit/"]["get"]["parameters"]
    assert all(p["schema"].get("minLength") == 1 for p in audit if p["schema"]["type"] == "string")
    start = document["paths"]["/api/processes/press-statement/"]["post"]["requestBody"]
    assert list(start["content"]) == ["application/json"]
    upload = document["paths"]["/api/documents/"]["post"]["requestBody"]
    assert list(upload["content"]) == ["multipart/form-data"]
    statement = document["components"]["schemas"]["PressStatementStartRequest"]["properties"]
    assert statement["title"]["pattern"] == TEXT_PATTERN
    assert "KLLOKOT" in statement["institution"]["enum"]
