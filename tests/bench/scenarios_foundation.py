"""The foundation: the audit chain, the two busiest API reads, and the object-permission filter."""

import hashlib
import hmac
import json
from datetime import UTC
from functools import partial
from typing import Any

from django.conf import settings
from django.test import Client
from django.utils import timezone
from psycopg.types.json import Jsonb

from audit.models import GENESIS_HASH, AuditEntry, AuditHead
from audit.services import audit_record, audit_verify, entry_hash
from roles.models import Institution, User
from roles.permissions import (
    grant,
    institution_group,
    membership_groups_sync,
    objects_with_permission,
)

from . import Context, Row, elapsed, latency_rows, rate, scenario

# --- audit_append --------------------------------------------------------------------------------

INSERT_ENTRY = """
    INSERT INTO audit_auditentry
        (seq, at, actor, on_behalf_of, action, object_type, object_id, data, prev_hash, hash)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
"""


def _next_entries(count: int) -> list[AuditEntry]:
    """The next `count` links after the current head, hashed beforehand."""
    head = AuditHead.objects.get(pk=1)
    seq, prev_hash, at = head.seq, head.hash, timezone.now()
    entries = []
    for i in range(count):
        entry = AuditEntry(
            seq=seq + 1 + i,
            at=at,
            actor="bench.raw",
            on_behalf_of="",
            action="bench.append",
            object_type="roles.institution",
            object_id=str(i),
            data={"i": i},
            prev_hash=prev_hash,
        )
        entry.hash = prev_hash = entry_hash(entry)
        entries.append(entry)
    return entries


@scenario("audit_append")
def audit_append(ctx: Context) -> list[Row]:
    n, warmup = ctx.scale.append_calls, ctx.scale.append_calls // 10
    actor = User.objects.get(pk=ctx.data.member_id)

    def ours(count: int) -> None:
        for i in range(count):
            audit_record(
                actor=actor,
                action="bench.append",
                object_type="roles.institution",
                object_id=i,
                extra={"i": i},
            )

    def raw(entries: list[AuditEntry]) -> None:
        # What audit_record does, minus the ORM: lock the head, insert (the database moves the
        # head); one transaction each. The hash is precomputed, so the chain stays valid.
        with ctx.raw.cursor() as cursor:
            for e in entries:
                with ctx.raw.transaction():
                    cursor.execute("SELECT seq, hash FROM audit_audithead WHERE id = 1 FOR UPDATE")
                    cursor.execute(
                        INSERT_ENTRY,
                        (
                            e.seq,
                            e.at,
                            e.actor,
                            e.on_behalf_of,
                            e.action,
                            e.object_type,
                            e.object_id,
                            Jsonb(e.data),
                            e.prev_hash,
                            e.hash,
                        ),
                    )

    ours(warmup)
    raw(_next_entries(warmup))
    # Ten alternating rounds, so load elsewhere on the machine hits both sides alike.
    ours_s = raw_s = 0.0
    chunk = n // 10
    for _ in range(10):
        ours_s += elapsed(partial(ours, chunk))
        raw_s += elapsed(partial(raw, _next_entries(chunk)))  # hashed before the clock starts
    ours_rate, raw_rate = 10 * chunk / ours_s, 10 * chunk / raw_s
    baseline = "raw: psycopg lock head, INSERT, UPDATE head; a txn each; hash precomputed"
    return [Row("entries/s", ours_rate, raw_rate, baseline)]


# --- audit_verify --------------------------------------------------------------------------------

SELECT_CHAIN = """
    SELECT seq, at, actor, on_behalf_of, action, object_type, object_id, data, prev_hash, hash
    FROM audit_auditentry ORDER BY seq
"""


