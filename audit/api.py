from typing import Any

import django_filters
from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import BoundedDateTimeFilter
from roles.selectors import user_is_auditor

from .models import AuditEntry
from .services import audit_verify


class AuditorsOnly:
    """The audit log exists only for auditors: to anybody else it is not there (404)."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if not user_is_auditor(user=request.user):
            raise Http404


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


class AuditFilter(django_filters.FilterSet):
    at_from = BoundedDateTimeFilter(field_name="at", lookup_expr="gte")
    at_to = BoundedDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = AuditEntry
        fields = ["object_type", "object_id", "actor", "on_behalf_of", "action"]


class AuditList(AuditorsOnly, generics.ListAPIView):
    """The audit chain, oldest first, filtered by object, actor, action or time."""

    serializer_class = AuditEntrySerializer
    queryset = AuditEntry.objects.order_by("seq")
    filterset_class = AuditFilter


class AuditVerify(AuditorsOnly, APIView):
    """Recompute the whole chain now."""

    @extend_schema(
        responses=inline_serializer(
            "AuditVerification",
            {
                "ok": serializers.BooleanField(),
                "entries": serializers.IntegerField(),
                "first_bad_seq": serializers.IntegerField(allow_null=True),
            },
        )
    )
    def get(self, request: Request) -> Response:
        report = audit_verify()
        return Response(
            {"ok": report.ok, "entries": report.entries, "first_bad_seq": report.first_bad_seq}
        )
