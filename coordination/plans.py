"""Writes about communication plans (seed 001's action-plan tables; seed 000's yearly planning
from the government's annual work plan): an institution keeps its plan of activities and marks
their progress; the people who keep it are reminded of activities coming due and of late ones.

Who sees a plan is granted when it is made (guardian, through `roles.permissions`): the
institution itself; the central office's communications coordinators for a ministry's plan
(ZKP coordinates every ministry's communication); MAPL for a municipality's plan.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from audit.services import audit_record, audit_record_many
from config.errors import Conflict, NotFound
from config.text import control_characters_refused
from notifications.services import notify
from roles.models import Institution, Role, Unit, User
from roles.permissions import (
    acting_with_permission,
    grant,
    institution_group,
    role_group,
)
from roles.selectors import memberships_active, role_holders
from workflows.flows import common

from .models import OPEN_PROGRESS, CommunicationPlan, PlanActivity, Progress
from .selectors import PLAN_CHANGE, PLAN_VIEW

# The roles that keep their institution's plan (and are reminded of it).
PLAN_KEEPERS = (
    common.COMMUNICATIONS_OFFICER,
    common.INFORMATION_OFFICER,
    common.COMMUNICATIONS_COORDINATOR,
    common.MAYOR,
    common.MINISTER,
)
SUPERVISING_MINISTRY = "MAPL"


def reminder_days() -> int:
    """How many days ahead an activity is announced as coming due (configurable; no law
    sets it)."""
    return int(getattr(settings, "COMMUNICATION_PLAN_REMINDER_DAYS", 7))


def _text(value: Any, field: str, limit: int, *, required: bool) -> str:
    text = control_characters_refused(str(value or "").strip(), field, one_line=False)
    if required and not text:
        raise ValidationError({field: [gettext("This field is required.")]})
    if len(text) > limit:
        raise ValidationError({field: [gettext("At most %d characters.") % limit]})
    return text


def _keeper_institution(actor: Any, institution: Institution | None) -> Institution:
    memberships = memberships_active(user=actor).filter(role__code__in=PLAN_KEEPERS)
    if institution is not None:
        memberships = memberships.filter(institution=institution)
    membership = memberships.select_related("institution").order_by("pk").first()
    if membership is None:
        raise PermissionDenied(gettext("Your role does not keep a communication plan."))
    return membership.institution


def plan_create(
    *, actor: User, year: Any, title: str = "", institution: Institution | None = None
) -> CommunicationPlan:
    institution = _keeper_institution(actor, institution)
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": [gettext("Give a year between 2000 and 2100.")]})
    title = _text(title, "title", 500, required=False)
    with transaction.atomic():
        # Requests for one institution's plans queue here, so a second asking at the same time
        # finds the first's plan (409) instead of reaching the unique constraint. FOR NO KEY
        # UPDATE: inserts of rows referring to the institution are not held up by it.
        Institution.objects.select_for_update(no_key=True).filter(pk=institution.pk).exists()
        if CommunicationPlan.objects.filter(institution=institution, year=year).exists():
            raise Conflict(
                gettext("The institution already has a plan for this year."), code="plan_exists"
            )
        plan = CommunicationPlan(institution=institution, year=year, title=title, created_by=actor)
        plan.full_clean()
        plan.save()
        grant(actor=actor, perm=PLAN_VIEW, obj=plan, group=institution_group(institution))
        for role in Role.objects.filter(code__in=PLAN_KEEPERS):
            grant(actor=actor, perm=PLAN_CHANGE, obj=plan, group=role_group(institution, role))
        if institution.kind == Institution.Kind.MINISTRY:
            coordinator = Role.objects.filter(code=common.COMMUNICATIONS_COORDINATOR).first()
            if coordinator is not None:
                grant(
                    actor=actor,
                    perm=PLAN_VIEW,
                    obj=plan,
                    group=role_group(common.central_office(), coordinator),
                )
        if institution.kind == Institution.Kind.MUNICIPALITY:
            ministry = Institution.objects.filter(code=SUPERVISING_MINISTRY).first()
            if ministry is not None:
                grant(actor=actor, perm=PLAN_VIEW, obj=plan, group=institution_group(ministry))
        audit_record(
            actor=actor,
            action="coordination.plan_created",
            obj=plan,
            extra={"institution": institution.code, "year": year, "title": title},
        )
    return plan


def _keeping(actor: Any, plan: CommunicationPlan) -> Any:
    acting = acting_with_permission(user=actor, perm=PLAN_CHANGE, obj=plan)
    if acting is None:
        raise PermissionDenied(gettext("Only the institution's plan keepers change its plan."))
    return acting


def _due_checked(value: Any) -> date:
    return common.date_checked(value, "due_on")


def _budget_checked(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        budget = Decimal(str(value))
    except (InvalidOperation, ValueError) as error:
        raise ValidationError({"budget": [gettext("Give an amount in euro.")]}) from error
    if not budget.is_finite() or budget < 0 or budget >= Decimal("1e10"):
        raise ValidationError({"budget": [gettext("Give an amount in euro.")]})
    return budget.quantize(Decimal("0.01"))


def _unit_checked(value: Any, institution: Institution) -> Unit | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 64:
        raise ValidationError({"responsible_unit": [gettext("Give a unit code.")]})
    unit = Unit.objects.filter(institution=institution, code=value).first()
    if unit is None:
        raise ValidationError(
            {"responsible_unit": [gettext("The institution has no unit with this code.")]}
        )
    return unit


ACTIVITY_FIELDS = ("goal", "activity", "due_on", "responsible_unit", "budget")


def _apply(activity: PlanActivity, fields: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    institution = activity.plan.institution
    changes: dict[str, Any] = {}
    checks = {
        "goal": lambda v: _text(v, "goal", 1000, required=True),
        "activity": lambda v: _text(v, "activity", 2000, required=True),
        "due_on": _due_checked,
        "responsible_unit": lambda v: _unit_checked(v, institution),
        "budget": _budget_checked,
        "progress_note": lambda v: _text(v, "progress_note", 2000, required=False),
    }
    for name, check in checks.items():
        if name in fields or (not partial and name in ACTIVITY_FIELDS):
            value = check(fields.get(name))
            old = getattr(activity, name)
            if old != value:
                changes[name] = [_plain(old), _plain(value)]
            setattr(activity, name, value)
    if "progress" in fields:
        progress = fields["progress"]
        if progress not in Progress.values:
            raise ValidationError(
                {"progress": [gettext("Choose one of: %s.") % ", ".join(Progress.values)]}
            )
        if progress != activity.progress:
            changes["progress"] = [activity.progress, progress]
        activity.progress = progress
        activity.completed_on = timezone.localdate() if progress == Progress.DONE else None
    return changes


def _plain(value: Any) -> Any:
    if isinstance(value, Unit):
        return value.code
    if isinstance(value, date | Decimal):
        return str(value)
    return value


def activity_add(*, actor: User, plan: CommunicationPlan, fields: dict[str, Any]) -> PlanActivity:
    acting = _keeping(actor, plan)
    activity = PlanActivity(plan=plan)
    with transaction.atomic():
        changes = _apply(activity, fields, partial=False)
        if "progress" not in fields:
            activity.progress = Progress.PLANNED
        activity.full_clean()
        activity.save()
        audit_record(
            actor=acting.user,
            on_behalf_of=acting.on_behalf_of,
            action="coordination.activity_added",
            obj=activity,
            extra={"plan": plan.pk, "institution": plan.institution.code, "changes": changes},
        )
    return activity


def activity_update(*, actor: User, activity: PlanActivity, fields: dict[str, Any]) -> PlanActivity:
    """Change an activity or mark its progress (`progress`, `progress_note`)."""
    acting = _keeping(actor, activity.plan)
    with transaction.atomic():
        activity = PlanActivity.objects.select_for_update().get(pk=activity.pk)
        changes = _apply(activity, fields, partial=True)
        if not changes:
            return activity
        if "due_on" in changes:
            activity.reminded_soon = activity.reminded_late = False
        activity.full_clean()
        activity.save()
        audit_record(
            actor=acting.user,
            on_behalf_of=acting.on_behalf_of,
            action="coordination.activity_changed",
            obj=activity,
            extra={"plan": activity.plan_id, "changes": changes},
        )
    return activity


def access_activity(*, plan: CommunicationPlan, activity_id: Any) -> PlanActivity:
    try:
        pk = int(activity_id)
    except (TypeError, ValueError) as error:
        raise NotFound from error
    activity = plan.activities.select_related("plan__institution").filter(pk=pk).first()
    if activity is None:
        raise NotFound
    return activity


def _keepers_told(activity: PlanActivity, kind: str) -> None:
    institution = activity.plan.institution
    people = {
        person.pk: person
        for role in PLAN_KEEPERS
        for person in role_holders(institution=institution, role=role)
    }
    text, due = activity.activity[:200], activity.due_on.isoformat()

    def message() -> str:
        if kind == "overdue":
            return gettext("Plan activity late (due %(due)s): %(activity)s") % {
                "activity": text,
                "due": due,
            }
        return gettext("Plan activity due %(due)s: %(activity)s") % {"activity": text, "due": due}

    notify(
        recipients=people.values(),
        kind=kind,
        message=message,
        key=f"plan-activity:{activity.pk}:{kind}:{due}",
    )


def activities_remind(now: datetime | None = None) -> int:
    """Tell each institution's plan keepers of their activities coming due (within
    `reminder_days()`) and of those now late, each once (a `reminded` mark and a notification
    key); returns how many were told. Run by every deadline sweep."""
    today = timezone.localdate(now or timezone.now())
    soon = today + timedelta(days=reminder_days())
    told = 0
    for flag, kind, condition in (
        ("reminded_late", "overdue", {"due_on__lt": today}),
        ("reminded_soon", "reminder", {"due_on__gte": today, "due_on__lte": soon}),
    ):
        with transaction.atomic():
            activities = list(
                PlanActivity.objects.select_for_update(skip_locked=True)
                .filter(progress__in=OPEN_PROGRESS, **{flag: False}, **condition)
                .select_related("plan__institution")
                .order_by("due_on", "pk")[:500]
            )
            for activity in activities:
                _keepers_told(activity, kind)
                setattr(activity, flag, True)
                activity.reminded_soon = True
            PlanActivity.objects.bulk_update(activities, ["reminded_soon", "reminded_late"])
            audit_record_many(
                actor=None,
                action="coordination.activity_reminded",
                objects=activities,
                extra={"kind": kind},
            )
            told += len(activities)
    return told
