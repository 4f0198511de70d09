from typing import Any, cast

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from config.api import UploadFormSerializer, positive_whole_number
from roles.models import Institution, User
from roles.selectors import memberships_active

from . import intake, services
from .access import access_document_by_id, documents_readable_ids, documents_visible
from .models import Classification, Document, DocumentVersion, Kind, Language


class IntakeRefusal(exceptions.APIException):
    """intake.Refused in the API's error shape, with its own status (400, 413, 415)."""

    def __init__(self, refusal: intake.Refused) -> None:
        super().__init__(detail=refusal.message, code=refusal.code)
        self.status_code = refusal.status


class VersionSerializer(serializers.ModelSerializer):
    duplicate_of = serializers.SerializerMethodField(
        help_text="Id of an earlier document of the institution with identical content, "
        "when the caller may read it (else null)."
    )

    class Meta:
        model = DocumentVersion
        fields = [
            "number",
            "filename",
            "mime_type",
            "size",
            "sha256",
            "duplicate_of",
            "text_status",
            "created_at",
        ]

    def get_duplicate_of(self, version: DocumentVersion) -> int | None:
        duplicate = version.duplicate_of.document_id if version.duplicate_of else None
        request = self.context.get("request")
        if duplicate is None or request is None:
            return None
        return duplicate if documents_readable_ids(user=request.user, ids=[duplicate]) else None


class DocumentSerializer(serializers.ModelSerializer):
    institution = serializers.CharField(source="institution.code", read_only=True)
    registration_number = serializers.CharField(read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    current_version = serializers.SerializerMethodField()
    text_status = serializers.SerializerMethodField()
    annulled = serializers.SerializerMethodField()
    translations = serializers.SerializerMethodField(
        help_text="The same text in other languages: [{id, language}] the caller may see."
    )
    annulment_reason = serializers.CharField(source="registration.annulment_reason", read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "title",
            "kind",
            "language",
            "classification",
            "institution",
            "registration_number",
            "created_at",
            "created_by",
            "current_version",
            "text_status",
            "annulled",
            "annulment_reason",
            "translation_group",
            "translations",
        ]

    def _current(self, document: Document) -> DocumentVersion | None:
        versions = list(document.versions.all())  # prefetched, ordered by number
        return versions[-1] if versions else None

    def get_current_version(self, document: Document) -> dict[str, Any] | None:
        version = self._current(document)
        if version is None:
            return None
        return VersionSerializer(version, context=self.context).data  # type: ignore[return-value]

    def get_text_status(self, document: Document) -> str | None:
        version = self._current(document)
        return version.text_status if version else None

    def get_translations(self, document: Document) -> list[dict[str, Any]]:
        request = self.context.get("request")
        if request is None:
            return []
        others = (
            documents_visible(user=request.user)
            .filter(translation_group=document.translation_group)
            .exclude(pk=document.pk)
        )
        return [{"id": other.pk, "language": other.language} for other in others.order_by("pk")]

    def get_annulled(self, document: Document) -> bool:
        return document.registration.annulled_at is not None


class DocumentUploadSerializer(UploadFormSerializer):
    file = serializers.FileField(allow_empty_file=True)
    title = serializers.CharField(max_length=500)
    kind = serializers.ChoiceField(choices=Kind.choices)
    language = serializers.ChoiceField(choices=Language.choices, default=Language.ALBANIAN)
    classification = serializers.ChoiceField(
        choices=Classification.choices, default=Classification.INTERNAL
    )
    institution = serializers.CharField(
        max_length=32, required=False, help_text="Code; default the caller's institution."
    )
    translation_of = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="Id of the same text in another language (same institution).",
    )


class VersionUploadSerializer(UploadFormSerializer):
    file = serializers.FileField(allow_empty_file=True)


