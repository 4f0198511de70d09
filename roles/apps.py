from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RolesConfig(AppConfig):
    name = "roles"
    verbose_name = _("Institutions and roles")

    def ready(self) -> None:
        from config import schema  # noqa: F401  (registers the OpenAPI session scheme)
