"""Public consultations over HTTP (API.md, "Public consultations"): the officials' start, the
public's list, detail, comment and report, the officials' comment list and export, and the
Office for Good Governance's overview."""

import csv
from collections.abc import Iterator
from typing import Any, cast

from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from audit.services import audit_record
from config.errors import Conflict, NotFound
from config.public import PublicReadThrottle, PublicSubmitThrottle
from documents.access import documents_visible
from documents.api import FILE_RESPONSES, version_download
from roles.models import User
from workflows import services as workflow_services
from workflows.api import DOCUMENT_IDS, INSTITUTION, ProcessSerializer, start_form_read
from workflows.flows import FLOWS
from workflows.models import CoordinationProcess, permission_object

from . import models, selectors, services
from .flows import publishable_checked
from .models import Capacity, Comment, Consultation, Outcome, comment_author


class ConsultationStartSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=500)
    summary_sq = serializers.CharField(max_length=models.SUMMARY_MAX)
    summary_sr = serializers.CharField(max_length=models.SUMMARY_MAX)
    documents = DOCUMENT_IDS
    closes_at = serializers.DateTimeField(
        help_text="At least the minimum period (15 working days by default) after the opening."
    )
    opens_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Default: as soon as the head approves."
    )
    institution = INSTITUTION


def _process_body(process: CoordinationProcess, request: Request) -> dict[str, Any]:
    process = (
        CoordinationProcess.objects.select_related("institution", "created_by")
        .prefetch_related("documents")
        .get(pk=process.pk)
    )
    return ProcessSerializer(process, context={"request": request}).data  # type: ignore[return-value]


@extend_schema_view(
    post=extend_schema(request=ConsultationStartSerializer, responses={201: ProcessSerializer})
)
class ConsultationStart(generics.GenericAPIView):
    """The institution's officer prepares a consultation; the head's approval task opens.
    Its documents are published with it: the institution's own (internal ones are made public
    when the head approves) or public ones, never confidential ones."""

    serializer_class = ConsultationStartSerializer

    def post(self, request: Request) -> Response:
        fields, document_ids, institution = start_form_read(self, request)
        flow_class = FLOWS[selectors.PROCESS_TYPE]
        owner = institution or workflow_services.starting_institution(
            flow_class=flow_class, person=getattr(request, "on_behalf_of", None) or request.user
        )
        publishable_checked(
            documents_visible(user=request.user).filter(pk__in=document_ids), institution=owner
        )
        process = workflow_services.process_start(
            flow_class=flow_class,
            actor=cast(User, request.user),
            on_behalf_of=getattr(request, "on_behalf_of", None),
            institution=institution,
            fields=fields,
            document_ids=document_ids,
        )
        return Response(_process_body(process, request), status=status.HTTP_201_CREATED)


# --- Public -----------------------------------------------------------------------------------


class ConsultationDocumentSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField()


class PublicConsultationSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    institution = serializers.CharField(source="institution.code")
    institution_name = serializers.SerializerMethodField()
    title = serializers.CharField()
    summary = serializers.SerializerMethodField()
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    status = serializers.SerializerMethodField(help_text="open or closed")
    documents = serializers.SerializerMethodField()
    comment_count = serializers.IntegerField()
    report_published_at = serializers.DateTimeField(allow_null=True)

    def get_institution_name(self, consultation: Consultation) -> str:
        return consultation.institution.name_in()

    def get_summary(self, consultation: Consultation) -> dict[str, str]:
        return {"sq": consultation.summary_sq, "sr": consultation.summary_sr}

    def get_status(self, consultation: Consultation) -> str:
        return selectors.status_of(consultation, self.context.get("now"))

    @extend_schema_field(ConsultationDocumentSerializer(many=True))
    def get_documents(self, consultation: Consultation) -> list[dict[str, Any]]:
        return [
            {
                "id": document.pk,
                "title": document.title,
                "language": document.language,
                "url": reverse(
                    "api:public-consultation-document", args=[consultation.pk, document.pk]
                ),
            }
            for document in selectors.documents_published(consultation)
        ]


class _Public(generics.GenericAPIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicReadThrottle]


@extend_schema(
    parameters=[OpenApiParameter("status", str, enum=[selectors.OPEN, selectors.CLOSED])]
)
class PublicConsultationList(_Public, generics.ListAPIView):
    """Approved consultations that have opened, newest first; `?status=open|closed`."""

    serializer_class = PublicConsultationSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        wanted = self.request.query_params.get("status")
        if wanted not in (None, selectors.OPEN, selectors.CLOSED):
            raise exceptions.ValidationError({"status": [gettext("Choose open or closed.")]})
        return selectors.consultations_public(status=wanted)


class PublicConsultationDetail(_Public):
    serializer_class = PublicConsultationSerializer

    def get(self, request: Request, pk: int) -> Response:
        return Response(self.get_serializer(selectors.consultation_public(pk)).data)


