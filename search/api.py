"""`GET /api/search/`: full-text search over what the caller may see (API.md, "Search")."""

from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from documents.models import Kind, Language
from roles.api import InstitutionCode
from workflows.flows import process_type_spellings, process_types

from .analysis import MAX_QUERY_LENGTH, QueryError
from .backends import BackendUnavailable, Filters
from .models import ObjectType
from .selectors import search

# Read when the URLs load, after every process app has registered its flows.
KINDS = sorted({kind for kind, _label in Kind.choices} | set(process_types()))
TYPES = sorted({*ObjectType.values, *process_type_spellings()})
MAX_WINDOW = 10_000  # results beyond this one are not served (narrow the query instead)
MAX_PAGE_SIZE = 100
# The deepest page at the largest size, so that every page the schema admits is served.
MAX_PAGE = MAX_WINDOW // MAX_PAGE_SIZE


class SearchParams(serializers.Serializer[Any]):
    q = serializers.CharField(required=False, allow_blank=True, max_length=MAX_QUERY_LENGTH)
    kind = serializers.ChoiceField(choices=KINDS, required=False)
    institution = InstitutionCode(required=False)
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    type = serializers.ChoiceField(
        choices=TYPES,
        required=False,
        help_text=_("`document`, `process`, or a process type (e.g. `press_statement`)."),
    )
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    page = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start: date | None = attrs.get("date_from")
        end: date | None = attrs.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError({"date_to": [_("Ends before date_from.")]})
        return attrs

    def filters(self) -> Filters:
        data = self.validated_data
        kind_of_type = data.get("type", "").replace("-", "_")
        return Filters(
            institution=data.get("institution", ""),
            kind=data.get("kind", ""),
            language=data.get("language", ""),
            object_type=(
                kind_of_type
                if kind_of_type in ObjectType.values
                else (ObjectType.PROCESS if kind_of_type else "")
            ),
            process_type="" if kind_of_type in ObjectType.values else kind_of_type,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


class SearchResultSerializer(serializers.Serializer[Any]):
    object_type = serializers.ChoiceField(choices=ObjectType.choices)
    id = serializers.IntegerField()
    title = serializers.CharField()
    snippet = serializers.CharField(help_text=_("HTML: escaped text, matches in <mark>."))
    institution = serializers.CharField()
    kind = serializers.CharField()
    language = serializers.CharField()
    date = serializers.DateField()
    score = serializers.FloatField()


def result_json(result: Any) -> dict[str, Any]:
    """What `SearchResultSerializer` gives for a result, without building a serializer per
    request (its field objects cost more than the search at the API's typical page)."""
    day = result.date
    return {
        "object_type": result.object_type,
        "id": int(result.id),
        "title": str(result.title),
        "snippet": str(result.snippet),
        "institution": str(result.institution),
        "kind": str(result.kind),
        "language": str(result.language),
        "date": day if isinstance(day, str) or day is None else day.isoformat(),
        "score": float(result.score),
    }


FacetCounts = serializers.DictField(child=serializers.IntegerField())


class SearchUnavailable(exceptions.APIException):
    """The search backend cannot be reached now (the index catches up once it can)."""

    status_code = 503
    default_detail = _("Search is unavailable at the moment; try again shortly.")
    default_code = "search_unavailable"


def params_of(request: Request) -> SearchParams:
    """The validated parameters, or a 400 naming the bad ones."""
    params = SearchParams(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params


def run_search(request: Request, params: SearchParams) -> tuple[int, list[Any], Any, int, int]:
    page = params.validated_data.get("page", 1)
    size = params.validated_data.get("page_size", 20)
    try:
        count, results, facets = search(
            user=request.user,
            q=params.validated_data.get("q", ""),
            filters=params.filters(),
            offset=(page - 1) * size,
            limit=size,
        )
    except QueryError as error:
        raise exceptions.ValidationError({"q": [str(error)]}) from error
    except BackendUnavailable as error:
        raise SearchUnavailable() from error
    return count, results, facets, page, size


class SearchView(APIView):
    @extend_schema(
        summary="Search documents and processes the caller may see",
        parameters=[SearchParams],
        responses=inline_serializer(
            "SearchPage",
            {
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": SearchResultSerializer(many=True),
                "facets": inline_serializer(
                    "SearchFacets",
                    {
                        "institution": FacetCounts,
                        "kind": FacetCounts,
                        "language": FacetCounts,
                        "year": FacetCounts,
                    },
                ),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        params = params_of(request)
        count, results, facets, page, size = run_search(request, params)
        url = request.build_absolute_uri()
        has_next = page * size < count and page < MAX_PAGE
        return Response(
            {
                "count": count,
                "next": replace_query_param(url, "page", page + 1) if has_next else None,
                "previous": (
                    None
                    if page == 1
                    else (
                        remove_query_param(url, "page")
                        if page == 2
                        else replace_query_param(url, "page", page - 1)
                    )
                ),
                "results": [result_json(result) for result in results],
                "facets": facets,
            }
        )
