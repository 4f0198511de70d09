"""Officials' pages (menu "Coordination"): the coordination requests one sent or received, the
sender's tracker (who answered, who is late, the answers side by side; remind, close, CSV and a
printable page) — a recipient sees its own part only — and the communication plans."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from viewflow.urls import Application

from config.errors import Conflict
from workflows.views import PROCESS_STATUS_LABEL

from . import plans, services
from .api import tracker_csv
from .models import Progress
from .selectors import (
    access_plan_by_id,
    access_request_by_id,
    activities_late,
    plans_visible,
    plans_with_figures,
    requests_visible,
    tracker,
)

PAGE_SIZE = 25


def _errors(error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [
            f"{field}: {message}" if field != "__all__" else message
            for field, items in error.message_dict.items()
            for message in items
        ]
    return list(error.messages)


@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    requests = requests_visible(user=request.user).order_by("-created", "-pk")
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {"process": process, "status": PROCESS_STATUS_LABEL.get(process.status, process.status)}
        for process in page
    ]
    return render(
        request, "coordination/request_list.html", {"page": page, "page_obj": page, "rows": rows}
    )


@require_GET
def request_tracker(request: HttpRequest, pk: int) -> HttpResponse:
    process = access_request_by_id(pk, request.user)
    return render(
        request,
        "coordination/tracker.html",
        {"process": process, "tracker": tracker(process=process, user=request.user)},
    )


@require_GET
def request_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The tracker as a page to print: no menu, the answers in full."""
    process = access_request_by_id(pk, request.user)
    return render(
        request,
        "coordination/tracker_print.html",
        {"process": process, "tracker": tracker(process=process, user=request.user)},
    )


@require_GET
def request_export(request: HttpRequest, pk: int) -> HttpResponse:
    process = access_request_by_id(pk, request.user)
    response = HttpResponse(
        tracker_csv(process, request.user), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="coordination-{process.pk}.csv"'
    return response


@require_POST
def request_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The sender's buttons: remind the late ones, or close the request."""
    process = access_request_by_id(pk, request.user)
    back = HttpResponseRedirect(reverse("coordination:tracker", args=[process.pk]))
    try:
        if action == "remind":
            codes = [code for code in request.POST.getlist("institution") if code][:200]
            services.coordination_request_remind(
                actor=request.user,  # type: ignore[arg-type]
                process=process,
                institutions=codes or None,
            )
            messages.success(request, gettext("The reminders were sent."))
        else:
            services.coordination_request_close(
                actor=request.user,  # type: ignore[arg-type]
                process=process,
            )
            messages.success(request, gettext("The request is closed."))
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
    except (Conflict, PermissionDenied) as error:
        messages.error(request, str(error))
    return back


# --- Communication plans ---------------------------------------------------------------------


class PlanForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=500, required=False)


class ActivityForm(forms.Form):
    goal = forms.CharField(label=_("Goal"), max_length=1000)
    activity = forms.CharField(label=_("Activity"), max_length=2000)
    due_on = forms.DateField(
        label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    responsible_unit = forms.CharField(
        label=_("Responsible unit (code)"), max_length=64, required=False
    )
    budget = forms.DecimalField(
        label=_("Budget (EUR)"), max_digits=12, decimal_places=2, min_value=0, required=False
    )


class ProgressForm(forms.Form):
    progress = forms.ChoiceField(label=_("Progress"), choices=Progress.choices)
    progress_note = forms.CharField(label=_("Note"), max_length=2000, required=False)


@require_http_methods(["GET", "POST"])
def plan_list(request: HttpRequest) -> HttpResponse:
    form = PlanForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            plan = plans.plan_create(
                actor=request.user,  # type: ignore[arg-type]
                year=form.cleaned_data["year"],
                title=form.cleaned_data["title"],
            )
            return HttpResponseRedirect(reverse("coordination:plan", args=[plan.pk]))
        except ValidationError as error:
            for message in _errors(error):
                form.add_error(None, message)
        except (Conflict, PermissionDenied) as error:
            form.add_error(None, str(error))
    today = timezone.localdate()
    visible = plans_visible(user=request.user)
    rows = plans_with_figures(visible, today).order_by("-year", "institution__code")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "coordination/plan_list.html",
        {
            "page": page,
            "page_obj": page,
            "form": form,
            "late": list(activities_late(plans=visible, today=today)[:100]),
            "today": today,
        },
    )


def _refused(request: HttpRequest, form: forms.Form, message: str) -> None:
    """On the new activity's form when it was sent, else as a message."""
    if form.is_bound:
        form.add_error(None, message)
    else:
        messages.error(request, message)


@require_http_methods(["GET", "POST"])
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access_plan_by_id(pk, request.user)
    form = ActivityForm(request.POST if "add" in request.POST else None)
    if request.method == "POST":
        try:
            if "add" in request.POST:
                if form.is_valid():
                    plans.activity_add(
                        actor=request.user,  # type: ignore[arg-type]
                        plan=plan,
                        fields=dict(form.cleaned_data),
                    )
                    return HttpResponseRedirect(reverse("coordination:plan", args=[plan.pk]))
            else:
                progress = ProgressForm(request.POST)
                activity = plans.access_activity(
                    plan=plan, activity_id=request.POST.get("activity")
                )
                if progress.is_valid():
                    plans.activity_update(
                        actor=request.user,  # type: ignore[arg-type]
                        activity=activity,
                        fields=dict(progress.cleaned_data),
                    )
                    messages.success(request, gettext("The progress is recorded."))
                    return HttpResponseRedirect(reverse("coordination:plan", args=[plan.pk]))
                messages.error(request, gettext("Choose a progress."))
        except ValidationError as error:
            for message in _errors(error):
                _refused(request, form, message)
        except PermissionDenied as error:
            _refused(request, form, str(error))
    today = timezone.localdate()
    activities = plan.activities.select_related("responsible_unit").order_by("due_on", "pk")
    rows: list[dict[str, Any]] = [
        {
            "activity": activity,
            "late": activity.progress in ("planned", "in_progress") and activity.due_on < today,
        }
        for activity in activities
    ]
    return render(
        request,
        "coordination/plan_detail.html",
        {
            "plan": plan,
            "rows": rows,
            "form": form,
            "progress_choices": Progress.choices,
        },
    )


class CoordinationApplication(Application):
    app_name = "coordination"
    title = _("Coordination")
    icon = "hub"
    menu_template_name = None  # pages, no viewsets

    urlpatterns = [
        path("", request_list, name="index"),
        path("requests/<int:pk>/", request_tracker, name="tracker"),
        path("requests/<int:pk>/print/", request_print, name="print"),
        path("requests/<int:pk>/export.csv", request_export, name="export"),
        path(
            "requests/<int:pk>/remind/",
            request_action,
            {"action": "remind"},
            name="remind",
        ),
        path("requests/<int:pk>/close/", request_action, {"action": "close"}, name="close"),
        path("plans/", plan_list, name="plans"),
        path("plans/<int:pk>/", plan_detail, name="plan"),
    ]
