"""The domain's refusals (`config.errors`): services and access helpers raise them, not HTTP's
exceptions; the API answers each with its status in the error shape, the pages with Django's own
answer (the 404 page for what does not exist or may not be seen)."""

from typing import Any

import pytest
from django.core.exceptions import BadRequest
from django.http import Http404, HttpResponse
from django.test import Client, RequestFactory
from django.utils import translation
from rest_framework.exceptions import APIException

from config import errors
from config.api import exception_handler
from config.error_pages import DomainErrorsAsPages
from documents.access import access_document_by_id
from roles.models import User
from workflows import services
from workflows.selectors import access_task_by_id

NOT_HTTP = (Http404, APIException)


@pytest.mark.parametrize(
    ("error", "status", "body"),
    [
        (errors.NotFound(), 404, {"code": "not_found", "message": "Not found.", "details": {}}),
        (
            errors.Conflict("The task is already done.", code="task_done"),
            409,
            {"code": "task_done", "message": "The task is already done.", "details": {}},
        ),
        (
            errors.Conflict(),
            409,
            {
                "code": "conflict",
                "message": "The object changed meanwhile; the action is no longer possible.",
                "details": {},
            },
        ),
        (
            errors.Invalid("Give a reason.", details={"reason": ["Give a reason."]}),
            400,
            {
                "code": "invalid",
                "message": "reason: Give a reason.",
                "details": {"reason": ["Give a reason."]},
            },
        ),
        (
            errors.Invalid("Not now."),
            400,
            {
                "code": "invalid",
                "message": "non_field_errors: Not now.",
                "details": {"non_field_errors": ["Not now."]},
            },
        ),
    ],
    ids=["not-found", "conflict-with-code", "conflict", "invalid-field", "invalid"],
)
def test_the_api_answers_each_domain_error_with_its_status_and_the_error_shape(
    error: errors.ApplicationError, status: int, body: dict[str, Any]
) -> None:
    with translation.override("en"):
        response = exception_handler(error, {})
    assert response is not None
    assert response.status_code == status
    assert response.data == {"error": body}


def test_the_pages_answer_each_domain_error_as_django_does() -> None:
    middleware = DomainErrorsAsPages(lambda request: HttpResponse())
    request = RequestFactory().get("/documents/1/")
    with pytest.raises(Http404):
        middleware.process_exception(request, errors.NotFound())
    conflict = middleware.process_exception(request, errors.Conflict("Already done."))
    assert conflict is not None and conflict.status_code == 409
    with pytest.raises(BadRequest):
        middleware.process_exception(request, errors.Invalid("No."))
    assert middleware.process_exception(request, ValueError()) is None


@pytest.mark.django_db
def test_services_and_access_helpers_raise_domain_errors_not_http_ones(
    demo: dict[str, User],
) -> None:
    chair = demo["kllokot.chair"]
    with pytest.raises(errors.Conflict) as gone:
        services.task_complete(actor=chair, task_id=10**12, action="approve")
    assert gone.value.code == "task_gone" and not isinstance(gone.value, NOT_HTTP)
    for missing in (10**12, "x", 2**63):
        with pytest.raises(errors.NotFound) as not_found:
            access_document_by_id(missing, chair)
        assert not isinstance(not_found.value, NOT_HTTP)
        with pytest.raises(errors.NotFound):
            access_task_by_id(missing, chair)


@pytest.mark.django_db
def test_no_such_object_is_the_same_404_on_the_api_and_the_pages(api_as, demo) -> None:  # type: ignore[no-untyped-def]
    response = api_as("kllokot.mayor").get("/api/documents/999999999/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert response.json()["error"]["details"] == {}
    page = Client()
    assert page.login(username="kllokot.mayor", password="demo")
    assert page.get("/documents/999999999/").status_code == 404
    assert page.get("/work/tasks/999999999/").status_code == 404
