"""Coordination requests and communication plans over HTTP (API.md, "Coordination requests
from the centre"; the plans and the tracker are additions)."""

import csv
import io
from typing import Any, cast

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from audit.services import audit_record
from roles.models import Institution, User
from workflows.api import ProcessSerializer, start_form_read
from workflows.models import CoordinationProcess, permission_object

from . import plans, services
from .models import ANSWER_MAX, RECIPIENTS_MAX, TEXT_MAX, TITLE_MAX
from .recipients import KINDS
from .selectors import (
    access_activity_by_id,
    access_plan_by_id,
    access_request_by_id,
    activities_late,
    plans_visible,
    plans_with_figures,
    tracker,
)


def _on_behalf_of(request: Request) -> User | None:
    return getattr(request, "on_behalf_of", None)


def _process_body(process: CoordinationProcess, request: Request) -> dict[str, Any]:
    process = (
        CoordinationProcess.objects.select_related("institution", "created_by")
        .prefetch_related("documents")
        .get(pk=process.pk)
    )
    return ProcessSerializer(process, context={"request": request}).data  # type: ignore[return-value]


@extend_schema_field(
    {
        "oneOf": [
            {
                "type": "array",
                "items": {"type": "string", "minLength": 1, "maxLength": 32},
                "minItems": 1,
                "maxItems": RECIPIENTS_MAX,
            },
            {
                "type": "object",
                "properties": {"kind": {"type": "string", "enum": [str(kind) for kind in KINDS]}},
                "required": ["kind"],
                "additionalProperties": False,
            },
        ]
    }
)
class RecipientsField(serializers.JSONField):
    """A list of institution codes, or {"kind": "municipality"|"ministry"}
    (`recipients.recipients_resolved` reads it; the document says the same)."""


class CoordinationRequestStartSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX)
    text = serializers.CharField(max_length=TEXT_MAX)
    recipients = RecipientsField(
        help_text=f"Institution codes (at most {RECIPIENTS_MAX}), or "
        '{"kind": "municipality"} / {"kind": "ministry"} for all of a kind.'
    )
    due_on = serializers.DateField(help_text="Not in the past; each recipient's clock ends then.")
    documents = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        default=list,
        max_length=200,
    )
    institution = serializers.CharField(
        max_length=32, required=False, help_text="Code; default the caller's own institution."
    )


@extend_schema(request=CoordinationRequestStartSerializer, responses={201: ProcessSerializer})
class CoordinationRequestStart(generics.GenericAPIView):
    """The central office (ZKP), the Office for Community Affairs, the Office for Good
    Governance or an institution's head asks many institutions at once."""

    serializer_class = CoordinationRequestStartSerializer

    def post(self, request: Request) -> Response:
        fields, document_ids, institution = start_form_read(self, request)
        process = services.coordination_request_start(
            actor=cast(User, request.user),
            on_behalf_of=_on_behalf_of(request),
            institution=institution,
            fields=fields,
            document_ids=document_ids,
        )
        return Response(_process_body(process, request), status=status.HTTP_201_CREATED)


class ResponseRowSerializer(serializers.Serializer):
    institution = serializers.CharField()
    institution_name = serializers.CharField()
    status = serializers.CharField(help_text="open, answered or overdue")
    answered_at = serializers.DateTimeField(allow_null=True)
    answered_by = serializers.CharField(allow_null=True)
    answer = serializers.CharField(allow_null=True)
    documents = serializers.ListField(child=serializers.IntegerField())
    reminders = serializers.IntegerField()
    reminded_at = serializers.DateTimeField(allow_null=True)
    closed = serializers.BooleanField()


class TrackerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    institution = serializers.CharField()
    text = serializers.CharField()
    due_on = serializers.DateField()
    closed = serializers.BooleanField()
    closed_at = serializers.DateTimeField(allow_null=True)
    sender_view = serializers.BooleanField(
        help_text="True for the sender: every response; false: the caller's own only."
    )
    counts = serializers.DictField(child=serializers.IntegerField())
    responses = ResponseRowSerializer(many=True)
    manage_task = serializers.IntegerField(allow_null=True)


def _tracker_body(process: CoordinationProcess, request: Request) -> dict[str, Any]:
    body = tracker(process=process, user=request.user)
    body.pop("now", None)
    return body


