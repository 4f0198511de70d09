"""Sign-ins are writes an auditor asks about; Django announces them only through signals.
And each new SQLite connection learns the function the audit log's delete guard asks."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.backends.signals import connection_created
from django.dispatch import receiver

from .services import audit_record, wipe_allowed


@receiver(user_logged_in, dispatch_uid="audit_login")
def record_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action="auth.login", obj=user)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def record_login_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    audit_record(
        actor=None, action="auth.login_failed", extra={"username": credentials.get("username", "")}
    )


@receiver(connection_created, dispatch_uid="audit_sqlite_wipe_guard")
def define_wipe_guard(sender: Any, connection: Any, **kwargs: Any) -> None:
    """The SQLite triggers of migration 0003 refuse deleting audit rows unless this function
    says the whole database is being emptied; a connection without it is refused outright."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("audit_wipe_allowed", 0, wipe_allowed)
