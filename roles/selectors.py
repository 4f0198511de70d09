"""Reads about people, institutions and roles."""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from config.prepared import Prepared

from .models import Delegation, Institution, Membership, User

AUDITOR_ROLE = "auditor"

# Codes found to exist. Institutions are never deleted while anything refers to them, so a
# code once found stays valid: filters by institution (every search of an official's own)
# then ask the database nothing. A code not seen yet is looked up, so a new one is known at once.
_institution_codes: set[str] = set()


# Looked up by every public submission and every process start that involves another
# institution: compiled once (config.prepared), a third of the ORM's own cost.
_INSTITUTION_BY_CODE = Prepared(lambda code: Institution.objects.filter(code=code))


def institution_by_code(code: str) -> Institution | None:
    """The institution of exactly this code, or None."""
    found = _INSTITUTION_BY_CODE.objects(code=code)
    return found[0] if found else None


def institution_code_known(code: str) -> bool:
    if code in _institution_codes:
        return True
    if institution_by_code(code) is not None:
        _institution_codes.add(code)
        return True
    return False


def memberships_active(*, user: Any, on: date | None = None) -> QuerySet[Membership]:
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    return (
        Membership.objects.active(on)
        .filter(user=user)
        .select_related("institution", "unit", "role")
        .order_by("valid_from", "pk")
    )


def user_has_role(*, user: Any, role: str, institution: Institution | None = None) -> bool:
    memberships = memberships_active(user=user).filter(role__code=role)
    if institution is not None:
        memberships = memberships.filter(institution=institution)
    return memberships.exists()


