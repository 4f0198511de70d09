"""Limits on signing in, the same on every login path (the API's token, the sign-in page, the
admin's): who the client is behind our proxies, how often an address may try, and the refusal
a locked-out address or account gets (429 with Retry-After, in the caller's language).

Two limits work together. django-axes counts failed sign-ins per address and per account in the
database and refuses every attempt, even with the right password, for the cool-off period once
either reaches the limit (AXES_* in settings). LoginRateThrottle counts every sign-in request per
address in the shared cache, so no address can hammer the login paths at all.
"""

import ipaddress
import math
from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from rest_framework import exceptions, status
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .api import error_body


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT proxies that each
    append to X-Forwarded-For, the address the outermost of them saw. What a client writes in
    that header itself stands left of it and is never taken (the same rule as Django REST
    framework's NUM_PROXIES, which settings keep equal)."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if proxies <= 0 or not forwarded:
        return remote
    candidate = forwarded[-min(proxies, len(forwarded))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:  # a proxy that passes garbage on: count it against the proxy itself
        return remote


def _retry_message(wait: float) -> str:
    until = timezone.localtime(timezone.now() + timedelta(seconds=wait))
    if until.second or until.microsecond:  # never earlier than the limit ends
        until = until.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return gettext("Too many sign-in attempts. Try again after %(time)s.") % {
        "time": until.strftime("%H:%M")
    }


class TooManyAttempts(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "throttled"

    def __init__(self, wait: float) -> None:
        self.wait = max(1, math.ceil(wait))  # the exception handler sends it as Retry-After
        super().__init__(detail=_retry_message(self.wait), code=self.default_code)


def refused(request: HttpRequest, wait: float) -> HttpResponse:
    """A refused sign-in: the API's error shape under /api/, else the sign-in page saying
    until when; 429 with Retry-After either way."""
    seconds = max(1, math.ceil(wait))
    message = _retry_message(seconds)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(error_body("throttled", message), status=429)
    else:
        form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
        context = {"form": form, "refusal": message}
        response = render(request, "registration/login.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """django-axes' AXES_LOCKOUT_CALLABLE. Every attempt during a lockout, refused too, starts
    the cool-off again (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so it ends exactly one
    cool-off after this one."""
    return refused(request, settings.AXES_COOLOFF_TIME.total_seconds())


class LoginRateThrottle(SimpleRateThrottle):
    """Sign-in requests per client address, counted in the shared cache (the `login` rate)."""

    scope = "login"

    def get_rate(self) -> str | None:
        # Read now, not when Django REST framework's settings were first loaded.
        return cast(str | None, api_settings.DEFAULT_THROTTLE_RATES[self.scope])

    def get_ident(self, request: Any) -> str:
        return client_address(request)

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def login_rate_limited(get_response: Callable[[HttpRequest], HttpResponse]) -> Any:
    """Middleware: the sign-in pages' POSTs count against the same per-address rate as the
    API's token (LoginRateThrottle), before anything reads the form."""
    paths: set[str] = set()

    def middleware(request: HttpRequest) -> HttpResponse:
        if not paths:
            paths.update({reverse("login"), reverse("admin:login")})
        if request.method == "POST" and request.path_info in paths:
            throttle = LoginRateThrottle()
            if not throttle.allow_request(cast(Any, request), cast(Any, None)):  # no DRF view
                return refused(request, throttle.wait() or 60)
        return get_response(request)

    return middleware
