"""Writes about people, institutions and roles; each one leaves an audit entry."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record, snapshot
from config.prepared import Prepared
from config.text import control_characters_refused

from .models import Delegation, DirectoryGroup, Institution, Membership, Role, Unit, User
from .permissions import membership_groups_sync
from .selectors import memberships_active


def institution_create(
    *,
    actor: Any,
    code: str,
    kind: str,
    name_sq: str,
    name_sr: str,
    name_en: str,
    parent: Institution | None = None,
) -> Institution:
    institution = Institution(
        code=code.upper(),
        kind=kind,
        name_sq=name_sq,
        name_sr=name_sr,
        name_en=name_en,
        parent=parent,
    )
    institution.full_clean()
    with transaction.atomic():
        institution.save()
        audit_record(
            actor=actor, action="institution.created", obj=institution, new=snapshot(institution)
        )
    return institution


def unit_create(
    *,
    actor: Any,
    institution: Institution,
    code: str,
    name_sq: str,
    name_sr: str,
    name_en: str,
    parent: Unit | None = None,
) -> Unit:
    unit = Unit(
        institution=institution,
        code=code,
        name_sq=name_sq,
        name_sr=name_sr,
        name_en=name_en,
        parent=parent,
    )
    unit.full_clean()
    with transaction.atomic():
        unit.save()
        audit_record(actor=actor, action="unit.created", obj=unit, new=snapshot(unit))
    return unit


def membership_create(
    *,
    actor: Any,
    user: User,
    institution: Institution,
    role: Role,
    unit: Unit | None = None,
    valid_from: date | None = None,
    valid_until: date | None = None,
) -> Membership:
    membership = Membership(
        user=user,
        institution=institution,
        role=role,
        unit=unit,
        valid_from=valid_from or timezone.localdate(),
        valid_until=valid_until,
    )
    membership.full_clean()
    with transaction.atomic():
        membership.save()
        audit_record(
            actor=actor, action="membership.created", obj=membership, new=snapshot(membership)
        )
        membership_groups_sync(user=user)
    return membership


def membership_end(*, actor: Any, membership: Membership, on: date | None = None) -> Membership:
    """A membership is closed, never deleted: who held a role when stays on record."""
    old = snapshot(membership)
    membership.valid_until = on or timezone.localdate()
    membership.full_clean()
    with transaction.atomic():
        membership.save(update_fields=["valid_until"])
        audit_record(
            actor=actor,
            action="membership.ended",
            obj=membership,
            old=old,
            new=snapshot(membership),
        )
        membership_groups_sync(user=membership.user)
    return membership


def memberships_sync_all() -> int:
    """Bring group memberships in line with validity periods that began or ended since the
    last run. Returns how many people changed."""
    changed = 0
    for user in User.objects.filter(memberships__isnull=False).distinct().iterator():
        with transaction.atomic():
            if membership_groups_sync(user=user):
                audit_record(actor=None, action="membership.groups_synced", obj=user)
                changed += 1
    return changed


def delegation_create(
    *,
    actor: User,
    principal: User,
    deputy: User,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
) -> Delegation:
    """Only the principal (or an administrator) hands their work to an acting official, who
    must belong to one of the principal's institutions."""
    if actor != principal and not actor.is_superuser:
        raise ValidationError({"principal": _("Only the principal can delegate their work.")})
    reason = control_characters_refused(reason.strip(), "reason", one_line=True)
    principal_institutions = memberships_active(user=principal).values("institution_id")
    if (
        not memberships_active(user=deputy)
        .filter(institution_id__in=principal_institutions)
        .exists()
    ):
        raise ValidationError(
            {"deputy": _("The acting official must belong to the principal's institution.")}
        )
    delegation = Delegation(
        principal=principal,
        deputy=deputy,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        created_by=actor,
    )
    delegation.full_clean()
    if ends_at <= timezone.now():
        raise ValidationError({"ends_at": _("The period has already ended.")})
    with transaction.atomic():
        # Not the same handover twice, and nobody acting for the one acting for them:
        # checked under a lock on both people, so two requests cannot both pass.
        people = User.objects.select_for_update().filter(pk__in=[principal.pk, deputy.pk])
        list(people.order_by("pk").values_list("pk", flat=True))
        overlapping = Delegation.objects.filter(
            revoked_at__isnull=True, starts_at__lt=ends_at, ends_at__gt=starts_at
        )
        if overlapping.filter(principal=principal, deputy=deputy).exists():
            raise ValidationError(
                {"deputy": _("This official already acts for you for part of this period.")}
            )
        if overlapping.filter(principal=deputy, deputy=principal).exists():
            raise ValidationError(
                {"deputy": _("This official's work is handed to you for part of this period.")}
            )
        delegation.save()
        audit_record(
            actor=actor, action="delegation.created", obj=delegation, new=snapshot(delegation)
        )
    return delegation


