"""Officials sign in with their directory account (a real slapd, tests/roles/conftest.py): on the
API and the sign-in page, refused with a wrong password or a disabled account, their groups
deciding their memberships at each sign-in, and the sign-in limits still in force."""

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEntry
from roles import services
from roles.models import Institution, Membership, Role, Unit, User
from roles.permissions import role_group
from roles.selectors import memberships_active

from .conftest import DirectoryEntries

pytestmark = pytest.mark.django_db

TOKEN = "/api/auth/token/"


def new_address() -> str:
    value = uuid.uuid4().int
    return f"10.{value % 250}.{value // 250 % 250}.{value // 62500 % 250 + 1}"


def token(username: str, password: str, address: str = "127.0.0.1") -> Any:
    return APIClient().post(
        TOKEN, {"username": username, "password": password}, format="json", REMOTE_ADDR=address
    )


def page_client(username: str, password: str) -> tuple[Client, bool]:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post("/accounts/login/", {"username": username, "password": password})
    return client, "_auth_user_id" in client.session


def mapped(group_dn: str, institution: str, unit: str, role: str) -> None:
    kllokot = Institution.objects.get(code=institution)
    services.directory_group_set(
        actor=None,
        name=group_dn,
        institution=kllokot,
        unit=Unit.objects.get(institution=kllokot, code=unit),
        role=Role.objects.get(code=role),
    )


@pytest.fixture
def zimp(demo: dict[str, User], directory: DirectoryEntries) -> DirectoryEntries:
    """Ana is in the directory, in the group of Kllokot's information office."""
    directory.person("ana.directory", "ana-secret-1", "Ana", "Petrović")
    directory.person("bojan.directory", "bojan-secret-1", "Bojan", "Ilić")
    mapped(
        directory.group("kllokot-zimp", ["ana.directory"]),
        "KLLOKOT",
        "zimp",
        "information_officer",
    )
    mapped(
        directory.group("kllokot-assembly", ["bojan.directory"]),
        "KLLOKOT",
        "assembly-office",
        "assembly_officer",
    )
    return directory


def test_a_directory_account_signs_in_on_the_api_and_the_page(zimp: DirectoryEntries) -> None:
    response = token("ana.directory", "ana-secret-1")
    assert response.status_code == 200, response.content
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    body = me.get("/api/me/").json()
    assert body["username"] == "ana.directory"
    assert body["full_name"] == "Ana Petrović"
    assert body["institution"]["code"] == "KLLOKOT" and body["unit_code"] == "zimp"
    assert body["roles"] == ["information_officer"]

    ana = User.objects.get(username="ana.directory")
    assert not ana.has_usable_password()  # the directory keeps the password
    assert ana.email == "ana.directory@rks-gov.test"
    created = AuditEntry.objects.get(action="user.created", object_id=str(ana.pk))
    assert created.data["source"] == "directory"
    assert AuditEntry.objects.filter(action="membership.created", actor="system").exists()
    assert ana.groups.filter(pk=role_group(
        Institution.objects.get(code="KLLOKOT"), Role.objects.get(code="information_officer")
    ).pk).exists()  # fmt: skip

    client, signed_in = page_client("ana.directory", "ana-secret-1")
    assert signed_in
    assert client.get("/work/").status_code == 200
    # The second sign-in changed nothing of her memberships.
    assert Membership.objects.filter(user=ana).count() == 1


def test_a_wrong_password_is_refused_and_creates_nobody(zimp: DirectoryEntries) -> None:
    response = token("ana.directory", "not-her-password")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert not page_client("ana.directory", "not-her-password")[1]
    assert not page_client("nobody.at.all", "whatever")[1]
    assert not User.objects.filter(username="ana.directory").exists()


