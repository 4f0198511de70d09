"""Prepared queries: compiled once, they answer what the ORM answers for any values."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from config.prepared import PREPARE_THRESHOLD, Prepared, planned_once
from roles.models import Delegation, Institution, Membership, User
from roles.selectors import role_holders


def _members(institution_id: int, role: str, day: date) -> QuerySet[User]:
    ids = Membership.objects.active(day).filter(institution_id=institution_id, role__code=role)
    return User.objects.filter(pk__in=ids.values("user_id"), is_active=True).order_by("pk")


def _usernames(institution_id: int, role: str) -> QuerySet[User, tuple[str, int]]:
    return (
        User.objects.filter(
            memberships__institution_id=institution_id, memberships__role__code=role
        )
        .order_by("username")
        .values_list("username", "pk")
    )


@pytest.mark.django_db
def test_rows_and_objects_equal_the_orm_for_other_values(demo) -> None:  # type: ignore[no-untyped-def]
    calls: list[tuple[int, str]] = []

    def usernames(institution_id: int, role: str) -> QuerySet[User, tuple[str, int]]:
        calls.append((institution_id, role))
        return _usernames(institution_id, role)

    by_username, members = Prepared(usernames), Prepared(_members)
    today = timezone.localdate()
    asked = [
        (institution.pk, role, day)
        for institution in Institution.objects.filter(code__in=("KLLOKOT", "MAPL", "ZKP"))
        for role in ("assembly_chair", "mayor", "officer", "no-such-role")
        for day in (today, date(2001, 1, 1))
    ]
    found = 0
    for institution_id, role, day in asked:
        rows = by_username.rows(institution_id=institution_id, role=role)
        assert rows == list(_usernames(institution_id, role))
        people = members.objects(institution_id=institution_id, role=role, day=day)
        assert [(p.pk, p.username, p.email) for p in people] == [
            (p.pk, p.username, p.email) for p in _members(institution_id, role, day)
        ]
        found += len(rows)
    assert found > 0  # the demo holds some of these roles
    # Whole numbers and text reach every database as given: compiled once (two stand-in
    # rounds), never built again.
    assert len(calls) == 2


@pytest.mark.django_db
def test_postgresql_compiles_dates_once_sqlite_evaluates_them_each_time(demo) -> None:  # type: ignore[no-untyped-def]
    calls = []

    def members(institution_id: int, role: str, day: date) -> QuerySet[User]:
        calls.append(day)
        return _members(institution_id, role, day)

    prepared = Prepared(members)
    kllokot = Institution.objects.get(code="KLLOKOT").pk
    for _ in range(3):
        assert prepared.objects(institution_id=kllokot, role="mayor", day=timezone.localdate())
    # SQLite is given dates as text: the stand-ins do not come back as given.
    assert len(calls) == (2 if connection.vendor == "postgresql" else 2 + 3)


@pytest.mark.django_db
def test_values_of_another_type_are_refused(demo) -> None:  # type: ignore[no-untyped-def]
    prepared = Prepared(_usernames)
    assert prepared.rows(institution_id=1, role="mayor") is not None
    for institution_id in (None, "1", True):
        with pytest.raises(TypeError):
            prepared.rows(institution_id=institution_id, role="mayor")


@pytest.mark.django_db
def test_role_holders_follow_memberships_and_delegations_as_they_change(demo) -> None:  # type: ignore[no-untyped-def]
    kllokot = Institution.objects.get(code="KLLOKOT")
    mayor, officer = demo["kllokot.mayor"], demo["kllokot.info"]

    def names() -> list[str]:
        return sorted(u.username for u in role_holders(institution=kllokot, role="mayor"))

    assert names() == ["kllokot.mayor"]
    now = timezone.now()
    delegation = Delegation.objects.create(
        principal=mayor,
        deputy=officer,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
        created_by=mayor,
    )
    assert names() == ["kllokot.info", "kllokot.mayor"]
    delegation.revoked_at = now
    delegation.save()
    assert names() == ["kllokot.mayor"]
    # A membership that starts tomorrow holds no role today.
    Membership.objects.filter(user=mayor, role__code="mayor").update(
        valid_from=timezone.localdate() + timedelta(days=1)
    )
    assert names() == []


@pytest.mark.django_db
def test_the_server_prepares_statements_inside_planned_once_only(demo) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("server-side prepared statements are PostgreSQL's")
    lookup = "SELECT username /* planned once? */ FROM roles_user WHERE id = %s"
    user_id = demo["kllokot.mayor"].pk

    def run_and_list_prepared() -> list[str]:
        with connection.cursor() as cursor:
            for _ in range(PREPARE_THRESHOLD + 2):
                cursor.execute(lookup, [user_id])
                assert cursor.fetchone() == ("kllokot.mayor",)
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [row[0] for row in cursor.fetchall() if "planned once?" in row[0]]

    assert run_and_list_prepared() == []  # a search or a list is always planned for its values
    with planned_once():
        assert run_and_list_prepared() == [lookup.replace("%s", "$1")]


@pytest.mark.django_db
def test_a_prepared_query_is_planned_once_from_its_first_run(demo) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("server-side prepared statements are PostgreSQL's")
    prepared = Prepared(_usernames)
    kllokot = Institution.objects.get(code="KLLOKOT")
    assert prepared.rows(institution_id=kllokot.pk, role="mayor") == [
        ("kllokot.mayor", demo["kllokot.mayor"].pk)
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert sum('"roles_user"."username"' in sql and "$2" in sql for sql in statements) == 1
    # Outside, the connection prepares nothing again.
    assert connection.connection.prepare_threshold is None
