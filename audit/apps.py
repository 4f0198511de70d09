from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from config.health import register_health_check

        from . import receivers  # noqa: F401  (logins; SQLite's delete guard)
        from .health import check_audit

        register_health_check("audit", check_audit, order=60)
