"""DRF authentication that also reads who the caller acts for (`X-On-Behalf-Of: <username>`).

The header is honoured only while a delegation from that person to the caller is active; the
principal is then available as `request.on_behalf_of` and recorded beside the caller.
"""

from typing import Any

from rest_framework import authentication, exceptions

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


class TokenAuthentication(OnBehalfOfMixin, authentication.TokenAuthentication):
    pass


class SessionAuthentication(OnBehalfOfMixin, authentication.SessionAuthentication):
    pass
