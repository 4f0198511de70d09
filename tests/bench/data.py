"""Bench data, inserted in bulk: institutions, units, users, memberships, the managed groups and
their member rows, a few delegations, and a valid audit chain."""

import itertools
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from guardian.models import GroupObjectPermission
from psycopg.types.json import Jsonb
from rest_framework.authtoken.models import Token

from audit.models import GENESIS_HASH, AuditEntry, AuditHead
from audit.services import entry_hash
from roles.models import Delegation, Institution, Membership, Role, Unit, User

from . import Dataset, Scale

BATCH = 5_000
# Emptied before each run (CASCADE also empties the rows that point at them, e.g. tokens,
# user-group and object-permission rows: guardian's rows for documents go with auth_group).
# The role catalogue from migrations is kept.
TABLES = [
    "documents_documentversion",
    "documents_document",
    "documents_registration",
    "documents_registercounter",
    "audit_auditentry",
    "audit_audithead",
    "roles_delegation",
    "roles_membership",
    "roles_unit",
    "roles_institution",
    "roles_user",
    "auth_group",
]
KINDS = [kind for kind, _ in Institution.Kind.choices]
ACTIONS = ["document.created", "document.updated", "workflow.advanced", "permission.granted"]


def _bulk(model: Any, objects: Iterator[Any]) -> list[Any]:
    """bulk_create in batches of BATCH, pulling objects from a generator batch by batch; returns
    them, with their primary keys."""
    created: list[Any] = []
    while batch := list(itertools.islice(objects, BATCH)):
        created += model.objects.bulk_create(batch, batch_size=BATCH)
    return created


def truncate() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")


def settle() -> None:
    """Fresh statistics, as a long-running database has, and the bulk load's dirty pages written
    out now (CHECKPOINT), not during the first timed commits."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        try:
            cursor.execute("CHECKPOINT")
        except DatabaseError as error:  # needs superuser or pg_checkpoint
            print(f"warning: no CHECKPOINT after the bulk load ({error})".strip())


def _institutions(scale: Scale) -> list[Institution]:
    # One in ten is top-level; the others hang below one of those, so `parent` is filled.
    top = max(1, scale.institutions // 10)
    made = _bulk(
        Institution,
        (
            Institution(
                code=f"B{i:05d}",
                kind=KINDS[i % len(KINDS)],
                name_sq=f"Institucioni {i}",
                name_sr=f"Institucija {i}",
                name_en=f"Institution {i}",
            )
            for i in range(scale.institutions)
        ),
    )
    for i, institution in enumerate(made[top:], start=top):
        institution.parent_id = made[i % top].pk
    Institution.objects.bulk_update(made[top:], ["parent"], batch_size=BATCH)
    return made


def _people(scale: Scale, institutions: list[Institution]) -> tuple[list[User], list[Membership]]:
    units = _bulk(
        Unit,
        (
            Unit(
                institution=institution,
                code=f"u{u}",
                name_sq=f"Njësia {u}",
                name_sr=f"Jedinica {u}",
                name_en=f"Unit {u}",
            )
            for institution in institutions
            for u in range(scale.units_per_institution)
        ),
    )
    password = make_password("bench")  # one hash for everybody: hashing is not what we measure
    users = _bulk(
        User,
        (
            User(
                username=f"bench.{i:06d}",
                password=password,
                first_name="Emri",
                last_name=f"Mbiemri {i}",
                email=f"bench.{i:06d}@example.org",
                preferred_language="sq",
            )
            for i in range(scale.users)
        ),
    )
    roles = sorted(Role.objects.all(), key=lambda role: role.code != "officer")  # officer first
    since = timezone.localdate() - timedelta(days=365)
    per = scale.units_per_institution
    memberships = _bulk(
        Membership,
        (
            Membership(
                user=users[j % len(users)],
                institution=institutions[j % len(institutions)],
                unit=units[(j % len(institutions)) * per + j % per] if per else None,
                role=roles[j % len(roles)],
                valid_from=since,
            )
            for j in range(scale.memberships)
        ),
    )
    now = timezone.now()
    _bulk(
        Delegation,
        (  # one official in a hundred acts for another; never the bench member
            Delegation(
                principal=users[i],
                deputy=users[i + 1],
                created_by=users[i],
                reason="Pushim",
                starts_at=now - timedelta(days=1),
                ends_at=now + timedelta(days=30),
            )
            for i in range(1, 2 * (scale.users // 100), 2)
        ),
    )
    return users, memberships


def _groups(institutions: list[Institution], memberships: list[Membership]) -> None:
    """What `membership_groups_sync` would make, in bulk: the groups, who is in them, and each
    institution's group seeing its own institution."""
    names = {f"institution:{i.code}" for i in institutions}
    names |= {f"role:{m.institution.code}:{m.role.code}" for m in memberships}
    group_ids = {group.name: group.pk for group in _bulk(Group, (Group(name=n) for n in names))}
    pairs = {
        (m.user_id, group_ids[name])
        for m in memberships
        for name in (
            f"institution:{m.institution.code}",
            f"role:{m.institution.code}:{m.role.code}",
        )
    }
    _bulk(User.groups.through, (User.groups.through(user_id=u, group_id=g) for u, g in pairs))
    view = Permission.objects.get(content_type__app_label="roles", codename="view_institution")
    _bulk(
        GroupObjectPermission,
        (
            GroupObjectPermission(
                group_id=group_ids[f"institution:{i.code}"],
                permission=view,
                content_type=view.content_type,
                object_pk=str(i.pk),
            )
            for i in institutions
        ),
    )