def _raw_verify(ctx: Context, *, recompute: bool) -> int:
    """Stream the chain through a server-side cursor; with `recompute`, check it as audit_verify
    does (sequence, links, HMAC-SHA256 of the same canonical JSON under the same key). Returns
    the entries read."""
    expected, prev_hash = 1, GENESIS_HASH
    key = settings.AUDIT_HMAC_KEY.encode()
    with ctx.raw.transaction(), ctx.raw.cursor(name="bench_verify") as cursor:
        cursor.itersize = 2000
        cursor.execute(SELECT_CHAIN)
        for (
            seq,
            at,
            actor,
            on_behalf_of,
            action,
            object_type,
            object_id,
            data,
            prev,
            digest,
        ) in cursor:
            if recompute:
                payload = {
                    "seq": seq,
                    "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
                    "actor": actor,
                    "on_behalf_of": on_behalf_of,
                    "action": action,
                    "object_type": object_type,
                    "object_id": object_id,
                    "data": data,
                    "prev_hash": prev,
                }
                canonical = json.dumps(
                    payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False
                )
                if (
                    seq != expected
                    or prev != prev_hash
                    or digest != hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()
                ):
                    raise AssertionError(f"raw verify: chain breaks at seq {seq}")
            expected, prev_hash = seq + 1, digest
    return expected - 1


@scenario("audit_verify")
def audit_verify_rate(ctx: Context) -> list[Row]:
    count = _raw_verify(ctx, recompute=False)  # warm-up: the table is in the cache for both
    reports = []
    ours = rate(count, lambda: reports.append(audit_verify()))
    assert reports[0].ok and reports[0].entries == count, reports[0]
    fetch_and_hash = rate(count, lambda: _raw_verify(ctx, recompute=True))
    fetch_only = rate(count, lambda: _raw_verify(ctx, recompute=False))
    return [
        Row(
            "entries/s",
            ours,
            fetch_and_hash,
            f"raw: named-cursor SELECT ORDER BY seq + HMAC-SHA256 recompute ({count:,} entries)",
        ),
        Row(
            "entries/s",
            ours,
            fetch_only,
            f"raw: named-cursor SELECT ORDER BY seq, fetch only ({count:,} entries)",
        ),
    ]


# --- api_me, api_institutions --------------------------------------------------------------------

TOKEN_USER = """
    SELECT u.id, u.username, u.first_name, u.last_name, u.is_active, u.is_superuser,
           u.preferred_language
    FROM authtoken_token t JOIN roles_user u ON u.id = t.user_id WHERE t.key = %s
"""
MEMBERSHIPS = """
    SELECT i.code, i.name_sq, un.code, un.name_sq, r.code
    FROM roles_membership m
    JOIN roles_institution i ON i.id = m.institution_id
    LEFT JOIN roles_unit un ON un.id = m.unit_id
    JOIN roles_role r ON r.id = m.role_id
    WHERE m.user_id = %s AND m.valid_from <= %s AND (m.valid_until IS NULL OR m.valid_until >= %s)
    ORDER BY m.valid_from, m.id
"""
PRINCIPALS = """
    SELECT u.username FROM roles_delegation d JOIN roles_user u ON u.id = d.principal_id
    WHERE d.deputy_id = %s AND d.starts_at <= now() AND d.ends_at > now()
      AND d.revoked_at IS NULL AND u.is_active
"""
INSTITUTION_PAGE = """
    SELECT i.code, i.kind, i.name_sq, i.name_sr, i.name_en, p.code
    FROM roles_institution i LEFT JOIN roles_institution p ON p.id = i.parent_id
    ORDER BY i.code LIMIT 50
"""


def _api_client(ctx: Context) -> Client:
    return Client(headers={"Authorization": f"Token {ctx.data.token_key}"}, SERVER_NAME="localhost")


