from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RolesConfig(AppConfig):
    name = "roles"
    verbose_name = _("Institutions and roles")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from config import schema  # noqa: F401  (registers the OpenAPI session scheme)

        from .permissions import permissions_forget

        post_migrate.connect(permissions_forget, dispatch_uid="roles.permissions_forget")