def user_is_auditor(*, user: Any) -> bool:
    """Auditors read every archive and the audit log; superusers administer everything."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser) or user_has_role(user=user, role=AUDITOR_ROLE)


def user_is_read_only(*, user: Any) -> bool:
    """An auditor holding no other role: reads every archive, changes nothing (a superuser
    administers, so is not one)."""
    if not getattr(user, "is_authenticated", False) or user.is_superuser:
        return False
    roles = set(memberships_active(user=user).values_list("role__code", flat=True))
    return roles == {AUDITOR_ROLE}


def principals_for(*, deputy: Any, at: datetime | None = None) -> QuerySet[User]:
    """The people the deputy may act for right now."""
    if not getattr(deputy, "is_authenticated", False):
        return User.objects.none()
    principal_ids = Delegation.objects.active(at).filter(deputy=deputy).values("principal_id")
    return User.objects.filter(pk__in=principal_ids, is_active=True)


def delegations_visible(*, user: Any) -> QuerySet[Delegation]:
    from django.db.models import Q

    delegations = Delegation.objects.select_related("principal", "deputy", "created_by")
    if user.is_superuser:
        return delegations
    return delegations.filter(Q(principal=user) | Q(deputy=user))


def self_and_principals(*, user: Any) -> QuerySet[User]:
    """The user and the people they act for right now. A UNION of two index look-ups: written
    as `pk = … OR pk IN (…)` the database would test every user row."""
    # Parts of a UNION carry no ORDER BY (the models' default ordering is cleared).
    principals = (
        Delegation.objects.active().filter(deputy_id=user.pk).order_by().values("principal_id")
    )
    ids = User.objects.filter(pk=user.pk).order_by().values("pk").union(principals, all=True)
    return User.objects.filter(pk__in=ids, is_active=True)


def _role_holders(institution_id: int, role: str, day: date, moment: datetime) -> QuerySet[User]:
    """The people of a lane (an institution and a role), by the one rule for deputies: active
    people holding the role in the institution on `day`, and whoever acts for one of them under
    a delegation at `moment` while a member of that same institution (a deputy who belongs
    elsewhere is nobody in this lane). A UNION of index look-ups, for the reason given in
    `self_and_principals`."""
    members = Membership.objects.active(day).filter(institution_id=institution_id)
    return _with_deputies(members, members.filter(role__code=role), moment)


def _with_deputies(
    members: QuerySet[Membership], holders: QuerySet[Membership], moment: datetime
) -> QuerySet[User]:
    """The active people of `holders` and whoever acts for one of them at `moment` while one of
    `members` (the institution's): the rule for deputies, of a lane or of a unit's lane."""
    deputies = Delegation.objects.active(moment).filter(
        principal_id__in=holders.values("user_id"),
        deputy_id__in=members.order_by().values("user_id"),
    )
    ids = (
        holders.order_by()
        .values("user_id")
        .union(deputies.order_by().values("deputy_id"), all=True)
    )
    return User.objects.filter(pk__in=ids, is_active=True).order_by("pk")


# Asked in every workflow transition that opens a task; compiling its UNION took more CPU than
# the database needs to answer.
_ROLE_HOLDERS = Prepared(_role_holders)

# A lane may be narrowed to one unit of the institution: its role is then written
# `<role>@<unit code>` (a complaint routed to a directorate is answered by that directorate's
# people holding the role, not by every holder in the municipality).
UNIT_LANE_SEPARATOR = "@"


def unit_lane_role(role: str, unit_code: str) -> str:
    """The lane role of `role` narrowed to the unit `unit_code`."""
    return f"{role}{UNIT_LANE_SEPARATOR}{unit_code}"


def lane_role_parts(role: str) -> tuple[str, str]:
    """(role code, unit code or "") of a lane role."""
    code, _separator, unit = role.partition(UNIT_LANE_SEPARATOR)
    return code, unit


def _unit_role_holders(
    institution_id: int, role: str, unit: str, day: date, moment: datetime
) -> QuerySet[User]:
    """`_role_holders` narrowed to the members of one unit holding the role (the same rule for
    deputies: members of the institution acting for one of them)."""
    members = Membership.objects.active(day).filter(institution_id=institution_id)
    return _with_deputies(members, members.filter(role__code=role, unit__code=unit), moment)


_UNIT_ROLE_HOLDERS = Prepared(_unit_role_holders)


def _lane_holders(institution_id: int, role: str, day: date, moment: datetime) -> list[User]:
    code, unit = lane_role_parts(role)
    if unit:
        return _UNIT_ROLE_HOLDERS.objects(
            institution_id=institution_id, role=code, unit=unit, day=day, moment=moment
        )
    return _ROLE_HOLDERS.objects(institution_id=institution_id, role=role, day=day, moment=moment)


Lane = tuple[int, str]  # (institution id, role code)


def role_holders(*, institution: Institution, role: str) -> list[User]:
    """The people of the lane (`institution`, `role`) now: who is told of its tasks and
    reminded of its deadlines (one query; the rule is `_role_holders`')."""
    now = timezone.now()
    return _lane_holders(institution.pk, role, timezone.localdate(now), now)


def lane_people(lanes: Iterable[Lane]) -> dict[Lane, list[User]]:
    """`role_holders` for each of several lanes (a split's tasks, a deadline sweep's batch),
    by the same rule as `_role_holders`, in a constant number of queries however many lanes:
    the holders of every lane, the delegations from them, the deputies' memberships, the
    people. (A lane narrowed to a unit is asked on its own, as a few at most are.)"""
    now = timezone.now()
    day = timezone.localdate(now)
    wanted = set(lanes)
    people: dict[Lane, list[User]] = {
        lane: _lane_holders(lane[0], lane[1], day, now)
        for lane in wanted
        if lane_role_parts(lane[1])[1] or len(wanted) == 1
    }
    plain = wanted - set(people)
    if not plain:
        return people
    either = Q()
    for institution_id, role in plain:
        either |= Q(institution_id=institution_id, role__code=role)
    holders = list(
        Membership.objects.active(day)
        .filter(either)
        .values_list("user_id", "institution_id", "role__code")
    )
    holding: dict[Lane, set[int]] = {lane: set() for lane in plain}
    for user_id, institution_id, role in holders:
        holding[(institution_id, role)].add(user_id)
    deputies = list(
        Delegation.objects.active(now)
        .filter(principal_id__in={user_id for user_id, _i, _r in holders})
        .values_list("principal_id", "deputy_id")
    )
    # A deputy counts in a lane only while a member of its institution (of any role).
    member_of = set(
        Membership.objects.active(day)
        .filter(
            user_id__in={deputy for _principal, deputy in deputies},
            institution_id__in={institution_id for institution_id, _role in plain},
        )
        .values_list("user_id", "institution_id")
    )
    for (institution_id, _role), ids in holding.items():
        principals = set(ids)
        ids |= {
            deputy
            for principal, deputy in deputies
            if principal in principals and (deputy, institution_id) in member_of
        }
    users = User.objects.filter(pk__in=set().union(*holding.values()), is_active=True).in_bulk()
    for lane, ids in holding.items():
        people[lane] = [users[pk] for pk in sorted(ids) if pk in users]
    return people
