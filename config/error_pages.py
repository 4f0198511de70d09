"""The domain's refusals (`config.errors`) on the pages; the API answers them in its own
exception handler (`config.api.exception_handler`), before this middleware could see them."""

from typing import Any

from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse

from config import errors


class DomainErrorsAsPages:
    """Middleware: a refusal a page view lets through becomes Django's own answer to it, so
    that no access and no such object remain the same 404 page."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, errors.NotFound):
            raise Http404(str(exception)) from exception
        if isinstance(exception, errors.Conflict):
            return HttpResponse(str(exception), status=409, content_type="text/plain")
        if isinstance(exception, errors.ApplicationError):
            raise BadRequest(str(exception)) from exception
        return None
