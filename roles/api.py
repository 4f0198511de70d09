from typing import Any, NoReturn, cast

from django.contrib.auth import authenticate
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, generics, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.services import audit_record
from config.security import LoginRateThrottle, TooManyAttempts

from . import selectors, services
from .models import Delegation, Institution, User


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class TokenView(APIView):
    """Exchange a username and password for an API token."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    # Per client address, shared with the sign-in pages; failures per account and per address
    # are counted by django-axes inside authenticate() (config/security.py).
    throttle_classes = [LoginRateThrottle]

    def throttled(self, request: Request, wait: float | None) -> NoReturn:
        raise TooManyAttempts(wait or 60)

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request._request, **serializer.validated_data)
        if user is None:
            raise exceptions.ValidationError(
                {"non_field_errors": [gettext("Unable to log in with the provided credentials.")]},
                code="invalid_credentials",
            )
        with transaction.atomic():
            token, created = Token.objects.get_or_create(user=user)
            audit_record(
                actor=user, action="auth.token_issued", obj=user, extra={"new_token": created}
            )
        return Response({"token": token.key})


class NamedSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    institution = NamedSerializer(allow_null=True)
    unit = serializers.CharField(
        allow_null=True, help_text="Name of the unit, in the language of the request."
    )
    unit_code = serializers.CharField(allow_null=True)
    roles = serializers.ListField(child=serializers.CharField(), help_text="Role codes held now.")
    is_auditor = serializers.BooleanField()
    language = serializers.CharField()
    acting_for = serializers.ListField(
        child=serializers.CharField(),
        help_text="Usernames of people who delegated to the caller now.",
    )
    on_behalf_of = serializers.CharField(
        allow_null=True, help_text="The principal named in X-On-Behalf-Of, if any."
    )


class MeView(APIView):
    """Who the caller is: institution, unit, roles, and whom they may act for."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        user = cast(User, request.user)
        memberships = list(selectors.memberships_active(user=user))
        primary = memberships[0] if memberships else None
        on_behalf_of = getattr(request, "on_behalf_of", None)
        return Response(
            MeSerializer(
                {
                    "username": user.get_username(),
                    "full_name": user.get_full_name(),
                    "institution": {
                        "code": primary.institution.code,
                        "name": primary.institution.name_in(),
                    }
                    if primary
                    else None,
                    "unit": primary.unit.name_in() if primary and primary.unit else None,
                    "unit_code": primary.unit.code if primary and primary.unit else None,
                    "roles": sorted({membership.role.code for membership in memberships}),
                    "is_auditor": selectors.user_is_auditor(user=user),
                    "language": getattr(user, "preferred_language", "") or request.LANGUAGE_CODE,
                    "acting_for": [p.username for p in selectors.principals_for(deputy=user)],
                    "on_behalf_of": on_behalf_of.username if on_behalf_of else None,
                }
            ).data
        )


class InstitutionSerializer(serializers.ModelSerializer):
    names = serializers.DictField(child=serializers.CharField(), read_only=True)
    parent: serializers.SlugRelatedField[Institution] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = Institution
        fields = ["code", "kind", "names", "parent"]


class InstitutionList(generics.ListAPIView):
    """The directory of institutions; public to every signed-in official."""

    serializer_class = InstitutionSerializer
    queryset = Institution.objects.select_related("parent").order_by("code")
    filterset_fields = ["kind"]


class InstitutionDetail(generics.RetrieveAPIView):
    serializer_class = InstitutionSerializer
    queryset = Institution.objects.select_related("parent")
    lookup_field = "code"

    def get_object(self) -> Institution:
        code = self.kwargs["code"]
        if not code.isascii() or not code.replace("-", "").replace("_", "").isalnum():
            raise Http404
        return get_object_or_404(self.get_queryset(), code=code.upper())


class InstitutionCode(serializers.SlugField):
    """A filter's institution code, in any letter case, as the code it names. Institutions
    and their codes are public (`/api/institutions/`): a mistyped code is named in a 400,
    rather than finding nothing as if the institution had no records."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=32, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        code = str(super().to_internal_value(data)).upper()
        if not selectors.institution_code_known(code):
            raise serializers.ValidationError(gettext("No institution has this code."))
        return code


class DelegationSerializer(serializers.ModelSerializer):
    principal: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    deputy = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.filter(is_active=True)
    )
    created_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    reason = serializers.CharField(max_length=300)

    class Meta:
        model = Delegation
        fields = [
            "id",
            "principal",
            "deputy",
            "starts_at",
            "ends_at",
            "reason",
            "created_by",
            "created_at",
            "revoked_at",
        ]
        read_only_fields = ["id", "created_at", "revoked_at"]


class DelegationList(generics.ListCreateAPIView):
    """Delegations the caller gave or received. Creating one hands the caller's work to an
    acting official of their institution for a period."""

    serializer_class = DelegationSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Delegation.objects.none()
        return selectors.delegations_visible(user=self.request.user).order_by("-starts_at", "-pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        delegation = services.delegation_create(
            actor=cast(User, request.user),
            principal=cast(User, request.user),
            **serializer.validated_data,
        )
        return Response(self.get_serializer(delegation).data, status=status.HTTP_201_CREATED)


class DelegationDetail(generics.RetrieveAPIView):
    serializer_class = DelegationSerializer

    def get_queryset(self) -> Any:
        return selectors.delegations_visible(user=self.request.user)


class DelegationRevoke(generics.GenericAPIView):
    serializer_class = DelegationSerializer

    def get_queryset(self) -> Any:
        return selectors.delegations_visible(user=self.request.user)

    @extend_schema(request=None, responses=DelegationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        delegation = self.get_object()
        if request.user != delegation.principal and not request.user.is_superuser:
            raise exceptions.PermissionDenied(
                gettext("Only the principal can revoke the delegation.")
            )
        delegation = services.delegation_revoke(
            actor=cast(User, request.user), delegation=delegation
        )
        return Response(self.get_serializer(delegation).data)
