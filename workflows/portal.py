"""The public portal's pages of what the engine publishes (no account): released press
statements and the government-meeting material the Government approved, with its public
documents. The same queries as the public API (`public.py`), so both show the same items."""

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import dateparse, timezone
from django.views.decorators.http import require_http_methods

from config.public import PublicReadThrottle, page_refused_for

from .public import materials_published, statements_released

PAGE_SIZE = 20


def _throttled(request: HttpRequest) -> HttpResponse | None:
    wait = page_refused_for(request, PublicReadThrottle)
    if wait is None:
        return None
    response = HttpResponse(status=429)
    response["Retry-After"] = str(int(wait) + 1)
    return response


def _page(request: HttpRequest, queryset: Any) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _moment(value: Any) -> Any:
    return dateparse.parse_datetime(value) if isinstance(value, str) else value


def _listed(value: Any) -> list[str]:
    """A plan's part as lines: it may be stored as one text or as a list of texts."""
    if isinstance(value, list):
        return [str(line) for line in value if str(line).strip()]
    return [value] if isinstance(value, str) and value.strip() else []


@require_http_methods(["GET"])
def press_statements(request: HttpRequest) -> HttpResponse:
    refused = _throttled(request)
    if refused is not None:
        return refused
    page = _page(request, statements_released())
    now = timezone.now()
    items = []
    for statement in page:
        embargo = _moment(statement.data.get("embargo_until"))
        if embargo is not None and embargo > now:
            continue  # as the API: never before the embargo, whatever a clock did
        items.append(
            {
                "title": statement.title,
                "institution": statement.institution,
                "released_at": _moment(statement.data.get("released_at")),
                "texts": [
                    (language, statement.data.get(f"text_{language}"))
                    for language in ("sq", "sr", "en")
                    if statement.data.get(f"text_{language}")
                ],
            }
        )
    return render(request, "workflows/portal/press_statements.html", {"page": page, "items": items})


@require_http_methods(["GET"])
def meeting_materials(request: HttpRequest) -> HttpResponse:
    refused = _throttled(request)
    if refused is not None:
        return refused
    page = _page(request, materials_published())
    items = [
        {
            "id": material.pk,
            "title": material.title,
            "institution": material.institution,
            "meeting_date": dateparse.parse_date(str(material.data.get("meeting_date") or "")),
            "published_at": _moment(material.data.get("published_at")),
            "key_messages": _listed(
                (material.data.get("communication_plan") or {}).get("key_messages")
            ),
            "documents": material.published_documents,
        }
        for material in page
    ]
    return render(
        request, "workflows/portal/meeting_materials.html", {"page": page, "items": items}
    )
