"""Pages: the portal's (submit a complaint, its receipt once, track it by code; no account)
and the officials': their municipality's statistics, as bar charts, and the one-stop shop's
registration of a walk-in or a phone complaint (as `POST /api/processes/complaint/`), with the
receipt to hand over once. The complainant's contact shows on the complaint's process page to
the municipality's own officials only (`flows.ComplaintFlow.process_page_shown`)."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from viewflow.urls import Application

from config.errors import NotFound
from config.forms import errors_shown
from config.public import TRACKING_CODE_MAX_LENGTH, PublicReadThrottle, PublicSubmitThrottle
from config.receipts import (
    Line,
    Link,
    Receipt,
    receipt_keep,
    receipt_page,
    receipt_taken,
    register_page,
)
from config.text import latin_to_cyrillic
from roles.models import Institution
from roles.selectors import memberships_active, user_is_auditor
from workflows.flows import FLOWS
from workflows.selectors import processes_visible
from workflows.services import starting_institution

from . import services
from .models import Channel, Complaint, ComplaintContact, Status
from .selectors import (
    complaint_by_tracking_code,
    complaint_statistics,
    municipality_by_code,
    public_view,
    top_problems,
    topics_of,
)

RECEIPT_SESSION_KEY = "complaint_receipt"


def _throttled(request: HttpRequest, throttle_class: Any) -> bool:
    """The API's per-address limits on the pages too (the same cache keys and rates)."""
    throttle = throttle_class()
    return not throttle.allow_request(request, None)  # type: ignore[arg-type]


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "complaints/portal_busy.html", status=429)