def _get(client: Client, path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    return response.json()


@scenario("api_me")
def api_me(ctx: Context) -> list[Row]:
    client = _api_client(ctx)
    assert _get(client, "/api/me/")["roles"] == ["officer"]

    def raw() -> str:
        with ctx.raw.cursor() as cursor:
            user = cursor.execute(TOKEN_USER, (ctx.data.token_key,)).fetchone()
            assert user is not None
            today = timezone.localdate()
            memberships = cursor.execute(MEMBERSHIPS, (user[0], today, today)).fetchall()
            principals = cursor.execute(PRINCIPALS, (user[0],)).fetchall()
        return json.dumps({"user": user, "memberships": memberships, "acting_for": principals})

    return latency_rows(
        lambda: _get(client, "/api/me/"),
        raw,
        ctx.scale.requests,
        "raw: token+user, active memberships join, delegations; json.dumps",
    )


@scenario("api_institutions")
def api_institutions(ctx: Context) -> list[Row]:
    client = _api_client(ctx)
    assert len(_get(client, "/api/institutions/")["results"]) == min(50, ctx.scale.institutions)

    def raw() -> str:
        with ctx.raw.cursor() as cursor:
            assert cursor.execute(TOKEN_USER, (ctx.data.token_key,)).fetchone() is not None
            count = cursor.execute("SELECT count(*) FROM roles_institution").fetchone()
            page = cursor.execute(INSTITUTION_PAGE).fetchall()
        return json.dumps({"count": count, "results": page})

    return latency_rows(
        lambda: _get(client, "/api/institutions/"),
        raw,
        ctx.scale.requests,
        "raw: token+user, count(*), first page of 50 with parent code; json.dumps",
    )


# --- permission_filter ---------------------------------------------------------------------------

VISIBLE_INSTITUTIONS = """
    WITH who AS (
        SELECT %(user)s::bigint AS id
        UNION
        SELECT d.principal_id FROM roles_delegation d JOIN roles_user u ON u.id = d.principal_id
        WHERE d.deputy_id = %(user)s AND d.starts_at <= now() AND d.ends_at > now()
          AND d.revoked_at IS NULL AND u.is_active
    ), perm AS (
        SELECT p.id FROM auth_permission p
        JOIN django_content_type ct ON ct.id = p.content_type_id
        WHERE ct.app_label = 'roles' AND ct.model = 'institution'
          AND p.codename = 'view_institution'
    )
    SELECT i.id, i.name_sq, i.name_sr, i.name_en, i.code, i.kind, i.parent_id
    FROM roles_institution i
    WHERE i.id IN (
        SELECT gop.object_pk::bigint FROM guardian_groupobjectpermission gop
        JOIN roles_user_groups ug ON ug.group_id = gop.group_id
        WHERE ug.user_id IN (SELECT id FROM who) AND gop.permission_id IN (SELECT id FROM perm)
        UNION
        SELECT uop.object_pk::bigint FROM guardian_userobjectpermission uop
        WHERE uop.user_id IN (SELECT id FROM who) AND uop.permission_id IN (SELECT id FROM perm)
    )
"""


@scenario("permission_filter")
def permission_filter(ctx: Context) -> list[Row]:
    user = User.objects.get(pk=ctx.data.member_id)
    home = Institution.objects.get(pk=ctx.data.member_institution_id)
    assert not membership_groups_sync(user=user), "bench data left the member's groups out of step"
    others = Institution.objects.exclude(pk=home.pk).order_by("code")[:50]
    for institution in others:
        grant(
            actor=None,
            perm="roles.view_institution",
            obj=institution,
            group=institution_group(home),
        )

    def ours() -> list[Institution]:
        return list(
            objects_with_permission(
                user=user, perm="roles.view_institution", queryset=Institution.objects.all()
            )
        )

    def raw() -> list[tuple[Any, ...]]:
        return ctx.raw.execute(VISIBLE_INSTITUTIONS, {"user": user.pk}).fetchall()

    visible = {i.pk for i in ours()}
    assert visible == {row[0] for row in raw()} and len(visible) == 1 + len(others), visible
    return latency_rows(
        ours,
        raw,
        ctx.scale.requests,
        f"raw: one SELECT, group+user object perms via roles_user_groups ({len(visible)} rows)",
    )
