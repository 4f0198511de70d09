"""Object permissions through django-guardian: the only place the code grants or revokes access.

Access is given to groups, never to a single person: each institution has a group of its active
members and each (institution, role) pair a group of those holding the role there. Memberships
keep the groups in step (`membership_groups_sync`), so validity periods and delegations apply to
every object at once.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import QuerySet
from guardian.core import ObjectPermissionChecker
from guardian.models import GroupObjectPermission
from guardian.shortcuts import get_objects_for_group, get_objects_for_user

from audit.services import audit_record_many
from config.errors import NotFound

from .events import view_permission_changed
from .models import Institution, Role, Unit, User
from .selectors import memberships_active, principals_for

MANAGED_GROUP_PREFIXES = ("institution:", "role:", "unit:")


def institution_group_name(institution: Institution) -> str:
    return f"institution:{institution.code}"


def role_group_name(institution: Institution, role_code: str) -> str:
    return f"role:{institution.code}:{role_code}"


def institution_group(institution: Institution) -> Group:
    return Group.objects.get_or_create(name=institution_group_name(institution))[0]


def role_group(institution: Institution, role: Role) -> Group:
    return Group.objects.get_or_create(name=role_group_name(institution, role.code))[0]


def unit_role_group(unit: Unit, role: Role, institution: Institution | None = None) -> Group:
    """The people of one unit holding a role there (a lane narrowed to a unit, see
    `roles.selectors.unit_lane_role`); `institution` is the unit's, when already at hand."""
    code = (institution or unit.institution).code
    return Group.objects.get_or_create(name=f"unit:{code}:{unit.code}:{role.code}")[0]


def _permission_name(perm: str, obj: models.Model) -> str:
    return perm if "." in perm else f"{obj._meta.app_label}.{perm}"


Permissions = str | tuple[str, ...]


def _revoked(
    *,
    actor: Any,
    perm: Permissions,
    objs: Sequence[models.Model],
    group: Group,
    on_behalf_of: Any,
) -> list[models.Model]:
    """One or several permissions taken from a group on objects of one model, with one audit
    entry per object that held any of them; those objects."""
    if not objs:
        return []
    model = type(objs[0])
    names = _names(perm, objs[0])
    content_type = ContentType.objects.get_for_model(model)
    with transaction.atomic():
        held = GroupObjectPermission.objects.filter(
            permission__in=_permission_rows(content_type, names).values(),
            content_type=content_type,
            object_pk__in=[str(obj.pk) for obj in objs],
            group=group,
        )
        # Revoking what is not held changes nothing and is not logged.
        changed_pks = set(held.values_list("object_pk", flat=True))
        if not changed_pks:
            return []
        held.delete()
        changed = [obj for obj in objs if str(obj.pk) in changed_pks]
        audit_record_many(
            actor=actor,
            on_behalf_of=on_behalf_of,
            action="permission.revoked",
            objects=changed,
            extra={"permission": names[0] if len(names) == 1 else names, "group": group.name},
        )
        if _gives_sight(names):
            view_permission_changed.send(sender=model, objects=changed)
    return changed


def _gives_sight(names: Sequence[str]) -> bool:
    """Whether any of these permissions is a `view_` one (what the search index follows)."""
    return any(name.split(".", 1)[1].startswith("view_") for name in names)


def _names(perm: Permissions, obj: models.Model) -> list[str]:
    return [_permission_name(name, obj) for name in ((perm,) if isinstance(perm, str) else perm)]


# Permission rows change only when migrations run (a test's flush runs them again): each is
# read once per process, and all are forgotten on `post_migrate`, as Django forgets its content
# types then. Every process start grants a handful; this saves each start a query.
_permissions_read: dict[tuple[int, str], Permission] = {}


def permissions_forget(**kwargs: Any) -> None:
    """`post_migrate`'s receiver (roles.apps): the rows may have new ids."""
    _permissions_read.clear()


