"""The search page of every official, over what they may see (auditors: every archive):
facets named in the reader's language, a date range, snippets, registration numbers, sorted by
relevance or date; the CSV export with readable values."""

import csv
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application

from audit.services import audit_record
from documents.models import Document, Kind, Language
from roles.models import Institution
from roles.selectors import memberships_active, user_is_auditor
from workflows.flows import FLOWS, process_type_name

from .analysis import QueryError
from .api import KINDS, MAX_PAGE, MAX_WINDOW, SearchParams, SearchUnavailable
from .backends import BackendUnavailable
from .selectors import Result, search

PAGE_SIZE = 20
CSV_LIMIT = MAX_WINDOW  # rows in one export


# How the page may sort: the best matches first, or the newest.
SORTS = {"relevance": _("Relevance"), "date": _("Date, newest first")}
# The parameters' names as the page's fields are labelled, for its error messages.
FIELD_LABELS = {
    "q": _("Search"),
    "date_from": _("From"),
    "date_to": _("To"),
    "type": _("Type"),
    "kind": _("Kind"),
    "institution": _("Institution"),
    "language": _("Language"),
    "page": _("Page"),
    "page_size": _("Page"),
    "sort": _("Sort"),
}


def may_search(user: Any) -> bool:
    """Every official (an active member of an institution) searches what they may see;
    auditors every archive."""
    return user_is_auditor(user=user) or memberships_active(user=user).exists()


def _official_or_404(request: HttpRequest) -> None:
    if not may_search(request.user):
        raise Http404


def _sort(request: HttpRequest) -> tuple[str, dict[str, list[Any]]]:
    sort = request.GET.get("sort") or "relevance"
    if sort not in SORTS:
        return "relevance", {"sort": [_("Choose relevance or date.")]}
    return sort, {}


def _labelled(errors: Any) -> list[tuple[Any, Any]]:
    """The refusals by the label of their field, not the parameter's name."""
    return [
        (FIELD_LABELS.get(field, field), message)
        for field, messages in dict(errors).items()
        for message in messages
    ]


def _registration_numbers(results: list[Result]) -> dict[int, str]:
    """The registration numbers of the documents among the results (one query)."""
    ids = [result.id for result in results if result.object_type == "document"]
    rows = Document.objects.filter(pk__in=ids).values_list(
        "pk", "registration__registration_number"
    )
    return {pk: number or "" for pk, number in rows}


def _labels() -> dict[str, dict[str, Any]]:
    """Names, in the active language, of the values the page shows: institutions (by code),
    documents' kinds, process types (a process's kind) and languages. Other values show as
    they are."""
    return {
        "institution": {
            institution.code: str(institution) for institution in Institution.objects.all()
        },
        "kind": dict(Kind.choices),
        "process": {name: process_type_name(name) for name in FLOWS},
        "language": dict(Language.choices),
    }


def _type_choices() -> list[tuple[str, Any]]:
    """The page's choice of types, by name: the API also takes each process type spelled with
    hyphens, which the page need not offer twice."""
    return [
        ("document", _("Documents")),
        ("process", _("Processes")),
        *((name, process_type_name(name)) for name in FLOWS),
    ]


def _year_range(year: str) -> dict[str, str]:
    """A year facet's link: the year as the page's date range (the API has no year filter)."""
    return {"date_from": f"{year}-01-01", "date_to": f"{year}-12-31"}


def _params(request: HttpRequest) -> SearchParams:
    data = {key: value for key, value in request.GET.items() if value != "" and key != "sort"}
    params = SearchParams(data=data)
    params.is_valid()
    return params


