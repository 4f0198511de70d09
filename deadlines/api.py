"""Deadlines over HTTP (API.md, "Deadlines"): the list and the dashboards' figures."""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from roles.api import InstitutionCode
from workflows.flows import process_type_spellings

from .models import Deadline
from .selectors import JUDGED_STATES, STATES, dashboard, deadlines_visible, state_is
from .serializers import DeadlineSerializer


class DeadlineFilters(serializers.Serializer):
    """The list's filters, as validated and as documented (query parameters)."""

    state = serializers.ChoiceField(choices=STATES, required=False, help_text="The state now.")
    institution = InstitutionCode(required=False, help_text="Code of the answering institution.")
    type = serializers.ChoiceField(
        choices=process_type_spellings(),
        required=False,
        help_text="Process type, e.g. assembly_decision (or assembly-decision).",
    )
    process = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)

    def validate_type(self, value: str) -> str:
        return value.replace("-", "_")


class DashboardFilters(DeadlineFilters):
    """The dashboard's filters, as documented: it counts every state of every process, so
    `state` and `process` are refused (`DeadlineDashboard.get`)."""

    state = None  # type: ignore[assignment]  # DRF: None removes the parent's field
    process = None  # type: ignore[assignment]


def _filters(request: Request) -> dict[str, Any]:
    filters = DeadlineFilters(data=request.query_params)
    filters.is_valid(raise_exception=True)
    return dict(filters.validated_data)


class DeadlineList(generics.ListAPIView):
    """Deadlines of the processes the caller may see, soonest due first."""

    serializer_class = DeadlineSerializer
    filter_backends: list[Any] = []

    @extend_schema(
        parameters=[DeadlineFilters],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Deadline]:
        filters = _filters(self.request)
        now = timezone.now()
        queryset = deadlines_visible(user=self.request.user, now=now)
        if "state" in filters:
            queryset = queryset.filter(state_is(filters["state"], now))
        if "institution" in filters:
            queryset = queryset.filter(institution__code=filters["institution"])
        if "type" in filters:
            queryset = queryset.filter(process_type=filters["type"])
        if "process" in filters:
            queryset = queryset.filter(process_id=filters["process"])
        return queryset.order_by("due_at", "pk")


COUNTS: dict[str, serializers.Field] = {
    state: serializers.IntegerField() for state in JUDGED_STATES
}


class DeadlineDashboard(generics.GenericAPIView):
    """The monitoring figures: counts per institution and process type in each state now, and
    each municipality's on-time rate by month — over what the caller may see."""

    @extend_schema(
        parameters=[DashboardFilters],
        responses=inline_serializer(
            "DeadlineDashboard",
            {
                "generated_at": serializers.DateTimeField(),
                "totals": inline_serializer("DeadlineTotals", COUNTS),
                "by_institution": inline_serializer(
                    "DeadlineCounts",
                    {
                        "institution": serializers.CharField(),
                        "institution_name": serializers.CharField(),
                        "process_type": serializers.CharField(),
                        **COUNTS,
                    },
                    many=True,
                ),
                "on_time": inline_serializer(
                    "DeadlineOnTime",
                    {
                        "institution": serializers.CharField(),
                        "month": serializers.CharField(help_text="YYYY-MM of the due date"),
                        "met": serializers.IntegerField(),
                        "missed": serializers.IntegerField(),
                        "overdue": serializers.IntegerField(),
                        "on_time_rate": serializers.FloatField(),
                    },
                    many=True,
                ),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        filters = _filters(request)
        if "state" in filters or "process" in filters:
            raise exceptions.ValidationError(
                {"state": [gettext("The dashboard counts every state.")]}
            )
        return Response(
            dashboard(
                user=request.user,
                process_type=filters.get("type"),
                institution=filters.get("institution"),
            )
        )
