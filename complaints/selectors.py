"""Reads about complaints: the topics, the public tracking view, and the statistics."""

import statistics as stats
from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from config.errors import NotFound
from config.prepared import Prepared
from config.public import TRACKING_CODE_MAX_LENGTH, tracking_code_digest
from deadlines.calendar import LEGAL_TIME_ZONE
from roles.models import Institution, Membership, Unit
from roles.selectors import (
    institution_by_code,
    memberships_active,
    self_and_principals,
    user_is_auditor,
)
from workflows.selectors import processes_visible

from .models import (
    OPEN_STATUSES,
    Complaint,
    ComplaintAnswerTime,
    ComplaintContact,
    ComplaintTally,
    ComplaintTopic,
    Status,
)


def municipality_by_code(code: Any) -> Institution | None:
    if not isinstance(code, str) or not code or len(code) > 32:
        return None
    institution = institution_by_code(code.strip().upper())
    return (
        institution if institution and institution.kind == Institution.Kind.MUNICIPALITY else None
    )


# Read by every complaint submitted: compiled once (config.prepared).
_TOPIC_ACTIVE = Prepared(
    lambda institution_id, code: ComplaintTopic.objects.filter(
        institution_id=institution_id, code=code, active=True
    )
)


def topic_active(institution: Institution, code: str) -> ComplaintTopic | None:
    """The municipality's topic of this code, if it is offered."""
    found = _TOPIC_ACTIVE.objects(institution_id=institution.pk, code=code)
    return found[0] if found else None


def topics_of(institution: Institution) -> QuerySet[ComplaintTopic]:
    return ComplaintTopic.objects.filter(institution=institution, active=True).order_by(
        "position", "code"
    )


def complainant_shown(*, user: Any, process: Any) -> list[tuple[Any, str]]:
    """The complainant's contact as the complaint's process page lists it (label, value), for
    the municipality's own officials, who answer them; nothing for anyone else (an auditor,
    another institution) nor when the complainant gave none."""
    if not memberships_active(user=user).filter(institution_id=process.institution_id).exists():
        return []
    contact = ComplaintContact.objects.filter(complaint_id=process.pk).first()
    if contact is None:
        return []
    return [
        (field.verbose_name, getattr(contact, field.name) or "—")
        for field in ComplaintContact._meta.concrete_fields
        if field.name in ("name", "email", "phone")
    ]


def complaint_by_tracking_code(code: Any) -> Complaint:
    """The complaint whose tracking code this is; anything else is NotFound (one index probe
    on the digest, whatever the code)."""
    value = code if isinstance(code, str) else ""
    digest = tracking_code_digest(value)
    found = (
        Complaint.objects.select_related("institution", "topic", "linked_to")
        .filter(tracking_digest=digest)
        .first()
    )
    if found is None or len(value.strip()) > TRACKING_CODE_MAX_LENGTH:
        raise NotFound
    return found


def public_view(complaint: Complaint) -> dict[str, Any]:
    """What the complainant reads with the code. A complaint linked to another about the same
    problem follows that one: its status and its answer."""
    source = complaint.linked_to or complaint
    status = source.status
    if complaint.linked_to_id and status == Status.CLOSED:
        status = Status.ANSWERED if source.answered_at else Status.CLOSED
    return {
        "registration_number": complaint.registration_number,
        "institution": complaint.institution.code,
        "topic": complaint.topic.code,
        "status": status,
        "submitted_at": complaint.submitted_at,
        "due_at": complaint.due_at,
        "answered_at": source.answered_at,
        "answer": source.answer or None,
    }


def sees_every_complaint_of(*, user: Any, institution: Institution) -> bool:
    """Whether the user sees all the municipality's complaints: an auditor, a member, or the
    acting official of a member (the flow grants every complaint's view to its municipality's
    members, `workflows.services` at the start)."""
    if user_is_auditor(user=user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        Membership.objects.active()
        .filter(institution=institution, user_id__in=self_and_principals(user=user).values("pk"))
        .exists()
    )


def complaints_visible(*, user: Any, institution: Institution | None = None) -> QuerySet[Complaint]:
    """The complaints of the processes the user may see (their municipality's members,
    auditors), of one municipality when given. Its members read the municipality's rows by
    their index, without asking the permissions of each."""
    complaints = Complaint.objects.all()
    if institution is not None:
        complaints = complaints.filter(institution=institution)
        if sees_every_complaint_of(user=user, institution=institution):
            return complaints
    elif user_is_auditor(user=user):
        return complaints
    return complaints.filter(process_id__in=processes_visible(user=user).values("pk"))


