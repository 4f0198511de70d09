"""Reads: who sees which responses of a coordination request, the sender's tracker, and the
communication plans a person may see."""

from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import dateparse, timezone
from viewflow.workflow import STATUS
from viewflow.workflow.fields import get_flow_ref

from config.errors import NotFound
from deadlines.calendar import end_of_day
from documents.access import documents_readable_ids
from roles.models import Membership
from roles.permissions import objects_with_permission, visible_or_404
from roles.selectors import self_and_principals, user_is_auditor
from workflows.flows import FLOWS
from workflows.models import CoordinationProcess
from workflows.selectors import (
    access_process_by_id,
    lane_shown,
    lanes_viewer,
    processes_visible,
)

from .models import OPEN_PROGRESS, CommunicationPlan, PlanActivity, Response, ResponseStatus

PROCESS_TYPE = "coordination_request"
PLAN_VIEW = "coordination.view_communicationplan"
PLAN_CHANGE = "coordination.change_communicationplan"


def _institution_ids(user: Any) -> set[int]:
    """The institutions the user belongs to, in their own right or for a principal (one
    query)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        Membership.objects.active()
        .filter(user__in=self_and_principals(user=user))
        .values_list("institution_id", flat=True)
    )


def sees_every_response(*, process: Any, user: Any) -> bool:
    """The sending institution, auditors and superusers (`user_is_auditor`) see every
    recipient's response: the rule of private lanes (`workflows.selectors.lane_shown`)."""
    return process.institution_id in _institution_ids(user) or user_is_auditor(user=user)


def responses_visible(
    *, process: Any, user: Any, sees_all: bool | None = None
) -> QuerySet[Response]:
    responses = (
        Response.objects.filter(process_id=process.pk)
        .select_related("institution", "answered_by")
        .prefetch_related("documents")
        .order_by("institution__code")
    )
    if sees_all is None:
        sees_all = sees_every_response(process=process, user=user)
    viewer = lanes_viewer(user=user)
    if sees_all or viewer is None:
        return responses
    # The rule of private lanes, as for the tasks and clocks of the request.
    return responses.filter(
        lane_shown(
            viewer, lane_institution="institution_id", process_institution="process__institution_id"
        )
    )


def due_on_of(process: Any) -> date | None:
    value = (process.data or {}).get("due_on")
    if isinstance(value, date):
        return value
    try:
        return dateparse.parse_date(str(value or ""))
    except ValueError:
        return None


def response_is_overdue(process: Any, response: Response, now: datetime) -> bool:
    due = due_on_of(process)
    return response.status == ResponseStatus.OPEN and due is not None and now > end_of_day(due)


def response_status(process: Any, response: Response, now: datetime) -> str:
    """As the API words it: `answered`, `overdue` (unanswered past the due date) or `open`."""
    if response.status == ResponseStatus.ANSWERED:
        return "answered"
    due = due_on_of(process)
    return "overdue" if due is not None and now > end_of_day(due) else "open"


def response_rows(process: Any, responses: list[Response], *, user: Any) -> list[dict[str, Any]]:
    """`data.responses` of the API: only the documents the caller may read are named."""
    now = timezone.now()
    readable = documents_readable_ids(
        user=user, ids=[d.pk for r in responses for d in r.documents.all()]
    )
    return [
        {
            "institution": response.institution.code,
            "status": response_status(process, response, now),
            "answered_at": response.answered_at.isoformat() if response.answered_at else None,
            "answer": response.answer or None,
            "documents": sorted(d.pk for d in response.documents.all() if d.pk in readable),
        }
        for response in responses
    ]


def access_request_by_id(process_id: Any, user: Any) -> CoordinationProcess:
    """A coordination request the user may see (404 otherwise, or for another type)."""
    process = access_process_by_id(process_id, user)
    if process.flow_class is not FLOWS.get(PROCESS_TYPE):
        raise NotFound
    return process


def requests_visible(*, user: Any) -> QuerySet[CoordinationProcess]:
    return processes_visible(user=user).filter(flow_class=get_flow_ref(FLOWS[PROCESS_TYPE]))


def tracker(*, process: Any, user: Any) -> dict[str, Any]:
    """The sender's tracker (a recipient's own part only): each response with the institution's
    name, its status, reminders, and the counts."""
    now = timezone.now()
    sees_all = sees_every_response(process=process, user=user)
    responses = list(responses_visible(process=process, user=user, sees_all=sees_all))
    rows = response_rows(process, responses, user=user)
    for row, response in zip(rows, responses, strict=True):
        row["institution_name"] = response.institution.name_in()
        row["answered_by"] = (
            response.answered_by.get_full_name() or response.answered_by.get_username()
            if response.answered_by
            else None
        )
        row["reminders"] = response.reminders
        row["reminded_at"] = response.reminded_at.isoformat() if response.reminded_at else None
        row["closed"] = response.status == ResponseStatus.CLOSED
    counts = {"open": 0, "answered": 0, "overdue": 0}
    for row in rows:
        counts[row["status"]] += 1
    manage_task = None
    if sees_all:
        manage_task = (
            process.task_set.filter(
                flow_task_type="HUMAN", status__in=(STATUS.NEW, STATUS.ASSIGNED)
            )
            .exclude(data__has_key="response")
            .order_by("pk")
            .first()
        )
    return {
        "id": process.pk,
        "title": process.title,
        "institution": process.institution.code,
        "text": process.data.get("text", ""),
        "due_on": process.data.get("due_on"),
        "closed": bool(process.data.get("closed")),
        "closed_at": process.data.get("closed_at"),
        "sender_view": sees_all,
        "counts": {**counts, "total": len(rows)},
        "responses": rows,
        "manage_task": manage_task.pk if manage_task is not None else None,
        "now": now,
    }


# --- Communication plans ---------------------------------------------------------------------


def plans_visible(*, user: Any) -> QuerySet[CommunicationPlan]:
    """The institution's own plans; the central office's every ministry's; MAPL's every
    municipality's (granted when a plan is made); auditors all."""
    plans = CommunicationPlan.objects.select_related("institution")
    if user_is_auditor(user=user):
        return plans
    return objects_with_permission(user=user, perm=PLAN_VIEW, queryset=plans)


def access_plan_by_id(plan_id: Any, user: Any) -> CommunicationPlan:
    plan: CommunicationPlan = visible_or_404(plans_visible(user=user), plan_id)
    return plan


def access_activity_by_id(activity_id: Any, user: Any) -> PlanActivity:
    """An activity of a plan the user may see; 404 otherwise."""
    activity: PlanActivity = visible_or_404(
        PlanActivity.objects.filter(plan__in=plans_visible(user=user)).select_related(
            "plan__institution", "responsible_unit"
        ),
        activity_id,
    )
    return activity


def plans_with_figures(queryset: QuerySet[CommunicationPlan], today: date) -> Any:
    return queryset.annotate(
        activity_count=Count("activities"),
        done_count=Count("activities", filter=Q(activities__progress="done")),
        late_count=Count(
            "activities",
            filter=Q(activities__progress__in=OPEN_PROGRESS, activities__due_on__lt=today),
        ),
    )


def activities_late(*, plans: QuerySet[CommunicationPlan], today: date) -> QuerySet[PlanActivity]:
    return (
        PlanActivity.objects.filter(plan__in=plans, progress__in=OPEN_PROGRESS, due_on__lt=today)
        .select_related("plan__institution", "responsible_unit")
        .order_by("due_on", "pk")
    )
