"""The public portal's pages for access requests (no account): ask, the receipt shown once,
and following a request with its tracking code — the decision, the released documents, the
complaint to AIP. They call the same services and selectors as the public API.

The tracking code never travels in an address: it is typed into a form, and the browser's
session remembers it for the downloads and the complaint of that visit.

And the officials' page (menu "Access requests", `AccessRequestsApplication`): the information
officer registers a request received on paper, orally or by e-mail, as `POST
/api/processes/access-request/` does, and hands the requester the receipt with the tracking
code, shown once. The request is then handled on the process and task pages like every other;
the requester's details show on its process page to the deciding institution only
(`flows.AccessRequestFlow.process_page_shown`)."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from viewflow.urls import Application

from config.errors import Conflict, NotFound
from config.forms import DATE, errors_shown
from config.public import (
    TRACKING_CODE_MAX_LENGTH,
    PublicReadThrottle,
    PublicSubmitThrottle,
    page_refused_for,
)
from config.receipts import (
    Line,
    Link,
    Receipt,
    receipt_keep,
    receipt_page,
    receipt_taken,
    register_page,
)
from documents.api import version_download
from roles.models import Institution
from workflows.flows import FLOWS
from workflows.selectors import processes_visible
from workflows.services import starting_institution

from . import selectors, services
from .models import AccessRequest, AccessRequestProcess, Channel, Format

SESSION_RECEIPT = "access_request_receipt"
SESSION_CODE = "access_request_code"


def institution_name(institution: Institution) -> str:
    names = institution.names
    language = (get_language() or "sq").lower()
    if language.startswith("sr"):
        name = names.get("sr") or institution.code
        if language == "sr":
            from config.text import latin_to_cyrillic

            return latin_to_cyrillic(name)
        return name
    return names.get(language[:2]) or names.get("sq") or institution.code


def _throttled(request: HttpRequest, throttle_class: Any) -> HttpResponse | None:
    wait = page_refused_for(request, throttle_class)
    if wait is None:
        return None
    response = render(request, "access_requests/portal/throttled.html", status=429)
    response["Retry-After"] = str(int(wait) + 1)
    return response


class RequestFields(forms.Form):
    """What a request says, asked of the requester on the portal; an official registering one
    received on paper, orally or by e-mail fills in the same (`OfficialRequestForm`)."""

    description = forms.CharField(
        label=_("Which documents do you ask for?"),
        help_text=_("Describe them as well as you can. You do not have to give a reason."),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=services.DESCRIPTION_LENGTH,
    )
    requester_name = forms.CharField(label=_("Your name"), max_length=services.NAME_LENGTH)
    email = forms.EmailField(label=_("E-mail"), required=False, max_length=254)
    postal_address = forms.CharField(
        label=_("Postal address"),
        required=False,
        max_length=services.ADDRESS_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Give an e-mail or a postal address for the answer."),
    )
    format = forms.ChoiceField(
        label=_("How do you want the documents?"),
        choices=Format.choices,
        initial=Format.ELECTRONIC,
    )
    urgent = forms.BooleanField(
        label=_("Urgent: it concerns someone's life or liberty"), required=False
    )
    urgent_reason = forms.CharField(
        label=_("Why is it urgent?"),
        required=False,
        max_length=services.REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RequestForm(RequestFields):
    institution = forms.ChoiceField(label=_("Institution"))

    field_order = ["institution"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        institution_field = self.fields["institution"]
        assert isinstance(institution_field, forms.ChoiceField)
        institution_field.choices = [
            ("", "—"),
            *(
                (institution.code, institution_name(institution))
                for institution in Institution.objects.order_by("code")
            ),
        ]


@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    form = RequestForm(request.POST or None)
    if request.method == "POST":
        refused = _throttled(request, PublicSubmitThrottle)
        if refused is not None:
            return refused
        if form.is_valid():
            fields = dict(form.cleaned_data)
            institution = Institution.objects.get(code=fields.pop("institution"))
            try:
                registered = services.access_request_register(
                    actor=None, institution=institution, **fields
                )
            except ValidationError as error:
                errors_shown(error, form)
            else:
                receipt_keep(
                    request,
                    SESSION_RECEIPT,
                    tracking_code=registered.tracking_code,
                    record_id=registered.request.process_id,
                )
                request.session[SESSION_CODE] = registered.tracking_code
                return HttpResponseRedirect(reverse("portal:access-request-receipt"))
    return render(
        request,
        "access_requests/portal/new.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


def _receipt_lines(record: AccessRequest) -> list[Line]:
    """What the receipt says besides the code and the number, on the portal and the officials'."""
    return [
        Line(_("Institution"), institution_name(record.institution)),
        Line(_("Submitted"), record.submitted_at, "DATETIME_FORMAT"),
        Line(_("Decision due by"), selectors.request_due_at(record), "DATETIME_FORMAT", "due-date"),
    ]