class _Refused(Exception):
    """The search cannot answer: a query it cannot search (400), or a backend down (503)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _search(
    request: HttpRequest, params: SearchParams, **page: Any
) -> tuple[int, list[Result], dict[str, dict[str, int]]]:
    """The page's and the export's search, with their two refusals as `_Refused`."""
    try:
        return search(
            user=request.user,
            q=params.validated_data.get("q", ""),
            filters=params.filters(),
            newest_first=request.GET.get("sort") == "date",
            **page,
        )
    except QueryError as error:
        raise _Refused(400, str(error)) from error
    except BackendUnavailable as error:
        raise _Refused(503, str(SearchUnavailable.default_detail)) from error


def archive_search(request: HttpRequest) -> HttpResponse:
    _official_or_404(request)
    params = _params(request)
    sort, sort_errors = _sort(request)
    errors = {**params.errors, **sort_errors}
    context: dict[str, Any] = {
        "params": request.GET,
        "errors": errors,
        "error_list": _labelled(errors),
        "kinds": KINDS,
        "types": _type_choices(),
        "sorts": list(SORTS.items()),
        "sort": sort,
        "searched": bool(request.GET),
    }
    status = 400 if errors else 200
    if not errors and request.GET:
        page = params.validated_data.get("page", 1)
        try:
            count, results, facets = _search(
                request, params, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
            )
        except _Refused as refused:
            context["errors"] = {"q": [refused.message]}
            context["error_list"] = _labelled(context["errors"])
            status = refused.status
        else:
            query = {k: v for k, v in request.GET.items() if k != "page"}
            labels = _labels()
            # A facet counts documents and processes together: a kind's name, else a type's.
            facet_labels = {
                "institution": labels["institution"],
                "kind": {**labels["process"], **labels["kind"]},
                "language": labels["language"],
            }
            numbers = _registration_numbers(results)
            context |= {
                "count": count,
                "results": [
                    (
                        result,
                        numbers.get(result.id, "") if result.object_type == "document" else "",
                        labels["process" if result.object_type == "process" else "kind"].get(
                            result.kind, result.kind
                        ),
                        labels["language"].get(result.language, result.language),
                        labels["institution"].get(result.institution, result.institution),
                    )
                    for result in results
                ],
                "facets": [
                    (
                        name,
                        label,
                        [
                            (
                                facet_labels.get(name, {}).get(value, value),
                                number,
                                urlencode(
                                    {
                                        **query,
                                        **(_year_range(value) if name == "year" else {name: value}),
                                    }
                                ),
                            )
                            for value, number in facets.get(name, {}).items()
                        ],
                    )
                    for name, label in (
                        ("institution", _("Institution")),
                        ("kind", _("Kind")),
                        ("language", _("Language")),
                        ("year", _("Year")),
                    )
                ],
                # The facets chosen, each with a link that drops it.
                "chosen": [
                    (
                        facet_labels.get(name, {}).get(request.GET[name], request.GET[name]),
                        urlencode({k: v for k, v in query.items() if k != name}),
                    )
                    for name in ("institution", "kind", "language")
                    if request.GET.get(name)
                ],
                "page": page,
                "first_number": (page - 1) * PAGE_SIZE + 1,  # the results' numbering goes on
                "pages": min(-(-count // PAGE_SIZE), MAX_PAGE),
                "previous": urlencode({**query, "page": page - 1}) if page > 1 else None,
                "next": (
                    urlencode({**query, "page": page + 1})
                    if page * PAGE_SIZE < count and page < MAX_PAGE
                    else None
                ),
                "export": urlencode(query),
            }
    return render(request, "search/archive.html", context, status=status)


class _Echo:
    def write(self, value: str) -> str:
        return value


def archive_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The results of the same search as CSV (up to CSV_LIMIT rows), with registration
    numbers and values by name in the reader's language (no codes, no scores)."""
    _official_or_404(request)
    params = _params(request)
    _sort_choice, sort_errors = _sort(request)
    errors = {**params.errors, **sort_errors}
    if errors:
        return HttpResponse(
            "\n".join(f"{label}: {message}" for label, message in _labelled(errors)),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    try:
        # No snippets in the file: the texts are not even fetched.
        _count, results, _facets = _search(
            request, params, offset=0, limit=CSV_LIMIT, snippets=False
        )
    except _Refused as refused:
        return HttpResponse(refused.message, status=refused.status, content_type="text/plain")
    # Records of every institution leave the system in one file: who took which, and how many.
    with transaction.atomic():
        audit_record(
            actor=request.user,
            action="search.exported",
            object_type="search",
            extra={
                "parameters": {key: str(value) for key, value in params.validated_data.items()},
                "rows": len(results),
            },
        )
    writer = csv.writer(_Echo())
    labels = _labels()
    object_types = {"document": str(_("Document")), "process": str(_("Process"))}
    numbers = _registration_numbers(results)
    site = settings.SITE_URL.rstrip("/")
    header = [
        str(label)
        for label in (
            _("Registration number"),
            _("Document or process"),
            _("Title"),
            _("Institution"),
            _("Kind"),
            _("Language"),
            _("Date"),
            _("Link"),
        )
    ]

    def rows() -> Any:
        # A byte-order mark first: spreadsheet programs otherwise read UTF-8 as a legacy code
        # page and garble ë, ç and Cyrillic.
        yield "\ufeff" + writer.writerow(header)
        for result in results:
            # A leading = + - @ would make a spreadsheet run the cell as a formula.
            title = "'" + result.title if result.title[:1] in "=+-@\t\r" else result.title
            document = result.object_type == "document"
            page = (
                reverse("documents:detail", args=[result.id])
                if document
                else reverse("work:process", args=[result.id])
            )
            yield writer.writerow(
                [
                    numbers.get(result.id, "") if document else "",
                    object_types.get(result.object_type, result.object_type),
                    title,
                    labels["institution"].get(result.institution, result.institution),
                    labels["kind" if document else "process"].get(result.kind, result.kind),
                    labels["language"].get(result.language, result.language),
                    result.date.isoformat(),
                    f"{site}{page}",
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="search.csv"'
    return response


class SearchApplication(Application):
    app_name = "search"
    title = _("Search")
    icon = "manage_search"
    menu_template_name = None  # pages, no viewsets: viewflow's menu would say so in red

    urlpatterns = [
        path("", archive_search, name="index"),
        path("export.csv", archive_export, name="export"),
    ]

    def has_view_permission(self, user: Any, obj: Any = None) -> bool:
        """Every official sees the menu entry (auditors too)."""
        return may_search(user)

    def _get_resolver_extra(self) -> dict[str, Any]:
        # viewflow's middleware answers 403 when has_view_permission is false; here the views
        # answer 404 themselves (what a person may not see does not exist for them), so the
        # resolver does not name the app for the middleware to check.
        return {"viewset": self}
