"""Signing in through OpenID Connect (mozilla-django-oidc), as an alternative to LDAP: configured
by environment (config/settings/base.py, "OpenID Connect"), off while OIDC_RP_CLIENT_ID is empty.

The person is found by a username claim (OIDC_USERNAME_CLAIM, default `preferred_username`);
their names and e-mail follow the claims at each sign-in, and the groups claim
(OIDC_GROUPS_CLAIM, default `groups`) decides their memberships of the kinds the directory's
groups give, exactly as for LDAP (`services.directory_memberships_sync`). As with LDAP, an
account with a local password (break-glass) is never signed in this way, nor a disabled one.
"""

import logging
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from . import services
from .models import User

logger = logging.getLogger(__name__)


def _claim(name: str, default: str) -> str:
    return str(getattr(settings, name, default))


class GovernmentOIDCBackend(OIDCAuthenticationBackend):
    def authenticate(self, request: Any, **kwargs: Any) -> User | None:
        """A refused code, a provider that is away or a token that does not verify is a failed
        sign-in (back to the sign-in page), never a server error."""
        try:
            user: User | None = super().authenticate(request, **kwargs)
        except (requests.RequestException, SuspiciousOperation, ValueError) as error:
            logger.warning("OpenID Connect sign-in refused: %s", error)
            return None
        return user

    def username_of(self, claims: dict[str, Any]) -> str:
        return str(claims.get(_claim("OIDC_USERNAME_CLAIM", "preferred_username")) or "").strip()

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(self.username_of(claims))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        return User.objects.filter(username__iexact=self.username_of(claims))

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        self.claims: dict[str, Any] = super().get_userinfo(access_token, id_token, payload)
        return self.claims

    def create_user(self, claims: dict[str, Any]) -> User:
        return services.person_create(
            actor=None,
            username=self.username_of(claims),
            first_name=str(claims.get("given_name", "")),
            last_name=str(claims.get("family_name", "")),
            email=str(claims.get("email", "")),
        )

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        if user.has_usable_password():
            raise SuspiciousOperation("a local account; it signs in with its password")
        services.person_update(
            actor=None,
            user=user,
            first_name=str(claims.get("given_name", user.first_name)),
            last_name=str(claims.get("family_name", user.last_name)),
            email=str(claims.get("email", user.email)),
        )
        return user

    def get_or_create_user(self, access_token: str, id_token: str, payload: Any) -> User | None:
        with transaction.atomic():
            user: User | None = super().get_or_create_user(access_token, id_token, payload)
            if user is None or not user.is_active:
                return None
            groups = self.claims.get(_claim("OIDC_GROUPS_CLAIM", "groups")) or []
            if isinstance(groups, str):
                groups = [groups]
            services.directory_memberships_sync(user=user, groups=[str(g) for g in groups])
        return user