def _rows(queryset: Any) -> list[dict[str, Any]]:
    return cast(list[dict[str, Any]], list(queryset))


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LEGAL_TIME_ZONE)


def _names(row: dict[str, Any], prefix: str) -> dict[str, str]:
    return {language: row[f"{prefix}name_{language}"] or "" for language in ("sq", "sr", "en")}


def complaint_statistics(
    *,
    user: Any,
    institution: Institution | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Counts by topic, unit and month of submission, open and overdue problems, and the
    median days to answer — over the complaints the user may see. A problem reported several
    times counts once (`problems`), with its number of reports (`reports`)."""
    now = now or timezone.now()
    if (
        institution is not None
        and date_from is None
        and date_to is None
        and sees_every_complaint_of(user=user, institution=institution)
    ):
        return _statistics_kept(institution, now)
    complaints = complaints_visible(user=user, institution=institution)
    if date_from is not None:
        complaints = complaints.filter(submitted_at__gte=_day_start(date_from))
    if date_to is not None:
        complaints = complaints.filter(submitted_at__lt=_day_start(date_to + timedelta(days=1)))
    counts = {
        "reports": Count("pk"),
        "problems": Count("pk", filter=Q(linked_to__isnull=True)),
        "open": Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        "overdue": Count("pk", filter=Q(status__in=OPEN_STATUSES, due_at__lt=now)),
    }
    by_topic = [
        {
            "topic": row["topic__code"],
            "names": _names(row, "topic__"),
            "problems": row["problems"],
            "reports": row["reports"],
            "open": row["open"],
            "overdue": row["overdue"],
        }
        for row in _rows(
            complaints.values("topic__code", "topic__name_sq", "topic__name_sr", "topic__name_en")
            .annotate(**counts)
            .order_by("-reports", "topic__code")
        )
    ]
    by_unit = [
        {
            "unit": row["unit__code"],
            "names": _names(row, "unit__") if row["unit__code"] else {},
            "problems": row["problems"],
            "reports": row["reports"],
            "open": row["open"],
            "overdue": row["overdue"],
        }
        for row in _rows(
            cast(Any, complaints.filter(linked_to__isnull=True))
            .values("unit__code", "unit__name_sq", "unit__name_sr", "unit__name_en")
            .annotate(**counts)
            .order_by("-problems", "unit__code")
        )
    ]
    by_month = []
    for row in _rows(
        complaints.annotate(month=TruncMonth("submitted_at", tzinfo=LEGAL_TIME_ZONE))
        .values("month")
        .annotate(**counts)
        .order_by("month")
    ):
        month = row["month"]
        by_month.append(
            {
                "month": (month.date() if isinstance(month, datetime) else month).strftime("%Y-%m"),
                "problems": row["problems"],
                "reports": row["reports"],
                "open": row["open"],
                "overdue": row["overdue"],
            }
        )
    totals = complaints.aggregate(**counts)
    return {
        "by_topic": by_topic,
        "by_unit": by_unit,
        "by_month": by_month,
        "problems": totals["problems"],
        "reports": totals["reports"],
        "open": totals["open"],
        "overdue": totals["overdue"],
        "median_answer_days": _median_answer_days(complaints.filter(answered_at__isnull=False)),
    }


class _Median(Aggregate):
    """PostgreSQL's median of an interval (percentile_cont), computed where the rows are."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def _median_answer_days(answered: QuerySet[Complaint]) -> float | None:
    took = ExpressionWrapper(F("answered_at") - F("submitted_at"), output_field=DurationField())
    if connection.vendor == "postgresql":
        median = answered.aggregate(median=_Median(took))["median"]
        return round(median.total_seconds() / 86400, 1) if median is not None else None
    durations = [
        (end - start).total_seconds() / 86400
        for start, end in cast(
            list[tuple[datetime, datetime]], answered.values_list("submitted_at", "answered_at")
        )
    ]
    return round(stats.median(durations), 1) if durations else None


def top_problems(*, user: Any, institution: Institution | None, limit: int = 10) -> list[Complaint]:
    """The problems reported most often, each with `report_count` (itself and the complaints
    linked to it): counted over the linked complaints only."""
    linked = _rows(
        complaints_visible(user=user, institution=institution)
        .filter(linked_to__isnull=False)
        .values("linked_to_id")
        .annotate(count=Count("pk"))
        .order_by("-count", "linked_to_id")[:limit]
    )
    counts = {row["linked_to_id"]: row["count"] + 1 for row in linked}
    problems = list(Complaint.objects.filter(pk__in=counts).select_related("topic", "unit"))
    for problem in problems:
        problem.report_count = counts[problem.pk]  # type: ignore[attr-defined]
    return sorted(problems, key=lambda problem: (-counts[problem.pk], problem.pk))


def _statistics_kept(institution: Institution, now: datetime) -> dict[str, Any]:
    """`complaint_statistics` of a whole municipality for one who sees all of it, from the
    running counts (`tallies.py`) and the open complaints past their due time (a partial
    index): its cost follows the months, topics and units, not the complaints. The median is
    to the hour."""
    kept = ComplaintTally.objects.filter(institution=institution)
    sums = {"reports": Sum("reports"), "problems": Sum("problems"), "open": Sum("open")}
    # Open complaints past their due time, counted by the database in groups (a range of the
    # partial index on open complaints), then folded by topic, unit and month here.
    late = _rows(
        Complaint.objects.filter(institution=institution, status__in=OPEN_STATUSES, due_at__lt=now)
        .annotate(month=TruncMonth("submitted_at", tzinfo=LEGAL_TIME_ZONE))
        .values("topic_id", "unit__code", "month")
        .annotate(count=Count("pk"))
        .order_by()
    )
    overdue_by: dict[str, Counter[Any]] = {name: Counter() for name in ("topic", "unit", "month")}
    for row in late:
        month = row["month"]
        month = month.date() if isinstance(month, datetime) else month
        overdue_by["topic"][row["topic_id"]] += row["count"]
        overdue_by["unit"][row["unit__code"] or ""] += row["count"]
        overdue_by["month"][month] += row["count"]
    by_topic = [
        {
            "topic": row["topic__code"],
            "names": _names(row, "topic__"),
            "problems": row["problems"],
            "reports": row["reports"],
            "open": row["open"],
            "overdue": overdue_by["topic"][row["topic_id"]],
        }
        for row in _rows(
            cast(Any, kept)
            .values("topic_id", "topic__code", "topic__name_sq", "topic__name_sr", "topic__name_en")
            .annotate(**sums)
            .filter(reports__gt=0)
            .order_by("-reports", "topic__code")
        )
    ]
    unit_rows = _rows(
        cast(Any, kept).values("unit").annotate(**sums).filter(problems__gt=0).order_by("unit")
    )
    units = {
        unit.code: unit
        for unit in Unit.objects.filter(
            institution=institution, code__in=[row["unit"] for row in unit_rows if row["unit"]]
        )
    }
    by_unit = sorted(
        (
            {
                "unit": row["unit"] or None,
                "names": units[row["unit"]].names if row["unit"] in units else {},
                "problems": row["problems"],
                "reports": row["problems"],
                "open": row["open"],
                "overdue": overdue_by["unit"][row["unit"]],
            }
            for row in unit_rows
        ),
        key=lambda row: (-row["problems"], row["unit"] or ""),
    )
    by_month = [
        {
            "month": row["month"].strftime("%Y-%m"),
            "problems": row["problems"],
            "reports": row["reports"],
            "open": row["open"],
            "overdue": overdue_by["month"][row["month"]],
        }
        for row in _rows(
            cast(Any, kept).values("month").annotate(**sums).filter(reports__gt=0).order_by("month")
        )
    ]
    return {
        "by_topic": by_topic,
        "by_unit": by_unit,
        "by_month": by_month,
        "problems": sum(row["problems"] for row in by_topic),
        "reports": sum(row["reports"] for row in by_topic),
        "open": sum(row["open"] for row in by_topic),
        "overdue": sum(row["count"] for row in late),
        "median_answer_days": _median_kept(institution),
    }


def _median_kept(institution: Institution) -> float | None:
    """The median of the answer times counted by the hour (each hour's middle)."""
    hours = _rows(
        ComplaintAnswerTime.objects.filter(institution=institution, count__gt=0)
        .values("hours")
        .annotate(total=Sum("count"))
        .order_by("hours")
    )
    total = sum(row["total"] for row in hours)
    if not total:
        return None
    middle = [(total - 1) // 2, total // 2]  # the one or two middle positions
    found: list[float] = []
    seen = 0
    for row in hours:
        while middle and middle[0] < seen + row["total"]:
            found.append(row["hours"] + 0.5)
            middle.pop(0)
        seen += row["total"]
    return round(sum(found) / len(found) / 24, 1)
