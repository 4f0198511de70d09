"""DRF authentication that also reads who the caller acts for (`X-On-Behalf-Of: <username>`).

The header is honoured only while a delegation from that person to the caller is active; the
principal is then available as `request.on_behalf_of` and recorded beside the caller.
"""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from config.prepared import Prepared

from .models import User
from .selectors import principals_for

ON_BEHALF_OF_HEADER = "HTTP_X_ON_BEHALF_OF"


class OnBehalfOfMixin:
    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        result = super().authenticate(request)  # type: ignore[misc]
        if result is None:
            return None
        user, auth = result
        request._request.on_behalf_of = None
        username = request.META.get(ON_BEHALF_OF_HEADER, "").strip()
        if username:
            principal = principals_for(deputy=user).filter(username=username).first()
            if principal is None:
                raise exceptions.PermissionDenied(
                    f"No active delegation from {username[:150]!r} to you.", code="not_delegated"
                )
            request._request.on_behalf_of = principal
        return user, auth


def _token_holder(key: str) -> QuerySet[User]:
    return User.objects.filter(auth_token__key=key)


# Asked on every API request; DRF's `select_related` look-up cost more CPU to compile than the
# database needs to answer it.
_TOKEN_HOLDER = Prepared(_token_holder)


class TokenAuthentication(OnBehalfOfMixin, authentication.TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        """DRF's checks and messages, with the user found by one prepared query."""
        users = _TOKEN_HOLDER.objects(key=key)
        if not users:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user = users[0]
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user, Token(key=key, user=user)


class SessionAuthentication(OnBehalfOfMixin, authentication.SessionAuthentication):
    pass