def _refuse_oversized_body(request: Request) -> None:
    """Refuse by the announced length before the body is read at all."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.DOCUMENT_MAX_UPLOAD_SIZE + 2**20:
        raise IntakeRefusal(intake.too_large())


def _with_versions(queryset: QuerySet[Document]) -> QuerySet[Document]:
    return queryset.prefetch_related(
        Prefetch(
            "versions",
            queryset=DocumentVersion.objects.select_related("duplicate_of").order_by("number"),
        )
    )


def _reloaded(document: Document) -> Document:
    """The document as the API shows it, with its versions, after a change."""
    return _with_versions(Document.objects.filter(pk=document.pk)).get()


def _institution_by_code(code: str) -> Institution:
    institution = Institution.objects.filter(code=code.upper()).first()
    if institution is None:
        raise exceptions.ValidationError({"institution": [gettext("No such institution.")]})
    return institution


class DocumentList(generics.ListCreateAPIView):
    """Documents the caller may read; upload (multipart) registers a new one."""

    serializer_class = DocumentSerializer
    parser_classes = [MultiPartParser]  # a file cannot travel as a urlencoded form
    filterset_fields = ["kind", "language"]

    def get_queryset(self) -> QuerySet[Document]:
        return _with_versions(documents_visible(user=self.request.user)).order_by("-pk")

    @extend_schema(request=DocumentUploadSerializer, responses={201: DocumentSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _refuse_oversized_body(request)
        form = DocumentUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        user = cast(User, request.user)
        on_behalf_of = getattr(request, "on_behalf_of", None)
        acting_person = on_behalf_of or user
        memberships = memberships_active(user=acting_person)
        if "institution" in data:
            institution = _institution_by_code(data["institution"])
            if not memberships.filter(institution=institution).exists():
                raise exceptions.PermissionDenied(
                    gettext("Only members register documents in an institution's book.")
                )
        else:
            membership = memberships.first()
            if membership is None:
                raise exceptions.PermissionDenied(gettext("You belong to no institution."))
            institution = membership.institution
        translation_of = None
        if "translation_of" in data:
            translation_of = documents_visible(user=user).filter(pk=data["translation_of"]).first()
            if translation_of is None:
                raise exceptions.ValidationError({"translation_of": [gettext("No such document.")]})
        upload = data["file"]
        try:
            document = services.document_create(
                actor=user,
                on_behalf_of=on_behalf_of,
                institution=institution,
                upload=upload,
                filename=upload.name or "",
                size=upload.size or 0,
                title=data["title"],
                kind=data["kind"],
                language=data["language"],
                classification=data["classification"],
                translation_of=translation_of,
            )
        except intake.Refused as refusal:
            raise IntakeRefusal(refusal) from refusal
        document = _reloaded(document)
        return Response(
            DocumentSerializer(document, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class DocumentDetail(generics.RetrieveAPIView):
    serializer_class = DocumentSerializer

    def get_object(self) -> Document:
        document, _ = access_document_by_id(self.kwargs["pk"], self.request.user)
        return _reloaded(document)


class DocumentVersions(generics.ListCreateAPIView):
    """The versions of a document, oldest first; posting a file adds the next one."""

    serializer_class = VersionSerializer
    parser_classes = [MultiPartParser]  # a file cannot travel as a urlencoded form

    def get_queryset(self) -> QuerySet[DocumentVersion]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return DocumentVersion.objects.none()
        document, _ = access_document_by_id(self.kwargs["pk"], self.request.user)
        return document.versions.select_related("duplicate_of").order_by("number")

    @extend_schema(request=VersionUploadSerializer, responses={201: VersionSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        document, acting = access_document_by_id(kwargs["pk"], request.user, for_write=True)
        _refuse_oversized_body(request)
        form = VersionUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        try:
            version = services.document_version_add(
                actor=acting.user,
                on_behalf_of=acting.on_behalf_of,
                document=document,
                upload=upload,
                filename=upload.name or "",
                size=upload.size or 0,
            )
        except intake.Refused as refusal:
            raise IntakeRefusal(refusal) from refusal
        return Response(
            VersionSerializer(version, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


# The stored file goes out with its detected type: one of the intake's allow-list.
FILE_RESPONSES = {(200, mime_type): bytes for mime_type in sorted(intake.ALLOWED_TYPES)}


LAST_VERSION = 2**31 - 1  # the largest number the version column holds


class VersionParam(serializers.Serializer):
    """`?version` as documented; `DocumentContent.get` checks it as strictly
    (`config.api.positive_whole_number`: digits only)."""

    version = serializers.IntegerField(required=False, min_value=1, max_value=LAST_VERSION)


class DocumentContent(generics.GenericAPIView):
    """The file itself (`?version=N`, default the current one), always as an attachment."""

    @extend_schema(
        parameters=[VersionParam],
        responses=FILE_RESPONSES,
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        document, _ = access_document_by_id(pk, request.user)
        versions = document.versions.order_by("-number")
        requested = positive_whole_number(request, "version", LAST_VERSION)
        if requested is not None:
            versions = versions.filter(number=requested)
        version = versions.first()
        if version is None:
            raise exceptions.NotFound(gettext("No such version."))
        return version_download(version)


def version_download(version: DocumentVersion) -> FileResponse:
    """The stored file as an attachment of its stored type, never rendered by the browser."""
    response = FileResponse(
        version.file.open("rb"),
        as_attachment=True,
        filename=version.filename,
        content_type=version.mime_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


class ShareSerializer(serializers.Serializer):
    institution = serializers.CharField(max_length=32)
    may_forward = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The owner's consent that the institution attaches the document to its own "
        "processes and sends it on with them: true gives it (not for a confidential document), "
        "false withdraws it, absent leaves it as it is.",
    )


class AnnulSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class DocumentShare(generics.GenericAPIView):
    """Let another institution read the document and, with `may_forward`, send it on with
    its own processes."""

    serializer_class = ShareSerializer

    @extend_schema(request=ShareSerializer, responses=DocumentSerializer)
    def post(self, request: Request, pk: int) -> Response:
        document, acting = access_document_by_id(pk, request.user, for_write=True)
        form = ShareSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        institution = _institution_by_code(form.validated_data["institution"])
        services.document_share(
            actor=acting.user,
            on_behalf_of=acting.on_behalf_of,
            document=document,
            institution=institution,
            may_forward=form.validated_data["may_forward"],
        )
        return Response(DocumentSerializer(_reloaded(document), context={"request": request}).data)


class DocumentAnnul(generics.GenericAPIView):
    """Annul a mistaken registration, with its reason; the number stays in the book."""

    serializer_class = AnnulSerializer

    @extend_schema(request=AnnulSerializer, responses=DocumentSerializer)
    def post(self, request: Request, pk: int) -> Response:
        document, acting = access_document_by_id(pk, request.user, for_write=True)
        form = AnnulSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.document_annul(
            actor=acting.user,
            on_behalf_of=acting.on_behalf_of,
            document=document,
            reason=form.validated_data["reason"],
        )
        return Response(DocumentSerializer(_reloaded(document), context={"request": request}).data)
