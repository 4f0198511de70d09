"""What every public (no account) endpoint shares: who the client is, how often it may call,
and the tracking codes that are a member of the public's only key.

A tracking code is 160 random bits shown once; the database keeps only its SHA-256, so neither a
leaked table nor a timing difference tells anything about a valid code. Look-ups go through the
digest's unique index: a right and a wrong code cost one index probe each.
"""

import hashlib
import secrets

from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from .security import client_address

TRACKING_CODE_BYTES = 20  # 160 bits; the contract asks for at least 128
TRACKING_CODE_MAX_LENGTH = 64  # anything longer is not a code: refused before any look-up


def tracking_code_new() -> tuple[str, str]:
    """A fresh code and the digest to store: (code shown once, sha256 hex)."""
    code = secrets.token_urlsafe(TRACKING_CODE_BYTES)
    return code, tracking_code_digest(code)


def tracking_code_digest(code: str) -> str:
    """The stored form of a code; an over-long or odd code gets a digest no row has."""
    value = (code or "").strip()[:TRACKING_CODE_MAX_LENGTH]
    return hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()


class PublicThrottle(SimpleRateThrottle):
    """Per client address (behind TRUSTED_PROXY_COUNT proxies) in the shared cache, so every
    web process counts together."""

    def get_cache_key(self, request: Request, view: object) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}


class PublicReadThrottle(PublicThrottle):
    scope = "public_read"


class PublicSubmitThrottle(PublicThrottle):
    """For the endpoints that write (a request, a complaint, a comment)."""

    scope = "public_submit"


def page_refused_for(request: HttpRequest, throttle_class: type[PublicThrottle]) -> float | None:
    """The same limits for the portal's pages as for the API: None when the client may go on,
    else how many seconds it should wait (the page answers 429 with `Retry-After`)."""
    throttle = throttle_class()
    if throttle.allow_request(request, None):  # type: ignore[arg-type]
        return None
    return throttle.wait() or 1.0