def delegation_revoke(*, actor: User, delegation: Delegation) -> Delegation:
    if actor != delegation.principal and not actor.is_superuser:
        raise ValidationError(_("Only the principal can revoke the delegation."))
    if delegation.revoked_at is not None:
        return delegation
    old = snapshot(delegation)
    with transaction.atomic():
        delegation.revoked_at = timezone.now()
        delegation.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="delegation.revoked",
            obj=delegation,
            old=old,
            new=snapshot(delegation),
        )
    return delegation


def user_language_set(*, actor: User, language: str) -> None:
    old = {"preferred_language": actor.preferred_language}
    actor.preferred_language = language
    actor.full_clean(exclude=["password", "username"])
    with transaction.atomic():
        actor.save(update_fields=["preferred_language"])
        audit_record(
            actor=actor,
            action="user.language_set",
            obj=actor,
            old=old,
            new={"preferred_language": language},
        )


# --- The organisation as data (roles.organisation, roles.directory) ----------------------------


def _changed_saved(*, actor: Any, obj: Any, values: dict[str, Any], action: str) -> list[str]:
    """Set the fields that differ, check, save and record them; the names of those changed."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        return []
    old = snapshot(obj, changed)
    for name in changed:
        setattr(obj, name, values[name])
    obj.full_clean()
    with transaction.atomic():
        obj.save(update_fields=changed)
        audit_record(actor=actor, action=action, obj=obj, old=old, new=snapshot(obj, changed))
    return changed


def institution_update(
    *,
    actor: Any,
    institution: Institution,
    kind: str,
    name_sq: str,
    name_sr: str,
    name_en: str,
    parent: Institution | None = None,
) -> list[str]:
    values = {
        "kind": kind,
        "name_sq": name_sq,
        "name_sr": name_sr,
        "name_en": name_en,
        "parent_id": parent.pk if parent else None,
    }
    return _changed_saved(actor=actor, obj=institution, values=values, action="institution.updated")


def unit_update(
    *,
    actor: Any,
    unit: Unit,
    name_sq: str,
    name_sr: str,
    name_en: str,
    parent: Unit | None = None,
) -> list[str]:
    values = {
        "name_sq": name_sq,
        "name_sr": name_sr,
        "name_en": name_en,
        "parent_id": parent.pk if parent else None,
    }
    return _changed_saved(actor=actor, obj=unit, values=values, action="unit.updated")


def role_create(*, actor: Any, code: str, name_sq: str, name_sr: str, name_en: str) -> Role:
    role = Role(code=code, name_sq=name_sq, name_sr=name_sr, name_en=name_en)
    role.full_clean()
    with transaction.atomic():
        role.save()
        audit_record(actor=actor, action="role.created", obj=role, new=snapshot(role))
    return role


def role_update(*, actor: Any, role: Role, name_sq: str, name_sr: str, name_en: str) -> list[str]:
    values = {"name_sq": name_sq, "name_sr": name_sr, "name_en": name_en}
    return _changed_saved(actor=actor, obj=role, values=values, action="role.updated")


def person_create(
    *, actor: Any, username: str, first_name: str = "", last_name: str = "", email: str = ""
) -> User:
    """An official known from the organisation's data or the directory: no local password (they
    sign in through the directory; an administrator may give one for break-glass use)."""
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user.save()
        audit_record(
            actor=actor,
            action="user.created",
            obj=user,
            new=snapshot(user, ["username", "first_name", "last_name", "email", "is_active"]),
        )
    return user


def person_update(
    *, actor: Any, user: User, first_name: str, last_name: str, email: str
) -> list[str]:
    values = {"first_name": first_name, "last_name": last_name, "email": email}
    return _changed_saved(actor=actor, obj=user, values=values, action="user.updated")


def directory_group_set(
    *, actor: Any, name: str, institution: Institution, role: Role, unit: Unit | None = None
) -> tuple[DirectoryGroup, list[str]]:
    """The directory group `name` maps to this role in this unit: created, or changed."""
    key = name.strip().lower()
    group = DirectoryGroup.objects.filter(name=key).first()
    if group is None:
        group = DirectoryGroup(name=key, institution=institution, role=role, unit=unit)
        group.full_clean()
        with transaction.atomic():
            group.save()
            audit_record(
                actor=actor, action="directory_group.created", obj=group, new=snapshot(group)
            )
        return group, ["created"]
    values = {
        "institution_id": institution.pk,
        "role_id": role.pk,
        "unit_id": unit.pk if unit else None,
    }
    return group, _changed_saved(
        actor=actor, obj=group, values=values, action="directory_group.updated"
    )


def directory_group_remove(*, actor: Any, group: DirectoryGroup) -> None:
    """The mapping goes; the memberships it gave stay on record (ended at the person's next
    sign-in through the directory, like any group they left)."""
    with transaction.atomic():
        audit_record(actor=actor, action="directory_group.removed", obj=group, old=snapshot(group))
        group.delete()


# The account that the registration book names for what the public submits on the portal (access
# requests, complaints): a registration names who registered it. No one signs in as it.
PORTAL_ACCOUNT = "portal"


# Read by every public submission: compiled once (config.prepared).
_USER_NAMED = Prepared(lambda username: User.objects.filter(username=username))


def portal_account() -> User:
    """The portal's (inactive, password-less) account, made at first use."""
    found = _USER_NAMED.objects(username=PORTAL_ACCOUNT)
    if found:
        user = found[0]
    else:
        user, _created = User.objects.get_or_create(
            username=PORTAL_ACCOUNT,
            defaults={"is_active": False, "first_name": "Public", "last_name": "portal"},
        )
    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def person_active_set(*, actor: Any, user: User, active: bool) -> None:
    """Enable or disable an account (a disabled one cannot sign in by any path)."""
    _changed_saved(
        actor=actor,
        obj=user,
        values={"is_active": active},
        action="user.enabled" if active else "user.disabled",
    )


