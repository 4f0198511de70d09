"""Signing in with the government's directory (LDAP, Active Directory), through django-auth-ldap.

Configured by environment (config/settings/base.py, "The directory"); off when LDAP_SERVER_URI
is empty. At each sign-in the person's attributes are read again and their memberships of the
kinds the directory's groups give (roles.models.DirectoryGroup, set by `import_organisation`)
follow the groups they are in now (`services.directory_memberships_sync`).

Local passwords stay for the embedded default and for break-glass accounts: an account with a
usable local password signs in only with it, never through the directory (a directory entry of
the same name cannot take it over), and a disabled account (`is_active` off, here or by
`import_organisation`) cannot sign in through the directory either.
"""

import logging
from typing import Any

import ldap
from django.db import transaction
from django_auth_ldap.backend import LDAPBackend

from audit.services import audit_record, snapshot

from . import services
from .models import User

logger = logging.getLogger(__name__)


class DirectoryBackend(LDAPBackend):
    def get_or_build_user(self, username: str, ldap_user: Any) -> tuple[User, bool]:
        user, built = super().get_or_build_user(username, ldap_user)
        if not built and user.has_usable_password():
            raise ldap_user.AuthenticationFailed("a local account; it signs in with its password")
        ldap_user.built = built
        return user, built

    def authenticate_ldap_user(self, ldap_user: Any, password: str) -> User | None:
        # The directory is asked (bind, search, groups) before the transaction begins: no
        # database lock is held while a slow directory answers.
        user = super().authenticate_ldap_user(ldap_user, password)
        if user is None or not user.is_active:
            return None
        try:
            groups = set(ldap_user.group_dns) | set(ldap_user.group_names)
        except ldap.LDAPError as error:
            # Without the groups, syncing would end every membership they give: refuse instead.
            logger.warning("directory groups of %s unreadable: %s", user.username, error)
            return None
        with transaction.atomic():
            if getattr(ldap_user, "built", False):
                audit_record(
                    actor=None,
                    action="user.created",
                    obj=user,
                    new=snapshot(user, ["username", "first_name", "last_name", "email"]),
                    extra={"source": "directory", "dn": ldap_user.dn},
                )
            services.directory_memberships_sync(user=user, groups=groups)
        return user

    def user_can_authenticate(self, user: Any) -> bool:
        return bool(getattr(user, "is_active", False))
