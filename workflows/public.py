"""What the public and the media may read without signing in: released press statements
(never before their embargo) and approved government-meeting material with its public
documents (`documents.access.documents_publishable`: never an internal or confidential one)."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import FileResponse
from django.utils import dateparse, timezone
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from viewflow.workflow import PROCESS
from viewflow.workflow.fields import get_flow_ref

from documents.access import documents_publishable
from documents.api import FILE_RESPONSES, version_download
from documents.models import Document
from roles.permissions import visible_or_404

from .flows import FLOWS
from .models import CoordinationProcess, MeetingOutcome


def statements_released() -> QuerySet[CoordinationProcess]:
    """Released press statements, whether or not their signed original is archived yet: the
    release step alone sets `released_at`, and runs only once the embargo is over (checked
    again below in case a clock was wrong); a released statement is never withdrawn."""
    statements = CoordinationProcess.objects.filter(
        flow_class=get_flow_ref(FLOWS["press_statement"]), data__has_key="released_at"
    ).exclude(status=PROCESS.CANCELED)
    return statements.select_related("institution").order_by("-data__released_at", "-pk")


def materials_published() -> QuerySet[CoordinationProcess]:
    """Approved meeting material, each with `published_documents`: those of its documents
    `documents_publishable` lets out (no internal or confidential one, nothing annulled)."""
    return (
        CoordinationProcess.objects.filter(
            flow_class=get_flow_ref(FLOWS["meeting_material"]),
            status=PROCESS.DONE,
            data__outcome=MeetingOutcome.APPROVED,
        )
        .select_related("institution")
        .prefetch_related(
            Prefetch(
                "documents",
                queryset=documents_publishable().select_related("registration").order_by("pk"),
                to_attr="published_documents",
            )
        )
        .order_by("-finished", "-pk")
    )


class InstitutionSummary(serializers.Serializer):
    code = serializers.CharField()
    names = serializers.SerializerMethodField()

    def get_names(self, institution: Any) -> dict[str, str]:
        return {"sq": institution.name_sq, "sr": institution.name_sr, "en": institution.name_en}


class PublicStatementSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    institution = InstitutionSummary()
    released_at = serializers.SerializerMethodField()
    texts = serializers.SerializerMethodField(help_text="Keyed by language: sq, sr, en.")

    def get_released_at(self, process: CoordinationProcess) -> str | None:
        return process.data.get("released_at")

    def get_texts(self, process: CoordinationProcess) -> dict[str, str]:
        texts = {language: process.data.get(f"text_{language}") for language in ("sq", "sr", "en")}
        return {language: text for language, text in texts.items() if text}


class PublicDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    language = serializers.CharField()
    registration_number = serializers.CharField(
        source="registration.registration_number", default=None, allow_null=True
    )


class PublicMaterialSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    institution = InstitutionSummary()
    meeting_date = serializers.SerializerMethodField()
    published_at = serializers.SerializerMethodField()
    key_messages = serializers.SerializerMethodField()
    spokesperson = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()

    def get_meeting_date(self, process: CoordinationProcess) -> str | None:
        return process.data.get("meeting_date")

    def get_published_at(self, process: CoordinationProcess) -> str | None:
        return process.data.get("published_at")

    def get_key_messages(self, process: CoordinationProcess) -> Any:
        return (process.data.get("communication_plan") or {}).get("key_messages")

    def get_spokesperson(self, process: CoordinationProcess) -> Any:
        return (process.data.get("communication_plan") or {}).get("spokesperson")

    @extend_schema_field(PublicDocumentSerializer(many=True))
    def get_documents(self, process: CoordinationProcess) -> list[dict[str, Any]]:
        documents = process.published_documents  # type: ignore[attr-defined]
        return PublicDocumentSerializer(documents, many=True).data  # type: ignore[return-value]


class PublicPressStatements(generics.ListAPIView):
    """Released press statements, newest first. No sign-in needed."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    serializer_class = PublicStatementSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[CoordinationProcess]:
        return statements_released()

    def paginate_queryset(self, queryset: Any) -> Any:
        # The flow guarantees it; this guards against a clock set wrong when the timer fired.
        now = timezone.now()
        return [
            statement
            for statement in super().paginate_queryset(queryset) or []
            if not statement.data.get("embargo_until")
            or (dateparse.parse_datetime(statement.data["embargo_until"]) or now) <= now
        ]


class PublicMeetingMaterials(generics.ListAPIView):
    """Government-meeting material the Government approved, with its documents in the
    official languages, newest first. No sign-in needed."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    serializer_class = PublicMaterialSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[CoordinationProcess]:
        return materials_published()


class PublicMaterialDocument(generics.GenericAPIView):
    """A document of approved meeting material (its current version), as an attachment."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(responses=FILE_RESPONSES)
    def get(self, request: Request, pk: int, document_id: int) -> FileResponse:
        # Ids beyond what the database can hold are 404 like any other unknown id.
        material = visible_or_404(materials_published(), pk)
        document = visible_or_404(
            documents_publishable(Document.objects.filter(processes=material)), document_id
        )
        version = document.versions.order_by("-number").first()
        if version is None:
            raise exceptions.NotFound(gettext("No such published document."))
        return version_download(version)