def membership_end_day(membership: Membership, today: date | None = None) -> date:
    """Yesterday, so that the person no longer holds the role today; the start day itself for
    one that began today (a period cannot end before it starts)."""
    today = today or timezone.localdate()
    return max(membership.valid_from, today - timedelta(days=1))


def directory_memberships_sync(*, user: User, groups: Iterable[str]) -> list[str]:
    """At a sign-in through the directory: the person's memberships of the kinds the directory
    groups give (DirectoryGroup) follow the groups they are in now. A membership whose group
    they left is ended, never deleted; one for a group they joined begins today. Memberships of
    other kinds (from the organisation file or /admin/) are left alone. The changes made."""
    names = {name.strip().lower() for name in groups}
    mapped = list(DirectoryGroup.objects.select_related("institution", "unit", "role"))
    wanted = {(g.institution_id, g.unit_id, g.role_id): g for g in mapped if g.name in names}
    managed = {(g.institution_id, g.unit_id, g.role_id) for g in mapped}
    today = timezone.localdate()
    changes: list[str] = []
    with transaction.atomic():
        held = set()
        for membership in Membership.objects.active(today).filter(user=user):
            key = (membership.institution_id, membership.unit_id, membership.role_id)
            if key in wanted:
                held.add(key)
            elif key in managed:
                day = membership_end_day(membership, today)
                membership_end(actor=None, membership=membership, on=day)
                changes.append(f"- {membership}")
        for key, group in wanted.items():
            if key not in held:
                membership = membership_create(
                    actor=None,
                    user=user,
                    institution=group.institution,
                    unit=group.unit,
                    role=group.role,
                    valid_from=today,
                )
                changes.append(f"+ {membership}")
    return changes