AUDIT_COLUMNS = [
    "seq", "at", "actor", "on_behalf_of", "action", "object_type", "object_id", "data",
    "prev_hash", "hash",
]  # fmt: skip


def _audit_chain(count: int) -> None:
    """`count` entries whose hashes link up as audit_record would have made them, and the head.
    COPY, not bulk_create: Django's per-value preparation would dominate the generation time."""
    start = timezone.now() - timedelta(seconds=count + 60)
    prev_hash = GENESIS_HASH
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY audit_auditentry ({', '.join(AUDIT_COLUMNS)}) FROM STDIN") as copy,
    ):
        for seq in range(1, count + 1):
            entry = AuditEntry(
                seq=seq,
                at=start + timedelta(seconds=seq),
                actor=f"bench.{seq % 1000:06d}",
                action=ACTIONS[seq % len(ACTIONS)],
                object_type="documents.document",
                object_id=str(seq // 3),
                data={"new": {"title": f"Vendimi për komunën {seq}", "n": seq}},
                prev_hash=prev_hash,
            )
            entry.hash = prev_hash = entry_hash(entry)
            copy.write_row(
                [Jsonb(entry.data) if c == "data" else getattr(entry, c) for c in AUDIT_COLUMNS]
            )
    AuditHead.objects.create(pk=1, seq=count, hash=prev_hash)


def generate(scale: Scale) -> Dataset:
    truncate()
    with transaction.atomic():
        institutions = _institutions(scale)
        users, memberships = _people(scale, institutions)
        _groups(institutions, memberships)
        _audit_chain(scale.audit_entries)
        token = Token.objects.create(user=users[0])
    settle()
    return Dataset(
        institution_ids=[i.pk for i in institutions],
        member_id=users[0].pk,
        member_institution_id=institutions[0].pk,
        token_key=token.key,
        counts={
            "institutions": len(institutions),
            "units": Unit.objects.count(),
            "users": len(users),
            "memberships": len(memberships),
            "groups": Group.objects.count(),
            "user-group rows": User.groups.through.objects.count(),
            "delegations": Delegation.objects.count(),
            "audit entries": scale.audit_entries,
        },
    )
