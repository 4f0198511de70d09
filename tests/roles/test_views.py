"""The delegations page: a principal hands their work over for a period, both people see it,
only the principal revokes it, and nobody else learns of it."""

import re
from datetime import timedelta
from datetime import timezone as dt_timezone

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditEntry
from roles import services
from roles.models import Delegation, User

pytestmark = pytest.mark.django_db

MOMENT = "%Y-%m-%dT%H:%M"


def client_for(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=username, password="demo")
    return client


def handover(client: Client, deputy: str, **fields: str):  # type: ignore[no-untyped-def]
    now = timezone.localtime()
    return client.post(
        "/work/delegations/",
        {
            "deputy": deputy,
            "starts_at": (now - timedelta(minutes=5)).strftime(MOMENT),
            "ends_at": (now + timedelta(days=5)).strftime(MOMENT),
            "reason": "Pushim vjetor",
            **fields,
        },
    )


def rows(client: Client) -> list[str]:
    page = client.get("/work/delegations/")
    assert page.status_code == 200
    return re.findall(r'data-delegation-id="(\d+)"', page.content.decode())


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    response = Client().get("/work/delegations/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_mayor_hands_over_and_revokes_and_only_the_two_see_it(demo: dict[str, User]) -> None:
    mayor = client_for("kllokot.mayor")
    form = mayor.get("/work/delegations/").content.decode()
    # Only members of the mayor's institution can be chosen.
    assert 'value="kllokot.chair"' in form and 'value="prishtine.mayor"' not in form
    assert 'value="kllokot.mayor"' not in form

    response = handover(mayor, "kllokot.chair")
    assert response.status_code == 302
    delegation = Delegation.objects.get(principal__username="kllokot.mayor")
    assert delegation.deputy.username == "kllokot.chair"
    assert AuditEntry.objects.filter(
        action="delegation.created", object_id=str(delegation.pk)
    ).exists()
    assert rows(mayor) == [str(delegation.pk)]
    chair = client_for("kllokot.chair")
    assert rows(chair) == [str(delegation.pk)]
    assert rows(client_for("kllokot.info")) == []
    assert rows(client_for("prishtine.mayor")) == []

    # Whoever is not the principal cannot end it: a stranger is told nothing exists.
    assert (
        client_for("prishtine.mayor").post(f"/work/delegations/{delegation.pk}/revoke/").status_code
        == 404
    )
    refused = chair.post(f"/work/delegations/{delegation.pk}/revoke/", follow=True)
    assert "Only the principal can revoke the delegation." in refused.content.decode()
    delegation.refresh_from_db()
    assert delegation.revoked_at is None

    created = AuditEntry.objects.get(action="delegation.created", object_id=str(delegation.pk))
    revoked = mayor.post(f"/work/delegations/{delegation.pk}/revoke/", follow=True)
    assert "The delegation is revoked." in revoked.content.decode()
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None
    assert 'class="delegation-state">revoked<' in revoked.content.decode()
    later = AuditEntry.objects.get(action="delegation.revoked", object_id=str(delegation.pk))
    assert created.data["new"]["ends_at"] == later.data["old"]["ends_at"]


def test_the_log_writes_a_moment_alike_when_set_and_when_read_back(demo: dict[str, User]) -> None:
    """Set in Prishtina's time (+01:00 in November), read back from the database in UTC."""
    mayor = demo["kllokot.mayor"]
    prishtina = dt_timezone(timedelta(hours=1))
    ends_at = timezone.now().astimezone(prishtina) + timedelta(days=2)
    delegation = services.delegation_create(
        actor=mayor,
        principal=mayor,
        deputy=demo["kllokot.chair"],
        starts_at=timezone.now().astimezone(prishtina),
        ends_at=ends_at,
        reason="Pushim",
    )
    services.delegation_revoke(actor=mayor, delegation=Delegation.objects.get(pk=delegation.pk))
    created, revoked = (
        AuditEntry.objects.get(action=action, object_id=str(delegation.pk)).data
        for action in ("delegation.created", "delegation.revoked")
    )
    assert created["new"]["ends_at"] == revoked["old"]["ends_at"]
    assert created["new"]["ends_at"].endswith("Z")


@pytest.mark.parametrize(
    ("deputy", "fields", "field"),
    [
        ("prishtine.mayor", {}, "deputy"),  # another institution's official
        ("kllokot.chair", {"ends_at": "2020-01-01T00:00"}, "ends_at"),  # before it starts
        ("kllokot.chair", {"starts_at": "nesër"}, "starts_at"),
        (
            "kllokot.chair",
            {"starts_at": "2020-01-01T00:00", "ends_at": "2020-01-05T00:00"},
            "ends_at",
        ),
        # Year one at +01:00 is in year zero in UTC: no database holds it.
        ("kllokot.chair", {"starts_at": "0001-01-01T00:00"}, "starts_at"),
        ("kllokot.chair", {"reason": ""}, "reason"),
    ],
)
def test_a_wrong_handover_is_shown_on_the_form_and_nothing_is_saved(
    demo: dict[str, User], deputy: str, fields: dict[str, str], field: str
) -> None:
    response = handover(client_for("kllokot.mayor"), deputy, **fields)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Delegation.objects.exists()


def test_the_same_handover_twice_or_both_ways_is_refused(demo: dict[str, User]) -> None:
    mayor = client_for("kllokot.mayor")
    assert handover(mayor, "kllokot.chair").status_code == 302
    again = handover(mayor, "kllokot.chair")
    assert again.status_code == 400 and "deputy" in again.context["form"].errors
    back = handover(client_for("kllokot.chair"), "kllokot.mayor")
    assert back.status_code == 400 and "deputy" in back.context["form"].errors
    # Another official may act for her at the same time (e.g. for the information office).
    assert handover(mayor, "kllokot.info").status_code == 302
    delegation = Delegation.objects.get(deputy__username="kllokot.chair")
    mayor.post(f"/work/delegations/{delegation.pk}/revoke/")
    assert handover(mayor, "kllokot.chair").status_code == 302  # once revoked, it is free
