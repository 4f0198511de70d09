"""Complaints over HTTP (API.md, "Citizens' complaints and requests"): the public's topics,
submission and tracking (no account, throttled per client address), the one-stop shop's
registration of a walk-in or phone complaint, and the statistics."""

from typing import Any, cast

from django.utils import translation
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from config.public import TRACKING_CODE_MAX_LENGTH, PublicReadThrottle, PublicSubmitThrottle
from roles.models import User
from workflows.api import ProcessSerializer
from workflows.flows import FLOWS
from workflows.models import CoordinationProcess
from workflows.services import starting_institution

from . import services
from .models import Channel, ComplaintTopic
from .selectors import (
    complaint_by_tracking_code,
    complaint_statistics,
    municipality_by_code,
    public_view,
    topics_of,
)


class TopicSerializer(serializers.Serializer):
    code = serializers.CharField()
    names = serializers.DictField(child=serializers.CharField())


def _bounded(max_length: int, *, required: bool = False) -> serializers.CharField:
    return serializers.CharField(
        max_length=max_length, required=required, allow_blank=not required, trim_whitespace=True
    )


class ComplaintSubmitSerializer(serializers.Serializer):
    institution = _bounded(32, required=True)
    topic = _bounded(40, required=True)
    text = serializers.CharField(max_length=services.TEXT_MAX_LENGTH)
    name = _bounded(services.NAME_MAX_LENGTH)
    email = _bounded(254)
    phone = _bounded(services.PHONE_MAX_LENGTH)
    location = _bounded(services.LOCATION_MAX_LENGTH)


class ComplaintReceiptSerializer(serializers.Serializer):
    tracking_code = serializers.CharField(help_text="Shown once; the only key to the complaint.")
    registration_number = serializers.CharField()
    institution = serializers.CharField()
    topic = serializers.CharField()
    status = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)


class ComplaintTrackSerializer(serializers.Serializer):
    tracking_code = serializers.CharField()
    registration_number = serializers.CharField()
    institution = serializers.CharField()
    topic = serializers.CharField()
    status = serializers.CharField(help_text="received, routed, answered or closed")
    submitted_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    answer = serializers.CharField(allow_null=True)


def _institution_or_400(code: Any, field: str = "institution") -> Any:
    institution = municipality_by_code(code)
    if institution is None:
        raise exceptions.ValidationError({field: [gettext("Give the code of a municipality.")]})
    return institution


def receipt(complaint: Any, code: str) -> dict[str, Any]:
    return {
        "tracking_code": code,
        "registration_number": complaint.registration_number,
        "institution": complaint.institution.code,
        "topic": complaint.topic.code,
        "status": complaint.status,
        "submitted_at": complaint.submitted_at,
        "due_at": complaint.due_at,
    }


class _Public(generics.GenericAPIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicReadThrottle]