class Tracker(generics.GenericAPIView):
    """Who answered, who is late, the answers side by side (a recipient: its own part)."""

    serializer_class = TrackerSerializer

    def get(self, request: Request, pk: int) -> Response:
        process = access_request_by_id(pk, request.user)
        return Response(_tracker_body(process, request))


CSV_COLUMNS = ("institution", "institution_name", "status", "answered_at", "answered_by", "answer")


def tracker_csv(process: CoordinationProcess, user: Any) -> str:
    """The tracker as CSV (one row per response the caller may see); formula-like cells are
    quoted so a spreadsheet does not run them."""
    body = tracker(process=process, user=user)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*CSV_COLUMNS, "documents", "reminders"])
    for row in body["responses"]:
        cells = [row[name] or "" for name in CSV_COLUMNS]
        cells += [" ".join(map(str, row["documents"])), row["reminders"]]
        writer.writerow(
            [
                f"'{cell}" if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@") else cell
                for cell in cells
            ]
        )
    audit_record(
        actor=user,
        action="coordination.exported",
        obj=permission_object(process),
        extra={"rows": len(body["responses"]), "format": "csv"},
    )
    return out.getvalue()


class TrackerCsv(generics.GenericAPIView):
    @extend_schema(responses={(200, "text/csv"): str})
    def get(self, request: Request, pk: int) -> HttpResponse:
        process = access_request_by_id(pk, request.user)
        response = HttpResponse(
            tracker_csv(process, request.user), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="coordination-{process.pk}.csv"'
        return response


class RemindSerializer(serializers.Serializer):
    institutions = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, max_length=RECIPIENTS_MAX
    )


@extend_schema(request=RemindSerializer, responses=TrackerSerializer)
class Remind(generics.GenericAPIView):
    """The sender reminds the late recipients (or those named): the `remind` action."""

    serializer_class = RemindSerializer

    def post(self, request: Request, pk: int) -> Response:
        process = access_request_by_id(pk, request.user)
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.coordination_request_remind(
            actor=cast(User, request.user),
            process=process,
            institutions=form.validated_data.get("institutions"),
            on_behalf_of=_on_behalf_of(request),
        )
        return Response(_tracker_body(process, request))


class CloseSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=ANSWER_MAX, required=False, allow_blank=True)


@extend_schema(request=CloseSerializer, responses=TrackerSerializer)
class Close(generics.GenericAPIView):
    """The sender closes the request: the `close` action."""

    serializer_class = CloseSerializer

    def post(self, request: Request, pk: int) -> Response:
        process = access_request_by_id(pk, request.user)
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.coordination_request_close(
            actor=cast(User, request.user),
            process=process,
            comment=form.validated_data.get("comment", ""),
            on_behalf_of=_on_behalf_of(request),
        )
        process.refresh_from_db()
        return Response(_tracker_body(process, request))


# --- Communication plans ---------------------------------------------------------------------


class ActivitySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    goal = serializers.CharField(max_length=1000)
    activity = serializers.CharField(max_length=2000)
    due_on = serializers.DateField()
    responsible_unit = serializers.CharField(
        max_length=64, required=False, allow_blank=True, allow_null=True, help_text="Unit code."
    )
    budget = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, min_value=0
    )
    progress = serializers.ChoiceField(
        choices=["planned", "in_progress", "done", "cancelled"], required=False
    )
    progress_note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    completed_on = serializers.DateField(read_only=True, allow_null=True)
    late = serializers.BooleanField(read_only=True)

    def to_representation(self, activity: Any) -> dict[str, Any]:
        today = timezone.localdate()
        return {
            "id": activity.pk,
            "goal": activity.goal,
            "activity": activity.activity,
            "due_on": activity.due_on.isoformat(),
            "responsible_unit": activity.responsible_unit.code
            if activity.responsible_unit_id
            else None,
            "budget": str(activity.budget) if activity.budget is not None else None,
            "progress": activity.progress,
            "progress_note": activity.progress_note,
            "completed_on": activity.completed_on.isoformat() if activity.completed_on else None,
            "late": activity.progress in ("planned", "in_progress") and activity.due_on < today,
        }


class PlanSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    institution = serializers.CharField(max_length=32, required=False)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    title = serializers.CharField(max_length=TITLE_MAX, required=False, allow_blank=True)

    def to_representation(self, plan: Any) -> dict[str, Any]:
        body = {
            "id": plan.pk,
            "institution": plan.institution.code,
            "kind": plan.institution.kind,
            "year": plan.year,
            "title": plan.title,
            "activity_count": getattr(plan, "activity_count", None),
            "done_count": getattr(plan, "done_count", None),
            "late_count": getattr(plan, "late_count", None),
        }
        if self.context.get("with_activities"):
            activities = plan.activities.select_related("responsible_unit").order_by("due_on", "pk")
            body["activities"] = ActivitySerializer(activities, many=True).data
        return body


class PlanList(generics.ListCreateAPIView):
    """The plans the caller may see (own; ZKP: every ministry's; MAPL: every municipality's),
    with counts of activities, done and late; `?institution=`, `?year=`, `?kind=`."""

    serializer_class = PlanSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        plans_seen = plans_visible(user=self.request.user)
        params = self.request.query_params
        if params.get("institution"):
            plans_seen = plans_seen.filter(institution__code=params["institution"][:32].upper())
        if params.get("kind"):
            plans_seen = plans_seen.filter(institution__kind=params["kind"][:32])
        if params.get("year"):
            year = params["year"]
            if not year.isdigit() or len(year) != 4:
                raise exceptions.ValidationError({"year": [gettext("Give a year, e.g. 2026.")]})
            plans_seen = plans_seen.filter(year=int(year))
        return plans_with_figures(plans_seen, timezone.localdate()).order_by(
            "-year", "institution__code"
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        institution = None
        code = form.validated_data.get("institution")
        if code:
            institution = Institution.objects.filter(code=code.upper()).first()
            if institution is None:
                raise exceptions.ValidationError({"institution": [gettext("No such institution.")]})
        plan = plans.plan_create(
            actor=cast(User, request.user),
            year=form.validated_data["year"],
            title=form.validated_data.get("title", ""),
            institution=institution,
        )
        return Response(
            PlanSerializer(plan, context={"with_activities": True}).data,
            status=status.HTTP_201_CREATED,
        )


class PlanDetail(generics.GenericAPIView):
    serializer_class = PlanSerializer

    def get(self, request: Request, pk: int) -> Response:
        plan = access_plan_by_id(pk, request.user)
        return Response(PlanSerializer(plan, context={"with_activities": True}).data)


class ActivityList(generics.GenericAPIView):
    serializer_class = ActivitySerializer

    def post(self, request: Request, pk: int) -> Response:
        plan = access_plan_by_id(pk, request.user)
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        activity = plans.activity_add(
            actor=cast(User, request.user), plan=plan, fields=dict(form.validated_data)
        )
        return Response(ActivitySerializer(activity).data, status=status.HTTP_201_CREATED)


class ActivityDetail(generics.GenericAPIView):
    serializer_class = ActivitySerializer

    def patch(self, request: Request, pk: int) -> Response:
        """Change an activity or mark its progress (the plan's keepers; 404 for who may not
        see the plan, 403 for who sees but does not keep it)."""
        activity = access_activity_by_id(pk, request.user)
        form = self.get_serializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        activity = plans.activity_update(
            actor=cast(User, request.user), activity=activity, fields=dict(form.validated_data)
        )
        return Response(ActivitySerializer(activity).data)


class LateActivitySerializer(ActivitySerializer):
    plan = serializers.IntegerField(read_only=True)
    institution = serializers.CharField(read_only=True)
    days_late = serializers.IntegerField(read_only=True)


@extend_schema(responses=LateActivitySerializer(many=True))
class LateActivities(generics.GenericAPIView):
    """Late activities of every plan the caller sees (the central office: every ministry's)."""

    serializer_class = LateActivitySerializer
    pagination_class = None  # at most 500 rows, the most overdue first
    filter_backends = ()  # takes no filter (and has no queryset for one to read)

    def get(self, request: Request) -> Response:
        today = timezone.localdate()
        late = activities_late(plans=plans_visible(user=request.user), today=today)[:500]
        return Response(
            [
                {
                    **ActivitySerializer(activity).data,
                    "plan": activity.plan_id,
                    "institution": activity.plan.institution.code,
                    "days_late": (today - activity.due_on).days,
                }
                for activity in late
            ]
        )