def _registered(process_id: int, *, user: Any = None) -> AccessRequest | None:
    """The request just registered; for an official, only one they may see."""
    found = AccessRequest.objects.select_related("registration", "institution").filter(
        process_id=process_id
    )
    if user is not None:
        found = found.filter(process__in=processes_visible(user=user).values("pk"))
    return found.first()


@require_http_methods(["GET"])
def request_receipt(request: HttpRequest) -> HttpResponse:
    """The receipt, once: reloading the page afterwards shows no code."""
    kept = receipt_taken(request, SESSION_RECEIPT)
    record = _registered(kept[1]) if kept else None
    if kept is None or record is None:
        return render(request, "access_requests/portal/receipt_gone.html", status=404)
    receipt = Receipt(
        tracking_code=kept[0],
        registration_number=record.registration.registration_number,
        lines=_receipt_lines(record),
        heading=_("Your request is registered"),
        notice=_(
            "Write down or print your tracking code now: it is shown only once, and it is the "
            "only way to follow your request."
        ),
        links=[Link(reverse("portal:access-request-track"), _("Follow the request"))],
    )
    return receipt_page(request, receipt, portal=True)


class TrackForm(forms.Form):
    tracking_code = forms.CharField(
        label=_("Tracking code"), max_length=TRACKING_CODE_MAX_LENGTH, strip=True
    )