def _permission_rows(content_type: ContentType, names: Sequence[str]) -> dict[str, Permission]:
    """The permission rows of these names, by name: at most one query however many."""
    codenames = {name.split(".", 1)[1]: name for name in names}
    unread = [code for code in codenames if (content_type.pk, code) not in _permissions_read]
    if unread:
        for row in Permission.objects.filter(content_type=content_type, codename__in=unread):
            _permissions_read[(content_type.pk, row.codename)] = row
    rows = {
        name: _permissions_read[(content_type.pk, code)]
        for code, name in codenames.items()
        if (content_type.pk, code) in _permissions_read
    }
    if len(rows) != len(codenames):
        raise ValueError(f"unknown permission among {sorted(codenames)} for {content_type}")
    return rows


def grant_each(
    *,
    actor: Any,
    grants: Sequence[tuple[models.Model, Group, Permissions]],
    on_behalf_of: Any = None,
    created: bool = False,
) -> list[tuple[models.Model, Group]]:
    """Each (object, group) its permissions, objects of one model: a process's lanes, a request
    sent to many institutions, a sweep's batch. One query for the permissions, one for what is
    held (none when the objects were `created` in this transaction: nothing can be held yet),
    one insert, an audit entry per (object, group) that gains any; those pairs."""
    if not grants:
        return []
    model = type(grants[0][0])
    content_type = ContentType.objects.get_for_model(model)
    wanted = [(obj, group, _names(perm, obj)) for obj, group, perm in grants]
    rows = _permission_rows(content_type, sorted({n for _o, _g, names in wanted for n in names}))
    # No savepoint: nothing here is retried, and a failure fails the caller's transaction.
    with transaction.atomic(savepoint=False):
        held = (
            set()
            if created
            else set(
                GroupObjectPermission.objects.filter(
                    permission__in=rows.values(),
                    content_type=content_type,
                    object_pk__in={str(obj.pk) for obj, _group, _perms in wanted},
                    group__in={group.pk for _obj, group, _perms in wanted},
                ).values_list("object_pk", "group_id", "permission_id")
            )
        )
        new: list[GroupObjectPermission] = []
        changed: list[tuple[models.Model, Group, list[str]]] = []
        for obj, group, names in wanted:
            missing = [
                GroupObjectPermission(
                    permission=rows[name],
                    content_type=content_type,
                    object_pk=str(obj.pk),
                    group=group,
                )
                for name in names
                if (str(obj.pk), group.pk, rows[name].pk) not in held
            ]
            if missing:
                new += missing
                changed.append((obj, group, names))
        if not changed:
            return []
        # Granting what is held changes nothing and is not logged; a concurrent grant of the
        # same is no error.
        GroupObjectPermission.objects.bulk_create(new, ignore_conflicts=True)
        # One append per group and permissions (a sweep's batch of one group is one).
        by_grant: dict[tuple[Group, tuple[str, ...]], list[models.Model]] = {}
        for obj, group, names in changed:
            by_grant.setdefault((group, tuple(names)), []).append(obj)
        for (group, granted), objects in by_grant.items():
            audit_record_many(
                actor=actor,
                on_behalf_of=on_behalf_of,
                action="permission.granted",
                objects=objects,
                extra={
                    "permission": granted[0] if len(granted) == 1 else list(granted),
                    "group": group.name,
                },
            )
        seen = {obj.pk: obj for obj, _group, names in changed if _gives_sight(names)}
        if seen:
            view_permission_changed.send(sender=model, objects=list(seen.values()))
    return [(obj, group) for obj, group, _perms in changed]


def groups_named(names: Sequence[str]) -> dict[str, Group]:
    """The managed groups of these names (`institution:…`, `role:…:…`), made if missing: two
    queries however many."""
    found = {group.name: group for group in Group.objects.filter(name__in=set(names))}
    missing = [Group(name=name) for name in sorted(set(names) - set(found))]
    if missing:
        Group.objects.bulk_create(missing, ignore_conflicts=True)
        found |= {group.name: group for group in Group.objects.filter(name__in=set(names))}
    return found


def grant_pairs(
    *,
    actor: Any,
    perm: str,
    pairs: Sequence[tuple[models.Model, Group]],
    on_behalf_of: Any = None,
) -> list[tuple[models.Model, Group]]:
    """One permission, each object to its group (`grant_each`); the pairs granted now."""
    return grant_each(
        actor=actor, grants=[(obj, group, perm) for obj, group in pairs], on_behalf_of=on_behalf_of
    )


