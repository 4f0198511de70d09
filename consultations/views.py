"""The officials' page of the Office for Good Governance: every institution's consultations and
the on-time rate of their clocks (menu "Consultations"; 404 for anyone outside the office)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application
from viewflow.workflow.fields import get_flow_ref

from workflows.flows import FLOWS
from workflows.selectors import processes_visible

from . import selectors
from .models import Consultation

LISTED = 200


def oversight_page(request: HttpRequest) -> HttpResponse:
    if not selectors.is_good_governance(request.user):
        raise Http404
    now = timezone.now()
    rows = selectors.oversight(user=request.user, now=now)
    for row in rows:
        rate = row["on_time_rate"]
        row["percent"] = None if rate is None else round(100 * rate, 1)
    processes = (
        processes_visible(user=request.user)
        .filter(flow_class=get_flow_ref(FLOWS[selectors.PROCESS_TYPE]))
        .order_by("-created", "-pk")[:LISTED]
    )
    opened = {
        consultation.pk: consultation
        for consultation in Consultation.objects.filter(pk__in=[p.pk for p in processes])
    }
    listed = [
        {"process": process, "consultation": opened.get(process.pk), "now": now}
        for process in processes
    ]
    return render(
        request,
        "consultations/oversight.html",
        {"rows": rows, "consultations": listed, "now": now},
    )


class ConsultationsApplication(Application):
    app_name = "consultations"
    title = _("Consultations")
    icon = "forum"
    menu_template_name = None  # pages, no viewsets

    urlpatterns = [path("", oversight_page, name="index")]