class PublicComplaintTopics(_Public):
    """A municipality's complaint topics, with their names in Albanian, Serbian and English."""

    serializer_class = TopicSerializer
    pagination_class = None
    queryset = ComplaintTopic.objects.none()  # for the schema; `get` lists a municipality's

    @extend_schema(
        parameters=[OpenApiParameter("institution", str, required=True)],
        responses=TopicSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        institution = _institution_or_400(request.query_params.get("institution"))
        return Response(
            [{"code": topic.code, "names": topic.names} for topic in topics_of(institution)]
        )


class PublicComplaintSubmit(_Public):
    """Submit a complaint (anonymous allowed; contact details optional, never shown back)."""

    serializer_class = ComplaintSubmitSerializer
    throttle_classes = [PublicSubmitThrottle]

    @extend_schema(request=ComplaintSubmitSerializer, responses={201: ComplaintReceiptSerializer})
    def post(self, request: Request) -> Response:
        form = ComplaintSubmitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        fields = dict(form.validated_data)
        institution = _institution_or_400(fields.pop("institution"))
        complaint, code = services.complaint_register(
            actor=None,
            institution=institution,
            language=translation.get_language() or "",
            **fields,
        )
        return Response(receipt(complaint, code), status=status.HTTP_201_CREATED)


class PublicComplaintTrack(_Public):
    """What became of a complaint, by its tracking code (404 for any other code)."""

    serializer_class = ComplaintTrackSerializer

    def get(self, request: Request, tracking_code: str) -> Response:
        complaint = complaint_by_tracking_code(tracking_code[: TRACKING_CODE_MAX_LENGTH + 1])
        return Response({"tracking_code": tracking_code, **public_view(complaint)})


class ComplaintStartSerializer(ComplaintSubmitSerializer):
    institution = _bounded(32)
    channel = serializers.ChoiceField(choices=[Channel.WALK_IN, Channel.PHONE])


class ComplaintProcessSerializer(ProcessSerializer):
    tracking_code = serializers.CharField(help_text="Hand it to the citizen: shown once.")
    registration_number = serializers.CharField()


class ComplaintStart(generics.GenericAPIView):
    """The one-stop shop registers a walk-in or phone complaint; the routing task opens."""

    serializer_class = ComplaintStartSerializer

    @extend_schema(request=ComplaintStartSerializer, responses={201: ComplaintProcessSerializer})
    def post(self, request: Request) -> Response:
        form = ComplaintStartSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        fields = dict(form.validated_data)
        code = fields.pop("institution", "")
        institution = _institution_or_400(code) if code else None
        if institution is None:
            person = getattr(request, "on_behalf_of", None) or request.user
            institution = starting_institution(flow_class=FLOWS["complaint"], person=person)
            if institution is None:
                raise exceptions.PermissionDenied(
                    gettext("Your role does not start this kind of process.")
                )
        complaint, tracking_code = services.complaint_register(
            actor=cast(User, request.user),
            on_behalf_of=getattr(request, "on_behalf_of", None),
            institution=institution,
            language=translation.get_language() or "",
            **fields,
        )
        process = (
            CoordinationProcess.objects.select_related("institution", "created_by")
            .prefetch_related("documents")
            .get(pk=complaint.pk)
        )
        body = cast(dict[str, Any], ProcessSerializer(process, context={"request": request}).data)
        return Response(
            {
                **body,
                "tracking_code": tracking_code,
                "registration_number": complaint.registration_number,
            },
            status=status.HTTP_201_CREATED,
        )


def _date_param(request: Request, name: str) -> Any:
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    field = serializers.DateField()
    try:
        return field.to_internal_value(value)
    except exceptions.ValidationError as error:
        raise exceptions.ValidationError({name: error.detail}) from error


class ComplaintStatisticsSerializer(serializers.Serializer):
    by_topic = serializers.ListField(child=serializers.DictField())
    by_unit = serializers.ListField(child=serializers.DictField())
    by_month = serializers.ListField(child=serializers.DictField())
    problems = serializers.IntegerField(help_text="Each problem once, however often reported.")
    reports = serializers.IntegerField(help_text="Every complaint.")
    open = serializers.IntegerField()
    overdue = serializers.IntegerField()
    median_answer_days = serializers.FloatField(allow_null=True)


class ComplaintStatistics(generics.GenericAPIView):
    """By topic, unit and month; open and overdue problems; median days to answer — over the
    complaints the caller may see (a problem reported several times counts once)."""

    serializer_class = ComplaintStatisticsSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("institution", str),
            OpenApiParameter("date_from", OpenApiTypes.DATE, description="YYYY-MM-DD"),
            OpenApiParameter("date_to", OpenApiTypes.DATE, description="YYYY-MM-DD"),
        ]
    )
    def get(self, request: Request) -> Response:
        code = request.query_params.get("institution")
        institution = _institution_or_400(code) if code else None
        return Response(
            complaint_statistics(
                user=request.user,
                institution=institution,
                date_from=_date_param(request, "date_from"),
                date_to=_date_param(request, "date_to"),
            )
        )
