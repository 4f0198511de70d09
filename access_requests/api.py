"""Access requests over HTTP: the public endpoints (no account, throttled per client address)
and the officials' registration of a request received on paper or orally, and the yearly
statistics (API.md, "Access to public documents")."""

from typing import Any, cast

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from config.public import TRACKING_CODE_MAX_LENGTH, PublicReadThrottle, PublicSubmitThrottle
from documents.api import FILE_RESPONSES, version_download
from roles.models import Institution, User
from roles.selectors import institution_by_code
from workflows.api import ProcessSerializer
from workflows.models import CoordinationProcess

from . import selectors, services
from .models import Channel, Format


class PublicInstitutionSerializer(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.CharField()
    names = serializers.DictField(child=serializers.CharField())


def institutions_listed() -> list[Institution]:
    return list(Institution.objects.order_by("code"))


class _Public(generics.GenericAPIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicReadThrottle]


class PublicInstitutions(_Public):
    """Every institution a request may be addressed to (no sign-in)."""

    serializer_class = PublicInstitutionSerializer
    pagination_class = None  # the contract's plain list: a few hundred institutions at most
    filter_backends = ()  # takes no filter (and has no queryset for one to read)

    @extend_schema(responses=PublicInstitutionSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(PublicInstitutionSerializer(institutions_listed(), many=True).data)


def _institution(code: str) -> Institution:
    institution = institution_by_code(str(code).strip().upper()[:32])
    if institution is None:
        raise exceptions.ValidationError({"institution": [gettext("No such institution.")]})
    return institution


class SubmitSerializer(serializers.Serializer):
    institution = serializers.CharField(max_length=32)
    description = serializers.CharField(max_length=services.DESCRIPTION_LENGTH)
    requester_name = serializers.CharField(max_length=services.NAME_LENGTH)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    postal_address = serializers.CharField(
        max_length=services.ADDRESS_LENGTH, required=False, allow_blank=True, default=""
    )
    format = serializers.ChoiceField(
        choices=Format.choices, required=False, default=Format.ELECTRONIC
    )
    urgent = serializers.BooleanField(required=False, default=False)
    urgent_reason = serializers.CharField(
        max_length=services.REASON_LENGTH, required=False, allow_blank=True, default=""
    )


class ReceiptSerializer(serializers.Serializer):
    tracking_code = serializers.CharField(help_text="Shown once: keep it.")
    registration_number = serializers.CharField()
    institution = serializers.CharField()
    status = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)


def receipt(registered: services.Registered) -> dict[str, Any]:
    request = registered.request
    return {
        "tracking_code": registered.tracking_code,
        "registration_number": request.registration.registration_number,
        "institution": request.institution.code,
        "status": request.status,
        "submitted_at": request.submitted_at,
        "due_at": selectors.request_due_at(request),
    }


class PublicAccessRequestSubmit(_Public):
    """Ask an institution for public documents; no reason is asked. The answer's tracking code
    is shown once."""

    serializer_class = SubmitSerializer
    throttle_classes = [PublicSubmitThrottle]

    @extend_schema(request=SubmitSerializer, responses={201: ReceiptSerializer})
    def post(self, request: Request) -> Response:
        form = SubmitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        fields = dict(form.validated_data)
        registered = services.access_request_register(
            actor=None, institution=_institution(fields.pop("institution")), **fields
        )
        return Response(ReceiptSerializer(receipt(registered)).data, status=status.HTTP_201_CREATED)


class ReleasedDocumentSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField()


class TrackSerializer(serializers.Serializer):
    tracking_code = serializers.CharField()
    registration_number = serializers.CharField()
    institution = serializers.CharField(help_text="The institution deciding (after transfers).")
    status = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision = serializers.CharField(allow_null=True)
    reasons = serializers.CharField(allow_blank=True)
    legal_basis = serializers.CharField(allow_blank=True)
    extended_days = serializers.IntegerField()
    transferred_to = serializers.ListField(child=serializers.CharField())
    documents = ReleasedDocumentSerializer(many=True)
    complaint_until = serializers.DateTimeField(allow_null=True)
    complaint = serializers.DictField(allow_null=True)


def _code(tracking_code: str) -> str:
    if len(tracking_code) > TRACKING_CODE_MAX_LENGTH:
        raise exceptions.NotFound(gettext("No request has this tracking code."))
    return tracking_code


def track_body(request: Request, tracking_code: str) -> dict[str, Any]:
    record = services.access_request_by_code(_code(tracking_code))
    view = selectors.public_view(record)
    return {
        **view,
        "tracking_code": tracking_code,
        "institution": view["institution"]["code"],
        "documents": [
            {
                "title": document["title"],
                "url": request.build_absolute_uri(
                    f"/api/public/access-requests/{tracking_code}/documents/{document['id']}/"
                ),
            }
            for document in view["documents"]
        ],
    }


class PublicAccessRequestTrack(_Public):
    """Where the request stands, the decision with its reasons and legal ground, the released
    documents. A wrong code is 404."""

    serializer_class = TrackSerializer

    @extend_schema(responses=TrackSerializer)
    def get(self, request: Request, tracking_code: str) -> Response:
        return Response(TrackSerializer(track_body(request, tracking_code)).data)


class ComplaintSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=services.COMPLAINT_LENGTH)