class CommentSerializer(serializers.Serializer):
    """Bounds are checked again by the service (which every path goes through); here they
    name the fields in the schema."""

    name = serializers.CharField(max_length=models.NAME_MAX)
    capacity = serializers.ChoiceField(choices=Capacity.choices)
    organisation = serializers.CharField(
        max_length=models.ORGANISATION_MAX, required=False, allow_blank=True
    )
    fields_of_action = serializers.CharField(
        max_length=models.FIELDS_OF_ACTION_MAX, required=False, allow_blank=True
    )
    email = serializers.EmailField(max_length=models.EMAIL_MAX)
    phone = serializers.CharField(max_length=models.PHONE_MAX, required=False, allow_blank=True)
    address = serializers.CharField(max_length=models.ADDRESS_MAX, required=False, allow_blank=True)
    text = serializers.CharField(max_length=models.TEXT_MAX)
    section = serializers.CharField(max_length=models.SECTION_MAX, required=False, allow_blank=True)


class CommentReceiptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    received_at = serializers.DateTimeField()


class PublicCommentCreate(_Public):
    """A comment on an open consultation (no account). 409 `consultation_closed` before its
    opening or from its closing time on. Contact details are never shown to the public."""

    serializer_class = CommentSerializer
    throttle_classes = [PublicSubmitThrottle]

    @extend_schema(request=CommentSerializer, responses={201: CommentReceiptSerializer})
    def post(self, request: Request, pk: int) -> Response:
        if not isinstance(request.data, dict):
            raise exceptions.ValidationError({"non_field_errors": [gettext("Give an object.")]})
        values = {
            field: request.data.get(field) for field in (*services.COMMENT_FIELDS, "capacity")
        }
        comment = services.comment_create(
            consultation_id=_whole(pk),
            values=values,
            language=translation.get_language() or "",
        )
        return Response(
            {"id": comment.pk, "received_at": comment.received_at},
            status=status.HTTP_201_CREATED,
        )


def _whole(pk: Any) -> int:
    if not 0 < int(pk) < 2**63:
        raise NotFound
    return int(pk)


class ReportCommentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    received_at = serializers.DateTimeField()
    author = serializers.CharField()
    capacity = serializers.CharField()
    section = serializers.CharField()
    text = serializers.CharField()
    outcome = serializers.CharField()
    reason = serializers.CharField()


class ReportSerializer(serializers.Serializer):
    published_at = serializers.DateTimeField(source="report_published_at")
    comments = ReportCommentSerializer(many=True)


def report_rows(consultation_id: int) -> Iterator[dict[str, Any]]:
    """The report's comments as plain rows (no model instances: 10,000 of them load fast);
    never a contact detail."""
    for row in (
        selectors.comments_of(consultation_id)
        .values(*selectors.PUBLIC_COMMENT_FIELDS)
        .iterator(chunk_size=2000)
    ):
        yield {
            "id": row["pk"],
            "received_at": row["received_at"],
            "author": comment_author(
                name=row["name"], organisation=row["organisation"], capacity=row["capacity"]
            ),
            **{key: row[key] for key in ("capacity", "section", "text", "outcome", "reason")},
        }


class PublicConsultationReport(_Public):
    """The published report: every comment with its answer, no contact details; 404 until
    the head approved it."""

    serializer_class = ReportSerializer

    def get(self, request: Request, pk: int) -> Response:
        consultation = selectors.report_public(pk)
        return Response(
            {
                "id": consultation.pk,
                "title": consultation.title,
                "published_at": consultation.report_published_at,
                "comments": [
                    {**row, "received_at": row["received_at"].isoformat()}
                    for row in report_rows(consultation.pk)
                ],
            }
        )


class PublicConsultationDocument(_Public):
    """A document of a published consultation (its current version), as an attachment."""

    @extend_schema(responses=FILE_RESPONSES)
    def get(self, request: Request, pk: int, document_id: int) -> FileResponse:
        document = selectors.public_document(pk, document_id)
        version = document.versions.order_by("-number").first()
        if version is None:
            raise NotFound
        return version_download(version)


# --- Officials --------------------------------------------------------------------------------


class OfficialCommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(read_only=True)

    class Meta:
        model = Comment
        fields = [
            "id",
            "received_at",
            "author",
            "name",
            "capacity",
            "organisation",
            "fields_of_action",
            "email",
            "phone",
            "address",
            "section",
            "text",
            "outcome",
            "reason",
            "answered_at",
        ]


class OverseenCommentSerializer(OfficialCommentSerializer):
    """What another institution that follows the consultation (the Office for Good
    Governance, an auditor) reads: everything but the contact details."""

    class Meta(OfficialCommentSerializer.Meta):
        fields = [
            field
            for field in OfficialCommentSerializer.Meta.fields
            if field not in services.CONTACT_FIELDS
        ]