def _objects(obj: models.Model | Sequence[models.Model]) -> list[models.Model]:
    return [obj] if isinstance(obj, models.Model) else list(obj)


def grant(
    *,
    actor: Any,
    perm: Permissions,
    obj: models.Model | Sequence[models.Model],
    group: Group,
    on_behalf_of: Any = None,
) -> bool:
    """Give `group` (`institution_group`, `role_group` or `unit_role_group`) one or several
    permissions on an object, or on several objects of one model at once (a sweep's overdue
    batch); each change is audited. Whether the group lacked any of it before."""
    return bool(
        grant_each(
            actor=actor,
            grants=[(each, group, perm) for each in _objects(obj)],
            on_behalf_of=on_behalf_of,
        )
    )


def revoke(
    *,
    actor: Any,
    perm: Permissions,
    obj: models.Model | Sequence[models.Model],
    group: Group,
    on_behalf_of: Any = None,
) -> bool:
    """Take from `group` what `grant` gives; whether it held any of it before."""
    return bool(
        _revoked(actor=actor, perm=perm, objs=_objects(obj), group=group, on_behalf_of=on_behalf_of)
    )


def membership_groups_sync(*, user: User) -> bool:
    """Put the user in exactly the managed groups their active memberships call for.
    Returns whether anything changed."""
    wanted: set[Group] = set()
    for membership in memberships_active(user=user):
        wanted.add(institution_group(membership.institution))
        wanted.add(role_group(membership.institution, membership.role))
        if membership.unit is not None:
            wanted.add(unit_role_group(membership.unit, membership.role, membership.institution))
    current = {
        group for group in user.groups.all() if group.name.startswith(MANAGED_GROUP_PREFIXES)
    }
    if wanted == current:
        return False
    user.groups.remove(*(current - wanted))
    user.groups.add(*(wanted - current))
    return True


@dataclass(frozen=True)
class Acting:
    """Who does something, and for whom when it is done under a delegation."""

    user: User
    on_behalf_of: User | None = None


def acting_with_permission(*, user: Any, perm: str, obj: models.Model) -> Acting | None:
    """The user acts in their own right if they hold `perm` on `obj`; otherwise on behalf of a
    principal who delegated to them and holds it; None when neither does."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    codename = perm.split(".", 1)[-1]
    if ObjectPermissionChecker(user).has_perm(codename, obj):
        return Acting(user=user)
    for principal in principals_for(deputy=user):
        if ObjectPermissionChecker(principal).has_perm(codename, obj):
            return Acting(user=user, on_behalf_of=principal)
    return None


def objects_with_permission(*, user: Any, perm: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Objects of `queryset` the user holds `perm` on, in their own right or by delegation."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    visible = get_objects_for_user(user, perm, queryset, accept_global_perms=False)
    for principal in principals_for(deputy=user):
        visible = visible | get_objects_for_user(
            principal, perm, queryset, accept_global_perms=False
        )
    return visible.distinct()


def objects_granted_to_institution(
    *, institution: Institution, perm: str, queryset: QuerySet[Any]
) -> QuerySet[Any]:
    """Objects of `queryset` on which the institution itself (its group of members, not one of
    its roles) holds `perm`: what was given to the institution as a whole."""
    group = Group.objects.filter(name=institution_group_name(institution)).first()
    if group is None:
        return queryset.none()
    return get_objects_for_group(group, perm, queryset, accept_global_perms=False)


def visible_or_404(queryset: QuerySet[Any], object_id: Any) -> Any:
    """The object of `queryset` (already narrowed to what the caller may see) with this id.
    Anything else, a malformed or out-of-range id included, is `NotFound` (a 404 on the pages
    and in the API): what the caller may not see does not exist for them."""
    try:
        pk = int(object_id)
    except (TypeError, ValueError) as error:
        raise NotFound from error
    if not 0 < pk < 2**63:
        raise NotFound
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise NotFound
    return found
