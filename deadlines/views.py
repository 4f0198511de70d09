"""The monitoring page: the dashboards' figures as tables and bars, and what is overdue now."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application

from workflows.flows import process_type_name, process_types

from . import monitoring
from .models import State
from .selectors import JUDGED_STATES, dashboard, deadlines_visible, state_is

OVERDUE_LISTED = 50


def _bars(row: dict[str, Any]) -> list[dict[str, Any]]:
    """Each state's share of the row, in percent, for a stacked bar."""
    total = sum(row[state] for state in JUDGED_STATES) or 1
    return [
        {"state": state, "count": row[state], "percent": round(100 * row[state] / total, 1)}
        for state in JUDGED_STATES
        if row[state]
    ]


def deadline_dashboard(request: HttpRequest) -> HttpResponse:
    process_type = request.GET.get("type") or None
    if process_type not in process_types():
        process_type = None
    now = timezone.now()
    figures = dashboard(user=request.user, now=now, process_type=process_type)
    overdue = deadlines_visible(user=request.user, now=now).filter(state_is(State.OVERDUE, now))
    if process_type:
        overdue = overdue.filter(process_type=process_type)
    for row in figures["by_institution"]:
        row["bars"] = _bars(row)
        row["process_type_name"] = process_type_name(row["process_type"])
    # Institutions by name in the page's language (every on-time row's institution has a row
    # above, among all its deadlines).
    names = {row["institution"]: row["institution_name"] for row in figures["by_institution"]}
    for row in figures["on_time"]:
        row["percent"] = round(100 * row["on_time_rate"], 1)
        row["institution_name"] = names.get(row["institution"], "")
    return render(
        request,
        "deadlines/dashboard.html",
        {
            "figures": figures,
            "legend": [
                {"state": state, "label": label, "count": figures["totals"][state]}
                for state, label in State.choices
                if state in JUDGED_STATES
            ],
            "types": [(code, process_type_name(code)) for code in process_types()],
            "selected_type": process_type,
            "overdue": list(overdue.order_by("due_at", "pk")[:OVERDUE_LISTED]),
        },
    )


class DeadlinesApplication(Application):
    app_name = "deadlines"
    title = _("Deadlines")
    icon = "alarm"
    menu_template_name = None  # pages, no viewsets: viewflow's menu would say so in red

    # The page that leads somewhere (filters, links, trend): `monitoring.py`.
    urlpatterns = [path("", monitoring.deadline_dashboard, name="index")]
