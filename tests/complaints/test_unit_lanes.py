"""Lanes narrowed to a unit (`roles.selectors.unit_lane_role`): the people of one unit holding
the role, their acting officials, and the group their permissions are granted to."""

from datetime import timedelta

import pytest
from django.utils import timezone

from roles import services as roles_services
from roles.models import Institution, Membership, Role, Unit, User
from roles.selectors import lane_people, lane_role_parts, role_holders, unit_lane_role

from .steps import unit_officer


@pytest.mark.django_db
def test_a_unit_lane_holds_only_that_units_people(demo) -> None:  # type: ignore[no-untyped-def]
    kllokot = Institution.objects.get(code="KLLOKOT")
    roads = unit_officer("kllokot.roads", "infrastructure")
    services = User.objects.get(username="kllokot.services")
    lane = unit_lane_role("complaints_officer", "public-services")
    assert lane_role_parts(lane) == ("complaints_officer", "public-services")
    assert lane_role_parts("mayor") == ("mayor", "")
    assert role_holders(institution=kllokot, role=lane) == [services]
    assert role_holders(
        institution=kllokot, role=unit_lane_role("complaints_officer", "infrastructure")
    ) == [roads]
    # The whole institution's lane still holds both; another municipality's the same unit, none.
    assert set(role_holders(institution=kllokot, role="complaints_officer")) == {services, roads}
    prishtine = Institution.objects.get(code="PRISHTINE")
    assert role_holders(institution=prishtine, role=lane) == []
    assert lane_people([(kllokot.pk, lane)]) == {(kllokot.pk, lane): [services]}


@pytest.mark.django_db
def test_an_acting_official_of_the_institution_joins_the_unit_lane(demo) -> None:  # type: ignore[no-untyped-def]
    kllokot = Institution.objects.get(code="KLLOKOT")
    services = User.objects.get(username="kllokot.services")
    deputy = User.objects.get(username="kllokot.info")
    admin = User.objects.get(username="admin")
    now = timezone.now()
    roles_services.delegation_create(
        actor=admin,
        principal=services,
        deputy=deputy,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
        reason="leave",
    )
    lane = unit_lane_role("complaints_officer", "public-services")
    assert set(role_holders(institution=kllokot, role=lane)) == {services, deputy}


@pytest.mark.django_db
def test_unit_groups_follow_memberships(demo) -> None:  # type: ignore[no-untyped-def]
    services = User.objects.get(username="kllokot.services")
    names = set(services.groups.values_list("name", flat=True))
    assert "unit:KLLOKOT:public-services:complaints_officer" in names
    Membership.objects.filter(user=services).update(
        valid_from=timezone.localdate() - timedelta(days=10)
    )
    membership = Membership.objects.get(user=services, role__code="complaints_officer")
    roles_services.membership_end(
        actor=User.objects.get(username="admin"),
        membership=membership,
        on=timezone.localdate() - timedelta(days=1),
    )
    names = set(services.groups.values_list("name", flat=True))
    assert not any(name.startswith("unit:") for name in names)
    assert Unit.objects.filter(code="public-services", institution__code="KLLOKOT").exists()
    assert Role.objects.filter(code="one_stop_shop_officer").exists()
