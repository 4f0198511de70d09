from typing import Any

import django_filters
from django.apps import apps
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import BoundedDateTimeFilter, blank_parameters
from roles.selectors import user_is_auditor

from .models import AuditEntry
from .services import audit_verify


class AuditorsOnly:
    """The audit log exists only for auditors: to anybody else it is not there (404), whatever
    the parameters, so the caller's right is checked before they are."""

    access_before_parameters = True

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if not user_is_auditor(user=request.user):
            raise Http404
        blank_parameters(request.query_params)


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = [
            "seq",
            "at",
            "actor",
            "on_behalf_of",
            "action",
            "object_type",
            "object_id",
            "data",
            "hash",
            "prev_hash",
        ]


# The names the rest of the API gives objects (the `object_type` of search results), for
# the model labels the log records them under.
OBJECT_TYPE_NAMES = {"document": "documents.Document", "process": "workflows.CoordinationProcess"}


class AuditFilter(django_filters.FilterSet):
    object_type = django_filters.CharFilter(
        method="of_object_type",
        help_text=_(
            "A model label as entries give it (`documents.document`), or `document` or "
            "`process` as search results name objects."
        ),
    )
    at_from = BoundedDateTimeFilter(field_name="at", lookup_expr="gte")
    at_to = BoundedDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = AuditEntry
        fields = ["object_type", "object_id", "actor", "on_behalf_of", "action"]

    def filter_queryset(self, queryset: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        start, end = self.form.cleaned_data.get("at_from"), self.form.cleaned_data.get("at_to")
        if start and end and end < start:
            raise exceptions.ValidationError({"at_to": [_("Ends before at_from.")]})
        return super().filter_queryset(queryset)

    def of_object_type(self, queryset: QuerySet[AuditEntry], name: str, value: str) -> Any:
        if value in OBJECT_TYPE_NAMES:
            value = apps.get_model(OBJECT_TYPE_NAMES[value])._meta.label_lower
        return queryset.filter(object_type=value)


class AuditList(AuditorsOnly, generics.ListAPIView):
    """The audit chain, oldest first, filtered by object, actor, action or time."""

    serializer_class = AuditEntrySerializer
    queryset = AuditEntry.objects.order_by("seq")
    filterset_class = AuditFilter


class AuditVerify(AuditorsOnly, APIView):
    """Recompute the whole chain now, and check it against the anchors kept outside the
    database; `reason` says what is wrong with the first bad entry (empty when intact)."""

    @extend_schema(
        responses=inline_serializer(
            "AuditVerification",
            {
                "ok": serializers.BooleanField(),
                "entries": serializers.IntegerField(),
                "first_bad_seq": serializers.IntegerField(allow_null=True),
                "reason": serializers.CharField(),
            },
        )
    )
    def get(self, request: Request) -> Response:
        report = audit_verify()
        return Response(
            {
                "ok": report.ok,
                "entries": report.entries,
                "first_bad_seq": report.first_bad_seq,
                "reason": report.reason,
            }
        )