class ComplaintFields(forms.Form):
    """What a complaint says, asked of the citizen on the portal; the one-stop shop registering
    a walk-in or a phone call fills in the same (`OfficialComplaintForm`)."""

    topic = forms.ChoiceField(label=_("Topic"))
    text = forms.CharField(
        label=_("What is the problem?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=services.TEXT_MAX_LENGTH,
    )
    location = forms.CharField(
        label=_("Where is it? (street, village)"),
        max_length=services.LOCATION_MAX_LENGTH,
        required=False,
    )
    name = forms.CharField(
        label=_("Your name"), max_length=services.NAME_MAX_LENGTH, required=False
    )
    email = forms.EmailField(
        label=_("E-mail (to receive the answer)"), max_length=254, required=False
    )
    phone = forms.CharField(label=_("Phone"), max_length=services.PHONE_MAX_LENGTH, required=False)

    def topics_for(self, institution: Institution | None) -> None:
        """The topic's choices: the municipality's topics."""
        choices: Any = self.fields["topic"]
        topics = topics_of(institution) if institution else []
        choices.choices = [("", "—")] + [(topic.code, topic.name_in()) for topic in topics]


class ComplaintForm(ComplaintFields):
    institution = forms.ChoiceField(label=_("Municipality"))

    field_order = ["institution"]

    def __init__(self, *args: Any, municipalities: list[Institution], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        institutions: Any = self.fields["institution"]
        institutions.choices = [("", "—")] + [
            (institution.code, institution.name_in()) for institution in municipalities
        ]
        code = self.data.get("institution") or self.initial.get("institution")
        self.topics_for(municipality_by_code(code) if code else None)


@require_http_methods(["GET", "POST"])
def complaint_submit_page(request: HttpRequest) -> HttpResponse:
    municipalities = list(
        Institution.objects.filter(kind=Institution.Kind.MUNICIPALITY).order_by("code")
    )
    initial = {"institution": request.GET.get("institution", "")[:32]}
    choosing = request.method == "POST" and "choose" in request.POST
    if choosing:
        # Choosing the municipality first (works without script): its topics follow, and
        # what was typed stays, unchecked until it is sent.
        initial = {
            name: str(request.POST.get(name, ""))[:5000] for name in ComplaintForm.base_fields
        }
    elif request.method == "POST" and _throttled(request, PublicSubmitThrottle):
        return _too_many(request)
    form = ComplaintForm(
        request.POST if request.method == "POST" and not choosing else None,
        municipalities=municipalities,
        initial=initial,
    )
    if request.method == "POST" and not choosing and form.is_valid():
        data = form.cleaned_data
        try:
            complaint, code = services.complaint_register(
                actor=None,
                institution=municipality_by_code(data["institution"]),
                topic=data["topic"],
                text=data["text"],
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                location=data["location"],
                language=translation.get_language() or "",
            )
        except ValidationError as error:
            errors_shown(error, form)
        else:
            receipt_keep(request, RECEIPT_SESSION_KEY, tracking_code=code, record_id=complaint.pk)
            return redirect("portal:complaint-receipt")
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "complaints/portal_submit.html", {"form": form}, status=status)


def _receipt_lines(complaint: Complaint) -> list[Line]:
    """What the receipt says besides the code and the number, on the portal and the officials'."""
    return [
        Line(_("Municipality"), complaint.institution.name_in()),
        Line(_("Topic"), complaint.topic.name_in()),
        Line(_("Registered on"), complaint.submitted_at, "DATETIME_FORMAT"),
        Line(_("Answer due by"), complaint.due_at, "DATE_FORMAT", "due-date"),
    ]


def _registered(complaint_id: int, *, user: Any = None) -> Complaint | None:
    """The complaint just registered; for an official, only one they may see."""
    found = Complaint.objects.select_related("institution", "topic").filter(pk=complaint_id)
    if user is not None:
        found = found.filter(process__in=processes_visible(user=user).values("pk"))
    return found.first()


def complaint_receipt_page(request: HttpRequest) -> HttpResponse:
    kept = receipt_taken(request, RECEIPT_SESSION_KEY)
    if kept is None:
        return redirect("portal:complaint-track")
    code, complaint_id = kept
    complaint = _registered(complaint_id)
    if complaint is None:
        raise Http404
    receipt = Receipt(
        tracking_code=code,
        registration_number=complaint.registration_number,
        lines=_receipt_lines(complaint),
        title=_("Complaint received"),
        heading=_("Your complaint has been registered"),
        notice=_(
            "Write down or print your tracking code now: it is shown only this once, and it is "
            "the only way to follow your complaint."
        ),
        links=[
            Link(f"{reverse('portal:complaint-track')}?{urlencode({'code': code})}", _("Track it"))
        ],
    )
    return receipt_page(request, receipt, portal=True)


def complaint_track_page(request: HttpRequest) -> HttpResponse:
    code = (request.GET.get("code") or "").strip()
    context: dict[str, Any] = {"code": code[:TRACKING_CODE_MAX_LENGTH]}
    if not code:
        return render(request, "complaints/portal_track.html", context)
    if _throttled(request, PublicReadThrottle):
        return _too_many(request)
    try:
        complaint = complaint_by_tracking_code(code)
    except NotFound:
        context["not_found"] = True
        return render(request, "complaints/portal_track.html", context, status=404)
    view = public_view(complaint)
    context.update(
        {
            "complaint": complaint,
            "view": view,
            "status_label": Status(view["status"]).label,
        }
    )
    response = render(request, "complaints/portal_track.html", context)
    response["Cache-Control"] = "no-store"
    return response


# --- Officials: the municipality's statistics ---------------------------------------------


def _bars(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    largest = max((row[key] for row in rows), default=0) or 1
    for row in rows:
        row["percent"] = round(100 * row[key] / largest, 1)
    return rows


def _institutions_of(request: HttpRequest) -> list[Institution]:
    if user_is_auditor(user=request.user):
        return list(Institution.objects.filter(kind=Institution.Kind.MUNICIPALITY))
    ids = memberships_active(user=request.user).values("institution_id")
    return list(
        Institution.objects.filter(pk__in=ids, kind=Institution.Kind.MUNICIPALITY).order_by("code")
    )


def complaint_dashboard(request: HttpRequest) -> HttpResponse:
    municipalities = _institutions_of(request)
    if not municipalities:
        raise Http404
    asked = request.GET.get("institution")
    institution = next((m for m in municipalities if m.code == asked), municipalities[0])
    figures = complaint_statistics(user=request.user, institution=institution)
    language = translation.get_language() or "sq"
    name_key = "en" if language.startswith("en") else ("sr" if language.startswith("sr") else "sq")
    for row in figures["by_topic"] + figures["by_unit"]:
        names = row.get("names") or {}
        row["name"] = names.get(name_key) or row.get("topic") or row.get("unit") or ""
        if language == "sr":
            row["name"] = latin_to_cyrillic(row["name"])
    return render(
        request,
        "complaints/dashboard.html",
        {
            "institution": institution,
            "municipalities": municipalities,
            "figures": figures,
            "by_topic": _bars(figures["by_topic"], "reports"),
            "by_unit": _bars(figures["by_unit"], "problems"),
            "by_month": _bars(figures["by_month"], "reports"),
            "top_problems": top_problems(user=request.user, institution=institution),
            "now": timezone.now(),
            "may_register": starting_institution(flow_class=FLOWS["complaint"], person=request.user)
            is not None,
        },
    )


# --- Officials: the one-stop shop registers a walk-in or a phone complaint ------------------

OFFICIAL_RECEIPT = "complaint_official_receipt"


class OfficialComplaintForm(ComplaintFields):
    """How the complaint came, then what the citizen says (a contact only when they give one),
    labelled for the official who writes it down."""

    channel = forms.ChoiceField(
        label=capfirst(Complaint._meta.get_field("channel").verbose_name),
        choices=[(Channel.WALK_IN, Channel.WALK_IN.label), (Channel.PHONE, Channel.PHONE.label)],
    )

    field_order = ["channel"]

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.topics_for(institution)
        for field in ComplaintContact._meta.concrete_fields:
            if field.name in ("name", "email", "phone"):
                self.fields[field.name].label = capfirst(field.verbose_name)


def _registering_municipality(request: HttpRequest) -> Institution:
    """Where the user registers complaints (the one-stop shop's role there), else 404."""
    institution = starting_institution(flow_class=FLOWS["complaint"], person=request.user)
    if institution is None:
        raise Http404
    return institution


@require_http_methods(["GET", "POST"])
def complaint_register_page(request: HttpRequest) -> HttpResponse:
    institution = _registering_municipality(request)

    def register(fields: dict[str, Any]) -> tuple[str, int]:
        complaint, code = services.complaint_register(
            actor=request.user,  # type: ignore[arg-type]
            institution=institution,
            language=translation.get_language() or "",
            **fields,
        )
        return code, complaint.pk

    return register_page(
        request,
        form=OfficialComplaintForm(request.POST or None, institution=institution),
        register=register,
        receipt_key=OFFICIAL_RECEIPT,
        receipt_url=reverse("complaints:receipt"),
        title=_("Register a complaint"),
        intro=gettext(
            "A complaint brought to the one-stop shop or made by phone is registered in the "
            "book of %(institution)s at once. Hand the receipt with the tracking code to the "
            "citizen: it is shown only once."
        )
        % {"institution": institution.name_in()},
        form_id="complaint-register",
    )


@require_http_methods(["GET"])
def complaint_official_receipt(request: HttpRequest) -> HttpResponse:
    """The receipt to print for the citizen, once; afterwards the registration page."""
    kept = receipt_taken(request, OFFICIAL_RECEIPT)
    if kept is None:
        return redirect("complaints:register")
    code, complaint_id = kept
    complaint = _registered(complaint_id, user=request.user)
    if complaint is None:
        raise Http404
    receipt = Receipt(
        tracking_code=code,
        registration_number=complaint.registration_number,
        lines=_receipt_lines(complaint),
        heading=_("The complaint is registered"),
        notice=_(
            "Hand the tracking code to the citizen now, on the printed receipt: it is shown "
            "only once."
        ),
        links=[
            Link(reverse("work:process", args=[complaint.pk]), _("Open the complaint")),
            Link(reverse("complaints:register"), _("Register another complaint")),
        ],
    )
    return receipt_page(request, receipt, portal=False)


class ComplaintsApplication(Application):
    app_name = "complaints"
    title = _("Complaints")
    icon = "campaign"
    menu_template_name = None

    urlpatterns = [
        path("", complaint_dashboard, name="index"),
        path("register/", complaint_register_page, name="register"),
        path("receipt/", complaint_official_receipt, name="receipt"),
    ]