def test_a_disabled_account_cannot_sign_in(zimp: DirectoryEntries) -> None:
    # Disabled in the directory: the user search does not find it.
    zimp.person("gone.directory", "gone-secret-1", "Goran", "Nikolić", disabled=True)
    assert token("gone.directory", "gone-secret-1").status_code == 400
    assert not User.objects.filter(username="gone.directory").exists()
    # Disabled here (by an administrator or the organisation file): the directory's right
    # password does not get past it, on either path.
    assert token("ana.directory", "ana-secret-1").status_code == 200
    ana = User.objects.get(username="ana.directory")
    services.person_active_set(actor=None, user=ana, active=False)
    assert token("ana.directory", "ana-secret-1").status_code == 400
    assert not page_client("ana.directory", "ana-secret-1")[1]


def test_a_group_change_moves_the_person_at_the_next_sign_in(zimp: DirectoryEntries) -> None:
    assert token("bojan.directory", "bojan-secret-1").status_code == 200
    bojan = User.objects.get(username="bojan.directory")
    first = memberships_active(user=bojan).get()
    assert (first.unit.code, first.role.code) == ("assembly-office", "assembly_officer")  # type: ignore[union-attr]
    # As if that sign-in had been last month.
    Membership.objects.filter(pk=first.pk).update(
        valid_from=timezone.localdate() - timedelta(days=30)
    )
    # A membership the directory does not give stays whatever the groups say.
    kllokot = Institution.objects.get(code="KLLOKOT")
    services.membership_create(
        actor=None, user=bojan, institution=kllokot, role=Role.objects.get(code="translator")
    )

    zimp.members_set("kllokot-assembly", ["ana.directory"])
    zimp.members_set("kllokot-zimp", ["ana.directory", "bojan.directory"])
    # Nothing changes until he signs in again.
    assert memberships_active(user=bojan).filter(role__code="assembly_officer").exists()
    assert token("bojan.directory", "bojan-secret-1").status_code == 200

    first.refresh_from_db()
    assert first.valid_until == timezone.localdate() - timedelta(days=1)  # ended, kept
    now = {(m.unit.code if m.unit else "", m.role.code) for m in memberships_active(user=bojan)}
    assert now == {("zimp", "information_officer"), ("", "translator")}
    assert AuditEntry.objects.filter(action="membership.ended", object_id=str(first.pk)).exists()
    assembly_officers = Group.objects.get(
        pk=role_group(kllokot, Role.objects.get(code="assembly_officer")).pk
    )
    assert not assembly_officers.user_set.filter(pk=bojan.pk).exists()


def test_a_local_account_is_never_taken_over_by_the_directory(zimp: DirectoryEntries) -> None:
    # The demo's administrator has a local (break-glass) password; a directory entry of the
    # same name with another password does not sign in as it.
    zimp.person("admin", "directory-admin-pass", "Not", "Admin")
    assert token("admin", "directory-admin-pass").status_code == 400
    assert token("admin", "demo").status_code == 200
    assert User.objects.get(username="admin").has_usable_password()


def test_the_sign_in_limits_apply_to_directory_accounts(zimp: DirectoryEntries) -> None:
    address = new_address()
    with override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3):
        for _ in range(2):
            assert token("ana.directory", "wrong", address).status_code == 400
        assert token("ana.directory", "wrong", address).status_code == 429  # the third locks
        locked = token("ana.directory", "ana-secret-1", address)
        assert locked.status_code == 429
        assert "Retry-After" in locked
        # The account itself is locked, from any address, on the page too.
        assert token("ana.directory", "ana-secret-1", new_address()).status_code == 429
        client = Client()
        response = client.post(
            "/accounts/login/",
            {"username": "ana.directory", "password": "ana-secret-1"},
            REMOTE_ADDR=new_address(),
        )
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session


def test_an_unreachable_directory_refuses_its_accounts_but_not_local_ones(
    zimp: DirectoryEntries, free_port: int
) -> None:
    with override_settings(AUTH_LDAP_SERVER_URI=f"ldap://127.0.0.1:{free_port}/"):
        response = token("ana.directory", "ana-secret-1")
        assert response.status_code == 400  # refused, not a server error
        assert not page_client("ana.directory", "ana-secret-1")[1]
        assert token("admin", "demo").status_code == 200  # break-glass still works