class ConsultationComments(generics.ListAPIView):
    """Every comment, oldest first, for the officials who see the consultation's process (404
    for everyone else); the contact details only for the consulting institution's members."""

    serializer_class = OfficialCommentSerializer
    filter_backends: list[Any] = []

    def get_serializer_class(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema's generation: no request
            return OfficialCommentSerializer
        process = selectors.consultation_for_official(self.kwargs["pk"], self.request.user)
        if selectors.contacts_readable(self.request.user, process):
            return OfficialCommentSerializer
        return OverseenCommentSerializer

    @extend_schema(
        parameters=[OpenApiParameter("answered", bool, description="Only (un)answered ones.")]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        process = selectors.consultation_for_official(self.kwargs["pk"], self.request.user)
        comments = selectors.comments_of(process.pk)
        answered = self.request.query_params.get("answered")
        if answered not in (None, "true", "false"):
            raise exceptions.ValidationError({"answered": [gettext("Give true or false.")]})
        if answered == "true":
            comments = comments.exclude(outcome="")
        elif answered == "false":
            comments = comments.filter(outcome="")
        return comments


class _Echo:
    def write(self, value: str) -> str:
        return value


EXPORT_COLUMNS = [
    "id",
    "received_at",
    "name",
    "capacity",
    "organisation",
    "fields_of_action",
    "email",
    "phone",
    "address",
    "section",
    "text",
    "outcome",
    "reason",
]


class ConsultationCommentsExport(generics.GenericAPIView):
    """Every comment as CSV (UTF-8 with a byte-order mark, for spreadsheets), streamed; the
    export is recorded in the audit log."""

    @extend_schema(responses={(200, "text/csv"): bytes})
    def get(self, request: Request, pk: int) -> StreamingHttpResponse:
        process = selectors.consultation_for_official(pk, request.user)
        audit_record(
            actor=request.user,
            on_behalf_of=getattr(request, "on_behalf_of", None),
            action="consultation.comments_exported",
            obj=permission_object(process),
            extra={"comments": selectors.comments_of(process.pk).count()},
        )
        writer = csv.writer(_Echo())
        columns = EXPORT_COLUMNS
        if not selectors.contacts_readable(request.user, process):
            columns = [column for column in columns if column not in services.CONTACT_FIELDS]

        def rows(columns: list[str]) -> Iterator[str]:
            yield "\ufeff" + writer.writerow(columns)
            for row in (
                selectors.comments_of(process.pk).values_list(*columns).iterator(chunk_size=2000)
            ):
                yield writer.writerow(
                    [value.isoformat() if hasattr(value, "isoformat") else value for value in row]
                )

        response = StreamingHttpResponse(rows(columns), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="consultation-{process.pk}.csv"'
        return response


class AnswerSerializer(serializers.Serializer):
    comment = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    reason = serializers.CharField(max_length=models.REASON_MAX, allow_blank=True, required=False)


class AnswersSerializer(serializers.Serializer):
    answers = serializers.ListField(child=serializers.DictField(), max_length=services.ANSWERS_MAX)


class ConsultationAnswers(generics.GenericAPIView):
    """Save answers before completing `answer_comments` (which needs every comment answered):
    for whoever may act on that open task (404 for those who cannot see the consultation,
    403 for those who see it but are not its officer)."""

    serializer_class = AnswersSerializer

    @extend_schema(request=AnswersSerializer, responses={200: AnswersSerializer})
    def post(self, request: Request, pk: int) -> Response:
        process = selectors.consultation_for_official(pk, request.user)
        form = AnswersSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        task = selectors.answering_task(process)
        if task is None:
            raise Conflict(
                gettext("The comments are not being answered now."), code="not_answering"
            )
        acting = workflow_services.task_acting(user=request.user, task=task)
        if acting is None:
            raise exceptions.PermissionDenied(gettext("This task is not yours to act on."))
        saved = services.answers_record(
            actor=acting.user,
            on_behalf_of=acting.on_behalf_of,
            process_id=process.pk,
            answers=form.validated_data["answers"],
        )
        unanswered = selectors.comments_of(process.pk).filter(outcome="").count()
        return Response({"answered": saved, "unanswered": unanswered})


class OversightSerializer(serializers.Serializer):
    institution = serializers.CharField()
    institution_name = serializers.CharField()
    consultations = serializers.IntegerField()
    drafts = serializers.IntegerField()
    open = serializers.IntegerField()
    awaiting_report = serializers.IntegerField()
    published = serializers.IntegerField()
    comments = serializers.IntegerField()
    clocks_met = serializers.IntegerField()
    clocks_missed = serializers.IntegerField()
    clocks_overdue = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)


class OversightResponseSerializer(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    results = OversightSerializer(many=True)


class ConsultationOversight(generics.GenericAPIView):
    """The Office for Good Governance: every institution's consultations and the on-time rate
    of their clocks (404 for anyone outside it; auditors read it too). One row per
    institution: not paginated."""

    serializer_class = OversightResponseSerializer
    pagination_class = None

    @extend_schema(responses=OversightResponseSerializer)
    def get(self, request: Request) -> Response:
        if not selectors.is_good_governance(request.user):
            raise NotFound
        return Response(
            {"generated_at": timezone.now(), "results": selectors.oversight(user=request.user)}
        )
