"""The public's pages (under /portal/, no account): open and closed consultations, a draft with
its documents and the comment form, the published report. The same selectors and services as
the public API, so both refuse alike."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from config.errors import Conflict, NotFound
from config.public import PublicReadThrottle, PublicSubmitThrottle
from documents.api import version_download

from . import models, selectors, services
from .models import Capacity

PAGE_SIZE = 20
REPORT_PAGE_SIZE = 200


def _throttled(request: HttpRequest, throttle_class: type) -> HttpResponse | None:
    """The public API's limits per client address apply to the pages too."""
    throttle = throttle_class()
    if throttle.allow_request(request, None):
        return None
    response = render(
        request,
        "consultations/portal_message.html",
        {"message": gettext("Too many requests from your address. Try again later.")},
        status=429,
    )
    wait = throttle.wait()
    if wait:
        response["Retry-After"] = str(int(wait) + 1)
    return response


class CommentForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=models.NAME_MAX)
    capacity = forms.ChoiceField(
        label=_("You comment as"), choices=Capacity.choices, initial=Capacity.INDIVIDUAL
    )
    organisation = forms.CharField(
        label=_("Organisation, company or institution"),
        max_length=models.ORGANISATION_MAX,
        required=False,
        help_text=_("Name the organisation, company or institution you comment for."),
    )
    fields_of_action = forms.CharField(
        label=_("Its main fields of action"),
        max_length=models.FIELDS_OF_ACTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    email = forms.CharField(
        label=_("E-mail"),
        max_length=models.EMAIL_MAX,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(label=_("Phone"), max_length=models.PHONE_MAX, required=False)
    address = forms.CharField(label=_("Address"), max_length=models.ADDRESS_MAX, required=False)
    section = forms.CharField(
        label=_("Section commented on"),
        max_length=models.SECTION_MAX,
        required=False,
        help_text=_("For example: Article 5, or Chapter II."),
    )
    text = forms.CharField(
        label=_("Your comment"), max_length=models.TEXT_MAX, widget=forms.Textarea
    )


def consultation_list(request: HttpRequest) -> HttpResponse:
    refused = _throttled(request, PublicReadThrottle)
    if refused:
        return refused
    now = timezone.now()
    open_ones = selectors.consultations_public(now=now, status=selectors.OPEN)
    closed = Paginator(selectors.consultations_public(now=now, status=selectors.CLOSED), PAGE_SIZE)
    page = closed.get_page(request.GET.get("page"))
    return render(
        request,
        "consultations/portal_list.html",
        {"open": list(open_ones[:100]), "closed": page, "now": now},
    )


@require_http_methods(["GET", "POST"])
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    refused = _throttled(
        request, PublicSubmitThrottle if request.method == "POST" else PublicReadThrottle
    )
    if refused:
        return refused
    consultation = selectors.consultation_public(pk)
    now = timezone.now()
    is_open = selectors.status_of(consultation, now) == selectors.OPEN
    form = CommentForm(request.POST or None)
    receipt = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                receipt = services.comment_create(
                    consultation_id=consultation.pk,
                    values=form.cleaned_data,
                    language=translation.get_language() or "",
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages)
            except Conflict as conflict:
                form.add_error(None, str(conflict))
                status = 409
            else:
                status = 201
                form = CommentForm()
    return render(
        request,
        "consultations/portal_detail.html",
        {
            "consultation": consultation,
            "is_open": is_open,
            "form": form,
            "receipt": receipt,
            "documents": selectors.documents_published(consultation),
        },
        status=status,
    )


def consultation_report(request: HttpRequest, pk: int) -> HttpResponse:
    refused = _throttled(request, PublicReadThrottle)
    if refused:
        return refused
    consultation = selectors.report_public(pk)
    # No contact detail is even read.
    comments = Paginator(
        selectors.comments_of(consultation.pk).only(*selectors.PUBLIC_COMMENT_FIELDS),
        REPORT_PAGE_SIZE,
    )
    return render(
        request,
        "consultations/portal_report.html",
        {"consultation": consultation, "comments": comments.get_page(request.GET.get("page"))},
    )


def consultation_document(request: HttpRequest, pk: int, document_id: int) -> FileResponse:
    document = selectors.public_document(pk, document_id)
    version = document.versions.order_by("-number").first()
    if version is None:
        raise NotFound
    return version_download(version)
