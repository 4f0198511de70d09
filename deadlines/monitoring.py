"""The monitoring page (`/deadlines/`): the dashboards' figures that lead somewhere — every
row links to the items behind it, each item to its process with how late it is and who holds
it now — filtered by institution, process type and state, and the trend of on-time rates by
month as a chart drawn on the server (SVG with its figures written on it, readable without
colour and without scripts).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from viewflow.workflow import STATUS
from viewflow.workflow.models import Task

from roles.models import Institution, Role
from workflows.flows import process_type_name, process_types
from workflows.selectors import tasks_shown

from .models import Deadline, State
from .selectors import dashboard, deadlines_visible, state_is

ITEMS_LISTED = 50
# The trend chart's geometry, in SVG user units.
CHART_WIDTH, CHART_HEIGHT, CHART_TOP, CHART_BOTTOM, CHART_LEFT = 640, 240, 24, 40, 44


def _type_choices() -> list[tuple[str, Any]]:
    return [("", _("All types")), *((code, process_type_name(code)) for code in process_types())]


def _institution_choices() -> list[tuple[str, str]]:
    return [
        ("", str(_("All institutions"))),
        *((item.code, str(item)) for item in Institution.objects.order_by("code")),
    ]


def _state_choices() -> list[tuple[str, Any]]:
    return [("", _("Any state")), *State.choices]


class MonitoringFilter(forms.Form):
    institution = forms.ChoiceField(
        label=_("Institution"), required=False, choices=_institution_choices
    )
    type = forms.ChoiceField(label=_("Process type"), required=False, choices=_type_choices)
    state = forms.ChoiceField(label=_("State"), required=False, choices=_state_choices)


@dataclass(frozen=True)
class Item:
    """A clock listed on the page, with where it leads and who holds its process now."""

    deadline: Deadline
    state: Any
    days_late: int
    holders: list[str]


def _holders(process_ids: list[int], user: Any) -> dict[int, list[str]]:
    """Who holds each process now: the officials who claimed its open steps, or else the
    steps' lanes (role — institution), of the steps the user sees (`tasks_shown`: another
    recipient's lane of a request stays private). One query for the tasks, two for the
    names."""
    open_steps = Task.objects.filter(
        process_id__in=process_ids, status__in=(STATUS.NEW, STATUS.ASSIGNED)
    )
    tasks = list(
        tasks_shown(open_steps, user=user)
        .filter(flow_task_type="HUMAN")
        .select_related("owner")
        .order_by("created", "pk")
    )
    institutions = {
        i.code: str(i)
        for i in Institution.objects.filter(code__in={t.data.get("institution") for t in tasks})
    }
    roles = {
        r.code: str(r) for r in Role.objects.filter(code__in={t.data.get("role") for t in tasks})
    }
    held: dict[int, list[str]] = defaultdict(list)
    for task in tasks:
        if task.owner is not None:
            name = task.owner.get_full_name() or task.owner.get_username()
        else:
            role = roles.get(task.data.get("role", ""), task.data.get("role", ""))
            lane = institutions.get(task.data.get("institution", ""), "")
            name = f"{role} — {lane}" if lane else role
        if name not in held[task.process_id]:
            held[task.process_id].append(name)
    return held


def _items(deadlines: QuerySet[Deadline], now: datetime, user: Any) -> list[Item]:
    listed = list(deadlines.order_by("due_at", "pk")[:ITEMS_LISTED])
    holders = _holders([deadline.process_id for deadline in listed], user)
    labels = dict(State.choices)
    items = []
    for deadline in listed:
        state = getattr(deadline, "state_now", deadline.state)
        late_until = deadline.completed_at if deadline.completed_at else now
        days = (timezone.localdate(late_until) - timezone.localdate(deadline.due_at)).days
        late = state in (State.OVERDUE, State.MISSED)
        items.append(
            Item(
                deadline=deadline,
                state=labels.get(state, state),
                days_late=max(1, days) if late else 0,
                holders=holders.get(deadline.process_id, [])
                if deadline.completed_at is None
                else [],
            )
        )
    return items


def _trend(on_time: list[dict[str, Any]]) -> dict[str, Any]:
    """Every visible municipality's clocks together, month by month: the share met on time,
    as bars with their percentage written above each and the month below."""
    months: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in on_time:
        judged = row["met"] + row["missed"] + row["overdue"]
        months[row["month"]][0] += row["met"]
        months[row["month"]][1] += judged
    ordered = sorted(months.items())[-12:]
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    slot = (CHART_WIDTH - CHART_LEFT) / max(1, len(ordered))
    bar_width = min(48.0, slot * 0.6)
    bars = []
    for index, (month, (met, judged)) in enumerate(ordered):
        percent = round(100 * met / judged) if judged else 0
        height = plot_height * percent / 100
        x = CHART_LEFT + index * slot + (slot - bar_width) / 2
        bars.append(
            {
                "month": month,
                "met": met,
                "judged": judged,
                "percent": percent,
                "x": round(x, 1),
                "y": round(CHART_TOP + plot_height - height, 1),
                "width": round(bar_width, 1),
                "height": round(height, 1),
                "label_x": round(x + bar_width / 2, 1),
                "label_y": round(CHART_TOP + plot_height - height - 6, 1),
            }
        )
    gridlines = [
        {"percent": percent, "y": round(CHART_TOP + plot_height * (1 - percent / 100), 1)}
        for percent in (0, 50, 100)
    ]
    return {
        "bars": bars,
        "gridlines": gridlines,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "axis_y": CHART_TOP + plot_height,
        "month_y": CHART_TOP + plot_height + 18,
    }


def deadline_dashboard(request: HttpRequest) -> HttpResponse:
    form = MonitoringFilter(request.GET)
    status = 200
    if form.is_valid():
        choice = {key: str(value or "") for key, value in form.cleaned_data.items()}
    else:
        choice, status = {"institution": "", "type": "", "state": ""}, 400
    now = timezone.now()
    figures = dashboard(
        user=request.user,
        now=now,
        process_type=choice["type"] or None,
        institution=choice["institution"] or None,
    )
    states = list(figures["totals"])
    labels = dict(State.choices)
    for row in figures["by_institution"]:
        total = sum(row[state] for state in states) or 1
        row["bars"] = [
            {
                "state": state,
                "label": labels.get(state, state),
                "count": row[state],
                "percent": round(100 * row[state] / total, 1),
            }
            for state in states
            if row[state]
        ]
        row["process_type_name"] = process_type_name(row["process_type"])
        row["cells"] = [
            {
                "state": state,
                "count": row[state],
                "link": "?"
                + urlencode(
                    {
                        "institution": row["institution"],
                        "type": row["process_type"],
                        "state": state,
                    }
                )
                + "#deadline-items",
            }
            for state in states
        ]
    names = {row["institution"]: row["institution_name"] for row in figures["by_institution"]}
    for row in figures["on_time"]:
        row["percent"] = round(100 * row["on_time_rate"], 1)
        row["institution_name"] = names.get(row["institution"], "")
    listed_state = choice["state"] or State.OVERDUE
    deadlines = deadlines_visible(user=request.user, now=now).filter(state_is(listed_state, now))
    if choice["type"]:
        deadlines = deadlines.filter(process_type=choice["type"])
    if choice["institution"]:
        deadlines = deadlines.filter(institution__code=choice["institution"])
    return render(
        request,
        "deadlines/dashboard.html",
        {
            "filter": form,
            "figures": figures,
            "legend": [
                {"state": state, "label": labels.get(state, state), "count": count}
                for state, count in figures["totals"].items()
            ],
            "types": [(code, process_type_name(code)) for code in process_types()],
            "selected_type": choice["type"],
            "listed_state": labels.get(listed_state, listed_state),
            "items": _items(deadlines, now, request.user),
            "items_limit": ITEMS_LISTED,
            "trend": _trend(figures["on_time"]),
        },
        status=status,
    )
