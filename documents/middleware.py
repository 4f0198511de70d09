"""A request body larger than any upload may be is refused from its announced length, before
anything reads it: on every path, the API's and the pages' alike (Django's CSRF check reads a
page's form, files and all, before the view could look at the length itself)."""

import contextlib
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme

from config.api import error_body

from . import intake

# What the other fields of an upload form (title, kind, the CSRF token) may add to the file.
FORM_FIELDS_ALLOWANCE = 2**20


def announced_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def body_too_large(request: HttpRequest) -> bool:
    return announced_length(request) > settings.DOCUMENT_MAX_UPLOAD_SIZE + FORM_FIELDS_ALLOWANCE


def upload_length_refused(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    def middleware(request: HttpRequest) -> HttpResponse:
        if not body_too_large(request):
            return get_response(request)
        refusal = intake.too_large()
        if request.path.startswith("/api/"):
            return JsonResponse(error_body(refusal.code, refusal.message), status=refusal.status)
        # The page is drawn in the site's frame, which the resolved view names.
        with contextlib.suppress(Resolver404):
            request.resolver_match = resolve(request.path_info)
        referer = request.META.get("HTTP_REFERER", "")
        back = (
            referer
            if url_has_allowed_host_and_scheme(
                referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            )
            else "/"
        )
        context = {"message": refusal.message, "back": back}
        return render(request, "documents/upload_too_large.html", context, status=refusal.status)

    return middleware
