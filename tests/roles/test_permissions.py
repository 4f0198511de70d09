"""Object permissions through the guardian helpers: institutions, roles, validity, delegation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from roles import permissions, services
from roles.models import Delegation, Institution, Membership, Role, User

PERM = "roles.view_institution"


@pytest.fixture
def kllokot(demo: dict[str, User]) -> Institution:
    return Institution.objects.get(code="KLLOKOT")


@pytest.fixture
def target(demo: dict[str, User]) -> Institution:
    """Any guarded object will do; an institution record is the one model the foundation has."""
    return Institution.objects.get(code="AIP")


def visible(user: User, obj: Institution) -> bool:
    return permissions.acting_with_permission(user=user, perm=PERM, obj=obj) is not None


def test_a_grant_to_an_institution_reaches_its_members_and_nobody_else(
    demo: dict[str, User], kllokot: Institution, target: Institution
) -> None:
    admin = demo["admin"]
    permissions.grant(
        actor=admin, perm=PERM, obj=target, group=permissions.institution_group(kllokot)
    )
    assert visible(demo["kllokot.mayor"], target)
    assert visible(demo["kllokot.info"], target)
    assert not visible(demo["prishtine.mayor"], target)
    assert not visible(demo["mapl.legal"], target)
    assert list(
        permissions.objects_with_permission(
            user=demo["kllokot.chair"], perm=PERM, queryset=Institution.objects.all()
        )
    ) == [target]
    assert (
        permissions.objects_with_permission(
            user=demo["prishtine.chair"], perm=PERM, queryset=Institution.objects.all()
        ).count()
        == 0
    )

    # Granting again changes nothing, and so is not in the log.
    assert not permissions.grant(
        actor=admin, perm=PERM, obj=target, group=permissions.institution_group(kllokot)
    )
    permissions.revoke(
        actor=admin, perm=PERM, obj=target, group=permissions.institution_group(kllokot)
    )
    permissions.revoke(
        actor=admin, perm=PERM, obj=target, group=permissions.institution_group(kllokot)
    )
    assert not visible(demo["kllokot.mayor"], target)
    actions = list(
        AuditEntry.objects.filter(
            object_type="roles.institution", object_id=str(target.pk)
        ).values_list("action", flat=True)
    )
    assert actions == ["institution.created", "permission.granted", "permission.revoked"]


def test_a_grant_to_a_role_reaches_only_that_role_in_that_institution(
    demo: dict[str, User], kllokot: Institution, target: Institution
) -> None:
    mayor_role = Role.objects.get(code="mayor")
    permissions.grant(
        actor=demo["admin"],
        perm=PERM,
        obj=target,
        group=permissions.role_group(kllokot, mayor_role),
    )
    assert visible(demo["kllokot.mayor"], target)
    assert not visible(demo["kllokot.info"], target)
    assert not visible(demo["prishtine.mayor"], target)


def test_membership_validity_period_decides_access(
    demo: dict[str, User], kllokot: Institution, target: Institution
) -> None:
    admin, newcomer = demo["admin"], User.objects.create_user("kllokot.newcomer")
    permissions.grant(
        actor=admin, perm=PERM, obj=target, group=permissions.institution_group(kllokot)
    )
    today = timezone.localdate()
    membership = services.membership_create(
        actor=admin,
        user=newcomer,
        institution=kllokot,
        role=Role.objects.get(code="officer"),
        valid_from=today + timedelta(days=3),
    )
    assert not visible(newcomer, target), "a membership that has not started grants nothing"

    Membership.objects.filter(pk=membership.pk).update(valid_from=today - timedelta(days=5))
    assert services.memberships_sync_all() == 1
    assert visible(User.objects.get(pk=newcomer.pk), target)

    services.membership_end(
        actor=admin,
        membership=Membership.objects.get(pk=membership.pk),
        on=today - timedelta(days=1),
    )
    assert not visible(User.objects.get(pk=newcomer.pk), target)
    assert services.memberships_sync_all() == 0, "nothing left to change"


def test_an_acting_official_acts_on_behalf_of_the_principal_only_during_the_delegation(
    demo: dict[str, User], kllokot: Institution, target: Institution
) -> None:
    mayor, deputy = demo["kllokot.mayor"], demo["kllokot.info"]
    permissions.grant(
        actor=demo["admin"],
        perm=PERM,
        obj=target,
        group=permissions.role_group(kllokot, Role.objects.get(code="mayor")),
    )
    assert not visible(deputy, target)

    now = timezone.now()
    delegation = services.delegation_create(
        actor=mayor,
        principal=mayor,
        deputy=deputy,
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=7),
        reason="Annual leave",
    )
    acting = permissions.acting_with_permission(user=deputy, perm=PERM, obj=target)
    assert acting is not None
    assert (acting.user, acting.on_behalf_of) == (deputy, mayor)
    # The mayor still acts in their own right.
    own = permissions.acting_with_permission(user=mayor, perm=PERM, obj=target)
    assert own is not None and own.on_behalf_of is None

    # What the deputy does is recorded with both names.
    permissions.revoke(
        actor=acting.user,
        on_behalf_of=acting.on_behalf_of,
        perm=PERM,
        obj=target,
        group=permissions.role_group(kllokot, Role.objects.get(code="mayor")),
    )
    entry = AuditEntry.objects.get(action="permission.revoked")
    assert (entry.actor, entry.on_behalf_of) == ("kllokot.info", "kllokot.mayor")

    services.delegation_revoke(actor=mayor, delegation=delegation)
    assert not visible(deputy, target)
    assert AuditEntry.objects.filter(
        action="delegation.revoked", object_id=str(delegation.pk)
    ).exists()


def test_a_delegation_outside_its_period_gives_nothing(
    demo: dict[str, User], kllokot: Institution, target: Institution
) -> None:
    mayor, deputy = demo["kllokot.mayor"], demo["kllokot.assembly"]
    permissions.grant(
        actor=demo["admin"],
        perm=PERM,
        obj=target,
        group=permissions.role_group(kllokot, Role.objects.get(code="mayor")),
    )
    now = timezone.now()
    services.delegation_create(
        actor=mayor,
        principal=mayor,
        deputy=deputy,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=2),
        reason="Next week",
    )
    # One that has ended (the service refuses to create such a period; it is history).
    Delegation.objects.create(
        principal=mayor,
        deputy=deputy,
        starts_at=now - timedelta(days=3),
        ends_at=now - timedelta(days=1),
        reason="Last week",
        created_by=mayor,
    )
    assert not visible(deputy, target)
    assert (
        permissions.objects_with_permission(
            user=deputy, perm=PERM, queryset=Institution.objects.all()
        ).count()
        == 0
    )


@pytest.mark.parametrize(
    ("actor", "deputy", "refused_field"),
    [
        ("kllokot.chair", "kllokot.info", "principal"),  # only the principal delegates
        ("kllokot.mayor", "prishtine.info", "deputy"),  # a colleague, not another institution's
    ],
)
def test_delegation_rules(
    demo: dict[str, User], actor: str, deputy: str, refused_field: str
) -> None:
    from django.core.exceptions import ValidationError

    now = timezone.now()
    with pytest.raises(ValidationError) as refusal:
        services.delegation_create(
            actor=demo[actor],
            principal=demo["kllokot.mayor"],
            deputy=demo[deputy],
            starts_at=now,
            ends_at=now + timedelta(days=1),
            reason="x",
        )
    assert set(refusal.value.message_dict) == {refused_field}


def test_a_delegation_breaking_both_rules_is_told_both_on_their_fields(api_as) -> None:  # type: ignore[no-untyped-def]
    """To oneself and ending as it starts: each refusal on its own field, in the reader's words
    (not the name of the database constraint that would otherwise report the second)."""
    now = timezone.now()
    refused = api_as("kllokot.mayor").post(
        "/api/delegations/",
        {
            "deputy": "kllokot.mayor",
            "starts_at": now.isoformat(),
            "ends_at": now.isoformat(),
            "reason": "Pushim",
        },
        format="json",
    )
    assert refused.status_code == 400, refused.content
    details = refused.json()["error"]["details"]
    assert set(details) == {"deputy", "ends_at"}, details
    assert "delegation_not_to_self" not in refused.content.decode()
    assert not Delegation.objects.exists()
