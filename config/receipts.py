"""The tracking code shown once, on a receipt: what the processes that give the public a
tracking code (access requests, complaints) share, whether the person submits on the portal
or an official registers what they brought on paper, orally, by e-mail or by phone.

The code never travels in an address: the page that registers keeps it in the session and
redirects; the receipt page takes it out (`receipt_taken`) and shows it with `no-store`, so a
reload or the back button shows no code. Each app says only what differs: its texts, the lines
of its receipt, where the links lead, and what a visit without a receipt gets."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from .forms import errors_shown


@dataclass(frozen=True)
class Line:
    """A line of the receipt after the tracking code and the registration number. A date or a
    time is written in the reader's `date_format` (Django's `DATE_FORMAT`, `DATETIME_FORMAT`),
    a dash when there is none; `name` is the value's element id (for scripts and tests)."""

    label: Any
    value: Any
    date_format: str = ""
    name: str = ""


@dataclass(frozen=True)
class Link:
    url: str
    label: Any


@dataclass(frozen=True)
class Receipt:
    """A receipt page: the code and the book's number, the app's lines, its heading, the
    warning that the code is shown only once, and where to go next."""

    tracking_code: str
    registration_number: str
    lines: Sequence[Line]
    heading: Any
    notice: Any
    links: Sequence[Link] = ()
    title: Any = ""  # the browser's title; "Receipt" when empty


def receipt_keep(request: HttpRequest, key: str, *, tracking_code: str, record_id: int) -> None:
    """Kept in the session under the app's key until its receipt page takes it."""
    request.session[key] = {"tracking_code": tracking_code, "id": record_id}


def receipt_taken(request: HttpRequest, key: str) -> tuple[str, int] | None:
    """(tracking code, record id), once: the next visit finds nothing."""
    kept = request.session.pop(key, None)
    try:
        return str(kept["tracking_code"]), int(kept["id"])
    except (TypeError, KeyError, ValueError):
        return None


def receipt_page(request: HttpRequest, receipt: Receipt, *, portal: bool) -> HttpResponse:
    """The receipt in the portal's frame (`portal`) or the officials'; never cached."""
    template = "portal/receipt.html" if portal else "ui/receipt.html"
    response = render(request, template, {"receipt": receipt})
    response["Cache-Control"] = "no-store"
    return response


def register_page(
    request: HttpRequest,
    *,
    form: forms.Form,
    register: Callable[[dict[str, Any]], tuple[str, int]],
    receipt_key: str,
    receipt_url: str,
    title: Any,
    intro: Any,
    form_id: str,
) -> HttpResponse:
    """An official registers on someone's behalf: `register` (the app's service, given the
    form's cleaned data) answers (tracking code, record id), kept for the receipt page at
    `receipt_url`; a refusal shows on the form again (400)."""
    if request.method == "POST" and form.is_valid():
        try:
            tracking_code, record_id = register(form.cleaned_data)
        except ValidationError as error:
            errors_shown(error, form)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            receipt_keep(request, receipt_key, tracking_code=tracking_code, record_id=record_id)
            return HttpResponseRedirect(receipt_url)
    return render(
        request,
        "ui/register.html",
        {"form": form, "title": title, "intro": intro, "form_id": form_id},
        status=400 if request.method == "POST" else 200,
    )