class ComplaintForm(forms.Form):
    text = forms.CharField(
        label=_("Your complaint to the Information and Privacy Agency"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=services.COMPLAINT_LENGTH,
    )


def _tracked(request: HttpRequest, code: str) -> dict[str, Any] | None:
    try:
        record = services.access_request_by_code(code)
    except NotFound:
        return None
    view = selectors.public_view(record)
    holder = Institution.objects.filter(code=view["institution"]["code"]).first()
    view["institution_name"] = institution_name(holder) if holder else ""
    view["complaint_allowed"] = selectors.complaint_allowed(view, timezone.now())
    return view


@require_http_methods(["GET", "POST"])
def request_track(request: HttpRequest) -> HttpResponse:
    """Type the code (POST `tracking_code`), or come back within the visit (the session's)."""
    refused = _throttled(request, PublicReadThrottle)
    if refused is not None:
        return refused
    form = TrackForm(request.POST if "tracking_code" in request.POST else None)
    complaint_form = ComplaintForm()
    code = request.session.get(SESSION_CODE)
    status = 200
    if form.is_bound:
        code = form.cleaned_data["tracking_code"] if form.is_valid() else None
        if code is None or _tracked(request, code) is None:
            request.session.pop(SESSION_CODE, None)
            form.add_error("tracking_code", _("No request has this tracking code."))
            return render(request, "access_requests/portal/track.html", {"form": form}, status=404)
        request.session[SESSION_CODE] = code
    elif request.method == "POST" and code:  # the complaint form
        complaint_form = ComplaintForm(request.POST)
        refused = _throttled(request, PublicSubmitThrottle)
        if refused is not None:
            return refused
        if complaint_form.is_valid():
            try:
                services.access_request_complain(
                    tracking_code=code, text=complaint_form.cleaned_data["text"]
                )
            except ValidationError as error:
                errors_shown(error, complaint_form)
                status = 400
            except (Conflict, NotFound) as refusal:
                complaint_form.add_error(None, str(refusal))
                status = 409
            else:
                return HttpResponseRedirect(reverse("portal:access-request-track"))
        else:
            status = 400
    view = _tracked(request, code) if code else None
    if view is None:
        request.session.pop(SESSION_CODE, None)
    response = render(
        request,
        "access_requests/portal/track.html",
        {
            "form": TrackForm() if view else form,
            "request_view": view,
            "complaint_form": complaint_form,
        },
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET"])
def request_document(request: HttpRequest, document_id: int) -> FileResponse:
    refused = _throttled(request, PublicReadThrottle)
    if refused is not None:
        return refused  # type: ignore[return-value]
    code = request.session.get(SESSION_CODE)
    if not code:
        raise Http404
    try:
        record = services.access_request_by_code(code)
        version = selectors.released_version(record, document_id)
    except NotFound as missing:
        raise Http404 from missing
    return version_download(version)


# --- Officials: a request received on paper, orally or by e-mail ---------------------------

OFFICIAL_RECEIPT = "access_request_official_receipt"


def _label(model: Any, name: str) -> str:
    return capfirst(model._meta.get_field(name).verbose_name)


class OfficialRequestForm(RequestFields):
    """How and when the request came, then what it says: the requester's own fields, labelled
    for the official who writes them down."""

    channel = forms.ChoiceField(
        choices=[(value, label) for value, label in Channel.choices if value != Channel.PORTAL],
        initial=Channel.PAPER,
    )
    received_on = forms.DateField(widget=DATE, initial=timezone.localdate)

    field_order = ["channel", "received_on"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("channel", "received_on", "description", "format", "urgent"):
            self.fields[name].label = _label(AccessRequestProcess, name)
        for name in ("requester_name", "email", "postal_address"):
            self.fields[name].label = _label(AccessRequest, name)
        self.fields["description"].help_text = ""
        self.fields["urgent_reason"].label = _label(AccessRequestProcess, "urgent_reason")


def _registering_institution(request: HttpRequest) -> Institution:
    """Where the user registers requests (a role that starts the flow there), else 404."""
    institution = starting_institution(flow_class=FLOWS["access_request"], person=request.user)
    if institution is None:
        raise Http404
    return institution


@require_http_methods(["GET", "POST"])
def official_register(request: HttpRequest) -> HttpResponse:
    institution = _registering_institution(request)

    def register(fields: dict[str, Any]) -> tuple[str, int]:
        registered = services.access_request_register(
            actor=request.user,  # type: ignore[arg-type]
            institution=institution,
            **fields,
        )
        return registered.tracking_code, registered.request.process_id

    return register_page(
        request,
        form=OfficialRequestForm(request.POST or None),
        register=register,
        receipt_key=OFFICIAL_RECEIPT,
        receipt_url=reverse("access_requests:receipt"),
        title=_("Register a request for public documents"),
        intro=gettext(
            "A request received on paper, orally or by e-mail is registered in the book of "
            "%(institution)s at once. Hand the receipt with the tracking code to the "
            "requester: it is shown only once."
        )
        % {"institution": institution},
        form_id="access-request-register",
    )


@require_http_methods(["GET"])
def official_receipt(request: HttpRequest) -> HttpResponse:
    """The receipt to print for the requester, once; afterwards the registration page."""
    kept = receipt_taken(request, OFFICIAL_RECEIPT)
    if kept is None:
        return HttpResponseRedirect(reverse("access_requests:index"))
    record = _registered(kept[1], user=request.user)
    if record is None:
        raise Http404
    receipt = Receipt(
        tracking_code=kept[0],
        registration_number=record.registration.registration_number,
        lines=_receipt_lines(record),
        heading=_("The request is registered"),
        notice=_(
            "Hand the tracking code to the requester now, on the printed receipt: it is shown "
            "only once."
        ),
        links=[
            Link(reverse("work:process", args=[record.process_id]), _("Open the request")),
            Link(reverse("access_requests:index"), _("Register another request")),
        ],
    )
    return receipt_page(request, receipt, portal=False)


class AccessRequestsApplication(Application):
    app_name = "access_requests"
    title = _("Access requests")
    icon = "folder_open"
    menu_template_name = None  # pages, no viewsets

    urlpatterns = [
        path("", official_register, name="index"),
        path("receipt/", official_receipt, name="receipt"),
    ]

    def has_view_permission(self, user: Any, obj: Any = None) -> bool:
        """In the menu of those who register requests (information officers)."""
        return (
            user.is_authenticated
            and starting_institution(flow_class=FLOWS["access_request"], person=user) is not None
        )

    def _get_resolver_extra(self) -> dict[str, Any]:
        # viewflow's middleware would answer 403 for whom `has_view_permission` is false; the
        # pages answer 404 themselves (what a person may not do does not exist for them).
        return {"viewset": self}