class PublicAccessRequestComplaint(_Public):
    """Complain to the Information and Privacy Agency: after a refusal, a partial grant or a
    deemed refusal, until `complaint_until` (else 409)."""

    serializer_class = ComplaintSerializer
    throttle_classes = [PublicSubmitThrottle]

    @extend_schema(request=ComplaintSerializer, responses={201: TrackSerializer})
    def post(self, request: Request, tracking_code: str) -> Response:
        form = ComplaintSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.access_request_complain(
            tracking_code=_code(tracking_code), text=form.validated_data["text"]
        )
        return Response(
            TrackSerializer(track_body(request, tracking_code)).data,
            status=status.HTTP_201_CREATED,
        )


class PublicAccessRequestDocument(_Public):
    """A released document (its current version), for whoever holds the tracking code."""

    @extend_schema(responses=FILE_RESPONSES)
    def get(self, request: Request, tracking_code: str, document_id: int) -> FileResponse:
        record = services.access_request_by_code(_code(tracking_code))
        return version_download(selectors.released_version(record, document_id))


class OfficialRegisterSerializer(SubmitSerializer):
    institution = serializers.CharField(  # type: ignore[assignment]
        max_length=32, required=False, help_text="Code; default the caller's own institution."
    )
    received_on = serializers.DateField(required=False, help_text="Not in the future.")
    channel = serializers.ChoiceField(
        choices=[Channel.PAPER, Channel.ORAL, Channel.ELECTRONIC],
        required=False,
        default=Channel.PAPER,
    )


class AccessRequestStart(generics.GenericAPIView):
    """An official (the institution's information officer) registers a request received on
    paper, orally or by e-mail; the requester's tracking code is in `tracking_code`, once."""

    serializer_class = OfficialRegisterSerializer

    @extend_schema(request=OfficialRegisterSerializer, responses={201: ProcessSerializer})
    def post(self, request: Request) -> Response:
        form = OfficialRegisterSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        fields = dict(form.validated_data)
        code = fields.pop("institution", None)
        institution = _institution(code) if code else None
        user = cast(User, request.user)
        on_behalf_of = getattr(request, "on_behalf_of", None)
        if institution is None:
            from workflows.flows import FLOWS
            from workflows.services import starting_institution

            institution = starting_institution(
                flow_class=FLOWS["access_request"], person=on_behalf_of or user
            )
            if institution is None:
                raise exceptions.PermissionDenied(
                    gettext("Your role does not start this kind of process.")
                )
        registered = services.access_request_register(
            actor=user, on_behalf_of=on_behalf_of, institution=institution, **fields
        )
        process = (
            CoordinationProcess.objects.select_related("institution", "created_by")
            .prefetch_related("documents")
            .get(pk=registered.request.process_id)
        )
        body: dict[str, Any] = ProcessSerializer(process, context={"request": request}).data  # type: ignore[assignment]
        return Response(
            {
                **body,
                "tracking_code": registered.tracking_code,
                "registration_number": registered.request.registration.registration_number,
            },
            status=status.HTTP_201_CREATED,
        )


class StatisticsSerializer(serializers.Serializer):
    institution = serializers.CharField()
    year = serializers.IntegerField()
    requests = serializers.IntegerField()
    granted = serializers.IntegerField()
    partially_granted = serializers.IntegerField()
    refused = serializers.IntegerField()
    deemed_refused = serializers.IntegerField()
    extended = serializers.IntegerField()
    transferred = serializers.IntegerField()
    pending = serializers.IntegerField()
    complaints = serializers.IntegerField()
    complaints_upheld = serializers.IntegerField()
    complaints_dismissed = serializers.IntegerField()
    median_days_to_decide = serializers.FloatField(allow_null=True)


class AccessRequestStatistics(generics.GenericAPIView):
    """An institution's figures for a year (its report to AIP), over the requests the caller
    may see; default the caller's own institution and the current year."""

    serializer_class = StatisticsSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("institution", str),
            OpenApiParameter(
                "year",
                {"type": "integer", "minimum": 2000, "maximum": 2100},
                description="The calendar year; default the current one.",
            ),
        ],
        responses=StatisticsSerializer,
    )
    def get(self, request: Request) -> Response:
        code = request.query_params.get("institution")
        if code is not None:
            institution = _institution(code)
        else:
            from roles.selectors import memberships_active

            membership = memberships_active(user=request.user).select_related("institution").first()
            if membership is None:
                raise exceptions.ValidationError(
                    {"institution": [gettext("Name the institution.")]}
                )
            institution = membership.institution
        raw_year = request.query_params.get("year")
        year = timezone.localdate().year
        if raw_year is not None:
            if not raw_year.isdigit() or not 2000 <= int(raw_year) <= 2100:
                raise exceptions.ValidationError({"year": [gettext("Give a year, e.g. 2026.")]})
            year = int(raw_year)
        figures = selectors.access_request_statistics(
            user=request.user, institution=institution, year=year
        )
        return Response(StatisticsSerializer(figures).data)


class RequesterSerializer(serializers.Serializer):
    registration_number = serializers.CharField(source="registration.registration_number")
    requester_name = serializers.CharField()
    email = serializers.CharField()
    postal_address = serializers.CharField()
    format = serializers.SerializerMethodField()
    submitted_at = serializers.DateTimeField()

    def get_format(self, record: Any) -> str:
        return str((record.process.data or {}).get("format") or "")


class AccessRequestRequester(generics.GenericAPIView):
    """Who asked and where to answer: for the members of the institution deciding the request
    only (404 for everyone else, other institutions and AIP included)."""

    serializer_class = RequesterSerializer

    def get(self, request: Request, pk: int) -> Response:
        record = selectors.requester_for_official(user=request.user, process_id=pk)
        return Response(RequesterSerializer(record).data)
