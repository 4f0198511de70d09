"""A real directory server (OpenLDAP's slapd, tests/services/slapd.py) for the sign-in tests:
started once per run, filled by each test, and the app configured to sign in through it."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings

from tests.conftest import unavailable
from tests.services import slapd
from tests.services.debian import CannotSetUp


@pytest.fixture(scope="session")
def directory_server() -> Iterator[slapd.Directory]:
    try:
        server = slapd.start()
    except CannotSetUp as error:
        unavailable(f"the directory server cannot be started: {error}")
    import ldap

    connection = ldap.initialize(server.uri)
    connection.simple_bind_s(server.admin_dn, server.admin_password)
    connection.add_s(
        server.suffix,
        [
            ("objectClass", [b"dcObject", b"organization"]),
            ("dc", [b"koordinimi"]),
            ("o", [b"Koordinimi test directory"]),
        ],
    )
    for unit in ("people", "groups"):
        connection.add_s(
            f"ou={unit},{server.suffix}",
            [("objectClass", [b"organizationalUnit"]), ("ou", [unit.encode()])],
        )
    connection.unbind_s()
    yield server
    server.stop()


class DirectoryEntries:
    """Adds people and groups to the test directory; removes what it added afterwards."""

    def __init__(self, server: slapd.Directory) -> None:
        import ldap

        self.server = server
        self.connection = ldap.initialize(server.uri)
        self.connection.simple_bind_s(server.admin_dn, server.admin_password)
        self.added: list[str] = []

    def person_dn(self, uid: str) -> str:
        return f"uid={uid},ou=people,{self.server.suffix}"

    def group_dn(self, name: str) -> str:
        return f"cn={name},ou=groups,{self.server.suffix}"

    def person(
        self,
        uid: str,
        password: str,
        given_name: str,
        surname: str,
        *,
        disabled: bool = False,
    ) -> str:
        dn = self.person_dn(uid)
        attributes = [
            ("objectClass", [b"inetOrgPerson"]),
            ("uid", [uid.encode()]),
            ("cn", [f"{given_name} {surname}".encode()]),
            ("givenName", [given_name.encode()]),
            ("sn", [surname.encode()]),
            ("mail", [f"{uid}@rks-gov.test".encode()]),
            ("userPassword", [password.encode()]),
        ]
        if disabled:
            attributes.append(("employeeType", [b"disabled"]))
        self.connection.add_s(dn, attributes)
        self.added.append(dn)
        return dn

    def group(self, name: str, members: list[str]) -> str:
        dn = self.group_dn(name)
        self.connection.add_s(
            dn,
            [
                ("objectClass", [b"groupOfNames"]),
                ("cn", [name.encode()]),
                ("member", [self.person_dn(uid).encode() for uid in members]),
            ],
        )
        self.added.append(dn)
        return dn

    def members_set(self, name: str, members: list[str]) -> None:
        import ldap

        values = [self.person_dn(uid).encode() for uid in members]
        self.connection.modify_s(self.group_dn(name), [(ldap.MOD_REPLACE, "member", values)])

    def remove_all(self) -> None:
        for dn in reversed(self.added):
            self.connection.delete_s(dn)
        self.connection.unbind_s()


def directory_settings(server: slapd.Directory) -> dict[str, Any]:
    """What config/settings/base.py builds from LDAP_* variables, for the test server (a
    disabled account carries employeeType=disabled, kept out by the user filter)."""
    import ldap
    from django_auth_ldap.config import GroupOfNamesType, LDAPSearch

    backends = list(settings.AUTHENTICATION_BACKENDS)
    if "roles.directory.DirectoryBackend" not in backends:
        position = backends.index("django.contrib.auth.backends.ModelBackend") + 1
        backends.insert(position, "roles.directory.DirectoryBackend")
    return {
        "AUTHENTICATION_BACKENDS": backends,
        "AUTH_LDAP_SERVER_URI": server.uri,
        "AUTH_LDAP_BIND_DN": server.admin_dn,
        "AUTH_LDAP_BIND_PASSWORD": server.admin_password,
        "AUTH_LDAP_USER_SEARCH": LDAPSearch(
            f"ou=people,{server.suffix}",
            ldap.SCOPE_SUBTREE,
            "(&(uid=%(user)s)(!(employeeType=disabled)))",
        ),
        "AUTH_LDAP_GROUP_SEARCH": LDAPSearch(
            f"ou=groups,{server.suffix}", ldap.SCOPE_SUBTREE, "(objectClass=groupOfNames)"
        ),
        "AUTH_LDAP_GROUP_TYPE": GroupOfNamesType(),
        "AUTH_LDAP_USER_ATTR_MAP": {"first_name": "givenName", "last_name": "sn", "email": "mail"},
        "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
        "AUTH_LDAP_MIRROR_GROUPS": False,
        "AUTH_LDAP_CACHE_TIMEOUT": 0,
    }


@pytest.fixture
def directory(directory_server: slapd.Directory) -> Iterator[DirectoryEntries]:
    """The app signs in through the test directory; the test adds its people and groups."""
    entries = DirectoryEntries(directory_server)
    try:
        with override_settings(**directory_settings(directory_server)):
            yield entries
    finally:
        entries.remove_all()


@pytest.fixture
def free_port() -> int:
    """A loopback port nothing listens on (a directory that is down)."""
    from tests.services.debian import free_port as port

    return port()
