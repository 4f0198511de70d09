"""What every endpoint shares: the error shape, pagination, JSON answers for unknown /api/ paths."""

import logging
from datetime import UTC, datetime
from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils.translation import gettext, gettext_lazy
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config import errors

logger = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The object changed meanwhile; the action is no longer possible.")
    default_code = "conflict"


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _message(detail: Any) -> str:
    if isinstance(detail, list) and detail:
        return _message(detail[0])
    if isinstance(detail, dict) and detail:
        field, value = next(iter(detail.items()))
        return f"{field}: {_message(value)}"
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every API error as {"error": {"code", "message", "details"}}."""
    details: Any
    if isinstance(exc, DjangoValidationError):
        details = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(details)
    elif isinstance(exc, DataError | OverflowError):
        # Input the database cannot hold (a NUL byte, a date past year 9999, an offset beyond
        # ±15:59) is still the caller's bad input, not a server failure.
        logger.info("refused input the database cannot represent: %s", exc)
        exc = exceptions.ValidationError(
            {"non_field_errors": [gettext("A value is out of the range the system can store.")]}
        )
    elif isinstance(exc, exceptions.ParseError):
        # DRF's parsers word it in English, with the decoder's own message appended.
        exc = exceptions.ParseError(gettext("The request body cannot be read as JSON or a form."))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, errors.NotFound):
        exc = exceptions.NotFound(str(exc), code=exc.code)
    elif isinstance(exc, errors.Conflict):
        exc = Conflict(str(exc), code=exc.code)
    elif isinstance(exc, errors.ApplicationError):  # Invalid, and any other refusal of input
        exc = exceptions.ValidationError(exc.details or {"non_field_errors": [str(exc)]})
    elif isinstance(exc, DjangoPermissionDenied):
        # Our refusals say why (e.g. four eyes); Django's own carry no message.
        exc = exceptions.PermissionDenied(str(exc) or None)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    assert isinstance(exc, exceptions.APIException)
    if isinstance(exc, exceptions.ValidationError):
        code, message = "invalid", _message(exc.detail)
        details = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        message, details = _message(exc.detail), {}
    response.data = error_body(str(code), message, details)
    return response


def positive_whole_number(request: Any, name: str, largest: int) -> int | None:
    """Query parameter `name` as a whole number from 1 to `largest`, written in digits only
    (DRF's IntegerField would also take " 3" or "3.0"); None when absent, else a 400."""
    value = request.query_params.get(name)
    if value is None:
        return None
    if not (value.isdigit() and 0 < int(value) <= largest):
        raise exceptions.ValidationError({name: [gettext("Must be a positive whole number.")]})
    return int(value)


class UploadFormSerializer(serializers.Serializer):
    """The fields of an upload, sent as a multipart form. An optional field sent empty is
    refused as an empty JSON value would be: DRF reads it as absent (an HTML form's unfilled
    input), which would quietly put the default where the client wrote something, and differ
    from what the document says the field takes."""

    def to_internal_value(self, data: Any) -> Any:
        refused = {}
        for name, field in self.fields.items():
            if field.read_only or field.required or isinstance(field, serializers.FileField):
                continue
            if isinstance(data, QueryDict) and name in data and data.get(name) == "":
                try:
                    field.run_validation("")
                except exceptions.ValidationError as refusal:
                    refused[name] = refusal.detail
        if refused:
            raise exceptions.ValidationError(refused)
        return super().to_internal_value(data)


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200
    LARGEST = 10**9 - 1  # of a page number or size; anything larger is bad input

    def paginate_queryset(self, queryset, request, view=None):  # type: ignore[no-untyped-def]
        # A page that is not a number is bad input (400); a page past the end does not exist (404).
        for name in (self.page_query_param, self.page_size_query_param):
            positive_whole_number(request, name, self.LARGEST)
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound as error:
            raise exceptions.NotFound(gettext("No such page."), code="page_not_found") from error

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        """DRF's parameters, with the bounds `paginate_queryset` enforces (page sizes above
        `max_page_size` are accepted and cut down to it)."""
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"].update({"minimum": 1, "maximum": self.LARGEST})
        return parameters


# Parameters whose empty value means something: an empty search query browses everything.
BLANK_ALLOWED = frozenset({"q"})


def blank_parameters(query: QueryDict) -> None:
    """A query parameter given without a value is a 400 naming it. Django REST framework and
    django-filter would read it as absent, which the schema does not say (its enums, dates and
    numbers admit no empty value): one rule for every endpoint."""
    blank = sorted(
        name for name, value in query.items() if value == "" and name not in BLANK_ALLOWED
    )
    if blank:
        message = gettext("Give a value or leave the parameter out.")
        raise exceptions.ValidationError({name: [message] for name in blank})


class BlankParametersRefused:
    """Middleware: `blank_parameters` before any API view, but after the access checks of a
    view that sets `access_before_parameters` (it calls `blank_parameters` itself): whoever
    may not use it gets the same refusal whatever the parameters."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        return response

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        view_class = getattr(view, "cls", None)
        if (
            not request.path.startswith("/api/")
            or getattr(view_class, "access_before_parameters", False)
            # A view outside the schema with a protocol of its own (the documentation page
            # loads its script as `?script=`).
            or getattr(view_class, "blank_parameters_allowed", False)
        ):
            return None
        try:
            blank_parameters(request.GET)
        except exceptions.ValidationError as error:
            detail: Any = error.detail
            return JsonResponse(error_body("invalid", _message(detail), detail), status=400)
        return None


@csrf_exempt  # it only ever answers 404, whatever the method
def api_not_found(
    request: HttpRequest, exception: Exception | None = None, **kwargs: object
) -> JsonResponse:
    return JsonResponse(error_body("not_found", gettext("Not found.")), status=404)


def api_bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """What Django refuses before any view runs (e.g. more than DATA_UPLOAD_MAX_NUMBER_FIELDS
    parameters), in the API's error shape."""
    message = gettext("The request has too many parameters or cannot be read.")
    return JsonResponse(error_body("bad_request", message), status=400)


def api_server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(error_body("server_error", gettext("Internal server error.")), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django refuses a cross-site POST before DRF sees it; under /api/ say so in JSON."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("csrf_failed", f"CSRF check failed: {reason}"), status=403)
    return django_csrf_failure(request, reason)


class UTCDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 date-time with any offset ISO admits (up to ±23:59), read as the UTC instant
    it names (PostgreSQL refuses offsets beyond ±15:59); an instant no database holds, such as
    year one at +01:00, is an invalid value like any other."""

    def to_python(self, value: Any) -> datetime | None:
        moment: datetime | None = super().to_python(value)
        if moment is None or moment.tzinfo is None:
            return moment
        try:
            return moment.astimezone(UTC)
        except OverflowError as error:  # e.g. 0001-01-01T00:00+01:00 is in year 0 in UTC
            raise DjangoValidationError(self.error_messages["invalid"], code="invalid") from error


class BoundedDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 filter value every database can store (see `UTCDateTimeField`); a value
    out of range is a 400 naming the parameter, like any other malformed one."""

    field_class = UTCDateTimeField
